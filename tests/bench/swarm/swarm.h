// Swarm: N virtual Brine minions in one process, each a real minion as far as
// the master can tell (docs/performance.md describes the model).
//
// Per virtual minion: its own id and Ed25519 identity, the real handshake
// (protocol::make_auth_request / open_auth_reply with the master key pinned in
// <root>/minion_master.pub), its own channel for every request, its own
// PublicationVerifier (kid, serial, decryption), its own grains for targeting.
// Per publication, shared by all: one signature check
// (verify_publication_signature), one msgpack decode of the load and one
// matcher compile. Wire behaviour follows minion/minion.cpp:
//   auth (pending: retry every acceptance_wait; timeout: retry in 0.5-2 s;
//   rejected/denied: give up unless rejected_retry) -> minion_start with the
//   grains -> heartbeat {cmd: ping} every heartbeat_interval (a kid we lack
//   schedules a key fetch; an error frame or 3 silent heartbeats re-auth) ->
//   rotation notice: fetch {cmd: session_key} after a random delay up to
//   random_reauth_delay -> publications under an unknown key are held (16 at
//   most) until the key fetch, then replayed in order (the held serials are
//   let through the fetched key's serial floor, which minion.cpp does not do;
//   see docs/performance.md) -> returns {cmd: _return, load} retried 30 times
//   with a growing pause -> minion_stop on a clean stop.
// Differences that do not show on the wire: one SUB socket for all minions,
// `workers` DEALER sockets shared by all minions (by default: see
// --sub-connections and --req-connections for one of each per minion, as a
// real fleet has), and re-auth after an error
// frame on any request (the real minion waits for its next heartbeat), spread
// by a random delay up to reauth_spread_s and bounded by auth_concurrency.
//
// Nothing the network sends can crash the swarm: every decoder returns a
// Result, values from the wire are read with type checks, and the task pool
// catches anything that escapes a task.
//
// Thread-safety: start/stop from one thread; stats() and on_pub_frame() from
// any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"
#include "common/values/value.h"
#include "tests/bench/swarm/identities.h"
#include "tests/bench/swarm/options.h"
#include "tests/bench/swarm/task_pool.h"

namespace brine::swarm {

// Frames from the master's PUB socket over one or more connections
// (transport::SubscriberGroup in the daemon). Connection c of C serves minions
// [c*N/C, (c+1)*N/C): with C = N every virtual minion has its own connection,
// as in a real fleet, and the master sends one copy per connection.
class FrameSource {
 public:
  virtual ~FrameSource() = default;
  virtual size_t connections() const = 0;
  // Waits up to `timeout`, then calls on_frame(connection, bytes) for each
  // frame received (on_frame must not throw).
  virtual void receive(std::chrono::milliseconds timeout,
                       const std::function<void(size_t, std::string_view)>& on_frame) = 0;
};
// Connects to the PUB socket on `port`; called on the subscriber thread.
using SubscriberFactory = std::function<Result<std::unique_ptr<FrameSource>>(uint16_t port)>;

struct SwarmStats {
  int minions = 0;
  // Gauges.
  uint64_t authenticated = 0;  // accepted channel, minion_start answered
  uint64_t pending = 0;        // last auth answer was "pending"
  uint64_t rejected = 0;       // gave up (rejected/denied)
  uint64_t gone = 0;           // dropped out (--drop-fraction)
  uint64_t queued_tasks = 0;
  // Counters since start.
  uint64_t auth_requests = 0;
  uint64_t auth_accepts = 0;
  uint64_t auth_failures = 0;  // no reply, error frame or refused reply
  uint64_t reauths = 0;
  uint64_t publications = 0;  // frames received on the PUB socket
  uint64_t bad_frames = 0;    // malformed, forged or unverifiable
  uint64_t refused = 0;       // per-minion refusals: replayed/stale serial, retired key
  uint64_t overflow = 0;      // publication copies dropped: a minion had 1,000 waiting
  uint64_t rotations = 0;
  uint64_t jobs = 0;  // publications a minion matched and ran
  uint64_t returns_sent = 0;
  uint64_t returns_failed = 0;  // given up after every retry
  uint64_t heartbeats = 0;
  uint64_t key_fetches = 0;
  uint64_t task_failures = 0;

  // One JSON object on one line; `t` is seconds since the swarm started.
  std::string to_json(double t) const;
};

class Swarm {
 public:
  // `identities[i]` is minion opts.first_index + i; `base_grains` is what every
  // minion starts from (native grains and/or --grains), id and index added.
  Swarm(SwarmOptions opts, std::vector<Identity> identities, Value base_grains, PortFactory ports,
        SubscriberFactory subscribe);
  ~Swarm();
  Swarm(const Swarm&) = delete;
  Swarm& operator=(const Swarm&) = delete;

  // Reads the pinned master key, starts the workers and queues every minion's
  // first auth. Errors: an unreadable pinned key file; with req_connections, a
  // request connection the factory cannot make (named "--req-connections").
  Status start();
  // Authenticated minions send minion_stop (for at most `grace`), then every
  // thread ends. Idempotent.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(5));

  // Handles one frame from the PUB socket: rotation notices and publications,
  // for every minion (on_pub_frame(bytes)) or for the share of connection
  // `connection` of `connections`. Called by the subscriber thread; public so
  // tests can feed frames. A frame seen before (another connection's copy) is
  // not verified again.
  void on_pub_frame(std::string_view bytes);
  void on_pub_frame(size_t connection, size_t connections, std::string_view bytes);

  SwarmStats stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace brine::swarm
