#include "common/template/serialize.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "common/template/interp.h"
#include "common/template/print.h"
#include "common/template/strings.h"
#include "common/template/unicode.h"

namespace brine::jinja::serialize {
namespace {

constexpr int kMaxDepth = 400;

void json_string(std::string& out, std::string_view s, bool ascii) {
  out += '"';
  for (size_t pos = 0; pos < s.size();) {
    auto b = static_cast<unsigned char>(s[pos]);
    if (b < 0x80) {
      ++pos;
      switch (b) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        default:
          if (b < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", b);
            out += buf;
          } else {
            out += static_cast<char>(b);
          }
      }
      continue;
    }
    size_t start = pos;
    char32_t cp = utf8::next(s, &pos);
    if (!ascii) {
      out.append(s.substr(start, pos - start));
      continue;
    }
    char buf[16];
    if (cp >= 0x10000) {
      char32_t v = cp - 0x10000;
      std::snprintf(buf, sizeof buf, "\\u%04x\\u%04x", static_cast<unsigned>(0xD800 | (v >> 10)),
                    static_cast<unsigned>(0xDC00 | (v & 0x3FF)));
    } else {
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
    }
    out += buf;
  }
  out += '"';
}

void json_float(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "NaN";
  } else if (std::isinf(d)) {
    out += d < 0 ? "-Infinity" : "Infinity";
  } else {
    append_float(out, d);
  }
}

struct JsonWriter {
  const JsonOptions& o;
  std::string out;
  std::vector<const Heap*> stack;

  void newline(int level) {
    out += '\n';
    for (int i = 0; i < level; ++i) {
      if (o.indent_str.empty()) {
        out.append(static_cast<size_t>(o.indent), ' ');
      } else {
        out += o.indent_str;
      }
    }
  }

  RS key(const Val& k) {
    switch (k.tag()) {
      case Tag::kStr:
        json_string(out, k.as_str(), o.ensure_ascii);
        return {};
      case Tag::kBool:
        out += k.as_bool() ? "\"true\"" : "\"false\"";
        return {};
      case Tag::kNone:
        out += "\"null\"";
        return {};
      case Tag::kInt:
        out += '"';
        append_int(out, k.as_int());
        out += '"';
        return {};
      case Tag::kFloat:
        out += '"';
        json_float(out, k.as_float());
        out += '"';
        return {};
      default:
        return type_error("keys must be str, int, float, bool or None, not " + type_name(k));
    }
  }

  RS write(const Val& v, int level) {
    if (level > kMaxDepth)
      return type_error("maximum recursion depth exceeded while encoding a JSON object");
    switch (v.tag()) {
      case Tag::kNone:
        out += "null";
        return {};
      case Tag::kBool:
        out += v.as_bool() ? "true" : "false";
        return {};
      case Tag::kInt:
        append_int(out, v.as_int());
        return {};
      case Tag::kFloat:
        json_float(out, v.as_float());
        return {};
      case Tag::kStr:
        json_string(out, v.as_str(), o.ensure_ascii);
        return {};
      case Tag::kList:
      case Tag::kTuple: {
        if (v.list_obj()->view != ListObj::View::kNone &&
            v.list_obj()->view != ListObj::View::kGroup)
          break;
        const auto& items = v.list_obj()->items;
        if (items.empty()) {
          out += "[]";
          return {};
        }
        for (const Heap* h : stack) {
          if (h == v.heap()) return type_error("Circular reference detected");
        }
        stack.push_back(v.heap());
        out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
          if (i) out += o.indent >= 0 ? "," : ", ";
          if (o.indent >= 0) newline(level + 1);
          JTRY(write(items[i], level + 1));
        }
        if (o.indent >= 0) newline(level);
        out += ']';
        stack.pop_back();
        return {};
      }
      case Tag::kDict: {
        DictObj* d = v.dict_obj();
        if (d->size() == 0) {
          out += "{}";
          return {};
        }
        for (const Heap* h : stack) {
          if (h == v.heap()) return type_error("Circular reference detected");
        }
        stack.push_back(v.heap());
        std::vector<size_t> order(d->size());
        for (size_t i = 0; i < order.size(); ++i) order[i] = i;
        if (o.sort_keys) {
          Vals idx, keys;
          for (size_t i = 0; i < order.size(); ++i) {
            idx.push_back(Val::integer(static_cast<int64_t>(i)));
            keys.push_back(d->items[i].first);
          }
          JTRY(strings::sort_vals(idx, false, &keys));
          for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<size_t>(idx[i].as_int());
        }
        out += '{';
        bool first = true;
        for (size_t i : order) {
          if (!first) out += o.indent >= 0 ? "," : ", ";
          first = false;
          if (o.indent >= 0) newline(level + 1);
          JTRY(key(d->items[i].first));
          out += ": ";
          JTRY(write(d->items[i].second, level + 1));
        }
        if (o.indent >= 0) newline(level);
        out += '}';
        stack.pop_back();
        return {};
      }
      case Tag::kUndefined:
        JTRY(check_defined(v));
        break;
      case Tag::kObject:
        if (v.obj()->kind() == Object::Kind::kNamespace) break;
        break;
    }
    return type_error("Object of type " + type_name(v) + " is not JSON serializable");
  }
};

// ------------------------------------------------------------ json.loads

struct JsonParser {
  std::string_view s;
  size_t pos = 0;
  int depth = 0;

  Unexpected err(const std::string& what) {
    size_t line = 1, col = 1;
    for (size_t i = 0; i < pos && i < s.size(); ++i) {
      if (s[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    return type_error(what + ": line " + std::to_string(line) + " column " + std::to_string(col) +
                      " (char " + std::to_string(pos) + ")");
  }
  void ws() {
    while (pos < s.size() && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
      ++pos;
  }
  RV value() {
    if (++depth > kMaxDepth) return err("Nesting too deep");
    struct D {
      int& d;
      ~D() { --d; }
    } guard{depth};
    ws();
    if (pos >= s.size()) return err("Expecting value");
    char c = s[pos];
    if (c == '{') return object();
    if (c == '[') return array();
    if (c == '"') {
      std::string str;
      JTRY(string(&str));
      return Val::str(std::move(str));
    }
    if (s.compare(pos, 4, "null") == 0) {
      pos += 4;
      return Val::none();
    }
    if (s.compare(pos, 4, "true") == 0) {
      pos += 4;
      return Val::boolean(true);
    }
    if (s.compare(pos, 5, "false") == 0) {
      pos += 5;
      return Val::boolean(false);
    }
    if (s.compare(pos, 3, "NaN") == 0) {
      pos += 3;
      return Val::real(NAN);
    }
    if (s.compare(pos, 8, "Infinity") == 0) {
      pos += 8;
      return Val::real(INFINITY);
    }
    if (s.compare(pos, 9, "-Infinity") == 0) {
      pos += 9;
      return Val::real(-INFINITY);
    }
    return number();
  }
  RV number() {
    size_t start = pos;
    if (pos < s.size() && s[pos] == '-') ++pos;
    if (pos >= s.size() || !std::isdigit(static_cast<unsigned char>(s[pos]))) {
      pos = start;
      return err("Expecting value");
    }
    if (s[pos] == '0') {
      ++pos;
    } else {
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    }
    bool flt = false;
    if (pos + 1 < s.size() && s[pos] == '.' &&
        std::isdigit(static_cast<unsigned char>(s[pos + 1]))) {
      flt = true;
      pos += 2;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
    }
    if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
      size_t e = pos + 1;
      if (e < s.size() && (s[e] == '+' || s[e] == '-')) ++e;
      if (e < s.size() && std::isdigit(static_cast<unsigned char>(s[e]))) {
        flt = true;
        pos = e;
        while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) ++pos;
      }
    }
    std::string text(s.substr(start, pos - start));
    if (flt) return Val::real(std::strtod(text.c_str(), nullptr));
    errno = 0;
    long long v = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == ERANGE)
      return type_error("integer " + text + " is too large (Brine integers are 64-bit)");
    return Val::integer(v);
  }
  RS string(std::string* out) {
    ++pos;
    while (true) {
      if (pos >= s.size()) return err("Unterminated string starting at");
      char c = s[pos];
      if (c == '"') {
        ++pos;
        return {};
      }
      if (static_cast<unsigned char>(c) < 0x20) return err("Invalid control character at");
      if (c != '\\') {
        *out += c;
        ++pos;
        continue;
      }
      if (++pos >= s.size()) return err("Unterminated string starting at");
      char e = s[pos++];
      switch (e) {
        case '"':
          *out += '"';
          break;
        case '\\':
          *out += '\\';
          break;
        case '/':
          *out += '/';
          break;
        case 'b':
          *out += '\b';
          break;
        case 'f':
          *out += '\f';
          break;
        case 'n':
          *out += '\n';
          break;
        case 'r':
          *out += '\r';
          break;
        case 't':
          *out += '\t';
          break;
        case 'u': {
          auto hex4 = [&](uint32_t* v) -> bool {
            if (pos + 4 > s.size()) return false;
            *v = 0;
            for (int i = 0; i < 4; ++i) {
              char h = s[pos + static_cast<size_t>(i)];
              int d = std::isdigit(static_cast<unsigned char>(h)) ? h - '0'
                      : (h >= 'a' && h <= 'f')                    ? h - 'a' + 10
                      : (h >= 'A' && h <= 'F')                    ? h - 'A' + 10
                                                                  : -1;
              if (d < 0) return false;
              *v = *v * 16 + static_cast<uint32_t>(d);
            }
            pos += 4;
            return true;
          };
          uint32_t cp;
          if (!hex4(&cp)) return err("Invalid \\uXXXX escape");
          if (cp >= 0xD800 && cp <= 0xDBFF && pos + 1 < s.size() && s[pos] == '\\' &&
              s[pos + 1] == 'u') {
            size_t save = pos;
            pos += 2;
            uint32_t lo;
            if (hex4(&lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            } else {
              pos = save;
            }
          }
          utf8::append(*out, cp);
          break;
        }
        default:
          --pos;
          return err("Invalid \\escape");
      }
    }
  }
  RV array() {
    ++pos;
    Vals items;
    ws();
    if (pos < s.size() && s[pos] == ']') {
      ++pos;
      return Val::list();
    }
    while (true) {
      JASSIGN(Val v, value());
      items.push_back(std::move(v));
      ws();
      if (pos < s.size() && s[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < s.size() && s[pos] == ']') {
        ++pos;
        return Val::list(std::move(items));
      }
      return err("Expecting ',' delimiter");
    }
  }
  RV object() {
    ++pos;
    Val d = Val::dict();
    ws();
    if (pos < s.size() && s[pos] == '}') {
      ++pos;
      return d;
    }
    while (true) {
      ws();
      if (pos >= s.size() || s[pos] != '"')
        return err("Expecting property name enclosed in double quotes");
      std::string key;
      JTRY(string(&key));
      ws();
      if (pos >= s.size() || s[pos] != ':') return err("Expecting ':' delimiter");
      ++pos;
      JASSIGN(Val v, value());
      d.dict_obj()->set_str(key, std::move(v));
      ws();
      if (pos < s.size() && s[pos] == ',') {
        ++pos;
        continue;
      }
      if (pos < s.size() && s[pos] == '}') {
        ++pos;
        return d;
      }
      return err("Expecting ',' delimiter");
    }
  }
};

}  // namespace

R<std::string> json_dumps(const Val& v, const JsonOptions& o) {
  JsonWriter w{o, {}, {}};
  JTRY(w.write(v, 0));
  return std::move(w.out);
}

RV json_loads(std::string_view text) {
  JsonParser p{text};
  JASSIGN(Val v, p.value());
  p.ws();
  if (p.pos != text.size()) return p.err("Extra data");
  return v;
}

// ------------------------------------------------------------ pprint

namespace {

struct Pprint {
  std::vector<const Heap*> stack;

  R<std::string> repr(const Val& v) {
    RecursionGuard guard;
    if (guard.exceeded())
      return type_error("maximum recursion depth exceeded while getting the repr of an object");
    // pprint's safe_repr: dicts with sorted keys, recursively.
    if (v.is_dict()) {
      for (const Heap* h : stack) {
        if (h == v.heap()) return std::string("<Recursion on dict>");
      }
      stack.push_back(v.heap());
      JASSIGN(auto items, sorted_items(v));
      std::string out = "{";
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        JASSIGN(std::string k, repr(items[i].first));
        JASSIGN(std::string val, repr(items[i].second));
        out += k + ": " + val;
      }
      stack.pop_back();
      return out + "}";
    }
    if (v.is_seq() && v.list_obj()->view == ListObj::View::kNone) {
      for (const Heap* h : stack) {
        if (h == v.heap())
          return std::string(v.is_tuple() ? "<Recursion on tuple>" : "<Recursion on list>");
      }
      stack.push_back(v.heap());
      std::string out = v.is_tuple() ? "(" : "[";
      const auto& items = v.list_obj()->items;
      for (size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        JASSIGN(std::string s, repr(items[i]));
        out += s;
      }
      if (v.is_tuple() && items.size() == 1) out += ",";
      stack.pop_back();
      return out + (v.is_tuple() ? ")" : "]");
    }
    return to_repr(v);
  }

  R<DictItems> sorted_items(const Val& d) {
    auto items = d.dict_obj()->items;
    Vals idx, keys;
    for (size_t i = 0; i < items.size(); ++i) {
      idx.push_back(Val::integer(static_cast<int64_t>(i)));
      keys.push_back(items[i].first);
    }
    if (!strings::sort_vals(idx, false, &keys)) return items;  // unorderable: insertion order
    DictItems out;
    for (const auto& i : idx) out.push_back(items[static_cast<size_t>(i.as_int())]);
    return out;
  }

  RS format(const Val& v, std::string& out, size_t indent, size_t allowance, int level) {
    if (level > kMaxDepth) return type_error("maximum recursion depth exceeded");
    JASSIGN(std::string rep, repr(v));
    size_t width = 80;
    size_t max_width = width > indent + allowance ? width - indent - allowance : 0;
    if (utf8::count(rep) <= max_width) {
      out += rep;
      return {};
    }
    if (v.is_dict() && v.dict_obj()->size()) {
      out += '{';
      JASSIGN(auto items, sorted_items(v));
      size_t ind = indent + 1;
      for (size_t i = 0; i < items.size(); ++i) {
        bool last = i + 1 == items.size();
        JASSIGN(std::string k, repr(items[i].first));
        out += k + ": ";
        JTRY(format(items[i].second, out, ind + utf8::count(k) + 2, last ? allowance + 1 : 1,
                    level + 1));
        if (!last) out += ",\n" + std::string(ind, ' ');
      }
      out += '}';
      return {};
    }
    if (v.is_seq() && v.list_obj()->view == ListObj::View::kNone && !v.list_obj()->items.empty()) {
      bool tuple = v.is_tuple();
      const auto& items = v.list_obj()->items;
      std::string end = tuple ? (items.size() == 1 ? ",)" : ")") : "]";
      out += tuple ? '(' : '[';
      size_t ind = indent + 1;
      for (size_t i = 0; i < items.size(); ++i) {
        bool last = i + 1 == items.size();
        if (i) out += ",\n" + std::string(ind, ' ');
        JTRY(format(items[i], out, ind, last ? allowance + end.size() : 1, level + 1));
      }
      out += end;
      return {};
    }
    out += rep;
    return {};
  }
};

}  // namespace

R<std::string> pformat(const Val& v) {
  Pprint p;
  std::string out;
  JTRY(p.format(v, out, 0, 0, 1));
  return out;
}

}  // namespace brine::jinja::serialize
