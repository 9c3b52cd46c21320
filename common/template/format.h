// Python string formatting (internal): `fmt % args` and str.format().
//
// Supports the conversions templates use: %s %r %d %i %u %f %F %e %E %g %G
// %x %X %o %c %% with flags (-+ #0), width, precision, `*` and %(key)s
// mapping keys; str.format with positional/keyword/auto fields, attribute
// and index access in field names, !s/!r conversions and the format-spec
// mini-language ([[fill]align][sign][#][0][width][,_][.precision][type]).
#pragma once

#include <string>

#include "common/template/interp.h"

namespace brine::jinja {

// `fmt % args` (args: a tuple for several values, a dict for %(key)s).
// With `markup` (a Markup format string) %s/%r values are HTML-escaped and
// the result is Markup, as markupsafe does.
RV percent_format(const std::string& fmt, const Val& args, bool markup = false);
// fmt.format(*args, **kwargs)
RV str_format(Interp& in, const std::string& fmt, CallArgs& args);
// format(value, spec): Python's format() builtin for one value.
RS format_value(std::string& out, const Val& v, std::string_view spec);

}  // namespace brine::jinja
