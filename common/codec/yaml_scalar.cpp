#include "common/codec/yaml_scalar.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "common/codec/python_repr.h"

namespace brine::codec {
namespace {

// Hand-written versions of PyYAML's implicit resolver regexes (resolver.py);
// each must match the whole text.
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ == s_.size(); }
  char peek(size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
  bool eat(char c) {
    if (peek() != c || done()) return false;
    ++i_;
    return true;
  }
  bool eat_sign() { return eat('-') || eat('+'); }
  // Consumes [first][rest]* where the predicates say which chars qualify.
  template <typename F>
  size_t eat_while(F pred) {
    size_t n = 0;
    while (!done() && pred(s_[i_])) ++i_, ++n;
    return n;
  }
  size_t pos() const { return i_; }
  void reset(size_t pos) { i_ = pos; }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_digit_(char c) { return is_digit(c) || c == '_'; }

// (?::[0-5]?[0-9])+ ; greedy is exact here (see the regex: after a one-digit
// group the next char must be ':' or what follows the groups).
bool eat_sexagesimal_groups(Cursor& c) {
  size_t groups = 0;
  while (c.peek() == ':') {
    size_t save = c.pos();
    c.eat(':');
    if (c.peek() >= '0' && c.peek() <= '5' && is_digit(c.peek(1))) {
      c.eat(c.peek());
      c.eat(c.peek());
    } else if (is_digit(c.peek())) {
      c.eat(c.peek());
    } else {
      c.reset(save);
      break;
    }
    ++groups;
  }
  return groups > 0;
}

bool match_bool(std::string_view s) {
  static constexpr std::string_view kWords[] = {"yes",  "Yes",  "YES",  "no",    "No",    "NO",
                                                "true", "True", "TRUE", "false", "False", "FALSE",
                                                "on",   "On",   "ON",   "off",   "Off",   "OFF"};
  for (auto w : kWords) {
    if (s == w) return true;
  }
  return false;
}

bool match_null(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

bool match_int(std::string_view s) {
  // [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
  // | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
  Cursor c(s);
  c.eat_sign();
  if (c.eat('0')) {
    if (c.done()) return true;
    if (c.eat('b'))
      return c.eat_while([](char ch) { return ch == '0' || ch == '1' || ch == '_'; }) > 0 &&
             c.done();
    if (c.eat('x')) {
      return c.eat_while([](char ch) {
        return std::isxdigit(static_cast<unsigned char>(ch)) || ch == '_';
      }) > 0 &&
             c.done();
    }
    return c.eat_while([](char ch) { return (ch >= '0' && ch <= '7') || ch == '_'; }) > 0 &&
           c.done();
  }
  if (!(c.peek() >= '1' && c.peek() <= '9')) return false;
  c.eat_while(is_digit_);
  if (c.done()) return true;
  return eat_sexagesimal_groups(c) && c.done();
}

bool eat_exponent(Cursor& c) {
  // (?:[eE][-+][0-9]+)?
  size_t save = c.pos();
  if (c.eat('e') || c.eat('E')) {
    if (c.eat_sign() && c.eat_while(is_digit) > 0) return true;
    c.reset(save);
  }
  return true;
}

bool match_float(std::string_view s) {
  // F1 [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?
  // F2 \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
  // F3 [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
  // F4 [-+]?\.(?:inf|Inf|INF)
  // F5 \.(?:nan|NaN|NAN)
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  Cursor c(s);
  const bool signed_ = c.eat_sign();
  if (c.peek() == '.') {
    std::string_view rest = s.substr(c.pos());
    if (rest == ".inf" || rest == ".Inf" || rest == ".INF") return true;
    if (signed_) return false;
    c.eat('.');
    if (!is_digit(c.peek())) return false;
    c.eat_while(is_digit_);
    eat_exponent(c);
    return c.done();
  }
  if (!is_digit(c.peek())) return false;
  c.eat_while(is_digit_);
  if (c.peek() == ':') {
    if (!eat_sexagesimal_groups(c) || !c.eat('.')) return false;
    c.eat_while(is_digit_);
    return c.done();
  }
  if (!c.eat('.')) return false;
  c.eat_while(is_digit_);
  eat_exponent(c);
  return c.done();
}

bool match_timestamp(std::string_view s) {
  // [0-9]{4}-[0-9][0-9]-[0-9][0-9]
  // | [0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9]
  //   (?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?
  Cursor c(s);
  auto digits = [&c](size_t min, size_t max) {
    size_t n = 0;
    while (n < max && is_digit(c.peek())) c.eat(c.peek()), ++n;
    return n >= min;
  };
  if (!digits(4, 4) || !c.eat('-')) return false;
  size_t month_start = c.pos();
  if (!digits(1, 2) || !c.eat('-') || !digits(1, 2)) return false;
  if (c.done()) {
    // Date only: the two-digit form.
    return c.pos() - month_start == 5;
  }
  auto is_blank = [](char ch) { return ch == ' ' || ch == '\t'; };
  if (!(c.eat('T') || c.eat('t') || c.eat_while(is_blank) > 0)) return false;
  if (!digits(1, 2) || !c.eat(':') || !digits(2, 2) || !c.eat(':') || !digits(2, 2)) return false;
  if (c.eat('.')) c.eat_while(is_digit);
  if (c.done()) return true;
  c.eat_while(is_blank);
  if (c.eat('Z')) return c.done();
  if (!c.eat_sign() || !digits(1, 2)) return false;
  if (c.eat(':') && !digits(2, 2)) return false;
  return c.done();
}

std::string strip_underscores_lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    if (ch == '_') continue;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
  }
  return out;
}

Error bad(std::string_view what, std::string_view text) {
  return make_error(Errc::kParse, std::string("invalid ") + std::string(what) + " scalar '" +
                                      std::string(text) + "'");
}

// Parses digits in `base` into a double accumulator too, so values past
// int64 still come out (as floats).
Result<Value> parse_integer(std::string_view digits, int base, int sign, std::string_view text) {
  if (digits.empty()) return bad("int", text);
  uint64_t acc = 0;
  bool overflow = false;
  double dacc = 0;
  for (char ch : digits) {
    int d;
    if (ch >= '0' && ch <= '9') {
      d = ch - '0';
    } else if (ch >= 'a' && ch <= 'f') {
      d = ch - 'a' + 10;
    } else {
      return bad("int", text);
    }
    if (d >= base) return bad("int", text);
    dacc = dacc * base + d;
    if (acc > (std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(d)) /
                  static_cast<uint64_t>(base)) {
      overflow = true;
    }
    acc = acc * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  const uint64_t limit = sign < 0 ? static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) + 1
                                  : static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  if (overflow || acc > limit) {
    // Python's int-to-float conversion rounds correctly; so do these paths
    // (only a non-decimal value past uint64 accumulates rounding error).
    double d = dacc;
    if (base == 10) {
      std::from_chars(digits.data(), digits.data() + digits.size(), d);
    } else if (!overflow) {
      d = static_cast<double>(acc);
    }
    return Value(sign * d);
  }
  if (sign < 0) return Value(static_cast<int64_t>(0 - acc));
  return Value(static_cast<int64_t>(acc));
}

Result<Value> construct_int(std::string_view text) {
  // Salt's construct_scalar: a leading zero run is dropped (so 0644 is 644,
  // not octal) unless the text is 0, 0b..., 0x...; then PyYAML's
  // construct_yaml_int.
  std::string value(text);
  if (value != "0" && value.starts_with('0') && !value.starts_with("0b") &&
      !value.starts_with("0x")) {
    size_t nz = value.find_first_not_of('0');
    value = nz == std::string::npos ? "0" : value.substr(nz);
  }
  value = strip_underscores_lower(value);
  if (value.empty()) return bad("int", text);
  int sign = 1;
  if (value[0] == '-') sign = -1;
  if (value[0] == '-' || value[0] == '+') value.erase(0, 1);
  if (value == "0") return Value(0);
  std::string_view v = value;
  if (v.starts_with("0b")) return parse_integer(v.substr(2), 2, sign, text);
  if (v.starts_with("0x")) return parse_integer(v.substr(2), 16, sign, text);
  if (v.starts_with('0')) return parse_integer(v.substr(1), 8, sign, text);
  if (v.find(':') != std::string_view::npos) {
    int64_t total = 0;
    size_t start = 0;
    while (true) {
      size_t colon = v.find(':', start);
      std::string_view part =
          v.substr(start, colon == std::string_view::npos ? colon : colon - start);
      auto r = parse_integer(part, 10, 1, text);
      if (!r || !r->is_int() || total > (std::numeric_limits<int64_t>::max() - r->as_int()) / 60) {
        return bad("int", text);
      }
      total = total * 60 + r->as_int();
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
    return Value(sign * total);
  }
  return parse_integer(v, 10, sign, text);
}

Result<Value> parse_double(std::string_view s, std::string_view text) {
  // Python's float() accepts "1.", "1.e+5", ".5"; from_chars does too.
  if (s.starts_with('+')) s.remove_prefix(1);
  double d = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ptr != s.data() + s.size() || s.empty()) return bad("float", text);
  if (ec == std::errc::result_out_of_range) {
    // Python: overflow to inf, underflow to 0.
    bool neg = s.starts_with('-');
    size_t e = s.find_first_of("eE");
    bool tiny = e != std::string_view::npos && s[e + 1] == '-';
    d = tiny ? (neg ? -0.0 : 0.0)
             : (neg ? -std::numeric_limits<double>::infinity()
                    : std::numeric_limits<double>::infinity());
  }
  return Value(d);
}

Result<Value> construct_float(std::string_view text) {
  std::string value = strip_underscores_lower(text);
  if (value.empty()) return bad("float", text);
  double sign = 1;
  if (value[0] == '-') sign = -1;
  if (value[0] == '-' || value[0] == '+') value.erase(0, 1);
  if (value == ".inf") return Value(sign * std::numeric_limits<double>::infinity());
  if (value == ".nan") return Value(std::numeric_limits<double>::quiet_NaN());
  if (value.find(':') != std::string::npos) {
    double total = 0;
    size_t start = 0;
    while (true) {
      size_t colon = value.find(':', start);
      auto part =
          std::string_view(value).substr(start, colon == std::string::npos ? colon : colon - start);
      auto r = parse_double(part, text);
      if (!r) return r;
      total = total * 60 + r->as_float();
      if (colon == std::string::npos) break;
      start = colon + 1;
    }
    return Value(sign * total);
  }
  auto r = parse_double(value, text);
  if (!r) return r;
  return Value(sign * r->as_float());
}

}  // namespace

YamlTag resolve_plain(std::string_view text) {
  // PyYAML tries the resolvers in this order.
  if (match_bool(text)) return YamlTag::kBool;
  if (match_float(text)) return YamlTag::kFloat;
  if (match_int(text)) return YamlTag::kInt;
  if (text == "<<") return YamlTag::kMerge;
  if (match_null(text)) return YamlTag::kNull;
  if (match_timestamp(text)) return YamlTag::kTimestamp;
  if (text == "=") return YamlTag::kValue;
  return YamlTag::kStr;
}

Result<Value> construct_scalar(YamlTag tag, std::string_view text) {
  switch (tag) {
    case YamlTag::kNull:
      return Value();
    case YamlTag::kBool: {
      std::string lower = strip_underscores_lower(text);
      if (lower == "yes" || lower == "true" || lower == "on") return Value(true);
      if (lower == "no" || lower == "false" || lower == "off") return Value(false);
      return bad("bool", text);
    }
    case YamlTag::kInt:
      return construct_int(text);
    case YamlTag::kFloat:
      return construct_float(text);
    case YamlTag::kTimestamp:
    case YamlTag::kStr:
      return Value(std::string(text));
    case YamlTag::kMerge:
      return make_error(Errc::kParse,
                        "could not determine a constructor for the tag 'tag:yaml.org,2002:merge'");
    case YamlTag::kValue:
      return make_error(Errc::kParse,
                        "could not determine a constructor for the tag 'tag:yaml.org,2002:value'");
  }
  return Value(std::string(text));
}

Result<Value> plain_scalar(std::string_view text) {
  return construct_scalar(resolve_plain(text), text);
}

std::string python_key_string(const Value& key) {
  if (key.is_string()) return key.as_string();
  return python_repr(key);
}

}  // namespace brine::codec
