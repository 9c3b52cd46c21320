// Salt's outputters (cli.md §1.7): how `brine`, `brine-call`, `brine-run` and
// `brine-key` print results.
//
//   nested               default; sorted keys, 4-space indent, `----------`
//                        before nested maps, `|_` for containers in lists
//   json                 json.dumps(indent=4); Options::indent N sets it,
//                        a negative indent prints one line, `pretty` sorts keys
//   yaml                 PyYAML safe_dump, block style (flow when indent < 0)
//   txt (alias text)     `key: line` per line of each top-level value
//   raw                  Python str() of the data
//   newline_values_only  the top-level values, one per line, lists flattened
//   quiet                nothing
//   no_return            "Minion did not return" notices (red)
//   key                  brine-key listings (cli.md §2.2)
//
// render() returns exactly what Salt's try_printout returns: the outputter's
// text with trailing whitespace removed. Salt then prints it followed by "\n",
// and prints nothing at all when it is empty (also for --out-file); the
// caller does the same (see display_text()).
//
// Colors follow salt.utils.color (ANSI SGR, e.g. cyan "\033[0;36m", reset
// "\033[0;0m") and appear only when Options::color is set (the CLI decides:
// TTY, --no-color, --force-color). Untrusted strings have ESC replaced by '?'
// where Salt does so (nested values, key names), so a minion cannot drive the
// terminal.
//
// An unknown outputter name falls back to `nested`, as Salt does; the warning
// text ("Invalid outputter x specified, fall back to nested") is stored in
// Options::warning when given, for the caller to log.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::output {

struct Options {
  // --out-indent / output_indent: unset = the outputter's default (json 4,
  // yaml block style); negative = single line / flow style.
  std::optional<int> indent;
  bool indent_pretty = false;  // output_indent: pretty (json: indent 4 + sorted keys)
  bool color = false;
  int retcode = 0;                 // nested: keys and structure lines red when != 0
  int nested_indent = 0;           // nested: base indent (Salt's nested_indent)
  std::string* warning = nullptr;  // receives the fallback warning, if any
};

// Names render() accepts (besides the alias "text").
std::span<const std::string_view> outputter_names();
bool is_outputter(std::string_view name);

// Renders `data` with the named outputter; empty name = nested.
Result<std::string> render(std::string_view outputter, const Value& data,
                           const Options& options = {});

// What Salt writes for a rendered text: the text and "\n", or nothing when
// the text is empty.
std::string display_text(std::string_view rendered);

// The return text Salt shows for a minion that did not answer (cli.md §1.5):
// connected=false gives "Minion did not return. [Not connected]"; otherwise
// "[No response]" plus the hint to run `<runner> jobs.lookup_jid <jid>`.
std::string no_return_text(std::string_view jid, bool connected,
                           std::string_view runner = "brine-run");

}  // namespace brine::output
