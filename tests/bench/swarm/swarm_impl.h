// Internal to brine-swarm: the state behind Swarm, shared by swarm.cpp (life
// cycle, auth, channel requests) and swarm_jobs.cpp (publications, jobs,
// returns). Not a public header.
#pragma once

#include <array>
#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/crypto/keys.h"
#include "common/matcher/matcher.h"
#include "common/protocol/auth.h"
#include "common/protocol/channel.h"
#include "common/protocol/publication.h"
#include "tests/bench/swarm/executor.h"
#include "tests/bench/swarm/swarm.h"

namespace spdlog {
class logger;
}

namespace brine::swarm {

using std::chrono::milliseconds;

// What a real minion keeps: minion/minion.cpp kMaxHeldPublications.
inline constexpr size_t kMaxHeld = 16;
// The real minion's send_return: 30 attempts, pausing 200 ms * attempt.
inline constexpr int kReturnAttempts = 30;
// The real minion re-authenticates after 3 unanswered heartbeats.
inline constexpr int kMaxHeartbeatFailures = 3;
// Minions per publication delivery task.
inline constexpr size_t kDeliveryChunk = 128;
// Publications waiting for one minion at most: a real minion's SUB socket
// has its own receive high-water mark (1000), a flood beyond it is dropped,
// not queued in memory. Counted per minion, not per strand: with a SUB
// connection per minion a strand carries one copy per minion.
inline constexpr size_t kMaxMinionBacklog = 1000;

enum class MinionState : uint8_t {
  kNew,       // not yet queued
  kQueued,    // waiting for an auth slot (or a retry delay)
  kAuthing,   // auth request in flight
  kAccepted,  // channel open
  kRejected,  // rejected/denied, gave up
  kGone,      // dropped out (--drop-fraction) or stopped
};

// One publication, verified once, shared by every minion's delivery task.
struct Delivery {
  explicit Delivery(protocol::VerifiedPublication p) : pub(std::move(p)) {}
  protocol::VerifiedPublication pub;

  // The load and its compiled target, decoded from the first payload a
  // minion decrypted. A payload that differs (never, with one session key)
  // is decoded on its own.
  struct Prepared {
    Value load;
    std::optional<matcher::Matcher> matcher;  // nullopt: target does not compile
  };
  std::shared_ptr<const Prepared> prepare(const std::string& payload);

 private:
  std::mutex mu_;
  std::string payload_;
  std::shared_ptr<const Prepared> prepared_;
};

// One delivery strand's queue (see Swarm::Impl::Strand): publications for
// runs of its minions and other tasks, in arrival order. Each minion has at
// most kMaxMinionBacklog publications waiting; a copy beyond that is dropped.
// A copy of the publication at the back for the minions right after it (the
// next connection's copy) extends that item, so C copies of one publication
// usually make one item. Memory: at most kDeliveryChunk * kMaxMinionBacklog
// publication items (plus tasks). Not thread-safe: the strand's mutex guards it.
class StrandQueue {
 public:
  struct Item {
    std::function<void()> task;          // a task, or
    std::shared_ptr<Delivery> delivery;  // a publication for minions [lo, hi)
    size_t lo = 0, hi = 0;
  };
  // base: the strand's first minion slot; minions [base, base + kDeliveryChunk).
  explicit StrandQueue(size_t base) : base_(base) {}
  // Queues d for minions [lo, hi) of this strand. Returns how many of them
  // were full (their copy dropped).
  size_t push(const std::shared_ptr<Delivery>& d, size_t lo, size_t hi);
  void push(std::function<void()> task);
  // The front item, uncounted from its minions' backlogs; nullopt if empty.
  std::optional<Item> pop();
  bool empty() const { return items_.empty(); }
  size_t items() const { return items_.size(); }
  // Publications waiting for minion `slot`.
  size_t waiting(size_t slot) const { return waiting_[slot - base_]; }

 private:
  size_t base_;
  std::deque<Item> items_;
  std::array<uint16_t, kDeliveryChunk> waiting_{};
};

struct Minion {
  size_t slot = 0;  // index into Impl::minions
  int index = 0;    // the `index` grain (first_index + slot)
  std::string id;
  crypto::KeyPair identity;
  bool slow = false;
  bool drops = false;

  std::mutex mu;  // guards everything below
  MinionState state = MinionState::kNew;
  bool started = false;  // minion_start answered
  bool pending = false;  // last auth answer was pending
  uint64_t epoch = 0;    // bumped by every accept/re-auth: stale timers drop out
  std::shared_ptr<protocol::Channel> channel;
  std::unique_ptr<protocol::PublicationVerifier> verifier;
  int heartbeat_failures = 0;
  bool key_fetch_scheduled = false;
  std::deque<std::shared_ptr<Delivery>> held;
  // Jobs whose return is not sent yet (sleeping or slow): jid -> load.
  std::map<std::string, Value> running;
};

struct Swarm::Impl {
  Impl(SwarmOptions o, std::vector<Identity> identities, Value base_grains, PortFactory p,
       SubscriberFactory s);

  SwarmOptions opts;
  // What every minion's grains start from; a minion's own grains (this plus
  // its id and index) are built on demand by grains_of(), so 10,000 minions
  // do not hold 10,000 copies of a 60-key map.
  Value base_grains;
  Value grains_of(const Minion& m) const;
  std::shared_ptr<spdlog::logger> log;
  Executor executor;
  PortFactory ports;
  SubscriberFactory subscribe;
  std::vector<std::unique_ptr<Minion>> minions;
  // With opts.req_connections > 0: the request connections, made by `ports`
  // at start; minion slot s uses req_ports[s * size / minions]. Thread-safe
  // (transport::Client serialises its requests). Empty: the worker's port.
  std::vector<std::unique_ptr<RequestPort>> req_ports;
  RequestPort& port_of(const Minion& m, RequestPort& worker_port) {
    if (req_ports.empty()) return worker_port;
    return *req_ports[m.slot * req_ports.size() / minions.size()];
  }
  // After req_ports: destroyed (its workers joined) before the ports go.
  std::unique_ptr<TaskPool> pool;
  std::atomic<bool> stopping{false};
  Clock::time_point started_at = Clock::now();

  // Pinned master key: set once, then read without locking.
  std::mutex pin_mu;
  std::atomic<bool> pinned_set{false};
  crypto::PublicKey pinned_key;

  // Auth admission.
  std::mutex auth_mu;
  std::deque<size_t> auth_queue;
  int auth_inflight = 0;

  // Delivery strands: one per kDeliveryChunk minions. A strand runs its items
  // one at a time, in order, so each minion sees publications in the order the
  // SUB socket delivered them (its verifier refuses a serial lower than one it
  // already accepted), while different strands run in parallel on the workers.
  struct Strand {
    explicit Strand(size_t base) : queue(base) {}
    std::mutex mu;
    StrandQueue queue;
    bool active = false;
  };
  std::vector<std::unique_ptr<Strand>> strands;
  // Queues a task on the strand (never dropped).
  void strand_post(size_t strand, std::function<void()> item);
  // Queues publication d for minions [lo, hi) of the strand; a minion whose
  // backlog is full misses it (counted in n.overflow).
  void strand_post(size_t strand, const std::shared_ptr<Delivery>& d, size_t lo, size_t hi);
  void strand_wake(size_t strand);
  void strand_drain(size_t strand);
  size_t strand_of(const Minion& m) const { return m.slot / kDeliveryChunk; }

  // Subscriber thread.
  std::mutex sub_mu;
  std::thread sub_thread;
  bool sub_started = false;

  // Counters (see SwarmStats).
  struct Counters {
    std::atomic<uint64_t> auth_requests{0}, auth_accepts{0}, auth_failures{0}, reauths{0},
        publications{0}, bad_frames{0}, rotations{0}, jobs{0}, returns_sent{0}, returns_failed{0},
        heartbeats{0}, key_fetches{0}, refused{0}, overflow{0};
  } n;

  // ---- swarm.cpp
  std::optional<crypto::PublicKey> pinned() const;
  Status pin(const crypto::PublicKey& key);
  void queue_auth(size_t i, milliseconds delay);
  void enqueue_auth(size_t i);
  void pump_auth();
  void auth(size_t i, RequestPort& port);
  bool on_accept(Minion& m, protocol::AuthResult& r, RequestPort& port);
  void reauth(Minion& m, const protocol::Channel* seen);

  // A channel request's outcome: a decoded reply, or the master's error frame.
  struct Reply {
    bool error_frame = false;
    std::string error_code;
    Value value;
  };
  // Sends `payload` on m's current channel. Error: not authenticated, no
  // reply within auth_timeout, or an undecodable reply. `used` receives the
  // channel the request went out on (for reauth()).
  Result<Reply> call(Minion& m, RequestPort& port, const Value& payload,
                     std::shared_ptr<protocol::Channel>* used = nullptr);
  void heartbeat(size_t i, uint64_t epoch, RequestPort& port);
  void schedule_key_fetch_locked(Minion& m);
  void fetch_key(size_t i, uint64_t epoch, RequestPort& port);
  void go_away(size_t i, uint64_t epoch, RequestPort& port);
  void ensure_subscriber(uint16_t announced_port);
  void subscriber_loop(uint16_t port);

  // ---- swarm_jobs.cpp
  void on_pub_frame(size_t connection, size_t connections, std::string_view bytes);

  // Frames already verified, by their bytes: the copies other connections
  // receive of one publication or notice are checked once. Bounded (FIFO).
  struct Seen {
    std::shared_ptr<Delivery> delivery;  // a verified publication
    std::optional<uint32_t> rotate_kid;  // a verified rotation notice
  };
  static constexpr size_t kMaxSeen = 256;
  std::mutex seen_mu;
  std::unordered_map<std::string, Seen> seen;
  std::deque<std::string> seen_order;
  std::optional<Seen> verify_frame(std::string_view bytes, const crypto::PublicKey& master);
  void deliver(Minion& m, const std::shared_ptr<Delivery>& d, bool may_hold);
  // On m's strand: installs a fetched session key and replays the held
  // publications (see swarm_jobs.cpp for the serial floor).
  void install_key(Minion& m, uint64_t epoch, std::shared_ptr<protocol::SessionKeyUpdate> update);
  void post_return(Minion& m, std::shared_ptr<const Value> envelope, std::string jid,
                   milliseconds delay, bool pending);
  void send_return(size_t i, const std::shared_ptr<const Value>& envelope, const std::string& jid,
                   int attempt, bool pending, RequestPort& port);
  void send_grains(size_t i, RequestPort& port);
  class Jobs;
};

// A random duration in [0, max] (thread-local generator).
milliseconds jitter(milliseconds max);

}  // namespace brine::swarm
