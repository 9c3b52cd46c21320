// Python str() / repr() of runtime values (internal).
//
// Printing is what SLS files rely on when they write structures straight
// into YAML: `{{ {'a': [1, 2.0, None]} }}` prints `{'a': [1, 2.0, None]}`.
// Strings use Python's quoting (brine::codec::python_repr rules), floats the
// shortest round-trip repr. Self-containing containers print `[...]`/`{...}`
// as Python does; nesting deeper than kMaxPrintDepth is an error (Python's
// RecursionError) instead of a stack overflow.
#pragma once

#include <string>

#include "common/template/value.h"

namespace brine::jinja {

inline constexpr int kMaxPrintDepth = 400;

// str(v) appended to out. Strict undefined values fail; lenient ones print "".
RS append_str(std::string& out, const Val& v);
// repr(v) appended to out.
RS append_repr(std::string& out, const Val& v);
R<std::string> to_str(const Val& v);
// str() as `{{ x }}` prints it through Salt's finalizer (which rebuilds
// containers recursively): a self-containing container is a RecursionError
// and groupby tuples cannot be rebuilt (TypeError), as in Salt.
RS append_output(std::string& out, const Val& v);
R<std::string> to_repr(const Val& v);
// Float repr ("1.0", "1e+20") and int decimal.
void append_float(std::string& out, double d);
void append_int(std::string& out, int64_t i);
void append_string_repr(std::string& out, std::string_view s);

}  // namespace brine::jinja
