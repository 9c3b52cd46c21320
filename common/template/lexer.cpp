#include "common/template/lexer.h"

#include <charconv>
#include <cstdlib>

#include "common/template/print.h"
#include "common/template/unicode.h"

namespace brine::jinja {
namespace {

// Python's str.rstrip(): strips Unicode whitespace.
std::string_view rstrip_ws(std::string_view s) { return utf8::strip(s, nullptr, false, true); }

bool all_ws(std::string_view s) {  // re `\s+` fullmatch
  if (s.empty()) return false;
  return utf8::strip(s, nullptr, true, false).empty();
}

size_t count_nl(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool is_name_start(std::string_view s, size_t pos, size_t* len) {
  auto c = static_cast<unsigned char>(s[pos]);
  if (c < 0x80) {
    *len = 1;
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }
  size_t p = pos;
  char32_t cp = utf8::next(s, &p);
  *len = p - pos;
  return cp != 0xFFFD && utf8::is_alpha(cp);
}

bool is_name_char(std::string_view s, size_t pos, size_t* len) {
  auto c = static_cast<unsigned char>(s[pos]);
  if (c >= '0' && c <= '9') {
    *len = 1;
    return true;
  }
  if (c < 0x80) return is_name_start(s, pos, len);
  size_t p = pos;
  char32_t cp = utf8::next(s, &p);
  *len = p - pos;
  return cp != 0xFFFD && (utf8::is_alpha(cp) || utf8::is_digit(cp));
}

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Python's "unicode-escape" decoding of a string literal body (after Jinja's
// encode("ascii", "backslashreplace")). Returns false with *err on failure.
bool decode_string(std::string_view body, std::string* out, std::string* err) {
  out->reserve(body.size());
  for (size_t i = 0; i < body.size();) {
    char c = body[i];
    if (c != '\\') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (i + 1 >= body.size()) {
      *err = "\\ at end of string";
      return false;
    }
    char e = body[i + 1];
    i += 2;
    switch (e) {
      case '\n':
        break;
      case '\\':
        out->push_back('\\');
        break;
      case '\'':
        out->push_back('\'');
        break;
      case '"':
        out->push_back('"');
        break;
      case 'a':
        out->push_back('\a');
        break;
      case 'b':
        out->push_back('\b');
        break;
      case 'f':
        out->push_back('\f');
        break;
      case 'n':
        out->push_back('\n');
        break;
      case 'r':
        out->push_back('\r');
        break;
      case 't':
        out->push_back('\t');
        break;
      case 'v':
        out->push_back('\v');
        break;
      case 'x':
      case 'u':
      case 'U': {
        size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (size_t k = 0; k < n; ++k) {
          int h = i + k < body.size() ? hexval(body[i + k]) : -1;
          if (h < 0) {
            *err = e == 'x'   ? "truncated \\xXX escape"
                   : e == 'u' ? "truncated \\uXXXX escape"
                              : "truncated \\UXXXXXXXX escape";
            return false;
          }
          cp = cp * 16 + static_cast<uint32_t>(h);
        }
        if (cp > 0x10FFFF) {
          *err = "illegal Unicode character";
          return false;
        }
        i += n;
        utf8::append(*out, cp);
        break;
      }
      case 'N':
        *err = "malformed \\N character escape";
        return false;
      default:
        if (e >= '0' && e <= '7') {
          uint32_t cp = static_cast<uint32_t>(e - '0');
          for (int k = 0; k < 2 && i < body.size() && body[i] >= '0' && body[i] <= '7'; ++k) {
            cp = cp * 8 + static_cast<uint32_t>(body[i++] - '0');
          }
          utf8::append(*out, cp);
        } else if (static_cast<unsigned char>(e) >= 0x80) {
          // A backslash before a non-ASCII character: backslashreplace turned
          // the character into \xNN / \uNNNN, and "\\" then decoded to "\".
          size_t p = i - 1;
          char32_t cp = utf8::next(body, &p);
          char buf[16];
          if (cp <= 0xFF) {
            std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned>(cp));
          } else if (cp <= 0xFFFF) {
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
          } else {
            std::snprintf(buf, sizeof buf, "\\U%08x", static_cast<unsigned>(cp));
          }
          out->append(buf);
          i = p;
        } else {
          out->push_back('\\');
          out->push_back(e);
        }
    }
  }
  return true;
}

class Lexer {
 public:
  Lexer(std::string_view src, const LexOptions& o) : o_(o) {
    // Normalise newlines and drop one trailing newline (keep_trailing_newline).
    src_.reserve(src.size());
    for (size_t i = 0; i < src.size(); ++i) {
      if (src[i] == '\r') {
        src_.push_back('\n');
        if (i + 1 < src.size() && src[i + 1] == '\n') ++i;
      } else {
        src_.push_back(src[i]);
      }
    }
    if (!o_.keep_trailing_newline && !src_.empty() && src_.back() == '\n') src_.pop_back();
  }

  std::vector<Token> run() {
    while (!done_) {
      if (!root()) break;
    }
    if (!done_) push(Tok::kEof, "");
    return std::move(toks_);
  }

 private:
  enum class Kind { kNone, kComment, kBlock, kVariable, kRaw };

  bool starts(size_t pos, std::string_view what) const {
    return !what.empty() && src_.compare(pos, what.size(), what) == 0;
  }

  void push(Tok t, std::string text, int line = -1) {
    Token tok;
    tok.type = t;
    tok.line = line < 0 ? line_ : line;
    tok.text = std::move(text);
    toks_.push_back(std::move(tok));
  }

  void error(std::string msg) {
    push(Tok::kError, std::move(msg));
    done_ = true;
  }

  size_t skip_ws(size_t p) const {
    while (p < src_.size() && is_ws(src_[p])) ++p;
    return p;
  }

  // Matches `{%(sign)\s*raw\s*(-%}\s*|%})` at p; returns the end or npos.
  size_t match_raw_begin(size_t p, char* sign) const {
    if (!starts(p, o_.block_start)) return std::string::npos;
    size_t q = p + o_.block_start.size();
    *sign = 0;
    if (q < src_.size() && (src_[q] == '-' || src_[q] == '+')) *sign = src_[q++];
    q = skip_ws(q);
    if (src_.compare(q, 3, "raw") != 0) return std::string::npos;
    q = skip_ws(q + 3);
    if (q < src_.size() && src_[q] == '-' && starts(q + 1, o_.block_end)) {
      return skip_ws(q + 1 + o_.block_end.size());
    }
    if (starts(q, o_.block_end)) return q + o_.block_end.size();
    return std::string::npos;
  }

  // Emits a data token for `text`, applying `-` stripping or lstrip_blocks.
  void emit_data(std::string_view text, char sign, bool is_variable) {
    size_t stripped_newlines = 0;
    if (sign == '-') {
      std::string_view s = rstrip_ws(text);
      stripped_newlines = count_nl(text.substr(s.size()));
      text = s;
    } else if (sign != '+' && o_.lstrip_blocks && !is_variable) {
      size_t nl = text.rfind('\n');
      size_t l_pos = nl == std::string_view::npos ? 0 : nl + 1;
      if ((l_pos > 0 || line_starting_) && all_ws(text.substr(l_pos))) text = text.substr(0, l_pos);
    }
    if (!text.empty()) push(Tok::kData, std::string(text));
    line_ += static_cast<int>(count_nl(text) + stripped_newlines);
  }

  bool root() {
    const size_t n = src_.size();
    if (pos_ >= n) {
      push(Tok::kEof, "");
      done_ = true;
      return false;
    }
    // Find the first tag start.
    size_t p = pos_;
    Kind kind = Kind::kNone;
    char sign = 0;
    size_t raw_end = std::string::npos;
    for (; p < n; ++p) {
      char c = src_[p];
      if (c != o_.block_start[0] && c != o_.variable_start[0] && c != o_.comment_start[0]) continue;
      if ((raw_end = match_raw_begin(p, &sign)) != std::string::npos) {
        kind = Kind::kRaw;
        break;
      }
      if (starts(p, o_.comment_start)) {
        kind = Kind::kComment;
      } else if (starts(p, o_.block_start)) {
        kind = Kind::kBlock;
      } else if (starts(p, o_.variable_start)) {
        kind = Kind::kVariable;
      } else {
        continue;
      }
      break;
    }
    if (kind == Kind::kNone) {
      push(Tok::kData, src_.substr(pos_));
      line_ += static_cast<int>(count_nl(std::string_view(src_).substr(pos_)));
      push(Tok::kEof, "");
      done_ = true;
      return false;
    }
    std::string_view text = std::string_view(src_).substr(pos_, p - pos_);
    size_t open_len = kind == Kind::kComment    ? o_.comment_start.size()
                      : kind == Kind::kVariable ? o_.variable_start.size()
                                                : o_.block_start.size();
    if (kind != Kind::kRaw) {
      sign = 0;
      size_t q = p + open_len;
      if (q < n && (src_[q] == '-' || src_[q] == '+')) sign = src_[q];
    }
    emit_data(text, sign, kind == Kind::kVariable);
    switch (kind) {
      case Kind::kRaw: {
        std::string_view opener = std::string_view(src_).substr(p, raw_end - p);
        line_ += static_cast<int>(count_nl(opener));
        line_starting_ = !opener.empty() && opener.back() == '\n';
        pos_ = raw_end;
        return raw();
      }
      case Kind::kComment:
        pos_ = p + open_len + (sign ? 1 : 0);
        return comment();
      case Kind::kBlock:
        push(Tok::kBlockBegin, "");
        pos_ = p + open_len + (sign ? 1 : 0);
        line_starting_ = false;
        return tag(false);
      case Kind::kVariable:
        push(Tok::kVarBegin, "");
        pos_ = p + open_len + (sign ? 1 : 0);
        line_starting_ = false;
        return tag(true);
      case Kind::kNone:
        break;
    }
    return false;
  }

  // Matches the end of a comment/endraw (`+X`, `-X\s*`, `X\n?`) at q.
  size_t match_end(size_t q, const std::string& end) const {
    if (q < src_.size() && src_[q] == '+' && starts(q + 1, end)) return q + 1 + end.size();
    if (q < src_.size() && src_[q] == '-' && starts(q + 1, end)) return skip_ws(q + 1 + end.size());
    if (starts(q, end)) {
      size_t r = q + end.size();
      if (o_.trim_blocks && r < src_.size() && src_[r] == '\n') ++r;
      return r;
    }
    return std::string::npos;
  }

  bool comment() {
    for (size_t q = pos_; q < src_.size(); ++q) {
      size_t e = match_end(q, o_.comment_end);
      if (e == std::string::npos) continue;
      std::string_view consumed = std::string_view(src_).substr(pos_, e - pos_);
      line_ += static_cast<int>(count_nl(consumed));
      line_starting_ = consumed.back() == '\n';
      pos_ = e;
      return true;
    }
    error("Missing end of comment tag");
    return false;
  }

  bool raw() {
    for (size_t q = pos_; q < src_.size(); ++q) {
      if (!starts(q, o_.block_start)) continue;
      size_t r = q + o_.block_start.size();
      char sign = 0;
      if (r < src_.size() && (src_[r] == '-' || src_[r] == '+')) sign = src_[r++];
      r = skip_ws(r);
      if (src_.compare(r, 6, "endraw") != 0) continue;
      r = skip_ws(r + 6);
      size_t e = match_end(r, o_.block_end);
      if (e == std::string::npos) continue;
      emit_data(std::string_view(src_).substr(pos_, q - pos_), sign, false);
      std::string_view closer = std::string_view(src_).substr(q, e - q);
      line_ += static_cast<int>(count_nl(closer));
      line_starting_ = closer.back() == '\n';
      pos_ = e;
      return true;
    }
    error("Missing end of raw directive");
    return false;
  }

  bool tag(bool variable) {
    const std::string& end = variable ? o_.variable_end : o_.block_end;
    const size_t n = src_.size();
    std::vector<char> balance;
    while (pos_ < n) {
      size_t q = pos_;
      // End of tag (only when brackets are balanced).
      if (balance.empty()) {
        size_t e = std::string::npos;
        if (!variable && src_[q] == '+' && starts(q + 1, end)) {
          e = q + 1 + end.size();
        } else if (src_[q] == '-' && starts(q + 1, end)) {
          e = skip_ws(q + 1 + end.size());
        } else if (starts(q, end)) {
          e = q + end.size();
          if (!variable && o_.trim_blocks && e < n && src_[e] == '\n') ++e;
        }
        if (e != std::string::npos) {
          push(variable ? Tok::kVarEnd : Tok::kBlockEnd, "");
          std::string_view consumed = std::string_view(src_).substr(q, e - q);
          line_ += static_cast<int>(count_nl(consumed));
          line_starting_ = consumed.back() == '\n';
          pos_ = e;
          return true;
        }
      }
      char c = src_[q];
      if (is_ws(c)) {
        size_t e = skip_ws(q);
        line_ += static_cast<int>(count_nl(std::string_view(src_).substr(q, e - q)));
        pos_ = e;
        continue;
      }
      if (c >= '0' && c <= '9') {
        if (!number(q)) return false;
        continue;
      }
      size_t nlen = 0;
      if (is_name_start(src_, q, &nlen)) {
        size_t e = q + nlen;
        while (e < n && is_name_char(src_, e, &nlen)) e += nlen;
        push(Tok::kName, src_.substr(q, e - q));
        pos_ = e;
        continue;
      }
      if (c == '\'' || c == '"') {
        size_t e = q + 1;
        while (e < n && src_[e] != c) e += src_[e] == '\\' ? 2 : 1;
        if (e < n) {
          std::string value;
          std::string err;
          std::string_view body = std::string_view(src_).substr(q + 1, e - q - 1);
          if (!decode_string(body, &value, &err)) {
            error(err);
            return false;
          }
          push(Tok::kString, std::move(value));
          line_ += static_cast<int>(count_nl(body));
          pos_ = e + 1;
          continue;
        }
        // Unterminated: falls through to "unexpected char".
      }
      if (!op(q, balance)) return false;
    }
    // End of input inside a tag: the parser reports the unexpected end.
    push(Tok::kEof, "");
    done_ = true;
    return false;
  }

  bool op(size_t q, std::vector<char>& balance) {
    static constexpr struct {
      const char* text;
      Tok tok;
    } kOps[] = {
        {"//", Tok::kFloorDiv}, {"**", Tok::kPow},      {"==", Tok::kEq},    {"!=", Tok::kNe},
        {">=", Tok::kGtEq},     {"<=", Tok::kLtEq},     {"+", Tok::kAdd},    {"-", Tok::kSub},
        {"/", Tok::kDiv},       {"*", Tok::kMul},       {"%", Tok::kMod},    {"~", Tok::kTilde},
        {"[", Tok::kLBracket},  {"]", Tok::kRBracket},  {"(", Tok::kLParen}, {")", Tok::kRParen},
        {"{", Tok::kLBrace},    {"}", Tok::kRBrace},    {">", Tok::kGt},     {"<", Tok::kLt},
        {"=", Tok::kAssign},    {".", Tok::kDot},       {":", Tok::kColon},  {"|", Tok::kPipe},
        {",", Tok::kComma},     {";", Tok::kSemicolon},
    };
    for (const auto& o : kOps) {
      size_t len = std::char_traits<char>::length(o.text);
      if (src_.compare(q, len, o.text) != 0) continue;
      char c = o.text[0];
      if (len == 1 && (c == '{' || c == '(' || c == '[')) {
        balance.push_back(c == '{' ? '}' : c == '(' ? ')' : ']');
      } else if (len == 1 && (c == '}' || c == ')' || c == ']')) {
        if (balance.empty()) {
          error(std::string("unexpected '") + c + "'");
          return false;
        }
        char expected = balance.back();
        balance.pop_back();
        if (expected != c) {
          error(std::string("unexpected '") + c + "', expected '" + expected + "'");
          return false;
        }
      }
      push(o.tok, o.text);
      pos_ = q + len;
      return true;
    }
    std::string msg = "unexpected char ";
    size_t p = q;
    char32_t cp = utf8::next(src_, &p);
    std::string ch;
    utf8::append(ch, cp);
    append_string_repr(msg, ch);
    msg += " at ";
    msg += std::to_string(utf8::count(std::string_view(src_).substr(0, q)));
    error(std::move(msg));
    return false;
  }

  static bool digits_us(std::string_view s, size_t* p, bool (*ok)(char)) {
    // (_?[class])+ : at least one digit, single underscores between digits
    size_t q = *p;
    bool any = false;
    while (q < s.size()) {
      size_t r = q;
      if (s[r] == '_') ++r;
      if (r < s.size() && ok(s[r])) {
        q = r + 1;
        any = true;
      } else {
        break;
      }
    }
    if (any) *p = q;
    return any;
  }

  bool number(size_t q) {
    std::string_view s(src_);
    auto dec = [](char c) { return c >= '0' && c <= '9'; };
    // float: (?<!\.)(\d+_)*\d+ ((\.(\d+_)*\d+)? e[+-]?(\d+_)*\d+ | \.(\d+_)*\d+)
    if (q == 0 || src_[q - 1] != '.') {
      size_t p = q;
      // (\d+_)*\d+ is digits with single underscores; same as \d(_?\d)*
      size_t a = p + 1;
      digits_us(s, &a, +dec);
      size_t after_int = a;
      size_t end = std::string::npos;
      size_t frac = after_int;
      bool has_frac = false;
      if (frac < s.size() && s[frac] == '.' && frac + 1 < s.size() && dec(s[frac + 1])) {
        size_t f = frac + 2;
        digits_us(s, &f, +dec);
        has_frac = true;
        frac = f;
      }
      size_t e = has_frac ? frac : after_int;
      if (e < s.size() && (s[e] == 'e' || s[e] == 'E')) {
        size_t x = e + 1;
        if (x < s.size() && (s[x] == '+' || s[x] == '-')) ++x;
        if (x < s.size() && dec(s[x])) {
          ++x;
          digits_us(s, &x, +dec);
          end = x;
        }
      }
      if (end == std::string::npos && has_frac) end = frac;
      if (end != std::string::npos) {
        std::string t;
        for (size_t i = q; i < end; ++i) {
          if (s[i] != '_') t.push_back(s[i]);
        }
        Token tok;
        tok.type = Tok::kFloat;
        tok.line = line_;
        tok.text = t;
        tok.fval = std::strtod(t.c_str(), nullptr);
        toks_.push_back(std::move(tok));
        pos_ = end;
        return true;
      }
    }
    // integer
    size_t end = q;
    int base = 10;
    auto bin = [](char c) { return c == '0' || c == '1'; };
    auto oct = [](char c) { return c >= '0' && c <= '7'; };
    auto hex = [](char c) { return hexval(c) >= 0; };
    char p1 = q + 1 < s.size() ? static_cast<char>(s[q + 1] | 0x20) : 0;
    size_t r = q + 2;
    if (s[q] == '0' && p1 == 'b' && digits_us(s, &r, +bin)) {
      base = 2, end = r;
    } else if (s[q] == '0' && p1 == 'o' && (r = q + 2, digits_us(s, &r, +oct))) {
      base = 8, end = r;
    } else if (s[q] == '0' && p1 == 'x' && (r = q + 2, digits_us(s, &r, +hex))) {
      base = 16, end = r;
    } else if (s[q] != '0') {
      end = q + 1;
      digits_us(s, &end, +dec);
    } else {
      end = q + 1;
      digits_us(
          s, &end, +[](char c) { return c == '0'; });
    }
    std::string t;
    for (size_t i = base == 10 ? q : q + 2; i < end; ++i) {
      if (s[i] != '_') t.push_back(s[i]);
    }
    Token tok;
    tok.type = Tok::kInteger;
    tok.line = line_;
    tok.text = std::string(s.substr(q, end - q));
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), tok.ival, base);
    if (ec != std::errc() || ptr != t.data() + t.size()) {
      error("integer literal too large: " + tok.text);
      return false;
    }
    toks_.push_back(std::move(tok));
    pos_ = end;
    return true;
  }

  const LexOptions& o_;
  std::string src_;
  size_t pos_ = 0;
  int line_ = 1;
  bool line_starting_ = true;
  bool done_ = false;
  std::vector<Token> toks_;
};

}  // namespace

std::string describe_tok(Tok t) {
  switch (t) {
    case Tok::kEof:
      return "end of template";
    case Tok::kError:
      return "error";
    case Tok::kData:
      return "template data / text";
    case Tok::kVarBegin:
      return "begin of print statement";
    case Tok::kVarEnd:
      return "end of print statement";
    case Tok::kBlockBegin:
      return "begin of statement block";
    case Tok::kBlockEnd:
      return "end of statement block";
    case Tok::kName:
      return "name";
    case Tok::kString:
      return "string";
    case Tok::kInteger:
      return "integer";
    case Tok::kFloat:
      return "float";
    case Tok::kAdd:
      return "+";
    case Tok::kSub:
      return "-";
    case Tok::kDiv:
      return "/";
    case Tok::kFloorDiv:
      return "//";
    case Tok::kMul:
      return "*";
    case Tok::kMod:
      return "%";
    case Tok::kPow:
      return "**";
    case Tok::kTilde:
      return "~";
    case Tok::kLBracket:
      return "[";
    case Tok::kRBracket:
      return "]";
    case Tok::kLParen:
      return "(";
    case Tok::kRParen:
      return ")";
    case Tok::kLBrace:
      return "{";
    case Tok::kRBrace:
      return "}";
    case Tok::kEq:
      return "==";
    case Tok::kNe:
      return "!=";
    case Tok::kGt:
      return ">";
    case Tok::kGtEq:
      return ">=";
    case Tok::kLt:
      return "<";
    case Tok::kLtEq:
      return "<=";
    case Tok::kAssign:
      return "=";
    case Tok::kDot:
      return ".";
    case Tok::kColon:
      return ":";
    case Tok::kPipe:
      return "|";
    case Tok::kComma:
      return ",";
    case Tok::kSemicolon:
      return ";";
  }
  return "?";
}

std::string describe_token(const Token& t) {
  if (t.type == Tok::kName) return t.text;
  return describe_tok(t.type);
}

std::vector<Token> tokenize(std::string_view source, const LexOptions& options) {
  return Lexer(source, options).run();
}

}  // namespace brine::jinja
