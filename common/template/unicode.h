// UTF-8 and character-class helpers with Python str semantics (internal).
//
// Strings are UTF-8 bytes; Python's len/indexing/slicing count code points.
// Character classes and case mapping follow Python for ASCII, Latin-1,
// Latin Extended-A, Greek and Cyrillic; other scripts are treated as
// uncased letters (documented in docs/templating.md).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace brine::jinja::utf8 {

bool is_ascii(std::string_view s);
// Number of code points (invalid bytes count one each).
size_t count(std::string_view s);
// Decodes the code point at s[*pos] and advances; invalid bytes → U+FFFD.
char32_t next(std::string_view s, size_t* pos);
void append(std::string& out, char32_t cp);
// Byte offset of code point index `cp_index` (clamped to s.size()).
size_t offset_of(std::string_view s, size_t cp_index);

// Python str.isspace() for one code point.
bool is_space(char32_t c);
bool is_alpha(char32_t c);
bool is_digit(char32_t c);  // str.isdigit (ASCII and other decimal digits)
bool is_upper(char32_t c);
bool is_lower(char32_t c);
bool is_cased(char32_t c);
char32_t to_upper(char32_t c);
char32_t to_lower(char32_t c);

// Whole-string conversions (ß upper-cases to "SS" as in Python).
std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string title(std::string_view s);       // str.title()
std::string capitalize(std::string_view s);  // str.capitalize()
std::string swapcase(std::string_view s);

// Python str.strip/lstrip/rstrip: with chars == nullptr, Unicode whitespace.
std::string_view strip(std::string_view s, const std::string_view* chars, bool left, bool right);

}  // namespace brine::jinja::utf8
