// Salt's subdict_match (salt.utils.data): grain and pillar targeting.
//
// An expression `k1:k2:...:pattern` is split on the delimiter; the deepest key
// is tried first, so `foo:bar:baz` tests data[foo][bar] against `baz`, then
// data[foo] against `bar:baz`. Keys walk maps by name and lists by index or
// by the first embedded map holding the key. The value found is compared:
//   scalar -> str(value).lower() against pattern.lower() (glob, regex at
//             start, or equality),
//   list   -> any member matches (map members as below),
//   map    -> the pattern is `*`, or names a key, or matches inside it
//             recursively; a `*:` prefix searches every value.
// A key of `*` matches against the whole structure. An expression without the
// delimiter never matches.
//
// Case: Salt lowercases both sides; Brine does the same for globs and exact
// matches (ASCII lowercase) and, for regexes, lowercases the subject and
// compiles the pattern caseless instead of lowercasing its text (so `\D` stays
// "non-digit" rather than turning into `\d` as in Salt).
//
// Hostile input: expressions over 1024 bytes never match, and one match() is
// bounded in recursion depth and steps (then it answers "no match").
//
// Thread-safety: SubdictMatcher is immutable after construction except for an
// internal regex cache guarded by a mutex; match() is safe from many threads.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/matcher/regex.h"
#include "common/values/value.h"

namespace brine::matcher {

enum class SubdictMode { kGlob, kRegex, kExact };

class SubdictMatcher {
 public:
  SubdictMatcher(std::string expr, char delimiter, SubdictMode mode);

  // Does `data` (grains or pillar) match the expression?
  bool match(const Value& data) const;

  const std::string& expr() const { return expr_; }
  char delimiter() const { return delimiter_; }
  SubdictMode mode() const { return mode_; }

 private:
  bool subdict_match(const Value& data, std::string_view expr, char delim) const;
  bool dict_match(const Value& target, std::string_view pattern) const;
  bool scalar_match(const Value& target, std::string_view pattern) const;
  const Regex* regex_for(std::string_view pattern) const;

  std::string expr_;
  char delimiter_;
  SubdictMode mode_;
  struct Cache {
    std::mutex mu;
    std::map<std::string, std::unique_ptr<Regex>, std::less<>> compiled;  // null = invalid
  };
  std::shared_ptr<Cache> cache_;
};

// ASCII lowercase copy (Python's str.lower() for ASCII text).
std::string ascii_lower(std::string_view s);

}  // namespace brine::matcher
