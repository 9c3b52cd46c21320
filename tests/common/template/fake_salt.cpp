#include "tests/common/template/fake_salt.h"

#include <memory>

namespace brine::jinja::testing {
namespace {

bool fnmatch(std::string_view pat, std::string_view s) {
  size_t p = 0, i = 0, star = std::string_view::npos, mark = 0;
  auto single = [&](size_t pp, char c, size_t* next) {
    if (pat[pp] == '?') {
      *next = pp + 1;
      return true;
    }
    if (pat[pp] == '[') {
      size_t q = pp + 1;
      bool neg = q < pat.size() && pat[q] == '!';
      if (neg) ++q;
      bool ok = false;
      size_t start = q;
      while (q < pat.size() && (pat[q] != ']' || q == start)) {
        if (q + 2 < pat.size() && pat[q + 1] == '-' && pat[q + 2] != ']') {
          if (c >= pat[q] && c <= pat[q + 2]) ok = true;
          q += 3;
        } else {
          if (c == pat[q]) ok = true;
          ++q;
        }
      }
      if (q >= pat.size()) {  // no closing bracket: literal '['
        *next = pp + 1;
        return c == '[';
      }
      *next = q + 1;
      return ok != neg;
    }
    *next = pp + 1;
    return pat[pp] == c;
  };
  while (i < s.size()) {
    size_t next;
    if (p < pat.size() && pat[p] == '*') {
      star = p++;
      mark = i;
    } else if (p < pat.size() && single(p, s[i], &next)) {
      p = next;
      ++i;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      i = ++mark;
    } else {
      return false;
    }
  }
  while (p < pat.size() && pat[p] == '*') ++p;
  return p == pat.size();
}

std::string py_str(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kString:
      return v.as_string();
    case Value::Kind::kInt:
      return std::to_string(v.as_int());
    case Value::Kind::kBool:
      return v.as_bool() ? "True" : "False";
    case Value::Kind::kNull:
      return "None";
    default:
      return "?";
  }
}

// salt.utils.data.traverse_dict_and_list; nullptr for the default.
const Value* traverse_ptr(const Value& data, const Value& key, const std::string& delim) {
  std::vector<std::string> parts;
  if (key.is_string()) {
    std::string k = key.as_string();
    size_t start = 0;
    while (true) {
      size_t pos = k.find(delim, start);
      parts.push_back(k.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
      if (pos == std::string::npos) break;
      start = pos + delim.size();
    }
  } else if (key.is_list()) {
    for (const auto& p : key.as_list()) parts.push_back(py_str(p));
  }
  const Value* ptr = &data;
  for (const auto& each : parts) {
    if (ptr->is_list()) {
      char* end = nullptr;
      long idx = std::strtol(each.c_str(), &end, 10);
      if (each.empty() || *end) {
        const Value* found = nullptr;
        for (const auto& item : ptr->as_list()) {
          if (item.is_map() && item.find(each)) {
            found = item.find(each);
            break;
          }
        }
        if (!found) return nullptr;
        ptr = found;
        continue;
      }
      long n = static_cast<long>(ptr->as_list().size());
      if (idx < 0) idx += n;
      if (idx < 0 || idx >= n) return nullptr;
      ptr = &ptr->as_list()[static_cast<size_t>(idx)];
    } else if (ptr->is_map()) {
      const Value* v = ptr->find(each);
      if (!v) return nullptr;
      ptr = v;
    } else {
      return nullptr;
    }
  }
  return ptr;
}

Value traverse(const Value& data, const Value& key, const Value& dflt, const std::string& delim) {
  const Value* p = traverse_ptr(data, key, delim);
  return p ? *p : dflt;
}

// salt.utils.dictupdate.update(dest, upd, recursive_update=True, merge_lists)
void dict_update(Value& dest, const Value& upd, bool merge_lists) {
  for (const auto& [k, v] : upd.as_map()) {
    Value* d = dest.find(k);
    if (d && d->is_map() && v.is_map()) {
      dict_update(*d, v, merge_lists);
    } else if (merge_lists && d && d->is_list() && v.is_list()) {
      for (const auto& item : v.as_list()) {
        bool seen = false;
        for (const auto& x : d->as_list()) seen = seen || x == item;
        if (!seen) d->push_back(item);
      }
    } else {
      dest.as_map().set(k, v);
    }
  }
}

struct Fake {
  Value grains, pillar, opts;
};

Value arg(const List& args, const Map& kwargs, size_t i, const char* name, Value dflt) {
  if (i < args.size()) return args[i];
  if (const Value* v = kwargs.find(name)) return *v;
  return dflt;
}

}  // namespace

Caller fake_caller(const Map& context) {
  auto fake = std::make_shared<Fake>();
  if (const Value* v = context.find("grains")) fake->grains = *v;
  if (const Value* v = context.find("pillar")) fake->pillar = *v;
  if (const Value* v = context.find("opts")) fake->opts = *v;
  return [fake](std::string_view fun, List& args, Map& kwargs) -> Result<Value> {
    if (fun == "test.echo") return arg(args, kwargs, 0, "text", Value());
    if (fun == "test.arg") {
      Map out;
      out.set("args", Value(args));
      out.set("kwargs", Value(kwargs));
      return Value(out);
    }
    if (fun == "grains.get" || fun == "pillar.get") {
      const Value& src = fun == "grains.get" ? fake->grains : fake->pillar;
      Value key = arg(args, kwargs, 0, "key", Value(""));
      Value dflt = arg(args, kwargs, 1, "default", Value(""));
      bool merge = fun == "pillar.get" && arg(args, kwargs, 2, "merge", Value(false)).truthy();
      // pillar.get(key, default, merge, merge_nested_lists, delimiter, ...);
      // grains.get(key, default, delimiter, ordered).
      Value delim = arg(args, kwargs, fun == "pillar.get" ? 4 : 2, "delimiter", Value(":"));
      const Value* found = traverse_ptr(src, key, delim.as_string());
      if (merge && dflt.is_map() && found && found->is_map()) {
        Value merged = std::move(dflt);
        dict_update(merged, *found, false);
        return merged;
      }
      return found ? *found : dflt;
    }
    if (fun == "config.get") {
      Value key = arg(args, kwargs, 0, "key", Value(""));
      for (const Value* src : {&fake->opts, &fake->grains, &fake->pillar}) {
        Value r = traverse(*src, key, Value(), ":");
        if (!r.is_null()) return r;
      }
      return arg(args, kwargs, 1, "default", Value(""));
    }
    if (fun == "grains.filter_by") {
      Value lookup = arg(args, kwargs, 0, "lookup_dict", Value());
      Value grain = arg(args, kwargs, 1, "grain", Value("os_family"));
      Value merge = arg(args, kwargs, 2, "merge", Value());
      Value dflt = arg(args, kwargs, 3, "default", Value("default"));
      Value base = arg(args, kwargs, 4, "base", Value());
      if (!lookup.is_map()) return make_error(Errc::kInvalidArgument, "lookup_dict must be a dict");
      Value val = traverse(fake->grains, grain, Value(List{}), ":");
      List each = val.is_list() ? val.as_list() : List{val};
      const Value* ret = nullptr;
      for (const auto& e : each) {
        for (const auto& [k, v] : lookup.as_map()) {
          if (fnmatch(k, py_str(e))) {
            ret = &v;
            break;
          }
        }
        if (ret) break;
      }
      Value result;
      if (ret) {
        result = *ret;
      } else if (dflt.is_string() && lookup.find(dflt.as_string())) {
        result = *lookup.find(dflt.as_string());
      }
      if (base.is_string() && !base.as_string().empty() && lookup.find(base.as_string())) {
        const Value& bv = *lookup.find(base.as_string());
        if (result.is_null()) {
          result = bv;
        } else if (bv.is_map()) {
          if (!result.is_map()) {
            return make_error(Errc::kInvalidArgument,
                              "filter_by default and look-up values must both be dictionaries.");
          }
          Value merged = bv;
          dict_update(merged, result, false);
          result = merged;
        }
      }
      if (merge.truthy()) {
        if (!merge.is_map())
          return make_error(Errc::kInvalidArgument,
                            "filter_by merge argument must be a dictionary.");
        if (result.is_null()) {
          result = merge;
        } else {
          dict_update(result, merge, false);
        }
      }
      return result;
    }
    if (fun == "defaults.merge") {
      if (args.size() < 2 || !args[0].is_map() || !args[1].is_map()) {
        return make_error(Errc::kInvalidArgument, "defaults.merge needs two dicts");
      }
      bool in_place = arg(args, kwargs, 2, "in_place", Value(true)).truthy();
      bool merge_lists = arg(args, kwargs, 3, "merge_lists", Value(false)).truthy();
      if (in_place) {
        dict_update(args[0], args[1], merge_lists);
        return args[0];
      }
      Value copy = args[0];
      dict_update(copy, args[1], merge_lists);
      return copy;
    }
    if (fun == "defaults.deepcopy") return arg(args, kwargs, 0, "source", Value());
    if (fun == "slsutil.merge") {
      Value a = arg(args, kwargs, 0, "obj_a", Value());
      Value b = arg(args, kwargs, 1, "obj_b", Value());
      bool merge_lists = arg(args, kwargs, 4, "merge_lists", Value(false)).truthy();
      if (!a.is_map() || !b.is_map())
        return make_error(Errc::kInvalidArgument, "slsutil.merge needs two dicts");
      dict_update(a, b, merge_lists);
      return a;
    }
    if (fun == "file.join") {
      std::string out;
      for (const auto& p : args) {
        std::string s = p.is_string() ? p.as_string() : py_str(p);
        if (!s.empty() && s[0] == '/') {
          out = s;
        } else if (out.empty() || out.back() == '/') {
          out += s;
        } else {
          out += "/" + s;
        }
      }
      return Value(out);
    }
    if (fun == "file.basename" || fun == "file.dirname") {
      std::string p = arg(args, kwargs, 0, "path", Value("")).as_string();
      size_t slash = p.rfind('/');
      if (fun == "file.basename")
        return Value(slash == std::string::npos ? p : p.substr(slash + 1));
      if (slash == std::string::npos) return Value("");
      std::string head = p.substr(0, slash + 1);
      if (head.find_first_not_of('/') != std::string::npos) {
        while (!head.empty() && head.back() == '/') head.pop_back();
      }
      return Value(head);
    }
    if (fun == "cmd.fail") return make_error(Errc::kInvalidArgument, "command failed");
    return make_error(Errc::kNotFound, "'" + std::string(fun) + "' is not available.");
  };
}

Value debian12_grains() {
  Map g;
  g.set("id", "web1.example.com");
  g.set("os", "Debian");
  g.set("os_family", "Debian");
  g.set("osfullname", "Debian GNU/Linux");
  g.set("osrelease", "12");
  g.set("osrelease_info", Value::list({12}));
  g.set("osmajorrelease", 12);
  g.set("oscodename", "bookworm");
  g.set("osfinger", "Debian-12");
  g.set("osarch", "amd64");
  g.set("kernel", "Linux");
  g.set("kernelrelease", "6.1.0-18-amd64");
  g.set("cpuarch", "x86_64");
  g.set("num_cpus", 4);
  g.set("mem_total", 15936);
  g.set("host", "web1");
  g.set("domain", "example.com");
  g.set("fqdn", "web1.example.com");
  g.set("nodename", "web1");
  g.set("ipv4", Value::list({"192.0.2.5", "127.0.0.1"}));
  g.set("ipv6", Value::list({"::1"}));
  g.set("init", "systemd");
  g.set("virtual", "kvm");
  Map ifs;
  ifs.set("eth0", Value::list({"192.0.2.5"}));
  ifs.set("lo", Value::list({"127.0.0.1"}));
  g.set("ip4_interfaces", Value(ifs));
  g.set("roles", Value::list({"web", "db"}));
  return Value(g);
}

}  // namespace brine::jinja::testing
