// Filters Salt adds to Jinja (salt/utils/jinja.py, data.py, hashutils.py,
// network.py, dateutils.py and the SerializerExtension).
#include <algorithm>
#include <cmath>
#include <ctime>

#include "common/codec/yaml.h"
#include "common/template/hash.h"
#include "common/template/interp.h"
#include "common/template/ip.h"
#include "common/template/print.h"
#include "common/template/regex.h"
#include "common/template/registry.h"
#include "common/template/serialize.h"
#include "common/template/strings.h"
#include "common/template/unicode.h"

namespace brine::jinja {
namespace {

using A = CallArgs;

R<std::string> want_text(const Val& v, const char* what) {
  JTRY(check_defined(v));
  if (v.is_str()) return v.as_str();
  if (v.is_object() && v.obj()->kind() == Object::Kind::kModule)
    return static_cast<ModuleObj*>(v.obj())->body;
  return type_error(std::string(what) + ": expected a string, got '" + type_name(v) + "'");
}

// ------------------------------------------------------------ serializers

RV f_yaml(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "format_yaml", {"flow_style"}, 0, p));
  codec::YamlDumpOptions o;
  o.flow = true;
  if (!p[0].is_absent()) {
    if (p[0].is_none()) {
      o.flow = false;
      o.default_flow_style_none = true;
    } else {
      JSET(o.flow, truthy(p[0]));
    }
  }
  JASSIGN(Value value, to_value(v));
  std::string text = codec::yaml_dump(value, o);
  std::string_view t = utf8::strip(text, nullptr, true, true);
  if (t.ends_with("\n...")) t.remove_suffix(4);
  return Val::markup(std::string(t));
}

RV f_json(Interp&, Val& v, A& a) {
  Val p[2];
  JTRY(bind_args(a, "format_json", {"sort_keys", "indent"}, 0, p));
  serialize::JsonOptions o;
  o.sort_keys = true;
  o.ensure_ascii = false;
  if (!p[0].is_absent()) JSET(o.sort_keys, truthy(p[0]));
  if (!p[1].is_absent() && !p[1].is_none()) {
    if (p[1].is_str()) {
      o.indent = 0;
      o.indent_str = p[1].as_str();
      if (o.indent_str.empty()) o.indent = 0;
    } else {
      JASSIGN(int64_t n, to_index(p[1]));
      o.indent = static_cast<int>(std::clamp<int64_t>(n, 0, 64));
    }
  }
  JASSIGN(std::string s, serialize::json_dumps(v, o));
  return Val::markup(std::string(utf8::strip(s, nullptr, true, true)));
}

// Salt's tojson (installed over Jinja's): ensure_ascii, insertion order,
// HTML-unsafe characters escaped.
RV f_tojson(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "tojson", {"indent"}, 0, p));
  serialize::JsonOptions o;
  o.ensure_ascii = true;
  if (!p[0].is_absent() && !p[0].is_none()) {
    JASSIGN(int64_t n, to_index(p[0]));
    o.indent = static_cast<int>(std::clamp<int64_t>(n, 0, 64));
  }
  JASSIGN(std::string s, serialize::json_dumps(v, o));
  std::string out;
  for (char c : s) {
    switch (c) {
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '\'':
        out += "\\u0027";
        break;
      default:
        out += c;
    }
  }
  return Val::str(std::move(out));
}

RV f_pprint(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_pprint", {}, 0, p));
  JASSIGN(std::string s, serialize::pformat(v));
  return Val::str(std::move(s));
}

RV f_python(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "format_python", {}, 0, p));
  JASSIGN(std::string s, serialize::pformat(v));
  return Val::markup(std::string(utf8::strip(s, nullptr, true, true)));
}

RV f_load_yaml(Interp& in, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "load_yaml", {}, 0, p));
  R<std::string> text = want_text(v, "load_yaml");
  if (!text) {
    JASSIGN(std::string s, to_str(v));
    return runtime_error("Unable to load yaml from " + s);
  }
  return in.load_yaml_cached(*text);
}

RV f_load_json(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "load_json", {}, 0, p));
  R<std::string> text = want_text(v, "load_json");
  if (text) {
    RV r = serialize::json_loads(*text);
    if (r) return r;
  }
  JASSIGN(std::string s, to_str(v));
  return runtime_error("Unable to load json from " + s);
}

RV f_load_text(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "load_text", {}, 0, p));
  if (v.is_object() && v.obj()->kind() == Object::Kind::kModule) {
    return Val::str(static_cast<ModuleObj*>(v.obj())->body);
  }
  return v;
}

RV f_yaml_dquote(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "yaml_dquote", {}, 0, p));
  if (v.is_str()) return Val::str(serialize::yaml_double_quoted(v.as_str()));
  JASSIGN(std::string s, to_str(v));
  return Val::str(serialize::yaml_double_quoted(s));
}

RV f_yaml_squote(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "yaml_squote", {}, 0, p));
  if (v.is_str()) return Val::str(serialize::yaml_single_quoted(v.as_str()));
  JASSIGN(std::string s, to_str(v));
  return Val::str(serialize::yaml_single_quoted(s));
}

RV f_yaml_encode(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "yaml_encode", {}, 0, p));
  JTRY(check_defined(v));
  switch (v.tag()) {
    case Tag::kNone:
      return Val::str("null");
    case Tag::kBool:
      return Val::str(v.as_bool() ? "true" : "false");
    case Tag::kInt: {
      std::string s;
      append_int(s, v.as_int());
      return Val::str(std::move(s));
    }
    case Tag::kFloat: {
      double d = v.as_float();
      if (std::isnan(d)) return Val::str(".nan");
      if (std::isinf(d)) return Val::str(d > 0 ? ".inf" : "-.inf");
      std::string s;
      append_float(s, d);
      s = utf8::lower(s);
      if (s.find('.') == std::string::npos && s.find('e') != std::string::npos)
        s.replace(s.find('e'), 1, ".0e");
      return Val::str(std::move(s));
    }
    case Tag::kStr:
      return Val::str(serialize::yaml_double_quoted(v.as_str()));
    default:
      return type_error("yaml_encode() only works with YAML scalar data; failed for <class '" +
                        type_name(v) + "'>");
  }
}

// ------------------------------------------------------------ regex

R<regex::Flags> re_flags(const Val& ic, const Val& ml) {
  regex::Flags f;
  if (!ic.is_absent()) JSET(f.ignorecase, truthy(ic));
  if (!ml.is_absent()) JSET(f.multiline, truthy(ml));
  return f;
}

RS want_strs(const Val& txt, const Val& rgx) {
  JTRY(check_defined(txt));
  JTRY(check_defined(rgx));
  if (!rgx.is_str()) return type_error("first argument must be string or compiled pattern");
  if (!txt.is_str())
    return type_error("expected string or bytes-like object, got '" + type_name(txt) + "'");
  return {};
}

RV groups_of(const regex::Match& m, std::string_view s) {
  if (!m.found) return Val::none();
  Vals out;
  for (size_t i = 1; i < m.groups.size(); ++i) {
    auto [a, b] = m.groups[i];
    out.push_back(a < 0 ? Val::none()
                        : Val::str(std::string(
                              s.substr(static_cast<size_t>(a), static_cast<size_t>(b - a)))));
  }
  return Val::tuple(std::move(out));
}

RV regex_find(Val& v, A& a, bool anchored) {
  Val p[3];
  JTRY(bind_args(a, anchored ? "regex_match" : "regex_search", {"rgx", "ignorecase", "multiline"},
                 1, p));
  JTRY(want_strs(v, p[0]));
  JASSIGN(regex::Flags f, re_flags(p[1], p[2]));
  JASSIGN(auto pat, regex::compile(p[0].as_str(), f));
  JASSIGN(regex::Match m, regex::search(*pat, v.as_str(), 0, anchored));
  return groups_of(m, v.as_str());
}
RV f_regex_search(Interp&, Val& v, A& a) { return regex_find(v, a, false); }
RV f_regex_match(Interp&, Val& v, A& a) { return regex_find(v, a, true); }

RV f_regex_replace(Interp&, Val& v, A& a) {
  Val p[4];
  JTRY(bind_args(a, "regex_replace", {"rgx", "val", "ignorecase", "multiline"}, 2, p));
  JTRY(want_strs(v, p[0]));
  JTRY(check_defined(p[1]));
  if (!p[1].is_str()) return type_error("expected str instance, " + type_name(p[1]) + " found");
  JASSIGN(regex::Flags f, re_flags(p[2], p[3]));
  JASSIGN(auto pat, regex::compile(p[0].as_str(), f));
  JASSIGN(std::string out, regex::sub(*pat, p[1].as_str(), v.as_str()));
  return Val::str(std::move(out));
}

RV f_regex_escape(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "regex_escape", {}, 0, p));
  JTRY(check_defined(v));
  if (!v.is_str()) return type_error("expected str, got " + type_name(v));
  return Val::str(regex::escape(v.as_str()));
}

// ------------------------------------------------------------ data

// salt.utils.data.traverse_dict_and_list
RV traverse(Interp& in, const Val& data, const Val& key, const Val& dflt,
            const std::string& delim) {
  Vals parts;
  if (key.is_str()) {
    for (auto& s : strings::split(key.as_str(), delim, -1, false))
      parts.push_back(Val::str(std::move(s)));
  } else {
    JTRY(iterate(key, parts));
  }
  Val ptr = data;
  for (const auto& each : parts) {
    if (ptr.is_list()) {
      int64_t idx;
      bool is_int = false;
      if (each.is_intlike()) {
        idx = each.as_int();
        is_int = true;
      } else if (each.is_str()) {
        std::string_view s = utf8::strip(each.as_str(), nullptr, true, true);
        std::string_view digits = s;
        if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
        if (!digits.empty() && digits.size() < 18 &&
            digits.find_first_not_of("0123456789") == std::string_view::npos) {
          idx = std::stoll(std::string(s));
          is_int = true;
        }
      }
      if (!is_int) {
        bool found = false;
        for (const auto& item : ptr.list_obj()->items) {
          if (!item.is_dict()) continue;
          auto h = hash_val(each);
          if (!h) continue;
          if (Val* v = item.dict_obj()->find(each, *h)) {
            ptr = *v;
            found = true;
            break;
          }
        }
        if (!found) return dflt;
        continue;
      }
      const auto& items = ptr.list_obj()->items;
      int64_t n = static_cast<int64_t>(items.size());
      if (idx < 0) idx += n;
      if (idx < 0 || idx >= n) return dflt;
      ptr = items[static_cast<size_t>(idx)];
    } else if (ptr.is_dict()) {
      auto h = hash_val(each);
      if (!h) return dflt;
      Val* v = ptr.dict_obj()->find(each, *h);
      if (!v) return dflt;
      ptr = *v;
    } else if (ptr.is_str() || ptr.is_tuple()) {
      JASSIGN(Val v, getitem(in, ptr, each));
      if (v.is_undefined()) return dflt;
      ptr = v;
    } else {
      return dflt;
    }
  }
  return ptr;
}

RV f_traverse(Interp& in, Val& v, A& a) {
  Val p[3];
  JTRY(bind_args(a, "traverse", {"key", "default", "delimiter"}, 1, p));
  Val dflt = p[1].is_absent() ? Val::none() : p[1];
  std::string delim = ":";
  if (!p[2].is_absent()) JSET(delim, to_str(p[2]));
  if (delim.empty()) return type_error("empty separator");
  return traverse(in, v, p[0], dflt, delim);
}

RV f_to_bool(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "to_bool", {}, 0, p));
  JTRY(check_defined(v));
  if (v.is_none()) return Val::boolean(false);
  if (v.is_bool()) return v;
  if (v.is_str()) {
    std::string l = utf8::lower(v.as_str());
    return Val::boolean(l == "yes" || l == "1" || l == "true");
  }
  if (v.is_int()) return Val::boolean(v.as_int() > 0);
  if (v.is_list() || v.is_dict()) {
    JASSIGN(int64_t n, length(v));
    return Val::boolean(n > 0);
  }
  return Val::boolean(false);
}

RV f_sequence(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "ensure_sequence_filter", {}, 0, p));
  if ((v.is_seq() && v.list_obj()->view != ListObj::View::kRange) || v.is_dict()) return v;
  return Val::list({v});
}

RV f_is_list(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "is_list", {}, 0, p));
  return Val::boolean(v.is_list() && v.list_obj()->view == ListObj::View::kNone);
}

RV f_is_iter(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "is_iter", {}, 0, p));
  return Val::boolean(v.is_seq() || v.is_dict());
}

RV f_quote(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "quote", {}, 0, p));
  JTRY(check_defined(v));
  if (!v.is_str())
    return type_error("expected string or bytes-like object, got '" + type_name(v) + "'");
  const std::string& s = v.as_str();
  if (s.empty()) return Val::str("''");
  bool safe = true;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) ||
          std::string_view("_@%+=:,./-").find(c) != std::string_view::npos)) {
      safe = false;
      break;
    }
  }
  if (safe) return v;
  return Val::str("'" + strings::replace(s, "'", "'\"'\"'", -1) + "'");
}

RV f_skip(Interp&, Val&, A&) { return Val::str(""); }

RV digest(Val& v, A& a, const char* name, std::string (*fn)(std::string_view)) {
  Val p[1];
  JTRY(bind_args(a, name, {}, 0, p));
  JTRY(check_defined(v));
  if (!v.is_str()) return type_error("expected str, got " + type_name(v));
  return Val::str(fn(v.as_str()));
}
RV f_md5(Interp&, Val& v, A& a) { return digest(v, a, "md5_digest", hash::md5_hex); }
RV f_sha1(Interp&, Val& v, A& a) { return digest(v, a, "sha1_digest", hash::sha1_hex); }
RV f_sha256(Interp&, Val& v, A& a) { return digest(v, a, "sha256_digest", hash::sha256_hex); }
RV f_sha512(Interp&, Val& v, A& a) { return digest(v, a, "sha512_digest", hash::sha512_hex); }

RV f_base64_encode(Interp&, Val& v, A& a) {
  return digest(v, a, "base64_b64encode", hash::base64_encode);
}

RV f_base64_decode(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "base64_b64decode", {}, 0, p));
  JTRY(check_defined(v));
  if (!v.is_str()) return type_error("expected str, got " + type_name(v));
  std::string out;
  if (!hash::base64_decode(v.as_str(), &out)) return type_error("Incorrect padding");
  return Val::str(std::move(out));
}

RV f_uuid(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "uuid_", {}, 0, p));
  JASSIGN(std::string s, to_str(v));
  // uuid5(91633EBF-1C86-5E33-935A-28061F4B480E, s)
  static const unsigned char kNs[16] = {0x91, 0x63, 0x3E, 0xBF, 0x1C, 0x86, 0x5E, 0x33,
                                        0x93, 0x5A, 0x28, 0x06, 0x1F, 0x4B, 0x48, 0x0E};
  std::string raw = hash::sha1_raw(std::string(reinterpret_cast<const char*>(kNs), 16) + s);
  unsigned char b[16];
  for (int i = 0; i < 16; ++i) b[i] = static_cast<unsigned char>(raw[static_cast<size_t>(i)]);
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x50);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  char buf[40];
  std::snprintf(buf, sizeof buf,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return Val::str(buf);
}

// ------------------------------------------------------------ dates, numbers

RV f_strftime(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "strftime", {"format"}, 0, p));
  std::string fmt = "%Y-%m-%d";
  if (!p[0].is_absent()) JSET(fmt, to_str(p[0]));
  JTRY(check_defined(v));
  std::tm tm{};
  if (v.is_none()) {
    std::time_t now = std::time(nullptr);
    localtime_r(&now, &tm);
  } else if (v.is_number()) {
    std::time_t t = static_cast<std::time_t>(std::floor(v.as_number()));
    localtime_r(&t, &tm);
  } else if (v.is_str()) {
    const char* formats[] = {"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                             "%Y-%m-%d"};
    bool ok = false;
    for (const char* f : formats) {
      std::tm t{};
      const char* end = strptime(v.as_str().c_str(), f, &t);
      if (end && *end == '\0') {
        tm = t;
        tm.tm_isdst = -1;
        std::mktime(&tm);
        ok = true;
        break;
      }
    }
    if (!ok) return type_error("Unable to parse date '" + v.as_str() + "'");
  } else {
    return type_error("strftime: unsupported date type '" + type_name(v) + "'");
  }
  char buf[512];
  size_t n = std::strftime(buf, sizeof buf, fmt.c_str(), &tm);
  if (n == 0 && !fmt.empty())
    return type_error("strftime format produced no output or is too long");
  return Val::str(std::string(buf, n));
}

RV f_avg(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "lst_avg", {}, 0, p));
  JTRY(check_defined(v));
  if (v.is_list() || v.is_dict()) {
    Vals items;
    JTRY(iterate(v, items));
    Val total = Val::integer(0);
    for (const auto& x : items) JSET(total, binop(BinOp::kAdd, total, x));
    JASSIGN(Val q, binop(BinOp::kDiv, total, Val::integer(static_cast<int64_t>(items.size()))));
    return Val::real(q.as_number());
  }
  if (v.is_number()) return Val::real(v.as_number());
  return type_error("float() argument must be a string or a real number, not '" + type_name(v) +
                    "'");
}

// ------------------------------------------------------------ network

RV ip_filter(Val& v, A& a, int version) {
  Val p[1];
  JTRY(bind_args(a, "is_ip_filter", {"options"}, 0, p));
  std::string options;
  if (!p[0].is_absent() && !p[0].is_none()) JSET(options, to_str(p[0]));
  if (!v.is_str()) return Val::boolean(false);
  bool ok = (version != 6 && ip::check(v.as_str(), 4, options)) ||
            (version != 4 && ip::check(v.as_str(), 6, options));
  return Val::boolean(ok);
}
RV f_is_ip(Interp&, Val& v, A& a) { return ip_filter(v, a, 0); }
RV f_is_ipv4(Interp&, Val& v, A& a) { return ip_filter(v, a, 4); }
RV f_is_ipv6(Interp&, Val& v, A& a) { return ip_filter(v, a, 6); }

}  // namespace

void add_salt_filters(FilterTable& t) {
  t["yaml"] = f_yaml;
  t["json"] = f_json;
  t["tojson"] = f_tojson;
  t["python"] = f_python;
  t["pprint"] = f_pprint;
  t["load_yaml"] = f_load_yaml;
  t["load_json"] = f_load_json;
  t["load_text"] = f_load_text;
  t["yaml_dquote"] = f_yaml_dquote;
  t["yaml_squote"] = f_yaml_squote;
  t["yaml_encode"] = f_yaml_encode;
  t["regex_search"] = f_regex_search;
  t["regex_match"] = f_regex_match;
  t["regex_replace"] = f_regex_replace;
  t["regex_escape"] = f_regex_escape;
  t["traverse"] = f_traverse;
  t["to_bool"] = f_to_bool;
  t["sequence"] = f_sequence;
  t["is_list"] = f_is_list;
  t["is_iter"] = f_is_iter;
  t["quote"] = f_quote;
  t["skip"] = f_skip;
  t["md5"] = f_md5;
  t["sha1"] = f_sha1;
  t["sha256"] = f_sha256;
  t["sha512"] = f_sha512;
  t["base64_encode"] = f_base64_encode;
  t["base64_decode"] = f_base64_decode;
  t["uuid"] = f_uuid;
  t["strftime"] = f_strftime;
  t["avg"] = f_avg;
  add_set_filters(t);  // unique, union, intersect, difference, ... (set_filters.cpp)
  t["is_ip"] = f_is_ip;
  t["is_ipv4"] = f_is_ipv4;
  t["is_ipv6"] = f_is_ipv6;
}

RV traverse_dict_and_list(Interp& in, const Val& data, const Val& key, const Val& dflt,
                          const std::string& delim) {
  return traverse(in, data, key, dflt, delim);
}

}  // namespace brine::jinja
