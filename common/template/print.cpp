#include "common/template/print.h"

#include <charconv>
#include <vector>

#include "common/codec/python_repr.h"

namespace brine::jinja {
namespace {

thread_local int g_depth = 0;
thread_local std::vector<const Heap*> g_active;  // containers being printed
thread_local bool g_finalize = false;            // printing {{ output }}
// Inside the values of the top-level dict of an output, Salt's PrintableDict
// uses str(), recursively for nested dicts; lists/tuples switch to repr().
thread_local bool g_dict_str = false;

struct DictStrGuard {
  explicit DictStrGuard(bool on) : saved_(g_dict_str) { g_dict_str = on; }
  ~DictStrGuard() { g_dict_str = saved_; }
  bool saved_;
};

struct DepthGuard {
  DepthGuard() { ++g_depth; }
  ~DepthGuard() { --g_depth; }
};

bool is_active(const Heap* h) {
  for (const Heap* a : g_active) {
    if (a == h) return true;
  }
  return false;
}

struct ActiveGuard {
  explicit ActiveGuard(const Heap* h) { g_active.push_back(h); }
  ~ActiveGuard() { g_active.pop_back(); }
};

RS repr_seq(std::string& out, const Val& v) {
  const ListObj* l = v.list_obj();
  if (l->view == ListObj::View::kGroup && l->items.size() == 2) {
    if (g_finalize)
      return type_error("_GroupTuple.__new__() missing 1 required positional argument: 'list'");
    out += "_GroupTuple(grouper=";
    JTRY(append_repr(out, l->items[0]));
    out += ", list=";
    JTRY(append_repr(out, l->items[1]));
    out += ')';
    return {};
  }
  bool tuple = v.is_tuple();
  const char* prefix = "";
  switch (l->view) {
    case ListObj::View::kKeys:
      prefix = "dict_keys(";
      break;
    case ListObj::View::kValues:
      prefix = "dict_values(";
      break;
    case ListObj::View::kItems:
      prefix = "dict_items(";
      break;
    case ListObj::View::kNone:
    case ListObj::View::kGroup:
      break;
    case ListObj::View::kSet: {
      if (l->items.empty()) {
        out += "set()";
        return {};
      }
      out += '{';
      for (size_t i = 0; i < l->items.size(); ++i) {
        if (i) out += ", ";
        JTRY(append_repr(out, l->items[i]));
      }
      out += '}';
      return {};
    }
    case ListObj::View::kRange:
      out += "range(";
      append_int(out, l->range_start);
      out += ", ";
      append_int(out, l->range_stop);
      if (l->range_step != 1) {
        out += ", ";
        append_int(out, l->range_step);
      }
      out += ')';
      return {};
  }
  out += prefix;
  if (is_active(l) && g_finalize)
    return type_error("maximum recursion depth exceeded while calling a Python object");
  if (is_active(l)) {
    out += tuple ? "(...)" : "[...]";
  } else {
    ActiveGuard g(l);
    DictStrGuard ds(false);
    out += tuple ? '(' : '[';
    for (size_t i = 0; i < l->items.size(); ++i) {
      if (i) out += ", ";
      JTRY(append_repr(out, l->items[i]));
    }
    if (tuple && l->items.size() == 1) out += ',';
    out += tuple ? ')' : ']';
  }
  if (*prefix) out += ')';
  return {};
}

RS repr_dict(std::string& out, const Val& v) {
  const DictObj* d = v.dict_obj();
  if (is_active(d) && g_finalize)
    return type_error("maximum recursion depth exceeded while calling a Python object");
  if (is_active(d)) {
    out += "{...}";
    return {};
  }
  ActiveGuard g(d);
  // Salt's finalizer prints the top-level dict with PrintableDict.__str__,
  // which uses str() (not repr()) for non-string values.
  bool str_values = g_finalize && (g_depth == 1 || g_dict_str);
  DictStrGuard ds(str_values);
  out += '{';
  for (size_t i = 0; i < d->items.size(); ++i) {
    if (i) out += ", ";
    JTRY(append_repr(out, d->items[i].first));
    out += ": ";
    const Val& val = d->items[i].second;
    if (str_values && val.is_undefined()) JTRY(check_defined(val));
    JTRY(append_repr(out, val));
  }
  out += '}';
  return {};
}

}  // namespace

void append_float(std::string& out, double d) { codec::append_python_float_repr(out, d); }

void append_int(std::string& out, int64_t i) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, i);
  (void)ec;
  out.append(buf, end);
}

void append_string_repr(std::string& out, std::string_view s) {
  codec::append_python_string_repr(out, s);
}

void Object::repr(std::string& out) const {
  out += "<";
  out += type_name();
  out += " object>";
}

RS append_repr(std::string& out, const Val& v) {
  if (g_depth >= kMaxPrintDepth) {
    return type_error("maximum recursion depth exceeded while getting the repr of an object");
  }
  DepthGuard guard;
  switch (v.tag()) {
    case Tag::kNone:
      out += "None";
      return {};
    case Tag::kBool:
      out += v.as_bool() ? "True" : "False";
      return {};
    case Tag::kInt:
      append_int(out, v.as_int());
      return {};
    case Tag::kFloat:
      append_float(out, v.as_float());
      return {};
    case Tag::kStr:
      if (v.str_obj()->markup) {
        out += "Markup(";
        append_string_repr(out, v.as_str());
        out += ')';
      } else {
        append_string_repr(out, v.as_str());
      }
      return {};
    case Tag::kList:
    case Tag::kTuple:
      return repr_seq(out, v);
    case Tag::kDict:
      return repr_dict(out, v);
    case Tag::kUndefined:
      // repr() of any Undefined (StrictUndefined too) is "Undefined"; only
      // str() fails: `{{ [nothere] }}` prints [Undefined].
      out += "Undefined";
      return {};
    case Tag::kObject:
      v.obj()->repr(out);
      return {};
  }
  return {};
}

RS append_str(std::string& out, const Val& v) {
  switch (v.tag()) {
    case Tag::kStr:
      out += v.as_str();
      return {};
    case Tag::kUndefined:
      if (v.undef_obj()->lenient) return {};
      return check_defined(v);
    case Tag::kObject:
      return v.obj()->str(out);
    default:
      return append_repr(out, v);
  }
}

RS append_output(std::string& out, const Val& v) {
  if (v.is_str()) {
    out += v.as_str();
    return {};
  }
  if (!v.is_seq() && !v.is_dict()) return append_str(out, v);
  g_finalize = true;
  RS r = append_str(out, v);
  g_finalize = false;
  return r;
}

R<std::string> to_str(const Val& v) {
  if (v.is_str()) return v.as_str();
  std::string out;
  JTRY(append_str(out, v));
  return out;
}

R<std::string> to_repr(const Val& v) {
  std::string out;
  JTRY(append_repr(out, v));
  return out;
}

}  // namespace brine::jinja
