// Python-`re`-compatible regular expressions for targeting, on PCRE2.
//
// Salt matches ids and grain values with Python's re.match: the pattern must
// match at the start of the subject but need not reach its end. PCRE2's
// syntax is a superset of what Salt users write (named groups `(?P<n>...)`,
// lookbehind, `\A`, inline flags); the one translation applied is Python's
// `\Z` (end of subject) to PCRE2's `\z`. Subjects and patterns are UTF-8;
// invalid UTF-8 in a subject simply does not match.
//
// Matching is bounded (PCRE2 match and depth limits) so a hostile pattern
// cannot spin forever: hitting a limit counts as "no match".
//
// Thread-safety: a compiled Regex is immutable; match() may be called from
// many threads at once (each call uses its own match data).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace brine::matcher {

class Regex {
 public:
  // Compiles `pattern`. caseless = PCRE2_CASELESS (used for grain/pillar
  // targets, whose subjects Salt lowercases). Error (kInvalidArgument) names
  // the pattern, the PCRE2 message and the offset.
  static Result<Regex> compile(std::string_view pattern, bool caseless = false);

  // re.match semantics: anchored at the start of `subject`, not at its end.
  bool match_prefix(std::string_view subject) const;

  const std::string& pattern() const { return pattern_; }

 private:
  struct Code;
  std::shared_ptr<const Code> code_;
  std::string pattern_;
};

}  // namespace brine::matcher
