// Small text helpers shared by the built-in modules.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::modules::text {

// Python's shlex.split(s) (POSIX mode): quotes, backslash escapes, no
// comments. Errors (kInvalidArgument): "No closing quotation",
// "No escaped character".
Result<std::vector<std::string>> shlex_split(std::string_view s);

// Python's shlex.quote(s).
std::string shlex_quote(std::string_view s);

// Replaces every byte that is not part of a valid UTF-8 sequence with U+FFFD,
// as Python's decode(errors="replace") does for command output.
std::string sanitize_utf8(std::string s);

// Python's str.rstrip() / str.strip() (ASCII whitespace).
std::string_view rstrip(std::string_view s);
std::string_view strip(std::string_view s);

// Salt's salt.utils.args.split_input: a list as is, anything else str() split
// on ',' with each piece stripped.
std::vector<Value> split_input(const Value& v);

// Python's str.splitlines() (\n, \r\n and \r).
std::vector<std::string_view> splitlines(std::string_view s);

// Whitespace split (Python's str.split() with no argument).
std::vector<std::string_view> split_ws(std::string_view s);

// Reads a whole (small) file; Errors: kNotFound, kIo, kInvalidArgument when
// larger than max_bytes.
Result<std::string> read_file(const std::string& path, size_t max_bytes = size_t{16} << 20);

// The file's text stripped of surrounding whitespace; "" when it cannot be
// read (the grains' way of reading /proc and /sys entries that may be absent).
std::string read_trimmed(const std::string& path, size_t max_bytes = size_t{1} << 20);

// True when `path` exists / is a directory (following symlinks).
bool path_exists(const char* path);
bool is_directory(const char* path);

// ASCII lower-casing (Python's str.lower() on ASCII text).
std::string ascii_lower(std::string s);

}  // namespace brine::modules::text
