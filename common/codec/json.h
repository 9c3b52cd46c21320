// JSON for Brine, compatible with Python's json module.
//
// json_dump(v, opts) is byte-identical to Python's
//   json.dumps(v, indent=opts.indent if >= 0 else None, sort_keys=..., ensure_ascii=...)
// for the same data: ", " and ": " separators when compact, "," and ": "
// with an indent; floats in repr form (1.0, 1e+20, 1e-05), NaN, Infinity
// and -Infinity as Python writes them; with ensure_ascii every character
// outside ' '..'~' as \uXXXX (lower-case hex, surrogate pairs past U+FFFF).
// Invalid UTF-8 bytes in strings are written as U+FFFD.
//
// json_parse(text) accepts what json.loads accepts: any value at the top,
// NaN/Infinity/-Infinity, duplicate keys (the last wins, at the first
// position). Integers beyond int64 become floats; lone \uD800-style
// surrogates become U+FFFD. Nesting deeper than kJsonMaxDepth is an error.
// Errors are Errc::kParse, message as Python words it ("Expecting value",
// "Extra data", ...) and `where` = "<source_name>:<line>:<col>" (1-based, col
// in bytes).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::codec {

inline constexpr size_t kJsonMaxDepth = 512;

Result<Value> json_parse(std::string_view text, std::string_view source_name = "<string>");

struct JsonDumpOptions {
  int indent = -1;  // -1: compact on one line (json.dumps default)
  bool sort_keys = false;
  bool ensure_ascii = true;
};

std::string json_dump(const Value& v, const JsonDumpOptions& options = {});
// Appends to `out` (avoids a copy when building larger buffers).
void json_dump_to(std::string& out, const Value& v, const JsonDumpOptions& options = {});

}  // namespace brine::codec
