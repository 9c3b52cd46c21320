// brine::minion::Minion: the brine-minion daemon.
//
// One control thread owns the SUB socket and the connection state machine:
//   authenticate (retrying while pending, every acceptance_wait_time, growing to
//   acceptance_wait_time_max) -> serve publications -> heartbeat on the channel
//   -> re-authenticate when the master forgets the channel (restart) or stops
//   answering.
// Publications are verified with the pinned master key before anything else,
// then checked for replay, then decrypted. A rotation notice makes the minion
// fetch the new session key over its channel after a random delay of up to
// random_reauth_delay seconds, so a fleet does not stampede the master.
//
// Exit codes follow Salt: 42 when master_finger does not match, 77 when the
// master rejects or denies this minion's key (unless rejected_retry).
#pragma once

#include <memory>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::minion {

class Minion {
 public:
  explicit Minion(Value opts);
  ~Minion();
  Minion(const Minion&) = delete;
  Minion& operator=(const Minion&) = delete;

  // Serves until SIGTERM/SIGINT; returns the process exit code.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace brine::minion
