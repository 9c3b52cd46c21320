// Jinja's string filters, and the filter/test registries.
#include <cmath>

#include "common/template/builtins.h"
#include "common/template/format.h"
#include "common/template/interp.h"
#include "common/template/print.h"
#include "common/template/regex.h"
#include "common/template/registry.h"
#include "common/template/strings.h"
#include "common/template/unicode.h"

namespace brine::jinja {
namespace {

using A = CallArgs;

R<std::string> s_of(const Val& v) { return to_str(v); }

Val str_like(const Val& src, std::string s) {
  if (src.is_str() && src.str_obj()->markup) return Val::markup(std::move(s));
  return Val::str(std::move(s));
}

RV f_upper(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_upper", {}, 0, p));
  JASSIGN(std::string s, s_of(v));
  return str_like(v, utf8::upper(s));
}
RV f_lower(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_lower", {}, 0, p));
  JASSIGN(std::string s, s_of(v));
  return str_like(v, utf8::lower(s));
}
RV f_capitalize(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_capitalize", {}, 0, p));
  JASSIGN(std::string s, s_of(v));
  return str_like(v, utf8::capitalize(s));
}

RV f_title(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_title", {}, 0, p));
  // "".join(item[0].upper() + item[1:].lower() for item in re.split(r"([-\s({\[<]+)", s) if item)
  auto is_sep = [](char32_t c) {
    return c == '-' || c == '(' || c == '{' || c == '[' || c == '<' || utf8::is_space(c);
  };
  if (v.is_str() && v.str_obj()->is_ascii()) {  // byte per character, no decoding
    const std::string& s = v.as_str();
    std::string out(s.size(), '\0');
    bool start = true;
    for (size_t i = 0; i < s.size(); ++i) {
      char ch = s[i];
      if (ch == '-' || ch == '(' || ch == '{' || ch == '[' || ch == '<' || ch == ' ' ||
          (ch >= 0x09 && ch <= 0x0D) || (ch >= 0x1C && ch <= 0x1F)) {  // utf8::is_space for ASCII
        out[i] = ch;
        start = true;
      } else if (start) {
        out[i] = ch >= 'a' && ch <= 'z' ? static_cast<char>(ch - 32) : ch;
        start = false;
      } else {
        out[i] = ch >= 'A' && ch <= 'Z' ? static_cast<char>(ch + 32) : ch;
      }
    }
    return str_like(v, std::move(out));
  }
  JASSIGN(std::string s, s_of(v));
  std::string out;
  bool start = true;
  for (size_t pos = 0; pos < s.size();) {
    size_t at = pos;
    char32_t c = utf8::next(s, &pos);
    if (is_sep(c)) {
      out.append(s, at, pos - at);
      start = true;
    } else if (start) {
      if (c == 0xDF) {
        out += "SS";
      } else {
        utf8::append(out, utf8::to_upper(c));
      }
      start = false;
    } else {
      utf8::append(out, utf8::to_lower(c));
    }
  }
  return str_like(v, std::move(out));
}

RV f_center(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_center", {"width"}, 0, p));
  int64_t width = 80;
  if (!p[0].is_absent()) JSET(width, to_index(p[0]));
  JASSIGN(std::string s, s_of(v));
  return str_like(v, strings::pad(s, width, " ", 0));
}

RV f_trim(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_trim", {"chars"}, 0, p));
  JASSIGN(std::string s, s_of(v));
  if (p[0].is_absent() || p[0].is_none())
    return str_like(v, std::string(utf8::strip(s, nullptr, true, true)));
  JASSIGN(std::string chars, s_of(p[0]));
  std::string_view cv = chars;
  return str_like(v, std::string(utf8::strip(s, &cv, true, true)));
}

RV f_replace(Interp&, Val& v, A& a) {
  Val p[3];
  JTRY(bind_args(a, "do_replace", {"old", "new", "count"}, 2, p));
  JASSIGN(std::string s, s_of(v));
  JASSIGN(std::string old, s_of(p[0]));
  JASSIGN(std::string repl, s_of(p[1]));
  int64_t count = -1;
  if (!p[2].is_absent() && !p[2].is_none()) JSET(count, to_index(p[2]));
  return Val::str(strings::replace(s, old, repl, count));
}

RV f_escape(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "escape", {}, 0, p));
  if (v.is_str() && v.str_obj()->markup) return v;
  JTRY(check_defined(v));
  if (v.is_none()) return Val::markup("None");
  JASSIGN(std::string s, s_of(v));
  return Val::markup(strings::html_escape(s));
}

RV f_forceescape(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_forceescape", {}, 0, p));
  JASSIGN(std::string s, s_of(v));
  return Val::markup(strings::html_escape(s));
}

RV f_safe(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_mark_safe", {}, 0, p));
  JASSIGN(std::string s, s_of(v));
  return Val::markup(std::move(s));
}

RV f_string(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "soft_str", {}, 0, p));
  if (v.is_str()) return v;
  JASSIGN(std::string s, s_of(v));
  return Val::str(std::move(s));
}

RV f_format(Interp&, Val& v, A& a) {
  if (!a.pos.empty() && !a.kw.empty()) {
    return runtime_error("can't handle positional and keyword arguments at the same time");
  }
  JASSIGN(std::string s, s_of(v));
  if (!a.kw.empty()) {
    Val d = Val::dict();
    for (auto& [k, val] : a.kw) d.dict_obj()->set(k, hash_str(k.as_str()), val);
    return percent_format(s, d);
  }
  return percent_format(s, Val::tuple(Vals(a.pos.begin(), a.pos.end())));
}

RV f_indent(Interp&, Val& v, A& a) {
  Val p[3];
  JTRY(bind_args(a, "do_indent", {"width", "first", "blank"}, 0, p));
  std::string ind = "    ";
  if (!p[0].is_absent()) {
    if (p[0].is_str()) {
      ind = p[0].as_str();
    } else {
      JASSIGN(int64_t w, to_index(p[0]));
      ind = std::string(static_cast<size_t>(std::clamp<int64_t>(w, 0, 1 << 16)), ' ');
    }
  }
  bool first = false, blank = false;
  if (!p[1].is_absent()) JSET(first, truthy(p[1]));
  if (!p[2].is_absent()) JSET(blank, truthy(p[2]));
  JTRY(check_defined(v));
  if (!v.is_str()) {
    return type_error("unsupported operand type(s) for +=: '" + type_name(v) + "' and 'str'");
  }
  std::string s = v.as_str() + "\n";
  std::vector<std::string> lines = strings::splitlines(s, false);
  std::string rv;
  if (blank) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i) rv += "\n" + ind;
      rv += lines[i];
    }
  } else if (!lines.empty()) {
    rv = lines[0];
    for (size_t i = 1; i < lines.size(); ++i) {
      rv += "\n";
      if (!lines[i].empty()) rv += ind;
      rv += lines[i];
    }
  }
  if (first) rv = ind + rv;
  return str_like(v, std::move(rv));
}

RV f_truncate(Interp&, Val& v, A& a) {
  Val p[4];
  JTRY(bind_args(a, "do_truncate", {"length", "killwords", "end", "leeway"}, 0, p));
  int64_t length = 255, leeway = 5;
  bool killwords = false;
  std::string end = "...";
  if (!p[0].is_absent()) JSET(length, to_index(p[0]));
  if (!p[1].is_absent()) JSET(killwords, truthy(p[1]));
  if (!p[2].is_absent()) JSET(end, s_of(p[2]));
  if (!p[3].is_absent() && !p[3].is_none()) JSET(leeway, to_index(p[3]));
  int64_t end_len = static_cast<int64_t>(utf8::count(end));
  if (length < end_len) {
    return type_error("expected length >= " + std::to_string(end_len) + ", got " +
                      std::to_string(length));
  }
  if (leeway < 0) return type_error("expected leeway >= 0, got " + std::to_string(leeway));
  JASSIGN(std::string s, s_of(v));
  int64_t n = static_cast<int64_t>(utf8::count(s));
  if (n <= length + leeway) return Val::str(std::move(s));
  std::string head = s.substr(0, utf8::offset_of(s, static_cast<size_t>(length - end_len)));
  if (killwords) return Val::str(head + end);
  size_t sp = head.rfind(' ');
  if (sp != std::string::npos) head.resize(sp);
  return Val::str(head + end);
}

RV f_wordcount(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_wordcount", {}, 0, p));
  JASSIGN(std::string s, s_of(v));
  int64_t n = 0;
  bool in_word = false;
  for (size_t pos = 0; pos < s.size();) {
    char32_t c = utf8::next(s, &pos);
    bool w = c == '_' || utf8::is_alpha(c) || utf8::is_digit(c);
    if (w && !in_word) ++n;
    in_word = w;
  }
  return Val::integer(n);
}

// textwrap.wrap(line, width, expand_tabs=False, replace_whitespace=False,
// break_long_words, break_on_hyphens), drop_whitespace=True.
R<std::vector<std::string>> textwrap(const std::string& text, int64_t width, bool break_long,
                                     bool hyphens) {
  if (width <= 0) return type_error("invalid width " + std::to_string(width) + " (must be > 0)");
  // textwrap.TextWrapper.wordsep_re / wordsep_simple_re (ASCII whitespace).
  static const char* kWordSep =
      R"(([\t\n\x0b\x0c\r ]+|(?<=[\w!"'&.,?])-{2,}(?=\w)|[^\t\n\x0b\x0c\r ]+?(?:-(?:(?<=[^\d\W]{2}-)|(?<=[^\d\W]-[^\d\W]-))(?=[^\d\W]-?[^\d\W])|(?=[\t\n\x0b\x0c\r ]|\z)|(?<=[\w!"'&.,?])(?=-{2,}\w))))";
  static const char* kSimple = R"([\t\n\x0b\x0c\r ]+|[^\t\n\x0b\x0c\r ]+)";
  std::vector<std::string> chunks;
  if (hyphens) {
    JASSIGN(auto pat, regex::compile(kWordSep, {}));
    JSET(chunks, regex::findall(*pat, text));
  } else {
    JASSIGN(auto pat, regex::compile(kSimple, {}));
    JSET(chunks, regex::findall(*pat, text));
  }
  std::vector<std::string> filtered;
  for (auto& c : chunks) {
    if (!c.empty()) filtered.push_back(std::move(c));
  }
  std::reverse(filtered.begin(), filtered.end());
  auto len = [](const std::string& s) { return static_cast<int64_t>(utf8::count(s)); };
  auto is_ws = [](const std::string& s) {
    return s.find_first_not_of("\t\n\x0b\x0c\r ") == std::string::npos;
  };
  std::vector<std::string> lines;
  while (!filtered.empty()) {
    std::vector<std::string> cur;
    int64_t cur_len = 0;
    if (!lines.empty() || true) {
      if (is_ws(filtered.back()) && !lines.empty()) filtered.pop_back();
    }
    while (!filtered.empty()) {
      int64_t l = len(filtered.back());
      if (cur_len + l <= width) {
        cur_len += l;
        cur.push_back(std::move(filtered.back()));
        filtered.pop_back();
      } else {
        break;
      }
    }
    if (!filtered.empty() && len(filtered.back()) > width) {
      // _handle_long_word
      int64_t space_left = width < 1 ? 1 : width - cur_len;
      if (break_long) {
        std::string& chunk = filtered.back();
        int64_t end = space_left;
        if (hyphens && len(chunk) > space_left) {
          size_t lim = utf8::offset_of(chunk, static_cast<size_t>(space_left));
          size_t hy = chunk.rfind('-', lim == 0 ? 0 : lim - 1);
          if (hy != std::string::npos && hy < lim && hy > 0 &&
              chunk.substr(0, hy).find_first_not_of('-') != std::string::npos) {
            end = static_cast<int64_t>(utf8::count(std::string_view(chunk).substr(0, hy))) + 1;
          }
        }
        size_t cut = utf8::offset_of(chunk, static_cast<size_t>(end));
        cur.push_back(chunk.substr(0, cut));
        cur_len += end;
        chunk = chunk.substr(cut);
      } else if (cur.empty()) {
        cur.push_back(std::move(filtered.back()));
        filtered.pop_back();
      }
    }
    while (!cur.empty() && is_ws(cur.back())) cur.pop_back();
    if (!cur.empty()) {
      std::string line;
      for (auto& c : cur) line += c;
      lines.push_back(std::move(line));
    }
  }
  return lines;
}

RV f_wordwrap(Interp&, Val& v, A& a) {
  Val p[4];
  JTRY(bind_args(a, "do_wordwrap", {"width", "break_long_words", "wrapstring", "break_on_hyphens"},
                 0, p));
  int64_t width = 79;
  bool break_long = true, hyphens = true;
  std::string wrap = "\n";
  if (!p[0].is_absent()) JSET(width, to_index(p[0]));
  if (!p[1].is_absent()) JSET(break_long, truthy(p[1]));
  if (!p[2].is_absent() && !p[2].is_none()) JSET(wrap, s_of(p[2]));
  if (!p[3].is_absent()) JSET(hyphens, truthy(p[3]));
  JASSIGN(std::string s, s_of(v));
  std::string out;
  bool first = true;
  for (const auto& line : strings::splitlines(s, false)) {
    if (!first) out += wrap;
    first = false;
    JASSIGN(auto wrapped, textwrap(line, width, break_long, hyphens));
    for (size_t i = 0; i < wrapped.size(); ++i) {
      if (i) out += wrap;
      out += wrapped[i];
    }
  }
  return Val::str(std::move(out));
}

std::string unescape_html(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += s[i];
      continue;
    }
    std::string_view ent = s.substr(i + 1, semi - i - 1);
    char32_t cp = 0;
    if (ent == "amp") {
      cp = '&';
    } else if (ent == "lt") {
      cp = '<';
    } else if (ent == "gt") {
      cp = '>';
    } else if (ent == "quot") {
      cp = '"';
    } else if (ent == "apos") {
      cp = '\'';
    } else if (ent == "nbsp") {
      cp = 0xA0;
    } else if (ent.size() > 1 && ent[0] == '#') {
      bool hex = ent[1] == 'x' || ent[1] == 'X';
      std::string digits(ent.substr(hex ? 2 : 1));
      if (digits.empty() || digits.size() > 7 ||
          digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") !=
              std::string::npos) {
        out += s[i];
        continue;
      }
      cp = static_cast<char32_t>(std::stoul(digits, nullptr, hex ? 16 : 10));
    } else {
      out += s[i];
      continue;
    }
    utf8::append(out, cp);
    i = semi;
  }
  return out;
}

RV f_striptags(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_striptags", {}, 0, p));
  JASSIGN(std::string s, s_of(v));
  std::string no_comments, no_tags;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 4, "<!--") == 0) {
      size_t e = s.find("-->", i + 4);
      if (e != std::string::npos) {
        i = e + 3;
        continue;
      }
    }
    no_comments += s[i++];
  }
  for (size_t i = 0; i < no_comments.size();) {
    if (no_comments[i] == '<') {
      size_t e = no_comments.find('>', i + 1);
      if (e != std::string::npos) {
        i = e + 1;
        continue;
      }
    }
    no_tags += no_comments[i++];
  }
  std::string joined;
  for (const auto& w : strings::split_ws(no_tags, -1, false)) {
    if (!joined.empty()) joined += ' ';
    joined += w;
  }
  return Val::str(unescape_html(joined));
}

std::string url_quote(std::string_view s, bool for_qs) {
  static constexpr std::string_view kSafe =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~";
  std::string out;
  for (unsigned char c : s) {
    if (kSafe.find(static_cast<char>(c)) != std::string_view::npos || (!for_qs && c == '/')) {
      out += static_cast<char>(c);
    } else if (for_qs && c == ' ') {
      out += '+';
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

RV f_urlencode(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_urlencode", {}, 0, p));
  JTRY(check_defined(v));
  if (v.is_str() || !(v.is_seq() || v.is_dict())) {
    JASSIGN(std::string s, s_of(v));
    return Val::str(url_quote(s, false));
  }
  Vals pairs;
  if (v.is_dict()) {
    for (const auto& [k, val] : v.dict_obj()->items) pairs.push_back(Val::tuple({k, val}));
  } else {
    pairs = v.list_obj()->items;
  }
  std::string out;
  for (size_t i = 0; i < pairs.size(); ++i) {
    Vals kv;
    JTRY(iterate(pairs[i], kv));
    if (kv.size() != 2) return type_error("too many values to unpack (expected 2)");
    JASSIGN(std::string k, s_of(kv[0]));
    JASSIGN(std::string val, s_of(kv[1]));
    if (i) out += '&';
    out += url_quote(k, true) + "=" + url_quote(val, true);
  }
  return Val::str(std::move(out));
}

RV f_urlize(Interp&, Val& v, A& a) {
  Val p[5];
  JTRY(bind_args(a, "do_urlize", {"trim_url_limit", "nofollow", "target", "rel", "extra_schemes"},
                 0, p));
  JASSIGN(std::string s, s_of(v));
  std::string out;
  size_t pos = 0;
  // Words separated by whitespace; a word that is a URL becomes a link.
  while (pos < s.size()) {
    size_t ws = pos;
    while (ws < s.size() && !std::isspace(static_cast<unsigned char>(s[ws]))) ++ws;
    std::string word = s.substr(pos, ws - pos);
    bool url =
        word.starts_with("http://") || word.starts_with("https://") || word.starts_with("www.");
    if (url) {
      std::string href = word.starts_with("www.") ? "https://" + word : word;
      out += "<a href=\"" + strings::html_escape(href) + "\" rel=\"noopener\">" +
             strings::html_escape(word) + "</a>";
    } else {
      out += strings::html_escape(word);
    }
    size_t we = ws;
    while (we < s.size() && std::isspace(static_cast<unsigned char>(s[we]))) ++we;
    out.append(s, ws, we - ws);
    pos = we;
  }
  return Val::markup(std::move(out));
}

RV f_filesizeformat(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_filesizeformat", {"binary"}, 0, p));
  bool binary = false;
  if (!p[0].is_absent()) JSET(binary, truthy(p[0]));
  JTRY(check_defined(v));
  double bytes;
  if (v.is_number()) {
    bytes = v.as_number();
  } else if (v.is_str()) {
    char* end = nullptr;
    bytes = std::strtod(v.as_str().c_str(), &end);
    if (end == v.as_str().c_str())
      return type_error("could not convert string to float: '" + v.as_str() + "'");
  } else {
    return type_error("float() argument must be a string or a real number, not '" + type_name(v) +
                      "'");
  }
  double base = binary ? 1024 : 1000;
  static const char* kBin[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  static const char* kDec[] = {"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  if (bytes == 1) return Val::str("1 Byte");
  if (bytes < base) {
    std::string out;
    append_int(out, static_cast<int64_t>(bytes));
    return Val::str(out + " Bytes");
  }
  double unit = base;
  const char* prefix = "";
  for (int i = 0; i < 8; ++i) {
    unit = std::pow(base, i + 2);
    prefix = binary ? kBin[i] : kDec[i];
    if (bytes < unit) break;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f %s", base * bytes / unit, prefix);
  return Val::str(buf);
}

RV f_xmlattr(Interp&, Val& v, A& a) {
  Val p[1];
  JTRY(bind_args(a, "do_xmlattr", {"autospace"}, 0, p));
  bool autospace = true;
  if (!p[0].is_absent()) JSET(autospace, truthy(p[0]));
  JTRY(check_defined(v));
  if (!v.is_dict()) return type_error("'" + type_name(v) + "' object has no attribute 'items'");
  std::string rv;
  for (const auto& [k, val] : v.dict_obj()->items) {
    if (val.is_none() || val.is_undefined()) continue;
    JASSIGN(std::string key, s_of(k));
    for (char c : key) {
      if (std::isspace(static_cast<unsigned char>(c)) || c == '/' || c == '>' || c == '=') {
        std::string msg = "Invalid character in attribute name: ";
        append_string_repr(msg, key);
        return type_error(msg);
      }
    }
    JASSIGN(std::string value, s_of(val));
    if (!rv.empty()) rv += ' ';
    rv += strings::html_escape(key) + "=\"" + strings::html_escape(value) + "\"";
  }
  if (autospace && !rv.empty()) rv = " " + rv;
  return Val::str(std::move(rv));
}

}  // namespace

void add_string_filters(FilterTable& t) {
  t["upper"] = f_upper;
  t["lower"] = f_lower;
  t["capitalize"] = f_capitalize;
  t["title"] = f_title;
  t["center"] = f_center;
  t["trim"] = f_trim;
  t["replace"] = f_replace;
  t["e"] = f_escape;
  t["escape"] = f_escape;
  t["forceescape"] = f_forceescape;
  t["safe"] = f_safe;
  t["string"] = f_string;
  t["format"] = f_format;
  t["indent"] = f_indent;
  t["truncate"] = f_truncate;
  t["wordcount"] = f_wordcount;
  t["wordwrap"] = f_wordwrap;
  t["striptags"] = f_striptags;
  t["urlencode"] = f_urlencode;
  t["urlize"] = f_urlize;
  t["filesizeformat"] = f_filesizeformat;
  t["xmlattr"] = f_xmlattr;
}

FilterFn find_filter(std::string_view name) {
  static const FilterTable table = [] {
    FilterTable t;
    add_string_filters(t);
    add_seq_filters(t);
    add_salt_filters(t);
    return t;
  }();
  auto it = table.find(name);
  return it == table.end() ? nullptr : it->second;
}

TestFn find_test(std::string_view name) {
  static const TestTable table = [] {
    TestTable t;
    add_tests(t);
    return t;
  }();
  auto it = table.find(name);
  return it == table.end() ? nullptr : it->second;
}

}  // namespace brine::jinja
