// Python's str() and repr() of a Value, the way Salt prints structures.
//
//   python_repr({"a": "b", "n": [1, 2.0, true, null]})
//     == "{'a': 'b', 'n': [1, 2.0, True, None]}"
//
// Floats use Python's shortest round-trip repr (1.0, 0.1, 1e+20, 1e-05, inf,
// nan); strings use Python's quoting and escaping rules (single quotes unless
// the text holds ' and no ", \n \t \r \\ escapes, \xNN/\uNNNN/\UNNNNNNNN for
// characters str.isprintable() rejects). Invalid UTF-8 bytes print as U+FFFD.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/values/value.h"

namespace brine::codec {

// repr(v): strings quoted.
std::string python_repr(const Value& v);
// str(v): like repr, except that a top-level string is the string itself.
std::string python_str(const Value& v);
// repr(float): "1.0", "0.1", "1e+20", "-0.0", "inf", "nan".
std::string python_float_repr(double d);
// repr(str): "'it''s'" style quoting as Python does it.
std::string python_string_repr(std::string_view s);

// Appending forms, for building larger outputs without temporaries.
void append_python_repr(std::string& out, const Value& v);
void append_python_float_repr(std::string& out, double d);
void append_python_string_repr(std::string& out, std::string_view s);

}  // namespace brine::codec
