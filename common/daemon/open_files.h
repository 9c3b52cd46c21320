// brine::daemon open-file limits: Salt's `max_open_files` for brine-master.
//
// A master holds one descriptor per ZeroMQ connection (two per minion: the
// request and the publish connection) plus a few of its own, so a master
// started by hand with a shell's soft limit (often 1,024) runs out at ~500
// minions. As Salt does at start, the master raises its soft RLIMIT_NOFILE
// toward `max_open_files` (default 100,000), never past the hard limit, and
// during maintenance warns when accepted keys approach the limit.
//
// Thread-safety: the limit is process-wide; call raise_open_files_limit()
// at start-up, before serving. open_files_advice() is a pure function.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/result.h"

namespace brine::daemon {

// RLIMIT_NOFILE; RLIM_INFINITY reads as UINT64_MAX.
struct OpenFilesLimit {
  uint64_t soft = 0;
  uint64_t hard = 0;
};

Result<OpenFilesLimit> open_files_limit();

// What raise_open_files_limit() did, for the caller to log as Salt does.
struct OpenFilesRaise {
  OpenFilesLimit before;
  OpenFilesLimit after;
  uint64_t target = 0;  // min(wanted, hard)
  bool capped = false;  // wanted was above the hard limit
};

// Raises the soft limit to min(wanted, hard); never lowers it. A hard limit
// of RLIM_INFINITY counts as the soft one (Salt: raising past it fails on
// some systems). Error (kInternal, "setrlimit(RLIMIT_NOFILE, N): <errno>")
// when the kernel refuses; the limits are then unchanged.
Result<OpenFilesRaise> raise_open_files_limit(uint64_t wanted);

// Salt's check_max_open_files(): nothing while accepted keys x 4 fit in the
// soft limit; else a message and its level (info up to 1/4, warning from
// 1/3, critical from 1/2 or when the keys reach the limit). `configured` is
// max_open_files; the message mentions the margin left under the hard limit.
struct OpenFilesAdvice {
  enum class Level { kInfo, kWarning, kCritical };
  Level level = Level::kInfo;
  std::string message;
};
std::optional<OpenFilesAdvice> open_files_advice(uint64_t accepted_keys, uint64_t configured,
                                                 OpenFilesLimit limit);

}  // namespace brine::daemon
