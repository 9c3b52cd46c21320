// brine::log: Salt's logging model on spdlog.
//
// One spdlog logger per component ("master", "minion.auth", "key", ...), all
// writing through the same sinks: the console (stderr) and optionally a log
// file. Levels and formats use Salt's names and syntax:
//
//   Level   all garbage trace debug profile info warning error critical quiet
//   spdlog  trace trace trace debug debug   info warn    err   critical off
//
// Formats are Salt's Python logging formats (log_fmt_console,
// log_fmt_logfile), e.g. the console default "[%(levelname)-8s] %(message)s"
// prints "[WARNING ] text". The level name printed is Salt's (WARNING, not
// spdlog's "warning"/"warn").
//
// Never log secrets: key material, session or channel keys, passwords, eauth
// tokens, pillar values or decrypted payloads must not reach any logger, at
// any level (log files are often shipped elsewhere). Log ids, names, sizes
// and fingerprints instead.
//
// Thread-safety: get() and the returned loggers may be used from any thread.
// setup() may be called again at any time (e.g. after daemonizing); it swaps
// the shared sinks atomically for every existing logger.
#pragma once

#include <spdlog/spdlog.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace brine::log {

enum class Level {
  kAll,
  kGarbage,
  kTrace,
  kDebug,
  kProfile,
  kInfo,
  kWarning,
  kError,
  kCritical,
  kQuiet
};

// "warning" -> Level::kWarning (case-insensitive, as Salt lowercases).
// Error (kInvalidArgument): "invalid log level 'x'; expected one of all,
// garbage, trace, debug, profile, info, warning, error, critical, quiet".
Result<Level> parse_level(std::string_view name);
// Salt's lower-case name: "warning".
std::string_view level_name(Level level);
spdlog::level::level_enum to_spdlog(Level level);

inline constexpr std::string_view kDefaultConsoleFormat = "[%(levelname)-8s] %(message)s";
inline constexpr std::string_view kDefaultFileFormat =
    "%(asctime)s,%(msecs)03d [%(name)-17s:%(lineno)-4d][%(levelname)-8s][%(process)d] "
    "%(message)s";
inline constexpr std::string_view kDefaultConsoleDateFormat = "%H:%M:%S";
inline constexpr std::string_view kDefaultFileDateFormat = "%Y-%m-%d %H:%M:%S";

struct Options {
  Level console = Level::kWarning;
  // Log file path; "" = no file. "file:///path" is the path; Salt's remote
  // forms (udp://, tcp://) are not supported and make setup() fail.
  std::string file;
  // Level for the file; unset = the console level (Salt's log_level_logfile).
  std::optional<Level> file_level;
  std::string console_fmt = std::string(kDefaultConsoleFormat);
  std::string file_fmt = std::string(kDefaultFileFormat);
  std::string console_datefmt = std::string(kDefaultConsoleDateFormat);
  std::string file_datefmt = std::string(kDefaultFileDateFormat);
};

// Installs the console sink (stderr) and, if opts.file is set, the file sink
// (appending; missing parent directories are created 0700; a new file is
// created 0600, an existing one keeps its mode). Every record is flushed to
// the file as written, as Python's FileHandler does.
// Errors (kIo / kInvalidArgument) name the file: "log_file '/x/y': Permission
// denied". On error the previous sinks stay in place.
Status setup(const Options& opts);

// The logger for `component`, created on first use with the shared sinks
// (before setup(): stderr at warning with the default console format).
// Never null; the same pointer for the same name.
std::shared_ptr<spdlog::logger> get(std::string_view component);

// Translates a Python logging format ("%(levelname)-8s %(message)s") and a
// strftime date format into an spdlog pattern. Salt's level name is the
// custom flag %*. Unknown %(keys)s print as empty text. Exposed for tests.
std::string to_spdlog_pattern(std::string_view python_fmt, std::string_view datefmt);

}  // namespace brine::log
