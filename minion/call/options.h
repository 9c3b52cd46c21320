// brine-call's command line (Salt's salt-call, cli.md §0 and §3).
//
//   brine-call [options] FUNCTION [ARG ...] [KEY=VALUE ...]
//
// Options may appear before or after the function (as with Python's optparse);
// "--" ends them. A word after the function that starts with '-' and is not
// a known option is an error, except negative numbers, which are arguments.
// Parse errors print the usage and "brine-call: error: <msg>" and exit 64.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"

namespace brine::call {

struct Options {
  bool local = false;
  std::string config_dir;         // -c / --config-dir
  std::string out;                // --out / --output ("" = the function's or nested)
  std::optional<int> out_indent;  // --out-indent / --output-indent
  std::string out_file;           // --out-file
  bool out_file_append = false;   // --out-file-append
  bool no_color = false;
  bool force_color = false;
  bool retcode_passthrough = false;
  std::optional<std::string> log_level;  // -l / --log-level
  std::string log_file;                  // --log-file
  std::optional<std::string> log_file_level;
  bool grains = false;                // -g / --grains
  std::optional<std::string> id;      // --id
  std::optional<std::string> master;  // --master
  std::optional<int> timeout;         // -t / --timeout: auth timeout toward the master (s)
  std::string file_root;              // --file-root
  std::string pillar_root;            // --pillar-root
  bool doc = false;                   // -d / --doc
  bool metadata = false;              // --metadata
  std::vector<std::string> no_parse;  // --no-parse=k1,k2
  bool version = false;               // --version
  bool versions_report = false;       // -V / --versions-report
  bool help = false;                  // -h / --help

  std::string fun;                 // the function word ("" when none)
  std::vector<std::string> words;  // the words after it
};

// Parses argv[1..]. Error (kInvalidArgument): the message for
// "brine-call: error: <message>".
Result<Options> parse_options(std::span<const std::string> args);

// The usage line and the option help (-h).
std::string usage();
std::string help();

}  // namespace brine::call
