// Shell-style wildcard matching with the semantics of Python's
// fnmatch.fnmatchcase (what Salt's glob targeting uses on Linux).
//
//   *        any run of characters, including '.', '/' and the empty run
//   ?        exactly one character
//   [seq]    one character in seq; ranges `a-z`; `]` first in seq is literal;
//            a range whose start is above its end matches nothing
//   [!seq]   one character not in seq
//   anything else, including `\`, matches itself; a `[` without a closing `]`
//   is a literal `[`. There are no `{a,b}` braces and no `**`.
//
// The whole name must match. Matching is byte-wise (a "character" is one byte);
// for ASCII ids and patterns, which is what minion ids are, this is exactly
// Python's behaviour. `?` and sets therefore see a multi-byte UTF-8 character
// as several characters (Python sees one).
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace brine::matcher {

// Case-sensitive match of `name` against `pattern` (Salt's id glob).
bool fnmatch(std::string_view name, std::string_view pattern);

// Case-insensitive (ASCII) match: both sides lowercased first, as Salt's
// grain/pillar matchers do with str.lower().
bool fnmatch_nocase(std::string_view name, std::string_view pattern);

// True when `pattern` holds a glob metacharacter (`*`, `?` or `[`).
bool has_glob_chars(std::string_view pattern);

}  // namespace brine::matcher
