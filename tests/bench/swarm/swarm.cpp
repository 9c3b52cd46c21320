// Swarm life cycle, auth and channel requests (publications and returns are in
// swarm_jobs.cpp). See swarm.h for the model.
#include "tests/bench/swarm/swarm.h"

#include <cinttypes>
#include <cstdio>

#include "common/codec/msgpack.h"
#include "common/log/log.h"
#include "tests/bench/swarm/swarm_impl.h"

namespace brine::swarm {

milliseconds jitter(milliseconds max) {
  if (max.count() <= 0) return milliseconds(0);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return milliseconds(
      std::uniform_int_distribution<int64_t>(0, static_cast<int64_t>(max.count()))(rng));
}

namespace {
milliseconds ms(double seconds) { return milliseconds(static_cast<int64_t>(seconds * 1000.0)); }

// A worker's port when every request goes out on a minion's own connection
// (Impl::port_of): it is never asked.
class NoPort : public RequestPort {
 public:
  Result<std::string> request(std::string_view, std::chrono::milliseconds,
                              const std::function<bool(std::string_view)>&) override {
    return make_error(Errc::kUnavailable, "workers own no request connection");
  }
};
}  // namespace

// ------------------------------------------------------------------ construction

Swarm::Impl::Impl(SwarmOptions o, std::vector<Identity> identities, Value grains, PortFactory p,
                  SubscriberFactory s)
    : opts(std::move(o)),
      base_grains(grains.is_map() ? std::move(grains) : Value::map()),
      log(log::get("swarm")),
      executor(Value::map({{"swarm", true},
                           {"master", opts.master},
                           {"master_port", static_cast<int64_t>(opts.ret_port)}})),
      ports(std::move(p)),
      subscribe(std::move(s)) {
  minions.reserve(identities.size());
  for (size_t i = 0; i < identities.size(); ++i) {
    auto m = std::make_unique<Minion>();
    m->slot = i;
    m->index = opts.first_index + static_cast<int>(i);
    m->id = std::move(identities[i].id);
    m->identity = std::move(identities[i].keys);
    m->slow = opts.slow_ms > 0 && in_fraction(opts.seed, 1, m->index, opts.slow_fraction);
    m->drops = in_fraction(opts.seed, 2, m->index, opts.drop_fraction);
    minions.push_back(std::move(m));
  }
  for (size_t i = 0; i < minions.size(); i += kDeliveryChunk) {
    strands.push_back(std::make_unique<Strand>(i));
  }
}

Swarm::Swarm(SwarmOptions opts, std::vector<Identity> identities, Value base_grains,
             PortFactory ports, SubscriberFactory subscribe)
    : impl_(std::make_unique<Impl>(std::move(opts), std::move(identities), std::move(base_grains),
                                   std::move(ports), std::move(subscribe))) {}

Swarm::~Swarm() { stop(std::chrono::milliseconds(0)); }

Status Swarm::start() {
  Impl& s = *impl_;
  auto pin = read_pinned_master(s.opts.root);
  if (!pin) return pin.error();
  if (*pin) {
    s.pinned_key = **pin;
    s.pinned_set.store(true, std::memory_order_release);
  }
  PortFactory worker_ports = s.ports;
  if (s.opts.req_connections > 0) {
    const size_t n = std::min(static_cast<size_t>(s.opts.req_connections), s.minions.size());
    s.req_ports.reserve(n);
    for (size_t c = 0; c < n; ++c) {
      auto p = s.ports();
      if (!p) {
        s.req_ports.clear();
        return make_error(p.error().code,
                          "request connection " + std::to_string(c + 1) + " of " +
                              std::to_string(n) + ": " + p.error().to_string(),
                          "--req-connections");
      }
      s.req_ports.push_back(std::move(*p));
    }
    worker_ports = [] { return Result<std::unique_ptr<RequestPort>>(std::make_unique<NoPort>()); };
  }
  s.started_at = Clock::now();
  s.pool = std::make_unique<TaskPool>(s.opts.workers, worker_ports);
  for (size_t i = 0; i < s.minions.size(); ++i) s.queue_auth(i, milliseconds(0));
  return ok();
}

void Swarm::stop(std::chrono::milliseconds grace) {
  Impl& s = *impl_;
  if (s.stopping.exchange(true)) return;
  { std::lock_guard lock(s.sub_mu); }
  if (s.sub_thread.joinable()) s.sub_thread.join();
  if (!s.pool) return;
  // A clean stop: every connected minion says goodbye, as brine-minion does.
  auto left = std::make_shared<std::atomic<size_t>>(0);
  for (auto& mp : s.minions) {
    Minion& m = *mp;
    {
      std::lock_guard lock(m.mu);
      if (m.state != MinionState::kAccepted) continue;
    }
    left->fetch_add(1);
    s.pool->post([&s, &m, left](RequestPort& port) {
      (void)s.call(m, port, Value::map({{"cmd", "minion_stop"}}));
      {
        std::lock_guard lock(m.mu);
        m.state = MinionState::kGone;
        m.channel.reset();
      }
      left->fetch_sub(1);
    });
  }
  auto deadline = Clock::now() + grace;
  while (left->load() > 0 && Clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  s.pool->stop();
}

void Swarm::on_pub_frame(std::string_view bytes) { impl_->on_pub_frame(0, 1, bytes); }
void Swarm::on_pub_frame(size_t connection, size_t connections, std::string_view bytes) {
  if (connections == 0 || connection >= connections) return;
  impl_->on_pub_frame(connection, connections, bytes);
}

Value Swarm::Impl::grains_of(const Minion& m) const {
  Value g = base_grains;
  g["id"] = m.id;
  g["index"] = static_cast<int64_t>(m.index);
  return g;
}

// ------------------------------------------------------------------ stats

SwarmStats Swarm::stats() const {
  const Impl& s = *impl_;
  SwarmStats st;
  st.minions = static_cast<int>(s.minions.size());
  for (const auto& mp : s.minions) {
    std::lock_guard lock(mp->mu);
    if (mp->state == MinionState::kAccepted && mp->started) ++st.authenticated;
    if (mp->pending && mp->state != MinionState::kAccepted) ++st.pending;
    if (mp->state == MinionState::kRejected) ++st.rejected;
    if (mp->state == MinionState::kGone) ++st.gone;
  }
  st.queued_tasks = s.pool ? s.pool->size() : 0;
  st.task_failures = s.pool ? s.pool->failures() : 0;
  st.auth_requests = s.n.auth_requests;
  st.auth_accepts = s.n.auth_accepts;
  st.auth_failures = s.n.auth_failures;
  st.reauths = s.n.reauths;
  st.publications = s.n.publications;
  st.bad_frames = s.n.bad_frames;
  st.rotations = s.n.rotations;
  st.jobs = s.n.jobs;
  st.returns_sent = s.n.returns_sent;
  st.returns_failed = s.n.returns_failed;
  st.heartbeats = s.n.heartbeats;
  st.key_fetches = s.n.key_fetches;
  st.refused = s.n.refused;
  st.overflow = s.n.overflow;
  return st;
}

std::string SwarmStats::to_json(double t) const {
  char buf[1024];
  std::snprintf(
      buf, sizeof buf,
      "{\"t\": %.3f, \"minions\": %d, \"authenticated\": %" PRIu64 ", \"pending\": %" PRIu64
      ", \"rejected\": %" PRIu64 ", \"gone\": %" PRIu64 ", \"auth_requests\": %" PRIu64
      ", \"auth_accepts\": %" PRIu64 ", \"auth_failures\": %" PRIu64 ", \"reauths\": %" PRIu64
      ", \"publications\": %" PRIu64 ", \"bad_frames\": %" PRIu64 ", \"refused\": %" PRIu64
      ", \"overflow\": %" PRIu64 ", \"rotations\": %" PRIu64 ", \"jobs\": %" PRIu64
      ", \"returns_sent\": %" PRIu64 ", \"returns_failed\": %" PRIu64 ", \"heartbeats\": %" PRIu64
      ", \"key_fetches\": %" PRIu64 ", \"queued_tasks\": %" PRIu64 ", \"task_failures\": %" PRIu64
      "}",
      t, minions, authenticated, pending, rejected, gone, auth_requests, auth_accepts,
      auth_failures, reauths, publications, bad_frames, refused, overflow, rotations, jobs,
      returns_sent, returns_failed, heartbeats, key_fetches, queued_tasks, task_failures);
  return buf;
}

// ------------------------------------------------------------------ master key

std::optional<crypto::PublicKey> Swarm::Impl::pinned() const {
  if (!pinned_set.load(std::memory_order_acquire)) return std::nullopt;
  return pinned_key;
}

Status Swarm::Impl::pin(const crypto::PublicKey& key) {
  std::lock_guard lock(pin_mu);
  if (pinned_set.load(std::memory_order_acquire)) {
    if (pinned_key == key) return ok();
    return make_error(Errc::kCrypto,
                      "the master key has changed since another virtual minion pinned it");
  }
  BRINE_TRY(write_pinned_master(opts.root, key));
  pinned_key = key;
  pinned_set.store(true, std::memory_order_release);
  log->info("pinned the master key {}", crypto::fingerprint(key));
  return ok();
}

// ------------------------------------------------------------------ auth

void Swarm::Impl::queue_auth(size_t i, milliseconds delay) {
  Minion& m = *minions[i];
  {
    std::lock_guard lock(m.mu);
    if (m.state == MinionState::kGone || m.state == MinionState::kRejected) return;
    m.state = MinionState::kQueued;
  }
  if (delay.count() <= 0) {
    enqueue_auth(i);
  } else {
    pool->post_after(delay, [this, i](RequestPort&) { enqueue_auth(i); });
  }
}

void Swarm::Impl::enqueue_auth(size_t i) {
  if (stopping) return;
  {
    std::lock_guard lock(auth_mu);
    auth_queue.push_back(i);
  }
  pump_auth();
}

void Swarm::Impl::pump_auth() {
  std::vector<size_t> go;
  {
    std::lock_guard lock(auth_mu);
    while (auth_inflight < opts.auth_concurrency && !auth_queue.empty()) {
      go.push_back(auth_queue.front());
      auth_queue.pop_front();
      ++auth_inflight;
    }
  }
  for (size_t i : go) pool->post([this, i](RequestPort& port) { auth(i, port); });
}

void Swarm::Impl::auth(size_t i, RequestPort& port) {
  struct Slot {
    Impl* s;
    ~Slot() {
      {
        std::lock_guard lock(s->auth_mu);
        --s->auth_inflight;
      }
      s->pump_auth();
    }
  } slot{this};
  Minion& m = *minions[i];
  {
    std::lock_guard lock(m.mu);
    if (stopping || m.state != MinionState::kQueued) return;
    m.state = MinionState::kAuthing;
  }
  const milliseconds wait = ms(opts.acceptance_wait_s);
  protocol::AuthState st;
  std::string request = protocol::make_auth_request(m.identity, m.id, st);
  auto pin_now = pinned();
  std::optional<protocol::AuthResult> result;
  std::optional<std::string> error_code;
  std::string refused;
  ++n.auth_requests;
  auto reply =
      port_of(m, port).request(request, ms(opts.auth_timeout_s), [&](std::string_view bytes) {
        auto h = protocol::peek_frame(bytes);
        if (!h) return false;
        if (h->type == protocol::MessageType::kError) {
          auto e = protocol::open_error_reply(bytes);
          error_code = e ? e->code : std::string("error");
          return true;
        }
        if (h->type != protocol::MessageType::kAuthReply) return false;
        // A reply that does not verify is someone else's (a late answer to an
        // earlier request on this shared socket) or forged: keep waiting.
        auto r = protocol::open_auth_reply(bytes, st, pin_now, "");
        if (!r) {
          refused = r.error().to_string();
          return false;
        }
        result = std::move(*r);
        return true;
      });
  if (!reply || (!result && !error_code)) {
    ++n.auth_failures;
    if (!refused.empty()) log->warn("'{}': refused auth reply: {}", m.id, refused);
    log->debug("'{}': no answer to auth: {}", m.id,
               reply ? std::string("no acceptable reply") : reply.error().to_string());
    queue_auth(i, milliseconds(500) + jitter(milliseconds(1500)));
    return;
  }
  if (error_code) {
    ++n.auth_failures;
    log->debug("'{}': auth answered with error '{}'", m.id, *error_code);
    queue_auth(i, wait);
    return;
  }
  switch (result->status) {
    case protocol::AuthStatus::kAccept:
      if (!on_accept(m, *result, port)) queue_auth(i, wait);
      return;
    case protocol::AuthStatus::kPending: {
      std::lock_guard lock(m.mu);
      m.pending = true;
    }
      queue_auth(i, wait);
      return;
    case protocol::AuthStatus::kFull:
      queue_auth(i, wait);
      return;
    case protocol::AuthStatus::kRejected:
    case protocol::AuthStatus::kDenied:
      if (opts.rejected_retry) {
        queue_auth(i, wait);
        return;
      }
      log->warn("'{}': the master {} this minion's key; giving up", m.id,
                result->status == protocol::AuthStatus::kDenied ? "denied" : "rejected");
      {
        std::lock_guard lock(m.mu);
        m.state = MinionState::kRejected;
        m.pending = false;
      }
      return;
  }
}

bool Swarm::Impl::on_accept(Minion& m, protocol::AuthResult& r, RequestPort& port) {
  if (!r.master_pinned) {
    if (auto s = pin(r.master_pub); !s) {
      log->error("'{}': {}", m.id, s.error().to_string());
      return false;
    }
  }
  if (!r.channel || !r.session) return false;  // open_auth_reply fills both on accept
  uint64_t ep = 0;
  {
    std::lock_guard lock(m.mu);
    m.channel = std::make_shared<protocol::Channel>(std::move(*r.channel));
    m.verifier = std::make_unique<protocol::PublicationVerifier>(pinned_key);
    m.verifier->set_session_key(std::move(*r.session), r.pub_serial);
    m.state = MinionState::kAccepted;
    m.pending = false;
    m.started = false;
    m.heartbeat_failures = 0;
    m.key_fetch_scheduled = false;
    m.held.clear();
    ep = ++m.epoch;
  }
  ++n.auth_accepts;
  ensure_subscriber(r.publish_port);
  log->debug("'{}': authenticated", m.id);
  // The real minion ignores minion_start's outcome too.
  (void)call(m, port, Value::map({{"cmd", "minion_start"}, {"grains", grains_of(m)}}));
  {
    std::lock_guard lock(m.mu);
    if (m.epoch == ep) m.started = true;
  }
  size_t i = m.slot;
  pool->post_after(ms(opts.heartbeat_s), [this, i, ep](RequestPort& p) { heartbeat(i, ep, p); });
  if (m.drops) {
    pool->post_after(ms(opts.drop_after_s), [this, i, ep](RequestPort& p) { go_away(i, ep, p); });
  }
  return true;
}

void Swarm::Impl::reauth(Minion& m, const protocol::Channel* seen) {
  {
    std::lock_guard lock(m.mu);
    if (m.state != MinionState::kAccepted || m.channel.get() != seen) return;
    m.channel.reset();
    m.started = false;
    ++m.epoch;
  }
  ++n.reauths;
  log->debug("'{}': the master forgot our channel; authenticating again", m.id);
  queue_auth(m.slot, jitter(ms(opts.reauth_spread_s)));
}

// ------------------------------------------------------------------ channel requests

Result<Swarm::Impl::Reply> Swarm::Impl::call(Minion& m, RequestPort& port, const Value& payload,
                                             std::shared_ptr<protocol::Channel>* used) {
  std::shared_ptr<protocol::Channel> ch;
  {
    std::lock_guard lock(m.mu);
    ch = m.channel;
  }
  if (used) *used = ch;
  if (!ch) return make_error(Errc::kUnavailable, "not authenticated");
  uint64_t ctr = 0;
  std::string frame = ch->seal(codec::msgpack_pack(payload), &ctr);
  Reply out;
  std::optional<std::string> opened;
  auto r = port_of(m, port).request(frame, ms(opts.auth_timeout_s), [&](std::string_view bytes) {
    auto h = protocol::peek_frame(bytes);
    if (!h) return false;
    if (h->type == protocol::MessageType::kError) {
      auto e = protocol::open_error_reply(bytes);
      out.error_frame = true;
      out.error_code = e ? e->code : std::string("error");
      return true;
    }
    if (h->type != protocol::MessageType::kChannel) return false;
    auto o = ch->open_reply(*h, ctr);
    if (!o) return false;
    opened = std::move(*o);
    return true;
  });
  if (!r) return r.error();
  if (out.error_frame) return out;
  if (!opened) return make_error(Errc::kProtocol, "no reply");
  auto v = codec::msgpack_unpack(*opened);
  if (!v) return v.error();
  out.value = std::move(*v);
  return out;
}

void Swarm::Impl::heartbeat(size_t i, uint64_t ep, RequestPort& port) {
  Minion& m = *minions[i];
  {
    std::lock_guard lock(m.mu);
    if (stopping || m.epoch != ep || m.state != MinionState::kAccepted) return;
  }
  ++n.heartbeats;
  std::shared_ptr<protocol::Channel> used;
  auto r = call(m, port, Value::map({{"cmd", "ping"}}), &used);
  if (r && r->error_frame) {
    reauth(m, used.get());
    return;
  }
  {
    std::lock_guard lock(m.mu);
    if (m.epoch != ep || m.state != MinionState::kAccepted) return;
    if (!r) {
      if (++m.heartbeat_failures >= kMaxHeartbeatFailures) {
        m.heartbeat_failures = 0;
        log->debug("'{}': the master stopped answering; re-authenticating", m.id);
      } else {
        used.reset();  // keep the channel, try again next interval
      }
    } else {
      m.heartbeat_failures = 0;
      used.reset();
      const Value* kid = r->value.find("kid");
      if (kid && kid->is_int() && kid->as_int() >= 0 && kid->as_int() <= UINT32_MAX && m.verifier &&
          !m.verifier->has_kid(static_cast<uint32_t>(kid->as_int()))) {
        schedule_key_fetch_locked(m);
      }
    }
  }
  if (used) {
    reauth(m, used.get());
    return;
  }
  pool->post_after(ms(opts.heartbeat_s), [this, i, ep](RequestPort& p) { heartbeat(i, ep, p); });
}

void Swarm::Impl::schedule_key_fetch_locked(Minion& m) {
  if (m.key_fetch_scheduled || m.state != MinionState::kAccepted) return;
  m.key_fetch_scheduled = true;
  size_t i = m.slot;
  uint64_t ep = m.epoch;
  pool->post_after(jitter(ms(opts.random_reauth_delay_s)),
                   [this, i, ep](RequestPort& p) { fetch_key(i, ep, p); });
}

void Swarm::Impl::fetch_key(size_t i, uint64_t ep, RequestPort& port) {
  Minion& m = *minions[i];
  std::shared_ptr<protocol::Channel> ch;
  {
    std::lock_guard lock(m.mu);
    if (m.epoch != ep || m.state != MinionState::kAccepted) return;
    m.key_fetch_scheduled = false;
    ch = m.channel;
  }
  if (!ch) return;
  uint64_t ctr = 0;
  std::string frame = ch->seal(codec::msgpack_pack(Value::map({{"cmd", "session_key"}})), &ctr);
  std::optional<protocol::SessionKeyUpdate> update;
  bool error_frame = false;
  auto r = port_of(m, port).request(frame, ms(opts.auth_timeout_s), [&](std::string_view bytes) {
    auto h = protocol::peek_frame(bytes);
    if (!h) return false;
    if (h->type == protocol::MessageType::kError) {
      error_frame = true;
      return true;
    }
    auto u = protocol::open_session_key_reply(*ch, bytes, ctr);
    if (!u) return false;
    update = std::move(*u);
    return true;
  });
  if (!r) return;  // the next heartbeat sees the kid again and reschedules
  if (error_frame) {
    reauth(m, ch.get());
    return;
  }
  ++n.key_fetches;
  // Installed on the minion's strand, between the publications that arrived
  // before (held there) and those after.
  auto u = std::make_shared<protocol::SessionKeyUpdate>(std::move(*update));
  strand_post(strand_of(m), [this, &m, ep, u] { install_key(m, ep, u); });
}

void Swarm::Impl::go_away(size_t i, uint64_t ep, RequestPort& port) {
  Minion& m = *minions[i];
  {
    std::lock_guard lock(m.mu);
    if (m.epoch != ep || m.state != MinionState::kAccepted) return;
  }
  // Half stop cleanly (minion_stop), half vanish (a crash or a cut cable).
  if (m.index % 2 == 0) (void)call(m, port, Value::map({{"cmd", "minion_stop"}}));
  std::lock_guard lock(m.mu);
  m.state = MinionState::kGone;
  m.channel.reset();
  m.started = false;
  ++m.epoch;
  m.running.clear();
  m.held.clear();
}

// ------------------------------------------------------------------ subscriber

void Swarm::Impl::ensure_subscriber(uint16_t announced_port) {
  std::lock_guard lock(sub_mu);
  if (sub_started || stopping) return;
  sub_started = true;
  uint16_t port = opts.publish_port > 0 ? static_cast<uint16_t>(opts.publish_port) : announced_port;
  sub_thread = std::thread([this, port] { subscriber_loop(port); });
}

void Swarm::Impl::subscriber_loop(uint16_t port) {
  std::unique_ptr<FrameSource> src;
  while (!stopping) {
    auto s = subscribe(port);
    if (s) {
      src = std::move(*s);
      break;
    }
    log->error("cannot subscribe to port {}: {}", port, s.error().to_string());
    for (int k = 0; k < 10 && !stopping; ++k) std::this_thread::sleep_for(milliseconds(100));
  }
  if (!src) return;  // stopping, or a factory with nothing to subscribe (tests)
  size_t connections = std::max<size_t>(1, src->connections());
  while (!stopping) {
    src->receive(milliseconds(100), [&](size_t c, std::string_view frame) {
      if (c < connections) on_pub_frame(c, connections, frame);
    });
  }
}

}  // namespace brine::swarm
