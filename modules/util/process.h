// Running a child process for cmd.* and friends: fork/exec with an argv (never
// a shell string built here), its own process group, optional privilege drop,
// stdin fed from memory, stdout/stderr captured, a timeout, and cancellation.
//
// On timeout the whole process group gets SIGKILL (Salt's TimedProc kills the
// process). On cancellation (CancelToken::request) the token has already sent
// its signal to the group; if the group is still there after `kill_grace`,
// it gets SIGKILL. Output beyond `max_output` bytes per stream is dropped
// (Outcome::truncated).
//
// The calling process must not ignore SIGCHLD (the child is reaped with
// waitpid). Thread-safety: run() may be called from many threads at once.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace brine::modules {
class CancelToken;
}

namespace brine::modules::process {

struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups (setgroups)
};

struct Options {
  // argv[0] without '/' is looked up in the PATH of `env` (or of this process).
  std::vector<std::string> argv;
  // "KEY=VALUE" strings; nullopt inherits this process's environment.
  std::optional<std::vector<std::string>> env;
  std::string cwd;                         // empty: inherit
  std::optional<std::string> input;        // written to stdin; nullopt: /dev/null
  bool merge_stderr = false;               // stderr into the stdout stream (cmd.run)
  std::optional<Credentials> credentials;  // setgroups/setgid/setuid in the child
  std::optional<mode_t> umask;
  std::chrono::milliseconds timeout{0};  // 0: none
  CancelToken* cancel = nullptr;
  size_t max_output = size_t{64} << 20;
  std::chrono::milliseconds kill_grace{5000};
  // Start in a new session and return at once (Outcome::pid only); output,
  // input, timeout and cancellation do not apply.
  bool detach = false;
};

struct Outcome {
  pid_t pid = 0;
  int exit_code = 0;  // exit status, or -signal (Python's returncode)
  std::string out;
  std::string err;
  bool timed_out = false;
  int cancelled = 0;  // the cancel signal, when the job was killed
  bool truncated = false;
};

// Errors (the program did not start): kNotFound / kPermissionDenied / kIo
// with Python's OSError text, e.g. "[Errno 2] No such file or directory: 'nope'".
Result<Outcome> run(const Options& options);

// The executable file `name` resolves to in `path` (a PATH value), or "" when
// none. A name with '/' is checked as is.
std::string which(std::string_view name, std::string_view path);
// This process's PATH, or the default Debian PATH when unset.
std::string default_path();

}  // namespace brine::modules::process
