// brine::daemon::parse_daemon_cli / boot: the start-up shared by brine-master and
// brine-minion: options (-c, -d, -l, --log-file, --log-file-level, --pid-file,
// --user, --version, -h), config loading and validation, logging, daemonizing and
// the pidfile. Keeps both main()s to a screen.
#pragma once

#include <string>

#include "common/config/config.h"
#include "common/result.h"
#include "common/values/value.h"

namespace brine::daemon {

struct Boot {
  Value opts;
  int exit_code = -1;  // >= 0: exit now with this code (help, version, errors)
};

// Parses argv, loads and validates config for `role`, sets up logging,
// daemonizes with -d and writes the pidfile. Errors are printed to stderr.
Boot boot(int argc, char** argv, config::Role role, const std::string& prog);
// Removes the pidfile written by boot().
void shutdown(const Value& opts);

}  // namespace brine::daemon
