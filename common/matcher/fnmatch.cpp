#include "common/matcher/fnmatch.h"

#include <cstddef>
#include <string>

namespace brine::matcher {
namespace {

inline unsigned char fold(unsigned char c, bool nocase) {
  return (nocase && c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c - 'A' + 'a') : c;
}

// Parses the set starting at pattern[i] == '['. On success sets `end` to the
// index just past the closing ']' and returns true; a '[' with no closing ']'
// is a literal (returns false). Mirrors fnmatch.translate's scan: an optional
// '!' and then a ']' right after it are part of the set.
bool find_set_end(std::string_view p, size_t i, size_t& end) {
  size_t j = i + 1;
  if (j < p.size() && p[j] == '!') ++j;
  if (j < p.size() && p[j] == ']') ++j;
  while (j < p.size() && p[j] != ']') ++j;
  if (j >= p.size()) return false;
  end = j + 1;
  return true;
}

// Does character c belong to the set p[i..end) (p[i] == '[', p[end-1] == ']')?
bool set_contains(std::string_view p, size_t i, size_t end, unsigned char c, bool nocase) {
  size_t k = i + 1;
  const size_t close = end - 1;
  bool negate = false;
  if (k < close && p[k] == '!') {
    negate = true;
    ++k;
  }
  bool found = false;
  while (k < close) {
    unsigned char lo = fold(static_cast<unsigned char>(p[k]), nocase);
    // `x-y` is a range when y is still inside the set; a '-' first or last in
    // the set is literal. Python drops ranges whose start is above their end.
    if (k + 2 < close && p[k + 1] == '-') {
      unsigned char hi = fold(static_cast<unsigned char>(p[k + 2]), nocase);
      if (lo <= hi && c >= lo && c <= hi) found = true;
      k += 3;
    } else {
      if (c == lo) found = true;
      ++k;
    }
  }
  return negate ? !found : found;
}

bool match_impl(std::string_view name, std::string_view p, bool nocase) {
  size_t n = 0;
  size_t i = 0;
  // Backtracking point for the most recent '*': pattern index after it and the
  // name index it currently absorbs up to. Single-star backtracking is enough
  // because every other token consumes exactly one character.
  size_t star_p = std::string_view::npos;
  size_t star_n = 0;
  while (n < name.size()) {
    if (i < p.size()) {
      char pc = p[i];
      if (pc == '*') {
        while (i < p.size() && p[i] == '*') ++i;
        star_p = i;
        star_n = n;
        continue;
      }
      unsigned char c = fold(static_cast<unsigned char>(name[n]), nocase);
      if (pc == '?') {
        ++i;
        ++n;
        continue;
      }
      if (pc == '[') {
        size_t end = 0;
        if (find_set_end(p, i, end)) {
          if (set_contains(p, i, end, c, nocase)) {
            i = end;
            ++n;
            continue;
          }
        } else if (c == '[') {
          ++i;
          ++n;
          continue;
        }
      } else if (fold(static_cast<unsigned char>(pc), nocase) == c) {
        ++i;
        ++n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    // Let the last '*' absorb one more character and retry after it.
    i = star_p;
    n = ++star_n;
  }
  while (i < p.size() && p[i] == '*') ++i;
  return i == p.size();
}

}  // namespace

bool fnmatch(std::string_view name, std::string_view pattern) {
  return match_impl(name, pattern, false);
}

bool fnmatch_nocase(std::string_view name, std::string_view pattern) {
  return match_impl(name, pattern, true);
}

bool has_glob_chars(std::string_view pattern) {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

}  // namespace brine::matcher
