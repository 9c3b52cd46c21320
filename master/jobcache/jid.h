// Job ids (protocol-notes.md §7): Salt's 20-digit UTC timestamp
// `YYYYMMDDhhmmssffffff` (microseconds), e.g. 20240301101502123456, optionally
// followed by `_<suffix>` (Salt's unique_jid adds `_<pid>`).
//
// Jids are generated unique and strictly increasing within a process: when
// the clock repeats a microsecond or steps back, the next jid is the previous
// one plus 1 µs (Salt bumps by 1 µs on collisions too).
//
// Thread-safety: JidGenerator::next() and make_jid() may be called from any
// thread; the rest are pure functions.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace brine::jobcache {

// Microseconds since the Unix epoch, UTC.
using Clock = std::function<int64_t()>;
int64_t system_now_us();

class JidGenerator {
 public:
  // `suffix` (without the '_') is appended to every jid when not empty.
  explicit JidGenerator(Clock now = system_now_us, std::string suffix = {});
  std::string next();

 private:
  std::mutex mu_;
  Clock now_;
  std::string suffix_;
  int64_t last_us_ = 0;
};

// A jid from the process-wide generator (no suffix).
std::string make_jid();

// Network-facing check: 20 ASCII digits, optionally `_` and 1-64 characters
// of [A-Za-z0-9]. Nothing else (no path separators, no dots) can pass.
bool valid_jid(std::string_view jid);

// 20-digit timestamp for a time in µs since the epoch (UTC), and back.
// jid_to_unix_us() needs a valid jid with a real calendar date.
std::string jid_from_unix_us(int64_t us);
std::optional<int64_t> jid_to_unix_us(std::string_view jid);

// Salt's jid_to_time: "2024, Mar 01 10:15:02.123456"; "" for an invalid jid.
std::string jid_to_start_time(std::string_view jid);

// Parses the times users give jobs.list_jobs (start_time/end_time) into µs
// since the epoch, read as UTC. Accepted (a subset of dateutil's formats):
//   2024, Mar 01 10:15:02[.123456]        (the StartTime form)
//   2024-03-01 / 2024/03/01, optionally followed by ` ` or `T` and
//   HH:MM[:SS[.ffffff]], optionally a trailing `Z`
//   a 20-digit jid
// Error (kInvalidArgument): "could not parse time 'x'".
Result<int64_t> parse_time(std::string_view text);

}  // namespace brine::jobcache
