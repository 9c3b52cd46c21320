// Pieces shared by the master-host tools (brine, brine-run): config loading with
// Salt's client rules, logging set-up, and output to stdout or --out-file.
#pragma once

#include <fstream>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::master {

inline constexpr int kExitUsage = 64;

// Loads the master config as a client: like the daemon, plus `interface`
// 0.0.0.0/:: mapped to loopback. Sets up console logging at `log_level`
// (or the config's). Errors are printed with `prog: error:` by the caller.
Result<Value> load_client_config(const std::string& config_dir, const std::string& log_level);

struct OutputSettings {
  std::string out;  // "" = per-return default
  std::optional<int> indent;
  bool color = false;
  std::string out_file;
  bool out_file_append = false;
};

// Writes rendered output to stdout or the --out-file (truncated once, then
// appended), as Salt does.
class Printer {
 public:
  Printer(OutputSettings s, std::ostream& out);
  // Renders `data` with `outputter` (settings' --out wins when given).
  void print(const Value& data, const std::string& outputter, int retcode = 0);
  void raw(const std::string& text);
  const OutputSettings& settings() const { return s_; }

 private:
  OutputSettings s_;
  std::ostream& out_;
  std::unique_ptr<std::ofstream> file_;
};

}  // namespace brine::master
