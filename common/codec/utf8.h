// UTF-8 helpers shared by the codecs (internal to brine_codec).
//
// Brine strings are byte strings that are normally UTF-8. The emitters that
// must match Python byte for byte (json_dump, yaml_dump, python_repr) work on
// code points, so they decode here; an invalid byte sequence decodes to
// U+FFFD, one replacement per bad byte, as Python's errors="replace" does.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace brine::codec::detail {

inline constexpr char32_t kReplacementChar = 0xFFFD;

// Decodes the code point starting at s[*pos] and advances *pos past it.
// Precondition: *pos < s.size().
char32_t next_code_point(std::string_view s, size_t* pos);

// Appends the UTF-8 encoding of cp (surrogates and out-of-range values are
// encoded as U+FFFD).
void append_utf8(std::string& out, char32_t cp);

// Number of code points in s (what Python's len() reports).
size_t code_point_count(std::string_view s);

}  // namespace brine::codec::detail
