// brine-call: run an execution module function on this host, the way
// salt-call does (cli.md §3).
//
//   brine-call --local test.ping          -> "local:\n    True"
//   brine-call --local --out json key.finger
//
// The output is {"local": <return>} through the chosen outputter (the
// function's own for errors: nested); --metadata prints the whole return
// ({"jid", "retcode", "return"}). Exit codes: 0 when the job's retcode is 0,
// else 1, or the retcode itself with --retcode-passthrough; an unknown
// function prints "'<fun>' is not available." on stderr and exits 255
// (Salt's -1) unless functions sharing the prefix exist, whose docs are
// printed instead (exit 1); argument, command and module errors print Salt's
// messages on stderr and exit 1; option errors exit 64; configuration errors
// exit 2.
//
// Without --local (or file_client: local / master_type: disable) brine-call
// first authenticates to the master with the minion's key over an ephemeral
// channel (minion/call/remote.h: a key that is not accepted, or a master that
// does not answer, ends it with Salt's message and exit 2; rejected 77), runs
// the function, then sends the return as a job with jid "req", which the
// master records under a jid of its own (-g, -d, --version need no master).
//
// Thread-safety: run() is meant for one call per process (it sets up logging).
#pragma once

#include <atomic>
#include <ostream>
#include <span>
#include <string>

#include "minion/call/options.h"

namespace brine::modules {
class CancelToken;
}

namespace brine::call {

struct Io {
  std::ostream& out;
  std::ostream& err;
  bool out_is_tty = false;
  // Cancelled on SIGINT/SIGTERM/SIGHUP by main(): commands the call started
  // die with it. `interrupted` holds the signal received (the exit code is
  // 128 + it).
  modules::CancelToken* cancel = nullptr;
  const std::atomic<int>* interrupted = nullptr;
};

// Parses `args` (argv without the program name) and runs; returns the exit code.
int main(std::span<const std::string> args, Io io);
int run(const Options& options, Io io);

}  // namespace brine::call
