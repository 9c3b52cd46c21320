// Python `re` semantics on PCRE2 (internal), for Salt's regex_* filters, the
// `match` test and textwrap-style word splitting.
//
// Patterns are Python syntax: (?P<name>...), (?P=name), \A, \Z (translated to
// PCRE2's \z), Unicode \w \d \s (PCRE2_UTF|PCRE2_UCP). Replacement templates
// are Python's (\1, \g<1>, \g<name>, \n, \t, \\). Matching is bounded by a
// match limit, so a catastrophic pattern fails instead of hanging.
// Thread-safety: compiled patterns are cached process-wide behind a mutex and
// may be used concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/template/value.h"

namespace brine::jinja::regex {

struct Pattern;

struct Flags {
  bool ignorecase = false;
  bool multiline = false;
  bool dotall = false;
};

R<std::shared_ptr<const Pattern>> compile(std::string_view pattern, Flags flags);

struct Match {
  bool found = false;
  // Byte offsets; -1 for groups that did not participate. [0] is the whole match.
  std::vector<std::pair<ptrdiff_t, ptrdiff_t>> groups;
};

// re.search (anchored=false) / re.match (anchored=true) from byte offset `start`.
R<Match> search(const Pattern& p, std::string_view subject, size_t start, bool anchored);
// re.sub(pattern, repl, subject, count=0)
R<std::string> sub(const Pattern& p, std::string_view repl, std::string_view subject,
                   int64_t count = 0);
// re.findall for patterns without groups (whole matches).
R<std::vector<std::string>> findall(const Pattern& p, std::string_view subject);
// re.escape (Python 3.7+: only special characters).
std::string escape(std::string_view s);
// Index of a named group, or -1.
int group_index(const Pattern& p, std::string_view name);

}  // namespace brine::jinja::regex
