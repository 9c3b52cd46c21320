// Salt's CLI argument typing (cli.md §1.3, salt.utils.args).
//
// Every word after the function name is either a kwarg `name=value` (name
// matching Python's `^([^\d\W][\w.-]*)=(?!=)(.*)$`: an identifier, `=`, not
// `==`, no newline except a final one) or a positional arg. Values are
// "yamlified": typed as a YAML scalar/collection with Salt's exceptions (see
// yamlify()). The published `arg` list is the positional values followed, when
// there are kwargs, by one map {"__kwarg__": true, name: value, ...}.
//
// Deviations, because Value has no big integers: an integer literal that does
// not fit in int64 stays the original string (Python keeps a big int); a
// positional 20-digit integer becomes its digit string exactly as Salt's
// condition_input does for jids. Non-ASCII bytes count as identifier
// characters in kwarg names (Python's \w is Unicode-aware).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::cli {

// Salt's yamlify_arg: the typed value of one CLI word.
//  - empty/whitespace-only, `---`, `...`          -> the string unchanged
//  - only digits and `_`, with a `_` (`1_000`)    -> string
//  - contains \t, \r or \n                        -> string
//  - contains `#`: the YAML value if it is not a string or null, else the string
//  - `None`                                        -> null
//  - a map unless the text starts with `{`, a list unless it starts with `[`
//                                                  -> the string
//  - `|` and `!`, a leading `#`                    -> the string
//  - YAML errors, timestamps                       -> the string
//  - otherwise the YAML value (YAML 1.1 + Salt: yes/no/on/off bools, 0644 -> 644)
Value yamlify(std::string_view word);

// Splits `name=value` when the word is a kwarg (Salt's parse_kwarg).
std::optional<std::pair<std::string, std::string>> parse_kwarg(std::string_view word);

struct ParsedArgs {
  List args;
  Map kwargs;  // insertion order; a repeated name keeps its first position, last value
};

// Salt's parse_input without conditioning. Kwarg names listed in `no_parse`
// keep their raw string value (`--no-parse`).
ParsedArgs parse_args(std::span<const std::string> words,
                      std::span<const std::string> no_parse = {});

// Salt's condition_input: the published `arg` list (positional values, then
// {"__kwarg__": true, ...} when there are kwargs).
Value publish_arg(const ParsedArgs& parsed);

// The `fun` and `arg` of a publication, from the CLI's function word and the
// words after it (cli.md §1.4). A function word with commas is a
// multi-function job: `fun` is a list and `arg` a list of per-function arg
// lists. Arguments are split by standalone separator words when there are
// exactly len(funs)-1 of them ("new style"), otherwise by the separator inside
// words ("old style"). Errors (kInvalidArgument, the CLI exits 42):
//   "Cannot execute compound command without defining all arguments."
//   "Cannot execute compound command with more arguments than commands."
struct JobCall {
  Value fun;  // string, or list of strings
  Value arg;  // publish_arg() list, or a list of them
};
Result<JobCall> parse_job_call(std::string_view fun_word, std::span<const std::string> words,
                               std::string_view separator = ",",
                               std::span<const std::string> no_parse = {});

}  // namespace brine::cli
