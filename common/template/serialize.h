// Serialisation of runtime values (internal): Python's json.dumps/json.loads
// byte for byte, PyYAML's quoted-scalar writers used by Salt's yaml_dquote /
// yaml_squote / yaml_encode, and pprint.pformat.
#pragma once

#include <string>
#include <string_view>

#include "common/template/value.h"

namespace brine::jinja::serialize {

struct JsonOptions {
  bool sort_keys = false;
  bool ensure_ascii = true;
  // < 0: no indent (", " and ": " separators); otherwise newline + indent
  // spaces per level ("," and ": ").
  int indent = -1;
  std::string indent_str;  // used instead of spaces when non-empty
};

// json.dumps(v, ...). TypeError-style faults for unserialisable values,
// ValueError "Circular reference detected" for cycles.
R<std::string> json_dumps(const Val& v, const JsonOptions& o);
// json.loads(text). On failure a fault with Python's message.
RV json_loads(std::string_view text);

// PyYAML Emitter.write_double_quoted / write_single_quoted with an unbounded
// width and allow_unicode off (Salt's yaml_dquote / yaml_squote).
std::string yaml_double_quoted(std::string_view s);
std::string yaml_single_quoted(std::string_view s);

// pprint.pformat(v) (width 80, dict keys sorted).
R<std::string> pformat(const Val& v);

}  // namespace brine::jinja::serialize
