// brine-call's master side (without --local): Salt's salt-call authenticates
// to the master before running anything and sends the return afterwards as a
// job whose jid is "req" (the master allocates the real one).
//
// MasterCaller authenticates with the minion's own key over an *ephemeral*
// channel (auth mode "call"), so the running brine-minion daemon keeps its
// channel. Attempts: auth_tries, each waiting auth_timeout seconds.
//
// Failures print Salt's messages on `err` and give the exit code:
//   pending key, or no answer from the master ... exit 2
//     "Minion failed to authenticate with the master, has the minion key been accepted?"
//   rejected or denied key ........................ exit 77 (Salt's EX_NOPERM)
//   master_finger mismatch ........................ exit 42
//   master full (max_minions) ..................... exit 2
//
// Thread-safety: one thread.
#pragma once

#include <chrono>
#include <memory>
#include <ostream>
#include <string>

#include "common/result.h"
#include "common/values/value.h"

namespace spdlog {
class logger;
}

namespace brine::minion {
class MasterLink;
}

namespace brine::call {

inline constexpr const char* kNotAcceptedMessage =
    "Minion failed to authenticate with the master, has the minion key been accepted?";

class MasterCaller {
 public:
  // `opts`: the minion options (id resolved); must outlive this object.
  // `timeout`: the auth timeout per attempt; `tries`: attempts (>= 1).
  MasterCaller(const Value& opts, std::chrono::milliseconds timeout, int tries,
               spdlog::logger& log);
  ~MasterCaller();
  MasterCaller(const MasterCaller&) = delete;
  MasterCaller& operator=(const MasterCaller&) = delete;

  // Authenticates. 0 once accepted; otherwise the exit code, with the message
  // already written to `err`.
  int authenticate(std::ostream& err);

  // Sends `ret` (the return envelope; its jid is replaced by "req") and waits
  // for the master's answer: the jid it recorded the job under. When the
  // master dropped the channel meanwhile (a long call went idle, the session
  // key rotated), authenticates again once and resends. Errors: kUnavailable
  // (not authenticated, or the master refused the return: its message),
  // kTimeout (no answer).
  Result<std::string> send_return(Value ret);

  // Tells the master this caller is done (it drops the channel). Best effort.
  void close();

 private:
  const Value& opts_;
  std::chrono::milliseconds timeout_;
  int tries_;
  spdlog::logger& log_;
  std::unique_ptr<minion::MasterLink> link_;
};

}  // namespace brine::call
