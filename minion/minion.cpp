#include "minion/minion.h"

#include <atomic>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <random>
#include <thread>

#include "common/codec/msgpack.h"
#include "common/crypto/crypto.h"
#include "common/daemon/daemon.h"
#include "common/daemon/transport_key.h"
#include "common/log/log.h"
#include "common/matcher/matcher.h"
#include "common/protocol/auth.h"
#include "common/protocol/channel.h"
#include "common/protocol/publication.h"
#include "common/transport/transport.h"
#include "minion/jobs.h"
#include "minion/master_link.h"
#include "modules/builtin.h"
#include "modules/external.h"
#include "modules/grains/gather.h"

namespace brine::minion {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {
constexpr int kExitMasterFinger = 42;
constexpr int kExitRejected = 77;
constexpr size_t kMaxHeldPublications = 16;
}  // namespace

struct Minion::Impl {
  Value opts;
  std::string id;
  std::shared_ptr<spdlog::logger> log = log::get("minion");
  // Identity, pinned master key, request socket and channel (shared with brine-call).
  std::unique_ptr<MasterLink> link;
  std::unique_ptr<transport::Subscriber> sub;
  uint16_t sub_port = 0;
  std::unique_ptr<protocol::PublicationVerifier> verifier;
  std::mt19937_64 rng{std::random_device{}()};
  daemon::SignalWaiter* signals = nullptr;
  std::atomic<bool> stop{false};
  int exit_code = 0;

  // Publications under a key we do not have yet, kept until the key fetch.
  std::deque<std::string> held;
  std::optional<Clock::time_point> key_fetch_at;
  Clock::time_point next_heartbeat;
  int heartbeat_failures = 0;

  // Job execution: the module registry, this minion's grains and the pool.
  std::unique_ptr<modules::Registry> registry;
  Value grains;
  std::mutex grains_mu;
  std::unique_ptr<JobPool> pool;

  explicit Impl(Value o) : opts(std::move(o)) {}

  milliseconds auth_timeout() const {
    return seconds(std::max<int64_t>(1, opts.get_int("auth_timeout", 5)));
  }

  // Sleeps up to `d`, waking for SIGTERM/SIGINT. Returns false when stopping.
  bool sleep_for(milliseconds d) {
    auto until = Clock::now() + d;
    while (!stop) {
      auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
      if (left.count() <= 0) return true;
      if (signals->wait(std::min(left, milliseconds(500))) != 0) stop = true;
    }
    return false;
  }

  Status prepare() {
    BRINE_TRY(crypto::init());
    fs::path pki = opts.get_string("pki_dir");
    std::string user = opts.get_string("user");
    BRINE_TRY(daemon::make_dir(pki, 0700, user));
    BRINE_TRY(daemon::make_dir(opts.get_string("cachedir"), 0700, user));
    link = std::make_unique<MasterLink>(opts, id, protocol::AuthMode::kMinion);
    BRINE_TRY(link->load_keys());
    registry = std::make_unique<modules::Registry>(opts);
    BRINE_TRY(modules::register_builtins(*registry));
    modules::external::register_external(*registry, opts, log.get());
    grains = modules::grains::gather(opts, log.get());
    pool = std::make_unique<JobPool>(
        *registry, opts, grains, grains_mu, [this](const Value& env) { return send_return(env); },
        [this](bool) {
          Value fresh = modules::grains::gather(opts, log.get());
          {
            std::lock_guard lock(grains_mu);
            grains = fresh;
          }
          return report_grains(fresh);
        },
        [this](const Value& g) { (void)report_grains(g); });
    return link->connect(socket_options());
  }

  transport::SocketOptions socket_options() {
    transport::SocketOptions so;
    // validate() rejected anything else at start-up; MasterLink::connect
    // reads the key again for the request socket.
    so.backend = daemon::transport_backend(opts).value_or(transport::Backend::kZeroMQ);
    int recon = static_cast<int>(opts.get_int("recon_default", 1000));
    int recon_max = static_cast<int>(opts.get_int("recon_max", 10000));
    if (opts.get_bool("recon_randomize", true)) {
      // Salt: start somewhere in [recon_default, recon_default + recon_max].
      recon += static_cast<int>(rng() % static_cast<uint64_t>(std::max(1, recon_max)));
    }
    so.reconnect_ivl_ms = recon;
    so.reconnect_ivl_max_ms = std::max(recon, recon_max);
    int hb = static_cast<int>(opts.get_int("heartbeat_interval", 10)) * 1000;
    so.heartbeat_ivl_ms = hb;
    so.heartbeat_timeout_ms = 3 * hb;
    return so;
  }

  // ------------------------------------------------------------ auth
  // Returns true once accepted; false when stopping (exit_code says why).
  bool authenticate() {
    using O = AuthAttempt::Outcome;
    link->reset_channel();
    int64_t wait_s = std::max<int64_t>(1, opts.get_int("acceptance_wait_time", 10));
    int64_t wait_max = opts.get_int("acceptance_wait_time_max", 0);
    while (!stop) {
      AuthAttempt a = link->authenticate(auth_timeout());
      switch (a.outcome) {
        case O::kNoAnswer:
          log->debug("no answer from the master: {}", a.detail);
          if (!sleep_for(milliseconds(500 + rng() % 1500))) return false;
          continue;
        case O::kFingerMismatch:
          log->critical("the master's public key does not match master_finger: {}", a.detail);
          exit_code = kExitMasterFinger;
          stop = true;
          return false;
        case O::kBadReply:
          log->error("refused auth reply: {}", a.detail);
          if (!sleep_for(seconds(wait_s))) return false;
          continue;
        case O::kAccepted:
          if (!on_accept(a)) continue;
          return true;
        case O::kPending:
          log->info(
              "The Brine master has cached the public key for this node, this brine minion will "
              "wait for {} seconds before attempting to re-authenticate",
              wait_s);
          if (!sleep_for(seconds(wait_s))) return false;
          if (wait_max > 0) wait_s = std::min(wait_s * 2, wait_max);
          continue;
        case O::kFull:
          log->warn("the master is full (max_minions); retrying");
          if (!sleep_for(seconds(wait_s))) return false;
          continue;
        case O::kRejected:
        case O::kDenied:
          if (opts.get_bool("rejected_retry", false)) {
            log->error("the master {} this minion's key; retrying",
                       a.outcome == O::kDenied ? "denied" : "rejected");
            if (!sleep_for(seconds(wait_s))) return false;
            continue;
          }
          log->critical(
              "The Brine master has rejected this minion's public key! To repair this issue, "
              "delete the public key for this minion on the master and restart this minion.");
          exit_code = kExitRejected;
          stop = true;
          return false;
      }
    }
    return false;
  }

  bool on_accept(AuthAttempt& r) {
    verifier = std::make_unique<protocol::PublicationVerifier>(*link->pinned_master());
    verifier->set_session_key(std::move(*r.session), r.pub_serial);
    // A fresh SUB socket on every authentication: after a master restart it
    // connects at once instead of waiting out the reconnect back-off.
    {
      sub.reset();
      uint16_t port = opts.get_int("publish_port", 0) > 0
                          ? static_cast<uint16_t>(opts.get_int("publish_port", 0))
                          : r.publish_port;
      auto s = transport::Subscriber::connect(transport::tcp_endpoint(master_host(opts), port),
                                              socket_options());
      if (!s) {
        log->error("cannot subscribe: {}", s.error().to_string());
        return false;
      }
      sub = std::move(*s);
      sub_port = r.publish_port;
    }
    log->info("authenticated with the master as '{}'", id);
    heartbeat_failures = 0;
    next_heartbeat = Clock::now() + heartbeat_interval();
    Value g;
    {
      std::lock_guard lock(grains_mu);
      g = grains;
    }
    (void)call_master(Value::map({{"cmd", "minion_start"}, {"grains", g}}));
    return true;
  }

  milliseconds heartbeat_interval() const {
    return seconds(std::max<int64_t>(1, opts.get_int("heartbeat_interval", 10)));
  }

  // One request on the channel. kUnavailable with message "unknown_channel" when
  // the master no longer knows us (it restarted, or our key was removed).
  std::shared_ptr<protocol::Channel> current_channel() { return link->channel(); }

  Result<Value> call_master(const Value& payload) { return link->call(payload, auth_timeout()); }

  // ------------------------------------------------------------ publications
  // `may_hold`: false when replaying held frames after a key fetch, so a frame
  // under a key this master never gave us is dropped, not fetched for again.
  void on_frame(const std::string& bytes, bool may_hold = true) {
    auto header = protocol::peek_frame(bytes);
    if (!header) return;
    if (header->type == protocol::MessageType::kRotate) {
      auto n = protocol::open_rotate_notice(bytes, *link->pinned_master());
      if (!n) {
        log->debug("dropping rotation notice: {}", n.error().to_string());
        return;
      }
      if (!verifier->has_kid(n->kid)) schedule_key_fetch();
      return;
    }
    if (header->type != protocol::MessageType::kPublication) return;
    auto opened = verifier->open(bytes);
    if (!opened) {
      if (opened.error().code == protocol::kPubUnknownKey && may_hold) {
        // Signed by our master under a key we do not have yet: fetch it.
        if (held.size() < kMaxHeldPublications) held.push_back(bytes);
        schedule_key_fetch();
      } else {
        log->debug("dropping publication: {}", opened.error().to_string());
      }
      return;
    }
    on_payload(opened->payload);
  }

  void on_payload(const std::string& payload) {
    auto load = codec::msgpack_unpack(payload);
    if (!load || !load->is_map()) {
      log->warn("dropping publication with a malformed load");
      return;
    }
    log->debug("received publication jid '{}'", load->get_string("jid"));
    if (!matches(*load)) return;
    log->info("received publication jid '{}' fun '{}'", load->get_string("jid"),
              load->get_string("fun"));
    pool->submit(*load);
  }

  // Tells the master our grains (for its grain targeting).
  Status report_grains(const Value& g) {
    auto r = call_master(Value::map({{"cmd", "_grains"}, {"grains", g}}));
    if (!r) return r.error();
    return ok();
  }

  // Salt's minion-side target check (targeting.md §1).
  bool matches(const Value& load) {
    auto type = matcher::parse_target_type(load.get_string("tgt_type", "glob"));
    if (!type) return false;
    std::string delim = load.get_string("delimiter", ":");
    const Value* tgt = load.find("tgt");
    if (!tgt) return false;
    matcher::Target target{*tgt, *type, delim.empty() ? ':' : delim[0]};
    const Value* ng = load.find("nodegroups");
    Value pillar = Value::map();
    Value g;
    {
      std::lock_guard lock(grains_mu);
      g = grains;
    }
    auto r = matcher::match(target, matcher::MinionFacts{id, &g, &pillar}, ng ? *ng : Value());
    return r && *r;
  }

  // Sends a job's return on the channel, retrying across a re-auth for a while.
  Status send_return(const Value& envelope) {
    Status last = make_error(Errc::kUnavailable, "not authenticated");
    for (int attempt = 0; attempt < 30 && !stop; ++attempt) {
      auto r = call_master(Value::map({{"cmd", "_return"}, {"load", envelope}}));
      if (r) return ok();
      last = r.error();
      std::this_thread::sleep_for(std::chrono::milliseconds(200 * (attempt + 1)));
    }
    return last;
  }

  void schedule_key_fetch() {
    if (key_fetch_at) return;
    int64_t spread_ms = std::max<int64_t>(0, opts.get_int("random_reauth_delay", 10)) * 1000;
    key_fetch_at = Clock::now() + milliseconds(spread_ms ? rng() % spread_ms : 0);
  }

  // Fetches the current session key; false when the master no longer knows us.
  bool fetch_session_key() {
    key_fetch_at.reset();
    auto ch = current_channel();
    if (!ch) return false;
    std::optional<protocol::SessionKeyUpdate> update;
    auto r = link->exchange(
        *ch, codec::msgpack_pack(Value::map({{"cmd", "session_key"}})),
        [&](std::string_view bytes, uint64_t ctr) {
          auto u = protocol::open_session_key_reply(*ch, bytes, ctr);
          if (!u) return false;
          update = std::move(*u);
          return true;
        },
        auth_timeout());
    if (!r) return r.error().code != Errc::kUnavailable;
    verifier->set_session_key(std::move(update->session), update->pub_serial);
    log->info("fetched the new session key");
    auto pending = std::move(held);
    held.clear();
    for (auto& f : pending) on_frame(f, false);
    return true;
  }

  bool heartbeat() {
    next_heartbeat = Clock::now() + heartbeat_interval();
    auto r = call_master(Value::map({{"cmd", "ping"}}));
    if (!r) {
      if (r.error().code == Errc::kUnavailable) return false;  // master forgot us
      if (++heartbeat_failures >= 3) {
        log->warn("the master stopped answering; re-authenticating");
        return false;
      }
      return true;
    }
    heartbeat_failures = 0;
    if (!verifier->has_kid(static_cast<uint32_t>(r->get_int("kid")))) schedule_key_fetch();
    return true;
  }

  // Serves until the channel is lost (returns true: re-auth) or stop.
  bool serve() {
    while (!stop) {
      if (signals->wait(milliseconds(0)) != 0) {
        stop = true;
        break;
      }
      if (auto msg = sub->receive(milliseconds(100))) on_frame(*msg);
      auto now = Clock::now();
      if (key_fetch_at && now >= *key_fetch_at && !fetch_session_key()) return true;
      if (now >= next_heartbeat && !heartbeat()) return true;
    }
    return false;
  }

  int run(daemon::SignalWaiter& s) {
    signals = &s;
    if (auto st = prepare(); !st) {
      log->critical("{}", st.error().to_string());
      return 1;
    }
    while (!stop) {
      if (!authenticate()) break;
      if (!serve()) break;
    }
    stop = true;
    pool.reset();  // cancels running jobs and waits for their threads
    if (current_channel()) (void)call_master(Value::map({{"cmd", "minion_stop"}}));
    return exit_code;
  }
};

Minion::Minion(Value opts) : impl_(std::make_unique<Impl>(std::move(opts))) {
  impl_->id = impl_->opts.get_string("id");
}
Minion::~Minion() = default;

int Minion::run() {
  daemon::SignalWaiter signals;
  return impl_->run(signals);
}

}  // namespace brine::minion
