// A JSON parser with Python json.loads semantics (see json.h). Iterative
// over an explicit stack is not needed: recursion is bounded by
// kJsonMaxDepth.
#include <charconv>
#include <cmath>
#include <limits>
#include <string>

#include "common/codec/json.h"
#include "common/codec/utf8.h"

namespace brine::codec {
namespace {

class Parser {
 public:
  Parser(std::string_view text, std::string_view source) : s_(text), source_(source) {}

  Result<Value> parse_document() {
    skip_ws();
    auto v = parse_value(0);
    if (!v) return v;
    skip_ws();
    if (i_ != s_.size()) return fail("Extra data", i_);
    return v;
  }

 private:
  Error fail(std::string message, size_t at) const {
    size_t line = 1;
    size_t line_start = 0;
    for (size_t k = 0; k < at && k < s_.size(); ++k) {
      if (s_[k] == '\n') {
        ++line;
        line_start = k + 1;
      }
    }
    return make_error(Errc::kParse, std::move(message),
                      std::string(source_) + ":" + std::to_string(line) + ":" +
                          std::to_string(at - line_start + 1));
  }

  void skip_ws() {
    while (i_ < s_.size() &&
           (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) {
      ++i_;
    }
  }

  bool consume(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  Result<Value> parse_value(size_t depth) {
    if (i_ >= s_.size()) return fail("Expecting value", i_);
    const char c = s_[i_];
    switch (c) {
      case '{':
        return parse_object(depth + 1);
      case '[':
        return parse_array(depth + 1);
      case '"': {
        auto s = parse_string();
        if (!s) return s.error();
        return Value(std::move(*s));
      }
      case 'n':
        if (consume("null")) return Value();
        break;
      case 't':
        if (consume("true")) return Value(true);
        break;
      case 'f':
        if (consume("false")) return Value(false);
        break;
      case 'N':
        if (consume("NaN")) return Value(std::numeric_limits<double>::quiet_NaN());
        break;
      case 'I':
        if (consume("Infinity")) return Value(std::numeric_limits<double>::infinity());
        break;
      case '-':
        if (consume("-Infinity")) return Value(-std::numeric_limits<double>::infinity());
        return parse_number();
      default:
        if (c >= '0' && c <= '9') return parse_number();
        break;
    }
    return fail("Expecting value", i_);
  }

  Result<Value> parse_number() {
    // -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)? as json.scanner's NUMBER_RE.
    const size_t start = i_;
    auto digits = [this] {
      size_t n = 0;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_, ++n;
      return n;
    };
    if (s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0') {
      ++i_;
    } else if (digits() == 0) {
      i_ = start;
      return fail("Expecting value", start);
    }
    bool is_float = false;
    if (i_ + 1 < s_.size() && s_[i_] == '.' && s_[i_ + 1] >= '0' && s_[i_ + 1] <= '9') {
      ++i_;
      digits();
      is_float = true;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      size_t save = i_;
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (digits() == 0) {
        i_ = save;
      } else {
        is_float = true;
      }
    }
    const char* b = s_.data() + start;
    const char* e = s_.data() + i_;
    if (!is_float) {
      int64_t n = 0;
      auto [p, ec] = std::from_chars(b, e, n);
      if (ec == std::errc() && p == e) return Value(n);
      // Past int64: Python keeps a big int; Brine falls back to a float.
    }
    double d = 0;
    auto [p, ec] = std::from_chars(b, e, d);
    if (ec == std::errc::result_out_of_range) {
      const bool tiny = std::string_view(b, e).find("e-") != std::string_view::npos ||
                        std::string_view(b, e).find("E-") != std::string_view::npos;
      const bool neg = *b == '-';
      d = tiny ? (neg ? -0.0 : 0.0)
               : (neg ? -std::numeric_limits<double>::infinity()
                      : std::numeric_limits<double>::infinity());
    } else if (p != e) {
      return fail("Expecting value", start);
    }
    return Value(d);
  }

  Result<unsigned> hex4(size_t at) {
    if (at + 4 > s_.size()) return fail("Invalid \\uXXXX escape", at - 1);
    unsigned v = 0;
    for (size_t k = at; k < at + 4; ++k) {
      const char c = s_[k];
      unsigned d;
      if (c >= '0' && c <= '9') {
        d = static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        d = static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        d = static_cast<unsigned>(c - 'A' + 10);
      } else {
        return fail("Invalid \\uXXXX escape", at - 1);
      }
      v = v * 16 + d;
    }
    return v;
  }

  Result<std::string> parse_string() {
    const size_t start = i_;
    ++i_;  // opening quote
    std::string out;
    while (true) {
      size_t run = i_;
      while (run < s_.size() && s_[run] != '"' && s_[run] != '\\' &&
             static_cast<unsigned char>(s_[run]) >= 0x20) {
        ++run;
      }
      out.append(s_.substr(i_, run - i_));
      i_ = run;
      if (i_ >= s_.size()) return fail("Unterminated string starting at", start);
      const char c = s_[i_];
      if (c == '"') {
        ++i_;
        return out;
      }
      if (c != '\\') return fail("Invalid control character at", i_);
      if (i_ + 1 >= s_.size()) return fail("Unterminated string starting at", start);
      const char esc = s_[i_ + 1];
      i_ += 2;
      switch (esc) {
        case '"':
          out.push_back('"');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '/':
          out.push_back('/');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          auto hi = hex4(i_);
          if (!hi) return hi.error();
          i_ += 4;
          char32_t cp = *hi;
          if (cp >= 0xD800 && cp <= 0xDBFF && i_ + 1 < s_.size() && s_[i_] == '\\' &&
              s_[i_ + 1] == 'u') {
            auto lo = hex4(i_ + 2);
            if (!lo) return lo.error();
            if (*lo >= 0xDC00 && *lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (*lo - 0xDC00);
              i_ += 6;
            }
          }
          detail::append_utf8(out, cp);  // a lone surrogate becomes U+FFFD
          break;
        }
        default:
          return fail("Invalid \\escape", i_ - 2);
      }
    }
  }

  Result<Value> parse_array(size_t depth) {
    if (depth > kJsonMaxDepth) return fail("nesting deeper than 512 levels", i_);
    ++i_;
    List list;
    skip_ws();
    if (i_ < s_.size() && s_[i_] == ']') {
      ++i_;
      return Value(std::move(list));
    }
    while (true) {
      skip_ws();
      auto v = parse_value(depth);
      if (!v) return v;
      list.push_back(std::move(*v));
      skip_ws();
      if (i_ < s_.size() && s_[i_] == ']') {
        ++i_;
        return Value(std::move(list));
      }
      if (i_ >= s_.size() || s_[i_] != ',') return fail("Expecting ',' delimiter", i_);
      ++i_;
    }
  }

  Result<Value> parse_object(size_t depth) {
    if (depth > kJsonMaxDepth) return fail("nesting deeper than 512 levels", i_);
    ++i_;
    Map map;
    skip_ws();
    if (i_ < s_.size() && s_[i_] == '}') {
      ++i_;
      return Value(std::move(map));
    }
    while (true) {
      skip_ws();
      if (i_ >= s_.size() || s_[i_] != '"') {
        return fail("Expecting property name enclosed in double quotes", i_);
      }
      auto key = parse_string();
      if (!key) return key.error();
      skip_ws();
      if (i_ >= s_.size() || s_[i_] != ':') return fail("Expecting ':' delimiter", i_);
      ++i_;
      skip_ws();
      auto v = parse_value(depth);
      if (!v) return v;
      map.set(*key, std::move(*v));
      skip_ws();
      if (i_ < s_.size() && s_[i_] == '}') {
        ++i_;
        return Value(std::move(map));
      }
      if (i_ >= s_.size() || s_[i_] != ',') return fail("Expecting ',' delimiter", i_);
      ++i_;
    }
  }

  std::string_view s_;
  std::string_view source_;
  size_t i_ = 0;
};

}  // namespace

Result<Value> json_parse(std::string_view text, std::string_view source_name) {
  return Parser(text, source_name).parse_document();
}

}  // namespace brine::codec
