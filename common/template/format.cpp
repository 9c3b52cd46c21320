#include "common/template/format.h"

#include <cmath>
#include <cstdio>

#include "common/template/print.h"
#include "common/template/strings.h"
#include "common/template/unicode.h"

namespace brine::jinja {
namespace {

constexpr int64_t kMaxWidth = 1 << 20;

std::string c_format(const char* fmt, int prec, double d) {
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, fmt, prec, d);
  if (n < 0) return std::string();
  if (static_cast<size_t>(n) < sizeof buf) return std::string(buf, static_cast<size_t>(n));
  std::string big(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(big.data(), big.size(), fmt, prec, d);
  big.resize(static_cast<size_t>(n));
  return big;
}

// Float in printf style: type one of f F e E g G; `alt` is '#'.
std::string format_float(double d, char type, int prec, bool alt) {
  if (std::isnan(d) || std::isinf(d)) {
    std::string s = std::isnan(d) ? "nan" : (d < 0 ? "-inf" : "inf");
    if (type == 'F' || type == 'E' || type == 'G') s = utf8::upper(s);
    return s;
  }
  char fmt[8] = "%.*";
  size_t i = 3;
  if (alt) {
    fmt[0] = '%';
    fmt[1] = '#';
    fmt[2] = '.';
    fmt[3] = '*';
    i = 4;
  }
  fmt[i] = type;
  fmt[i + 1] = 0;
  return c_format(fmt, prec, d);
}

std::string int_digits(int64_t v, int base, bool upper) {
  uint64_t u = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
  if (u == 0) return "0";
  std::string s;
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  while (u) {
    s.push_back(digits[u % static_cast<uint64_t>(base)]);
    u /= static_cast<uint64_t>(base);
  }
  return std::string(s.rbegin(), s.rend());
}

std::string group(const std::string& digits, char sep, size_t every) {
  std::string out;
  size_t n = digits.size();
  for (size_t i = 0; i < n; ++i) {
    if (i && (n - i) % every == 0) out.push_back(sep);
    out.push_back(digits[i]);
  }
  return out;
}

// ------------------------------------------------------------ % formatting

RV percent_one(std::string& out, char conv, const std::string& flags, int64_t width, int64_t prec,
               const Val& v) {
  bool left = flags.find('-') != std::string::npos;
  bool plus = flags.find('+') != std::string::npos;
  bool space = flags.find(' ') != std::string::npos;
  bool alt = flags.find('#') != std::string::npos;
  bool zero = flags.find('0') != std::string::npos && !left;
  std::string body;
  std::string sign;
  bool numeric = false;
  JTRY(check_defined(v));
  switch (conv) {
    case 's': {
      JSET(body, to_str(v));
      if (prec >= 0) body = body.substr(0, utf8::offset_of(body, static_cast<size_t>(prec)));
      break;
    }
    case 'r':
    case 'a': {
      JSET(body, to_repr(v));
      if (prec >= 0) body = body.substr(0, utf8::offset_of(body, static_cast<size_t>(prec)));
      break;
    }
    case 'd':
    case 'i':
    case 'u': {
      if (!v.is_number()) {
        return type_error(std::string("%") + conv + " format: a real number is required, not " +
                          type_name(v));
      }
      int64_t i = v.is_float() ? static_cast<int64_t>(std::trunc(v.as_float())) : v.as_int();
      if (v.is_float() && !std::isfinite(v.as_float()))
        return type_error("cannot convert float infinity to integer");
      body = int_digits(i, 10, false);
      if (prec >= 0 && static_cast<int64_t>(body.size()) < prec)
        body.insert(0, static_cast<size_t>(prec) - body.size(), '0');
      sign = i < 0 ? "-" : plus ? "+" : space ? " " : "";
      numeric = true;
      break;
    }
    case 'x':
    case 'X':
    case 'o': {
      if (!v.is_intlike()) {
        return type_error(std::string("%") + conv + " format: an integer is required, not " +
                          type_name(v));
      }
      int64_t i = v.as_int();
      body = int_digits(i, conv == 'o' ? 8 : 16, conv == 'X');
      if (prec >= 0 && static_cast<int64_t>(body.size()) < prec)
        body.insert(0, static_cast<size_t>(prec) - body.size(), '0');
      if (alt) body.insert(0, conv == 'o' ? "0o" : conv == 'x' ? "0x" : "0X");
      sign = i < 0 ? "-" : plus ? "+" : space ? " " : "";
      numeric = true;
      break;
    }
    case 'f':
    case 'F':
    case 'e':
    case 'E':
    case 'g':
    case 'G': {
      if (!v.is_number()) {
        return type_error("must be real number, not " + type_name(v));
      }
      double d = v.as_number();
      body = format_float(std::fabs(d), conv,
                          prec < 0 ? 6 : static_cast<int>(std::min<int64_t>(prec, 400)), alt);
      sign = std::signbit(d) && !std::isnan(d) ? "-" : plus ? "+" : space ? " " : "";
      numeric = true;
      break;
    }
    case 'c': {
      if (v.is_intlike()) {
        utf8::append(body, static_cast<char32_t>(v.as_int()));
      } else if (v.is_str() && utf8::count(v.as_str()) == 1) {
        body = v.as_str();
      } else {
        return type_error("%c requires int or char");
      }
      break;
    }
    default:
      return type_error(std::string("unsupported format character '") + conv + "'");
  }
  int64_t len = static_cast<int64_t>(utf8::count(body) + sign.size());
  if (width > kMaxWidth) return type_error("width too big");
  if (width > len) {
    size_t padn = static_cast<size_t>(width - len);
    if (left) {
      out += sign + body + std::string(padn, ' ');
    } else if (zero && numeric) {
      out += sign + std::string(padn, '0') + body;
    } else {
      out += std::string(padn, ' ') + sign + body;
    }
  } else {
    out += sign + body;
  }
  return Val();
}

}  // namespace

RV percent_format(const std::string& fmt, const Val& args, bool markup) {
  Vals positional;
  const DictObj* mapping = nullptr;
  if (args.is_tuple()) {
    positional = args.list_obj()->items;
  } else {
    positional.push_back(args);
    if (args.is_dict()) mapping = args.dict_obj();
  }
  size_t next = 0;
  bool used_mapping = false;
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (++i >= fmt.size()) return type_error("incomplete format");
    if (fmt[i] == '%') {
      out.push_back('%');
      continue;
    }
    const Val* value = nullptr;
    Val key_value;
    if (fmt[i] == '(') {
      if (!mapping) return type_error("format requires a mapping");
      size_t depth = 1, start = ++i;
      while (i < fmt.size() && depth) {
        if (fmt[i] == '(') ++depth;
        if (fmt[i] == ')') --depth;
        if (depth) ++i;
      }
      if (i >= fmt.size()) return type_error("incomplete format key");
      std::string key = fmt.substr(start, i - start);
      ++i;
      Val* v = const_cast<DictObj*>(mapping)->find_str(key);
      if (!v) return type_error("'" + key + "'");
      key_value = *v;
      value = &key_value;
      used_mapping = true;
    }
    std::string flags;
    while (i < fmt.size() && std::string_view("-+ #0").find(fmt[i]) != std::string_view::npos)
      flags.push_back(fmt[i++]);
    auto read_num = [&](int64_t* n) -> RS {
      if (i < fmt.size() && fmt[i] == '*') {
        ++i;
        if (next >= positional.size() || mapping)
          return type_error("not enough arguments for format string");
        JSET(*n, to_index(positional[next++]));
        return {};
      }
      bool any = false;
      int64_t v = 0;
      while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
        v = v * 10 + (fmt[i++] - '0');
        if (v > kMaxWidth) return type_error("width too big");
        any = true;
      }
      if (any) *n = v;
      return {};
    };
    int64_t width = -1, prec = -1;
    JTRY(read_num(&width));
    if (width < 0 && width != -1) {
      flags.push_back('-');
      width = -width;
    }
    if (i < fmt.size() && fmt[i] == '.') {
      ++i;
      prec = 0;
      JTRY(read_num(&prec));
    }
    while (i < fmt.size() && (fmt[i] == 'l' || fmt[i] == 'h' || fmt[i] == 'L')) ++i;
    if (i >= fmt.size()) return type_error("incomplete format");
    char conv = fmt[i];
    if (!value) {
      if (mapping && positional.size() == 1 && next == 0 && !used_mapping) {
        value = &positional[next++];
      } else {
        if (next >= positional.size()) return type_error("not enough arguments for format string");
        value = &positional[next++];
      }
    }
    if (markup && (conv == 's' || conv == 'r' || conv == 'a') &&
        !(value->is_str() && value->str_obj()->markup)) {
      std::string piece;
      JTRY(percent_one(piece, conv, flags, width, prec, *value));
      out += strings::html_escape(piece);
      continue;
    }
    JTRY(percent_one(out, conv, flags, width, prec, *value));
  }
  // PyUnicode_Format: a non-tuple argument with __getitem__ (dict, list,
  // range) counts as a mapping, which disables the "not all converted" check.
  bool getitem_arg = !args.is_tuple() && (args.is_dict() || args.is_list() || args.is_undefined());
  if (!mapping && !getitem_arg && next < positional.size()) {
    return type_error("not all arguments converted during string formatting");
  }
  return markup ? Val::markup(std::move(out)) : Val::str(std::move(out));
}

// ------------------------------------------------------------ format()

RS format_value(std::string& out, const Val& v, std::string_view spec) {
  JTRY(check_defined(v));
  if (spec.empty()) return append_str(out, v);
  // [[fill]align][sign][z][#][0][width][grouping][.precision][type]
  size_t i = 0;
  std::string fill = " ";
  char align = 0;
  auto is_align = [](char c) { return c == '<' || c == '>' || c == '^' || c == '='; };
  {
    size_t p = 0;
    utf8::next(spec, &p);
    if (p < spec.size() && is_align(spec[p])) {
      fill = std::string(spec.substr(0, p));
      align = spec[p];
      i = p + 1;
    } else if (is_align(spec[0])) {
      align = spec[0];
      i = 1;
    }
  }
  char sign = 0;
  if (i < spec.size() && (spec[i] == '+' || spec[i] == '-' || spec[i] == ' ')) sign = spec[i++];
  bool alt = false;
  if (i < spec.size() && spec[i] == '#') {
    alt = true;
    ++i;
  }
  if (i < spec.size() && spec[i] == '0') {
    if (!align) {
      fill = "0";
      align = '=';
    }
    ++i;
  }
  int64_t width = 0;
  while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') {
    width = width * 10 + (spec[i++] - '0');
    if (width > kMaxWidth) return type_error("Too many decimal digits in format string");
  }
  char grouping = 0;
  if (i < spec.size() && (spec[i] == ',' || spec[i] == '_')) grouping = spec[i++];
  int64_t prec = -1;
  if (i < spec.size() && spec[i] == '.') {
    ++i;
    prec = 0;
    bool any = false;
    while (i < spec.size() && spec[i] >= '0' && spec[i] <= '9') {
      prec = prec * 10 + (spec[i++] - '0');
      if (prec > kMaxWidth) return type_error("Too many decimal digits in format string");
      any = true;
    }
    if (!any) return type_error("Format specifier missing precision");
  }
  char type = 0;
  if (i < spec.size()) type = spec[i++];
  if (i != spec.size()) return type_error("Invalid format specifier");

  std::string body;
  std::string sgn;
  bool numeric = v.is_number();
  if (v.is_str() || (!numeric && (type == 0 || type == 's'))) {
    if (!v.is_str()) {
      return type_error("unsupported format string passed to " + type_name(v) + ".__format__");
    }
    if (type != 0 && type != 's') {
      return type_error(std::string("Unknown format code '") + type + "' for object of type 'str'");
    }
    if (sign) return type_error("Sign not allowed in string format specifier");
    if (align == '=') return type_error("'=' alignment not allowed in string format specifier");
    body = v.as_str();
    if (prec >= 0) body = body.substr(0, utf8::offset_of(body, static_cast<size_t>(prec)));
    if (!align) align = '<';
  } else if (!numeric) {
    return type_error("unsupported format string passed to " + type_name(v) + ".__format__");
  } else {
    bool as_int = v.is_intlike() && (type == 0 || type == 'd' || type == 'b' || type == 'o' ||
                                     type == 'x' || type == 'X' || type == 'c' || type == 'n');
    if (as_int) {
      if (prec >= 0) return type_error("Precision not allowed in integer format specifier");
      int64_t n = v.as_int();
      if (type == 'c') {
        utf8::append(body, static_cast<char32_t>(n));
      } else {
        int base = type == 'b' ? 2 : type == 'o' ? 8 : (type == 'x' || type == 'X') ? 16 : 10;
        body = int_digits(n, base, type == 'X');
        if (grouping) body = group(body, grouping, base == 10 ? 3 : 4);
        if (alt && base != 10)
          body.insert(0, base == 2 ? "0b" : base == 8 ? "0o" : type == 'X' ? "0X" : "0x");
        sgn = n < 0 ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
      }
    } else {
      if (v.is_float() && (type == 'd' || type == 'b' || type == 'o' || type == 'x' ||
                           type == 'X' || type == 'c')) {
        return type_error(std::string("Unknown format code '") + type +
                          "' for object of type 'float'");
      }
      double d = v.as_number();
      double a = std::fabs(d);
      switch (type) {
        case 0:
          if (prec < 0) {
            append_float(body, a);
            if (v.is_intlike())
              body = int_digits(v.as_int() < 0 ? -v.as_int() : v.as_int(), 10, false);
          } else {
            // Like 'g', but scientific from exp >= p - 1 and always a digit
            // after the point in fixed notation (Python's format spec).
            int p = static_cast<int>(prec == 0 ? 1 : std::min<int64_t>(prec, 400));
            if (std::isnan(a) || std::isinf(a)) {
              body = format_float(a, 'g', p, false);
              break;
            }
            std::string sci = format_float(a, 'e', p - 1, false);
            int exp = std::atoi(sci.c_str() + sci.find('e') + 1);
            auto strip_zeros = [&](std::string s, bool keep_one) {
              if (alt || s.find('.') == std::string::npos) return s;
              size_t e = s.find('e');
              std::string mant = s.substr(0, e), rest = e == std::string::npos ? "" : s.substr(e);
              while (!mant.empty() && mant.back() == '0') mant.pop_back();
              if (!mant.empty() && mant.back() == '.') {
                if (keep_one) {
                  mant += '0';
                } else {
                  mant.pop_back();
                }
              }
              return mant + rest;
            };
            if (exp < -4 || exp >= p - 1) {
              body = strip_zeros(sci, false);
            } else {
              body = strip_zeros(format_float(a, 'f', p - 1 - exp, false), true);
              if (body.find('.') == std::string::npos) body += ".0";
            }
          }
          break;
        case '%':
          body = format_float(a * 100, 'f', static_cast<int>(prec < 0 ? 6 : prec), alt) + "%";
          break;
        case 'n':
          body = format_float(a, 'g', static_cast<int>(prec < 0 ? 6 : prec), alt);
          break;
        case 'f':
        case 'F':
        case 'e':
        case 'E':
        case 'g':
        case 'G':
          body = format_float(a, type,
                              static_cast<int>(prec < 0 ? 6 : std::min<int64_t>(prec, 400)), alt);
          break;
        default:
          return type_error(std::string("Unknown format code '") + type + "' for object of type '" +
                            type_name(v) + "'");
      }
      if (grouping) {
        size_t end = body.find_first_not_of("0123456789");
        body = group(body.substr(0, end), grouping, 3) +
               (end == std::string::npos ? "" : body.substr(end));
      }
      sgn = std::signbit(d) && !std::isnan(d) ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
    }
    if (!align) align = '>';
  }
  int64_t len = static_cast<int64_t>(utf8::count(body) + sgn.size());
  if (width <= len) {
    out += sgn + body;
    return {};
  }
  int64_t padn = width - len;
  auto pad = [&](int64_t n) {
    for (int64_t k = 0; k < n; ++k) out += fill;
  };
  switch (align) {
    case '<':
      out += sgn + body;
      pad(padn);
      break;
    case '^':
      pad(padn / 2);
      out += sgn + body;
      pad(padn - padn / 2);
      break;
    case '=':
      out += sgn;
      pad(padn);
      out += body;
      break;
    default:
      pad(padn);
      out += sgn + body;
  }
  return {};
}

RV str_format(Interp& in, const std::string& fmt, CallArgs& args) {
  std::string out;
  size_t auto_index = 0;
  bool used_auto = false, used_manual = false;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
        out.push_back('}');
        ++i;
        continue;
      }
      return type_error("Single '}' encountered in format string");
    }
    if (c != '{') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out.push_back('{');
      ++i;
      continue;
    }
    // Find the matching '}' (one level of nesting in the spec).
    size_t depth = 1, j = i + 1;
    for (; j < fmt.size() && depth; ++j) {
      if (fmt[j] == '{') ++depth;
      if (fmt[j] == '}') --depth;
    }
    if (depth) return type_error("expected '}' before end of string");
    std::string field = fmt.substr(i + 1, j - i - 2);
    i = j - 1;
    std::string spec, conv;
    size_t colon = std::string::npos, bang = std::string::npos;
    for (size_t k = 0, br = 0; k < field.size(); ++k) {
      if (field[k] == '[') ++br;
      if (field[k] == ']' && br) --br;
      if (br) continue;
      if (field[k] == '!' && bang == std::string::npos && colon == std::string::npos) bang = k;
      if (field[k] == ':' && colon == std::string::npos) {
        colon = k;
        break;
      }
    }
    if (colon != std::string::npos) {
      spec = field.substr(colon + 1);
      field.resize(colon);
    }
    if (bang != std::string::npos) {
      conv = field.substr(bang + 1);
      field.resize(bang);
    }
    // Field name: first part, then .attr / [key].
    size_t k = 0;
    while (k < field.size() && field[k] != '.' && field[k] != '[') ++k;
    std::string first = field.substr(0, k);
    Val value;
    if (first.empty()) {
      if (used_manual)
        return type_error(
            "cannot switch from manual field specification to automatic field numbering");
      used_auto = true;
      if (auto_index >= args.pos.size())
        return type_error("Replacement index " + std::to_string(auto_index) +
                          " out of range for positional args tuple");
      value = args.pos[auto_index++];
    } else if (first.find_first_not_of("0123456789") == std::string::npos) {
      if (used_auto)
        return type_error(
            "cannot switch from automatic field numbering to manual field specification");
      used_manual = true;
      size_t idx = std::stoul(first.substr(0, 9));
      if (idx >= args.pos.size())
        return type_error("Replacement index " + first + " out of range for positional args tuple");
      value = args.pos[idx];
    } else {
      bool found = false;
      for (const auto& [kname, kv] : args.kw) {
        if (kname.as_str() == first) {
          value = kv;
          found = true;
          break;
        }
      }
      if (!found) return type_error("'" + first + "'");
    }
    while (k < field.size()) {
      if (field[k] == '.') {
        size_t e = k + 1;
        while (e < field.size() && field[e] != '.' && field[e] != '[') ++e;
        std::string attr = field.substr(k + 1, e - k - 1);
        if (!attr.empty() && attr[0] == '_') {
          return runtime_error("access to attribute '" + attr + "' of '" + type_name(value) +
                               "' object is unsafe.");
        }
        JSET(value, getattr(in, value, attr));
        JTRY(check_defined(value));
        k = e;
      } else {
        size_t e = field.find(']', k);
        if (e == std::string::npos) return type_error("Missing ']' in format string");
        std::string key = field.substr(k + 1, e - k - 1);
        Val kv = key.find_first_not_of("0123456789") == std::string::npos && !key.empty()
                     ? Val::integer(std::stoll(key.substr(0, 18)))
                     : Val::str(key);
        JSET(value, getitem(in, value, kv));
        JTRY(check_defined(value));
        k = e + 1;
      }
    }
    if (!conv.empty()) {
      std::string s;
      if (conv == "r" || conv == "a") {
        JSET(s, to_repr(value));
      } else if (conv == "s") {
        JSET(s, to_str(value));
      } else {
        return type_error("Unknown conversion specifier " + conv);
      }
      value = Val::str(std::move(s));
    }
    if (spec.find('{') != std::string::npos) {
      CallArgs inner = args;
      JASSIGN(Val expanded, str_format(in, spec, inner));
      spec = expanded.as_str();
    }
    JTRY(format_value(out, value, spec));
  }
  return Val::str(std::move(out));
}

}  // namespace brine::jinja
