// brine::master::Master: the brine-master daemon.
//
// Threads: the request server's I/O thread and `worker_threads` workers (auth,
// channel requests from minions), the local server (CLIs on this host, ipc://
// in sock_dir), the publisher (PUB on publish_port, mutex-guarded) and one
// maintenance thread (key directory changes, scheduled session-key rotation).
// Shared state (channels, session key, key decisions) is guarded by mutexes
// inside the components; handlers never block on the network.
//
// Lifecycle: construct with loaded opts; start() binds every socket (errors name
// the endpoint) and starts threads; stop() joins everything; run() = start, wait
// for SIGTERM/SIGINT, stop.
#pragma once

#include <memory>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::master {

class Master {
 public:
  explicit Master(Value opts);
  ~Master();
  Master(const Master&) = delete;
  Master& operator=(const Master&) = delete;

  Status start();
  void stop();
  // start(), serve until SIGTERM/SIGINT, stop(); returns the process exit code.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace brine::master
