#include "common/template/strings.h"

#include <algorithm>
#include <numeric>

#include "common/template/interp.h"
#include "common/template/unicode.h"

namespace brine::jinja::strings {
namespace {

// Byte offsets of code point boundaries (size n+1).
std::vector<size_t> boundaries(std::string_view s) {
  std::vector<size_t> b;
  for (size_t p = 0; p < s.size();) {
    b.push_back(p);
    utf8::next(s, &p);
  }
  b.push_back(s.size());
  return b;
}

bool space_at(std::string_view s, size_t pos, size_t* next) {
  size_t p = pos;
  char32_t c = utf8::next(s, &p);
  *next = p;
  return utf8::is_space(c);
}

}  // namespace

namespace {

bool ascii_space(char c) {
  return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
}

// split_ws for ASCII text: bytes are characters.
std::vector<std::string> split_ws_ascii(std::string_view s, int64_t maxsplit, bool right) {
  std::vector<std::string> out;
  if (!right) {
    size_t pos = 0;
    while (true) {
      while (pos < s.size() && ascii_space(s[pos])) ++pos;
      if (pos >= s.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
        out.emplace_back(s.substr(pos));
        break;
      }
      size_t start = pos;
      while (pos < s.size() && !ascii_space(s[pos])) ++pos;
      out.emplace_back(s.substr(start, pos - start));
    }
    return out;
  }
  size_t end = s.size();
  while (true) {
    while (end > 0 && ascii_space(s[end - 1])) --end;
    if (end == 0) break;
    if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
      out.emplace_back(s.substr(0, end));
      break;
    }
    size_t start = end;
    while (start > 0 && !ascii_space(s[start - 1])) --start;
    out.emplace_back(s.substr(start, end - start));
    end = start;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

}  // namespace

std::vector<std::string> split_ws(std::string_view s, int64_t maxsplit, bool right) {
  if (utf8::is_ascii(s)) return split_ws_ascii(s, maxsplit, right);
  std::vector<std::string> out;
  if (!right) {
    size_t pos = 0, nx;
    while (true) {
      while (pos < s.size() && space_at(s, pos, &nx)) pos = nx;
      if (pos >= s.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
        out.emplace_back(s.substr(pos));
        break;
      }
      size_t start = pos;
      while (pos < s.size() && !space_at(s, pos, &nx)) pos = nx;
      out.emplace_back(s.substr(start, pos - start));
    }
    return out;
  }
  // rsplit: scan code points from the end.
  std::vector<size_t> b = boundaries(s);
  int64_t i = static_cast<int64_t>(b.size()) - 1;  // index of end boundary
  auto is_sp = [&](int64_t k) {                    // code point k
    size_t nx;
    return space_at(s, b[static_cast<size_t>(k)], &nx);
  };
  while (true) {
    while (i > 0 && is_sp(i - 1)) --i;
    if (i <= 0) break;
    if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
      out.emplace_back(s.substr(0, b[static_cast<size_t>(i)]));
      break;
    }
    int64_t end = i;
    while (i > 0 && !is_sp(i - 1)) --i;
    out.emplace_back(s.substr(b[static_cast<size_t>(i)],
                              b[static_cast<size_t>(end)] - b[static_cast<size_t>(i)]));
  }
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::string> split(std::string_view s, std::string_view sep, int64_t maxsplit,
                               bool right) {
  std::vector<std::string> out;
  if (!right) {
    size_t start = 0;
    while (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit) {
      size_t pos = s.find(sep, start);
      if (pos == std::string_view::npos) break;
      out.emplace_back(s.substr(start, pos - start));
      start = pos + sep.size();
    }
    out.emplace_back(s.substr(start));
    return out;
  }
  size_t end = s.size();
  while (maxsplit < 0 || static_cast<int64_t>(out.size()) < maxsplit) {
    if (end < sep.size()) break;
    size_t pos = s.rfind(sep, end - sep.size());
    if (pos == std::string_view::npos) break;
    out.emplace_back(s.substr(pos + sep.size(), end - pos - sep.size()));
    end = pos;
  }
  out.emplace_back(s.substr(0, end));
  std::reverse(out.begin(), out.end());
  return out;
}

std::vector<std::string> splitlines(std::string_view s, bool keepends) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t p = 0; p < s.size();) {
    size_t at = p;
    char32_t c = utf8::next(s, &p);
    bool brk = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D ||
               c == 0x1E || c == 0x85 || c == 0x2028 || c == 0x2029;
    if (!brk) continue;
    if (c == '\r' && p < s.size() && s[p] == '\n') ++p;
    out.emplace_back(s.substr(start, (keepends ? p : at) - start));
    start = p;
  }
  if (start < s.size()) out.emplace_back(s.substr(start));
  return out;
}

std::string replace(std::string_view s, std::string_view old, std::string_view repl,
                    int64_t count) {
  std::string out;
  if (old.empty()) {
    std::vector<size_t> b = boundaries(s);
    int64_t done = 0;
    for (size_t i = 0; i + 1 < b.size(); ++i) {
      if (count < 0 || done < count) {
        out += repl;
        ++done;
      }
      out.append(s.substr(b[i], b[i + 1] - b[i]));
    }
    if (count < 0 || done < count) out += repl;
    return out;
  }
  size_t start = 0;
  int64_t done = 0;
  while (count < 0 || done < count) {
    size_t pos = s.find(old, start);
    if (pos == std::string_view::npos) break;
    out.append(s.substr(start, pos - start));
    out += repl;
    start = pos + old.size();
    ++done;
  }
  out.append(s.substr(start));
  return out;
}

std::string pad(std::string_view s, int64_t width, std::string_view fill, int mode) {
  int64_t n = static_cast<int64_t>(utf8::count(s));
  if (width <= n) return std::string(s);
  int64_t marg = width - n;
  int64_t left = mode < 0 ? 0 : mode > 0 ? marg : marg / 2 + (marg & width & 1);
  int64_t right = marg - left;
  std::string out;
  for (int64_t i = 0; i < left; ++i) out += fill;
  out += s;
  for (int64_t i = 0; i < right; ++i) out += fill;
  return out;
}

RS sort_vals(Vals& items, bool reverse, Vals* keys) {
  if (items.size() < 2) return {};  // Python compares nothing
  const Vals& k = keys ? *keys : items;
  bool all_str = true;
  for (const Val& v : k) {
    if (!v.is_str()) {
      all_str = false;
      break;
    }
  }
  if (all_str && items.size() == 2) {  // e.g. a small dict|dictsort: one comparison
    int cmp = k[0].as_str().compare(k[1].as_str());
    if (reverse ? cmp < 0 : cmp > 0) std::swap(items[0], items[1]);
    return {};
  }
  std::vector<size_t, PoolAllocator<size_t>> idx(items.size());
  std::iota(idx.begin(), idx.end(), 0);
  auto permute = [&] {
    Vals out;
    out.reserve(items.size());
    for (size_t i : idx) out.push_back(std::move(items[i]));
    items = std::move(out);
  };
  if (all_str) {
    // The common case: no type checks, no Expected per comparison, and
    // std::sort with the index as tie-break (stable without a buffer).
    auto less = [&](size_t a, size_t b) {
      int cmp = k[a].as_str().compare(k[b].as_str());
      if (cmp != 0) return reverse ? cmp > 0 : cmp < 0;
      return a < b;
    };
    // Data is often sorted already (YAML/pillar keys): one pass, as timsort.
    if (std::is_sorted(idx.begin(), idx.end(), less)) return {};
    std::sort(idx.begin(), idx.end(), less);
    permute();
    return {};
  }
  FaultPtr err;
  auto less = [&](size_t a, size_t b) {
    if (err) return false;
    const Val& x = reverse ? k[b] : k[a];
    const Val& y = reverse ? k[a] : k[b];
    R<bool> r = less_than(x, y);
    if (!r) {
      err = std::move(r.error());
      return false;
    }
    return *r;
  };
  std::stable_sort(idx.begin(), idx.end(), less);
  if (err) return Unexpected(std::move(err));
  permute();
  return {};
}

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace brine::jinja::strings
