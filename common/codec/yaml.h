// YAML for Brine: loading typed as Salt's loader types it, dumping as PyYAML.
//
// yaml_load parses the single document in `text` into a Value with Salt's
// rules (see yaml_scalar.h for scalar typing):
//   - quoted and block scalars are always strings; plain ones are typed;
//   - mapping keys become their Python str() form (1 -> "1", true -> "True",
//     ~ -> "None"); a collection as a key is an error;
//   - a key appearing twice (also 1 and 1.0, or true and yes, which are equal
//     in Python) is an error: "found conflicting ID 'x'" at the second key;
//   - anchors, aliases and merge keys (<<) work; keys a mapping sets itself
//     win over merged ones (Salt drops the merged duplicates);
//   - tags: !!str !!int !!float !!bool !!null !!map !!seq !!timestamp (kept as
//     a string) !!binary (base64, decoded) and the non-specific `!`; any other
//     tag is an error, as in yaml.safe_load;
//   - empty input (or only comments) loads as null;
//   - a second document is an error, as in Salt (yaml.safe_load): "expected a
//     single document in the stream, but found another document"; use
//     yaml_load_all for multi-document streams.
// Errors are Errc::kParse with `where` = "<source_name>:<line>:<col>" (1-based)
// and a message without the location, e.g.
//   where "top.sls:3:1", message "found conflicting ID 'web'".
// Hostile input: nesting deeper than kYamlMaxDepth and alias expansion beyond
// kYamlMaxAliasBytes are errors, never crashes.
//
// yaml_dump writes a Value the way PyYAML's safe_dump (with Salt's
// allow_unicode=True) does, byte for byte: block style, keys sorted unless
// told otherwise, strings quoted only when needed for them to load back as the
// same strings ('yes', '123', '', 'a: b'), long plain/quoted scalars folded
// at 80 columns, a top-level plain scalar followed by "...\n". Output ends
// with "\n". Floats print as PyYAML does (1.0, 1.0e+20, .inf, .nan).
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::codec {

inline constexpr size_t kYamlMaxDepth = 512;
inline constexpr size_t kYamlMaxAliasBytes = size_t{64} << 20;

Result<Value> yaml_load(std::string_view text, std::string_view source_name = "<string>");
// The same, also recording where each key of a top-level mapping was
// written: key_where[key] = "<source_name>:<line>:<col>" (for config files,
// whose errors must point at the line). Merged (<<) keys are not recorded.
Result<Value> yaml_load(std::string_view text, std::string_view source_name,
                        std::map<std::string, std::string>* key_where);
// Every document of a multi-document stream ("---" separated), as a list.
Result<Value> yaml_load_all(std::string_view text, std::string_view source_name = "<string>");

struct YamlDumpOptions {
  // true: everything in flow style, `{a: 1, b: [x, y]}` (default_flow_style=True,
  // what Jinja's |yaml filter gives for flow=True).
  bool flow = false;
  // Indent per level; PyYAML accepts 2..9 and uses 2 otherwise.
  int indent = 2;
  // PyYAML's default_flow_style=None: collections holding only scalars in
  // flow style, others in block style. Ignored when `flow` is set.
  bool default_flow_style_none = false;
  // PyYAML sorts mapping keys by default (sort_keys=True).
  bool sort_keys = true;
  // Salt's dumpers pass allow_unicode=True: non-ASCII printed as is.
  bool allow_unicode = true;
  // Preferred line width (PyYAML's width, default 80).
  int width = 80;
  // Write "---" before the document (explicit_start).
  bool explicit_start = false;
};

std::string yaml_dump(const Value& v, const YamlDumpOptions& options = {});

}  // namespace brine::codec
