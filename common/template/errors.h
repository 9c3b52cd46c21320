// Salt-style render error messages (internal).
//
//   Jinja variable 'foo' is undefined; line 3
//
//   ---
//   line 1
//   line 2
//   {{ foo }}    <======================
//   ---
//
// Errors inside another template (an imported macro) name that template as
// Salt does: "Jinja variable 'x' is undefined\n<path>(<line>):\n---\n...\n---".
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "common/template/ast.h"
#include "common/template/value.h"

namespace brine::jinja {

// Salt's salt.utils.stringutils.get_context(template, line, marker=...).
std::string error_context(std::string_view source, int line);

// `top_name`: the template the render started with. `failing_source` /
// `failing_path`: text and path of the template the fault is located in.
Error to_error(const Fault& f, std::string_view top_name, std::string_view failing_source,
               std::string_view failing_path);

}  // namespace brine::jinja
