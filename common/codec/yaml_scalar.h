// YAML 1.1 scalar typing as Salt's loader does it (PyYAML SafeLoader plus
// salt.utils.yamlloader tweaks).
//
// resolve_plain() is PyYAML's implicit resolver: which tag an *unquoted*
// scalar gets. construct_scalar() builds the Value for a tag:
//   null   ~ null Null NULL and the empty scalar           -> null
//   bool   yes/no/true/false/on/off in lower, Title, UPPER  -> bool
//   int    42 -7 1_000 0x1F 0b101 190:20:30 (base 60);
//          leading zeros are dropped, not octal (Salt):     0644 -> 644
//          with a sign PyYAML's octal applies:              -0644 -> -420
//   float  1.5 1. .5 1.0e+3 .inf -.inf .nan 190:20:30.15; `1e3` (no dot, no
//          exponent sign) is a string in YAML 1.1
//   timestamp 2024-01-02, 2024-01-02 10:00:00               -> kept as the string
//   str    everything else, and every quoted scalar.
// Integers beyond int64 become floats (Python would keep a big int).
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::codec {

enum class YamlTag { kNull, kBool, kInt, kFloat, kMerge, kTimestamp, kValue, kStr };

// The tag PyYAML's resolver gives a plain (unquoted, untagged) scalar.
YamlTag resolve_plain(std::string_view text);

// Builds the value of a scalar with the given tag. Errors (kParse, no
// `where`) for text the tag cannot hold, e.g. `!!int abc`, and for kMerge and
// kValue, which have no constructor in a value position.
Result<Value> construct_scalar(YamlTag tag, std::string_view text);

// resolve_plain + construct_scalar: types `text` as an unquoted YAML scalar.
Result<Value> plain_scalar(std::string_view text);

// The Python str() of a scalar Value, used for non-string mapping keys
// (1 -> "1", true -> "True", null -> "None", 1.5 -> "1.5").
std::string python_key_string(const Value& key);

}  // namespace brine::codec
