// String algorithms with Python semantics shared by methods and filters
// (internal). Indices and widths count code points.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/template/value.h"

namespace brine::jinja::strings {

// str.split() / str.rsplit() without a separator (runs of whitespace).
std::vector<std::string> split_ws(std::string_view s, int64_t maxsplit, bool right);
// str.split(sep) / str.rsplit(sep); sep must not be empty.
std::vector<std::string> split(std::string_view s, std::string_view sep, int64_t maxsplit,
                               bool right);
std::vector<std::string> splitlines(std::string_view s, bool keepends);
std::string replace(std::string_view s, std::string_view old, std::string_view repl, int64_t count);
// mode: 0 center, -1 ljust, 1 rjust (fill is one code point).
std::string pad(std::string_view s, int64_t width, std::string_view fill, int mode);
// Stable sort with Python's `<` (TypeError for unorderable items). When
// `keys` is given, items are ordered by keys[i] (same length); `keys` itself
// is left in its original order.
RS sort_vals(Vals& items, bool reverse, Vals* keys);
// markupsafe.escape: & < > " ' → &amp; &lt; &gt; &#34; &#39;
std::string html_escape(std::string_view s);

}  // namespace brine::jinja::strings
