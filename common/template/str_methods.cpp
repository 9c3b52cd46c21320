// Python str methods.
#include <algorithm>
#include <array>
#include <unordered_map>

#include "common/template/builtins.h"
#include "common/template/format.h"
#include "common/template/interp.h"
#include "common/template/print.h"
#include "common/template/strings.h"
#include "common/template/unicode.h"

namespace brine::jinja {
namespace {

using A = CallArgs;

RS want_str(const Val& v, std::string_view what) {
  JTRY(check_defined(v));
  if (!v.is_str()) return type_error(std::string(what) + " must be str, not " + type_name(v));
  return {};
}

// -------------------------------------------------------------- str

RV s_upper(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "upper", {}, 0, p));
  return Val::str(utf8::upper(s.as_str()));
}
RV s_lower(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "lower", {}, 0, p));
  return Val::str(utf8::lower(s.as_str()));
}
RV s_title(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "title", {}, 0, p));
  return Val::str(utf8::title(s.as_str()));
}
RV s_capitalize(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "capitalize", {}, 0, p));
  return Val::str(utf8::capitalize(s.as_str()));
}
RV s_swapcase(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "swapcase", {}, 0, p));
  return Val::str(utf8::swapcase(s.as_str()));
}

RV strip_common(Val& s, A& a, const char* name, bool left, bool right) {
  Val p[1];
  JTRY(bind_args(a, name, {"chars"}, 0, p));
  if (p[0].is_absent() || p[0].is_none())
    return Val::str(std::string(utf8::strip(s.as_str(), nullptr, left, right)));
  JTRY(want_str(p[0], std::string(name) + " arg"));
  std::string_view chars = p[0].as_str();
  return Val::str(std::string(utf8::strip(s.as_str(), &chars, left, right)));
}
RV s_strip(Interp&, Val& s, A& a) { return strip_common(s, a, "strip", true, true); }
RV s_lstrip(Interp&, Val& s, A& a) { return strip_common(s, a, "lstrip", true, false); }
RV s_rstrip(Interp&, Val& s, A& a) { return strip_common(s, a, "rstrip", false, true); }

RV split_common(Val& s, A& a, bool right) {
  Val p[2];
  JTRY(bind_args(a, right ? "rsplit" : "split", {"sep", "maxsplit"}, 0, p));
  int64_t maxsplit = -1;
  if (!p[1].is_absent()) JSET(maxsplit, to_index(p[1]));
  if ((p[0].is_absent() || p[0].is_none()) && maxsplit < 0 && s.str_obj()->is_ascii()) {
    // s.split() of ASCII text (split and rsplit agree without maxsplit).
    std::string_view str = s.as_str();
    // Python's ASCII whitespace: ' ', \t-\r, \x1c-\x1f.
    static constexpr auto kSpace = [] {
      std::array<bool, 256> t{};
      for (int ch = 0; ch < 256; ++ch) {
        t[static_cast<size_t>(ch)] =
            ch == ' ' || (ch >= 0x09 && ch <= 0x0D) || (ch >= 0x1C && ch <= 0x1F);
      }
      return t;
    }();
    auto space = [](char ch) { return kSpace[static_cast<unsigned char>(ch)]; };
    Vals out;
    out.reserve(4);
    for (size_t pos = 0;;) {
      while (pos < str.size() && space(str[pos])) ++pos;
      if (pos >= str.size()) break;
      size_t start = pos;
      while (pos < str.size() && !space(str[pos])) ++pos;
      out.push_back(Val::str(str.substr(start, pos - start)));
    }
    return Val::list(std::move(out));
  }
  std::vector<std::string> parts;
  if (p[0].is_absent() || p[0].is_none()) {
    parts = strings::split_ws(s.as_str(), maxsplit, right);
  } else {
    JTRY(want_str(p[0], "must be str or None, not"));
    if (p[0].as_str().empty()) return type_error("empty separator");
    parts = strings::split(s.as_str(), p[0].as_str(), maxsplit, right);
  }
  Vals out;
  out.reserve(parts.size());
  for (auto& part : parts) out.push_back(Val::str(std::move(part)));
  return Val::list(std::move(out));
}
RV s_split(Interp&, Val& s, A& a) { return split_common(s, a, false); }
RV s_rsplit(Interp&, Val& s, A& a) { return split_common(s, a, true); }

RV s_splitlines(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "splitlines", {"keepends"}, 0, p));
  bool keep = false;
  if (!p[0].is_absent()) JSET(keep, truthy(p[0]));
  Vals out;
  for (auto& line : strings::splitlines(s.as_str(), keep)) out.push_back(Val::str(std::move(line)));
  return Val::list(std::move(out));
}

// Resolves optional start/end (code point indices, negatives allowed) to
// byte offsets of s.
RS byte_range(const std::string& s, const Val& start, const Val& end, size_t* b0, size_t* b1) {
  int64_t n = static_cast<int64_t>(utf8::count(s));
  auto norm = [&](const Val& v, int64_t dflt, int64_t* out) -> RS {
    if (v.is_absent() || v.is_none()) {
      *out = dflt;
      return {};
    }
    JASSIGN(int64_t i, to_index(v));
    if (i < 0) i = std::max<int64_t>(0, i + n);
    *out = std::min(i, n);
    return {};
  };
  int64_t a = 0, b = 0;
  JTRY(norm(start, 0, &a));
  JTRY(norm(end, n, &b));
  *b0 = utf8::offset_of(s, static_cast<size_t>(a));
  *b1 = b < a ? *b0 : utf8::offset_of(s, static_cast<size_t>(b));
  return {};
}

int64_t cp_index(const std::string& s, size_t byte_off) {
  return static_cast<int64_t>(utf8::count(std::string_view(s).substr(0, byte_off)));
}

RV find_common(Val& s, A& a, const char* name, bool reverse, bool raise) {
  Val p[3];
  JTRY(bind_args(a, name, {"sub", "start", "end"}, 1, p));
  JTRY(want_str(p[0], "must be str, not"));
  size_t b0, b1;
  JTRY(byte_range(s.as_str(), p[1], p[2], &b0, &b1));
  std::string_view hay = std::string_view(s.as_str()).substr(b0, b1 - b0);
  size_t pos = reverse ? hay.rfind(p[0].as_str()) : hay.find(p[0].as_str());
  if (b1 < b0 + p[0].as_str().size() && !(p[0].as_str().empty() && b0 <= b1))
    pos = std::string_view::npos;
  if (pos == std::string_view::npos) {
    if (raise) return type_error("substring not found");
    return Val::integer(-1);
  }
  return Val::integer(cp_index(s.as_str(), b0 + pos));
}
RV s_find(Interp&, Val& s, A& a) { return find_common(s, a, "find", false, false); }
RV s_rfind(Interp&, Val& s, A& a) { return find_common(s, a, "rfind", true, false); }
RV s_index(Interp&, Val& s, A& a) { return find_common(s, a, "index", false, true); }
RV s_rindex(Interp&, Val& s, A& a) { return find_common(s, a, "rindex", true, true); }

RV s_count(Interp&, Val& s, A& a) {
  Val p[3];
  JTRY(bind_args(a, "count", {"sub", "start", "end"}, 1, p));
  JTRY(want_str(p[0], "must be str, not"));
  size_t b0, b1;
  JTRY(byte_range(s.as_str(), p[1], p[2], &b0, &b1));
  std::string_view hay = std::string_view(s.as_str()).substr(b0, b1 - b0);
  const std::string& sub = p[0].as_str();
  if (sub.empty()) return Val::integer(static_cast<int64_t>(utf8::count(hay)) + 1);
  int64_t n = 0;
  for (size_t pos = hay.find(sub); pos != std::string_view::npos;
       pos = hay.find(sub, pos + sub.size()))
    ++n;
  return Val::integer(n);
}

RV affix_common(Val& s, A& a, const char* name, bool start) {
  Val p[3];
  JTRY(bind_args(a, name, {"prefix", "start", "end"}, 1, p));
  size_t b0, b1;
  JTRY(byte_range(s.as_str(), p[1], p[2], &b0, &b1));
  std::string_view hay = std::string_view(s.as_str()).substr(b0, b1 - b0);
  Vals options;
  if (p[0].is_tuple()) {
    options = p[0].list_obj()->items;
  } else {
    options.push_back(p[0]);
  }
  for (const auto& o : options) {
    JTRY(check_defined(o));
    if (!o.is_str()) {
      return type_error(std::string(name) + " first arg must be str or a tuple of str, not " +
                        type_name(o));
    }
    if (start ? hay.starts_with(o.as_str()) : hay.ends_with(o.as_str())) return Val::boolean(true);
  }
  return Val::boolean(false);
}
RV s_startswith(Interp&, Val& s, A& a) { return affix_common(s, a, "startswith", true); }
RV s_endswith(Interp&, Val& s, A& a) { return affix_common(s, a, "endswith", false); }

RV s_replace(Interp&, Val& s, A& a) {
  Val p[3];
  JTRY(bind_args(a, "replace", {"old", "new", "count"}, 2, p));
  JTRY(want_str(p[0], "replace() argument 1"));
  JTRY(want_str(p[1], "replace() argument 2"));
  int64_t count = -1;
  if (!p[2].is_absent()) JSET(count, to_index(p[2]));
  return Val::str(strings::replace(s.as_str(), p[0].as_str(), p[1].as_str(), count));
}

RV s_join(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "join", {"iterable"}, 1, p));
  Vals items;
  JTRY(iterate(p[0], items));
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_str()) {
      JTRY(check_defined(items[i]));
      return type_error("sequence item " + std::to_string(i) + ": expected str instance, " +
                        type_name(items[i]) + " found");
    }
    if (i) out += s.as_str();
    out += items[i].as_str();
  }
  return Val::str(std::move(out));
}

RV pad_common(Val& s, A& a, const char* name, int mode) {
  Val p[2];
  JTRY(bind_args(a, name, {"width", "fillchar"}, 1, p));
  JASSIGN(int64_t width, to_index(p[0]));
  std::string fill = " ";
  if (!p[1].is_absent()) {
    JTRY(want_str(p[1], "The fill character"));
    if (utf8::count(p[1].as_str()) != 1)
      return type_error("The fill character must be exactly one character long");
    fill = p[1].as_str();
  }
  return Val::str(strings::pad(s.as_str(), width, fill, mode));
}
RV s_center(Interp&, Val& s, A& a) { return pad_common(s, a, "center", 0); }
RV s_ljust(Interp&, Val& s, A& a) { return pad_common(s, a, "ljust", -1); }
RV s_rjust(Interp&, Val& s, A& a) { return pad_common(s, a, "rjust", 1); }

RV s_zfill(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "zfill", {"width"}, 1, p));
  JASSIGN(int64_t width, to_index(p[0]));
  const std::string& str = s.as_str();
  int64_t n = static_cast<int64_t>(utf8::count(str));
  if (width <= n) return s;
  std::string out;
  size_t start = 0;
  if (!str.empty() && (str[0] == '+' || str[0] == '-')) {
    out += str[0];
    start = 1;
  }
  out.append(static_cast<size_t>(width - n), '0');
  out.append(str, start);
  return Val::str(std::move(out));
}

template <bool (*Pred)(char32_t)>
RV is_all(Val& s, A& a, const char* name) {
  Val p[1];
  JTRY(bind_args(a, name, {}, 0, p));
  const std::string& str = s.as_str();
  if (str.empty()) return Val::boolean(false);
  for (size_t pos = 0; pos < str.size();) {
    if (!Pred(utf8::next(str, &pos))) return Val::boolean(false);
  }
  return Val::boolean(true);
}
bool alnum(char32_t c) { return utf8::is_alpha(c) || utf8::is_digit(c); }
bool decimal(char32_t c) { return utf8::is_digit(c) && c != 0xB2 && c != 0xB3 && c != 0xB9; }
bool ascii(char32_t c) { return c < 0x80; }
RV s_isdigit(Interp&, Val& s, A& a) { return is_all<utf8::is_digit>(s, a, "isdigit"); }
RV s_isdecimal(Interp&, Val& s, A& a) { return is_all<decimal>(s, a, "isdecimal"); }
RV s_isnumeric(Interp&, Val& s, A& a) { return is_all<utf8::is_digit>(s, a, "isnumeric"); }
RV s_isalpha(Interp&, Val& s, A& a) { return is_all<utf8::is_alpha>(s, a, "isalpha"); }
RV s_isalnum(Interp&, Val& s, A& a) { return is_all<alnum>(s, a, "isalnum"); }
RV s_isspace(Interp&, Val& s, A& a) { return is_all<utf8::is_space>(s, a, "isspace"); }
RV s_isascii(Interp&, Val& s, A& a) {
  if (s.as_str().empty()) return Val::boolean(true);
  return is_all<ascii>(s, a, "isascii");
}

RV case_check(Val& s, A& a, const char* name, bool upper) {
  Val p[1];
  JTRY(bind_args(a, name, {}, 0, p));
  bool cased = false;
  const std::string& str = s.as_str();
  for (size_t pos = 0; pos < str.size();) {
    char32_t c = utf8::next(str, &pos);
    if (upper ? utf8::is_lower(c) : utf8::is_upper(c)) return Val::boolean(false);
    if (utf8::is_cased(c)) cased = true;
  }
  return Val::boolean(cased);
}
RV s_isupper(Interp&, Val& s, A& a) { return case_check(s, a, "isupper", true); }
RV s_islower(Interp&, Val& s, A& a) { return case_check(s, a, "islower", false); }

RV s_istitle(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "istitle", {}, 0, p));
  bool cased = false, prev_cased = false;
  const std::string& str = s.as_str();
  for (size_t pos = 0; pos < str.size();) {
    char32_t c = utf8::next(str, &pos);
    if (utf8::is_upper(c)) {
      if (prev_cased) return Val::boolean(false);
      prev_cased = cased = true;
    } else if (utf8::is_lower(c)) {
      if (!prev_cased) return Val::boolean(false);
      prev_cased = cased = true;
    } else {
      prev_cased = false;
    }
  }
  return Val::boolean(cased);
}

RV s_isidentifier(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "isidentifier", {}, 0, p));
  const std::string& str = s.as_str();
  if (str.empty()) return Val::boolean(false);
  bool first = true;
  for (size_t pos = 0; pos < str.size();) {
    char32_t c = utf8::next(str, &pos);
    bool ok = c == '_' || utf8::is_alpha(c) || (!first && utf8::is_digit(c));
    if (!ok) return Val::boolean(false);
    first = false;
  }
  return Val::boolean(true);
}

RV partition_common(Val& s, A& a, bool right) {
  Val p[1];
  JTRY(bind_args(a, right ? "rpartition" : "partition", {"sep"}, 1, p));
  JTRY(want_str(p[0], "must be str, not"));
  const std::string& str = s.as_str();
  const std::string& sep = p[0].as_str();
  if (sep.empty()) return type_error("empty separator");
  size_t pos = right ? str.rfind(sep) : str.find(sep);
  if (pos == std::string::npos) {
    if (right) return Val::tuple({Val::str(""), Val::str(""), s});
    return Val::tuple({s, Val::str(""), Val::str("")});
  }
  return Val::tuple({Val::str(str.substr(0, pos)), p[0], Val::str(str.substr(pos + sep.size()))});
}
RV s_partition(Interp&, Val& s, A& a) { return partition_common(s, a, false); }
RV s_rpartition(Interp&, Val& s, A& a) { return partition_common(s, a, true); }

RV s_removeprefix(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "removeprefix", {"prefix"}, 1, p));
  JTRY(want_str(p[0], "removeprefix() argument"));
  if (s.as_str().starts_with(p[0].as_str()))
    return Val::str(s.as_str().substr(p[0].as_str().size()));
  return s;
}
RV s_removesuffix(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "removesuffix", {"suffix"}, 1, p));
  JTRY(want_str(p[0], "removesuffix() argument"));
  const std::string& str = s.as_str();
  if (!p[0].as_str().empty() && str.ends_with(p[0].as_str())) {
    return Val::str(str.substr(0, str.size() - p[0].as_str().size()));
  }
  return s;
}

RV s_expandtabs(Interp&, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "expandtabs", {"tabsize"}, 0, p));
  int64_t tab = 8;
  if (!p[0].is_absent()) JSET(tab, to_index(p[0]));
  std::string out;
  int64_t col = 0;
  const std::string& str = s.as_str();
  for (size_t pos = 0; pos < str.size();) {
    size_t start = pos;
    char32_t c = utf8::next(str, &pos);
    if (c == '\t') {
      if (tab > 0) {
        int64_t n = tab - col % tab;
        out.append(static_cast<size_t>(n), ' ');
        col += n;
      }
    } else {
      out.append(str, start, pos - start);
      col = (c == '\n' || c == '\r') ? 0 : col + 1;
    }
  }
  return Val::str(std::move(out));
}

RV s_format(Interp& in, Val& s, A& a) { return str_format(in, s.as_str(), a); }

RV s_format_map(Interp& in, Val& s, A& a) {
  Val p[1];
  JTRY(bind_args(a, "format_map", {"mapping"}, 1, p));
  if (!p[0].is_dict()) return type_error("format_map() argument must be a mapping");
  CallArgs fa;
  for (const auto& [k, v] : p[0].dict_obj()->items) {
    if (k.is_str()) fa.kw.emplace_back(k, v);
  }
  return str_format(in, s.as_str(), fa);
}

RV s_encode(Interp&, Val& s, A&) { return s; }

using Table = std::unordered_map<std::string_view, MethodFn>;

const Table& str_table() {
  static const Table t = {
      {"upper", s_upper},
      {"lower", s_lower},
      {"casefold", s_lower},
      {"title", s_title},
      {"capitalize", s_capitalize},
      {"swapcase", s_swapcase},
      {"strip", s_strip},
      {"lstrip", s_lstrip},
      {"rstrip", s_rstrip},
      {"split", s_split},
      {"rsplit", s_rsplit},
      {"splitlines", s_splitlines},
      {"find", s_find},
      {"rfind", s_rfind},
      {"index", s_index},
      {"rindex", s_rindex},
      {"count", s_count},
      {"startswith", s_startswith},
      {"endswith", s_endswith},
      {"replace", s_replace},
      {"join", s_join},
      {"center", s_center},
      {"ljust", s_ljust},
      {"rjust", s_rjust},
      {"zfill", s_zfill},
      {"isdigit", s_isdigit},
      {"isdecimal", s_isdecimal},
      {"isnumeric", s_isnumeric},
      {"isalpha", s_isalpha},
      {"isalnum", s_isalnum},
      {"isspace", s_isspace},
      {"isascii", s_isascii},
      {"isupper", s_isupper},
      {"islower", s_islower},
      {"istitle", s_istitle},
      {"isidentifier", s_isidentifier},
      {"partition", s_partition},
      {"rpartition", s_rpartition},
      {"removeprefix", s_removeprefix},
      {"removesuffix", s_removesuffix},
      {"expandtabs", s_expandtabs},
      {"format", s_format},
      {"format_map", s_format_map},
      {"encode", s_encode},
  };
  return t;
}

}  // namespace

MethodFn find_str_method(std::string_view name) {
  auto it = str_table().find(name);
  return it == str_table().end() ? nullptr : it->second;
}

}  // namespace brine::jinja
