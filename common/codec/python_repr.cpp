#include "common/codec/python_repr.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <utility>

#include "common/codec/utf8.h"

namespace brine::codec {
namespace {

struct CodePointRange {
  char32_t lo;
  char32_t hi;
};

// Code points Python's str.isprintable() rejects (and repr() escapes).
constexpr CodePointRange kNonPrintable[] = {
#include "common/codec/unicode_nonprintable.inc"
};

bool is_printable(char32_t cp) {
  const auto* end = std::end(kNonPrintable);
  const auto* it = std::upper_bound(std::begin(kNonPrintable), end, cp,
                                    [](char32_t c, const CodePointRange& r) { return c < r.lo; });
  if (it == std::begin(kNonPrintable)) return true;
  --it;
  return cp > it->hi;
}

void append_hex(std::string& out, const char* prefix, unsigned value, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%s%0*x", prefix, width, value);
  out += buf;
}

}  // namespace

void append_python_float_repr(std::string& out, double d) {
  if (std::isnan(d)) {
    out += "nan";
    return;
  }
  if (std::isinf(d)) {
    out += d < 0 ? "-inf" : "inf";
    return;
  }
  // Shortest round-trip digits from to_chars, laid out the way Python's
  // float_repr_style 'short' does: positional while -4 < exponent < 16,
  // scientific otherwise, ".0" added to integral positional values.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  (void)ec;  // 64 bytes always suffice for a double
  std::string_view sci(buf, static_cast<size_t>(end - buf));
  size_t e_pos = sci.find('e');
  std::string_view mant = sci.substr(0, e_pos);
  int exp = 0;
  std::from_chars(sci.data() + e_pos + 1 + (sci[e_pos + 1] == '+' ? 1 : 0), sci.data() + sci.size(),
                  exp);
  bool neg = false;
  if (!mant.empty() && mant[0] == '-') {
    neg = true;
    mant.remove_prefix(1);
  }
  std::string digits;
  for (char c : mant) {
    if (c != '.') digits.push_back(c);
  }
  if (neg) out.push_back('-');
  const int decpt = exp + 1;  // position of the decimal point within digits
  const int ndigits = static_cast<int>(digits.size());
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0.";
      out.append(static_cast<size_t>(-decpt), '0');
      out += digits;
    } else if (decpt >= ndigits) {
      out += digits;
      out.append(static_cast<size_t>(decpt - ndigits), '0');
      out += ".0";
    } else {
      out.append(digits, 0, static_cast<size_t>(decpt));
      out.push_back('.');
      out.append(digits, static_cast<size_t>(decpt));
    }
    return;
  }
  out.push_back(digits[0]);
  if (ndigits > 1) {
    out.push_back('.');
    out.append(digits, 1);
  }
  out.push_back('e');
  out.push_back(exp < 0 ? '-' : '+');
  const int aexp = exp < 0 ? -exp : exp;
  if (aexp < 10) out.push_back('0');
  out += std::to_string(aexp);
}

std::string python_float_repr(double d) {
  std::string out;
  append_python_float_repr(out, d);
  return out;
}

void append_python_string_repr(std::string& out, std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const bool has_double = s.find('"') != std::string_view::npos;
  const char quote = (has_single && !has_double) ? '"' : '\'';
  out.push_back(quote);
  for (size_t pos = 0; pos < s.size();) {
    const char32_t cp = detail::next_code_point(s, &pos);
    if (cp == static_cast<char32_t>(quote) || cp == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(cp));
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7F) {
      append_hex(out, "\\x", cp, 2);
    } else if (cp < 0x7F) {
      out.push_back(static_cast<char>(cp));
    } else if (!is_printable(cp)) {
      if (cp <= 0xFF) {
        append_hex(out, "\\x", cp, 2);
      } else if (cp <= 0xFFFF) {
        append_hex(out, "\\u", cp, 4);
      } else {
        append_hex(out, "\\U", cp, 8);
      }
    } else {
      detail::append_utf8(out, cp);  // re-encoding turns invalid bytes into U+FFFD
    }
  }
  out.push_back(quote);
}

std::string python_string_repr(std::string_view s) {
  std::string out;
  append_python_string_repr(out, s);
  return out;
}

void append_python_repr(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      out += "None";
      return;
    case Value::Kind::kBool:
      out += v.as_bool() ? "True" : "False";
      return;
    case Value::Kind::kInt:
      out += std::to_string(v.as_int());
      return;
    case Value::Kind::kFloat:
      append_python_float_repr(out, v.as_float());
      return;
    case Value::Kind::kString:
      append_python_string_repr(out, v.as_string());
      return;
    case Value::Kind::kList: {
      out.push_back('[');
      bool first = true;
      for (const Value& item : v.as_list()) {
        if (!first) out += ", ";
        first = false;
        append_python_repr(out, item);
      }
      out.push_back(']');
      return;
    }
    case Value::Kind::kMap: {
      out.push_back('{');
      bool first = true;
      for (const auto& [key, item] : v.as_map()) {
        if (!first) out += ", ";
        first = false;
        append_python_string_repr(out, key);
        out += ": ";
        append_python_repr(out, item);
      }
      out.push_back('}');
      return;
    }
  }
}

std::string python_repr(const Value& v) {
  std::string out;
  append_python_repr(out, v);
  return out;
}

std::string python_str(const Value& v) {
  if (v.is_string()) return v.as_string();
  return python_repr(v);
}

}  // namespace brine::codec
