// Internal: the nested and no_return outputters.
#pragma once

#include <string>

#include "common/output/output.h"

namespace brine::output {

std::string render_nested(const Value& data, const Options& options);
std::string render_no_return(const Value& data, const Options& options);

// Python's str.splitlines() on UTF-8 text (\n \r \r\n \v \f \x1c-\x1e,
// U+0085, U+2028, U+2029); appends the lines to `out`.
void split_lines(std::string_view s, std::vector<std::string_view>& out);

// Salt's strip_esc_sequence: ESC becomes '?'.
std::string strip_esc(std::string_view s);

}  // namespace brine::output
