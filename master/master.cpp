#include "master/master.h"

#include <sys/stat.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <limits>
#include <mutex>
#include <random>
#include <thread>

#include "common/codec/msgpack.h"
#include "common/crypto/crypto.h"
#include "common/daemon/daemon.h"
#include "common/daemon/open_files.h"
#include "common/daemon/transport_key.h"
#include "common/log/log.h"
#include "common/protocol/auth.h"
#include "common/protocol/channel.h"
#include "common/protocol/publication.h"
#include "common/transport/transport.h"
#include "master/acl.h"
#include "master/channels.h"
#include "master/events.h"
#include "master/jobs.h"
#include "master/keystore.h"
#include "master/local_client.h"

namespace brine::master {
namespace fs = std::filesystem;

namespace {
using protocol::unix_now;

AuthPolicy policy_from(const Value& opts) {
  AuthPolicy p;
  const Value* aa = opts.find("auto_accept");
  p.auto_accept = aa && aa->is_bool() && aa->as_bool();  // Salt: only a literal boolean true
  const Value* om = opts.find("open_mode");
  p.open_mode = om && om->is_bool() && om->as_bool();
  p.autosign_file = opts.get_string("autosign_file");
  p.autoreject_file = opts.get_string("autoreject_file");
  p.max_minions = opts.get_int("max_minions", 0);
  return p;
}

// Channel frames up to this size are handled on the request server's I/O
// thread (see run_on_io_thread).
constexpr size_t kInlineMaxBytes = 16 * 1024;

// Which requests skip the workers: channel frames (a return, a heartbeat, a
// key fetch: one decryption, a small decode, a job-cache queue push, an event;
// 10-20 us and nothing that waits on the network) run on the I/O thread,
// saving two thread hand-offs each. Auth requests (signature, key exchange,
// key-store file I/O) and large frames (a big return's decode and re-pack)
// go to the workers, so they never hold up everyone's heartbeats.
bool run_on_io_thread(std::string_view bytes) {
  if (bytes.size() > kInlineMaxBytes) return false;
  auto header = protocol::peek_frame(bytes);
  return header && header->type == protocol::MessageType::kChannel;
}

// How often the maintenance thread hands free heap pages back to the system.
constexpr auto kTrimInterval = std::chrono::seconds(10);

// glibc returns freed memory to the system only from the top of each arena's
// heap; after a burst (10,000 returns queued at once, a grain target's decoded
// maps) most of it sits free in the middle. malloc_trim(0) releases those
// pages too (-10 to -18 MB after jobs at 10,000 minions; 1-20 ms per call).
void release_free_memory() {
#ifdef __GLIBC__
  ::malloc_trim(0);
#endif
}

std::string show_limit(uint64_t v) {
  return v == std::numeric_limits<uint64_t>::max() ? "unlimited" : std::to_string(v);
}

protocol::AuthStatus to_protocol(AuthStatus s) {
  switch (s) {
    case AuthStatus::kAccept:
      return protocol::AuthStatus::kAccept;
    case AuthStatus::kPending:
      return protocol::AuthStatus::kPending;
    case AuthStatus::kRejected:
      return protocol::AuthStatus::kRejected;
    case AuthStatus::kDenied:
      return protocol::AuthStatus::kDenied;
    case AuthStatus::kFull:
      return protocol::AuthStatus::kFull;
  }
  return protocol::AuthStatus::kRejected;
}
}  // namespace

struct Master::Impl {
  Value opts;
  std::shared_ptr<spdlog::logger> log = log::get("master");
  KeyStore keys;
  crypto::KeyPair identity;
  std::string root_key;
  PublisherAcl acl;
  protocol::AuthReplayGuard auth_replay;
  std::mutex auth_mu;  // serialises key-store decisions

  // Session (publication) key and the serial of the last publication under it.
  std::mutex session_mu;
  protocol::SessionKey session;
  uint64_t serial = 0;
  std::chrono::steady_clock::time_point session_started;

  ChannelTable channels;
  std::unique_ptr<transport::Publisher> publisher;
  std::unique_ptr<transport::Server> request_server;
  std::unique_ptr<transport::Server> local_server;
  std::unique_ptr<EventBus> events;
  std::unique_ptr<JobManager> jobs;

  std::atomic<bool> stopping{false};
  std::mutex wake_mu;
  std::condition_variable wake;
  std::thread maintenance;
  std::vector<fs::file_time_type> key_dir_mtimes;

  explicit Impl(Value o) : opts(std::move(o)), keys(opts.get_string("pki_dir")), acl(opts) {}

  uint16_t publish_port() const {
    return static_cast<uint16_t>(opts.get_int("publish_port", 4505));
  }

  // ------------------------------------------------------------ start-up
  Status prepare_dirs() {
    std::string user = opts.get_string("user");
    BRINE_TRY(daemon::make_dir(opts.get_string("pki_dir"), 0700, user));
    BRINE_TRY(daemon::make_dir(opts.get_string("cachedir"), 0700, user));
    BRINE_TRY(daemon::make_dir(opts.get_string("sock_dir"), 0700, user));
    BRINE_TRY(keys.ensure_dirs());
    return ok();
  }

  Status load_identity() {
    BRINE_TRY(crypto::init());
    auto kp = crypto::load_or_create_keypair(opts.get_string("pki_dir"), "master");
    if (!kp) return kp.error();
    identity = std::move(*kp);
    // The local key (Salt's .root_key) proves to this master that a CLI runs as
    // its own user; it is new on every start.
    root_key = crypto::hex(crypto::random_bytes(32));
    fs::path rk = fs::path(opts.get_string("cachedir")) / kRootKeyName;
    std::error_code ec;
    fs::remove(rk, ec);
    BRINE_TRY(crypto::write_file_atomic(rk, root_key, 0400));
    BRINE_TRY(acl.write_user_keys(opts.get_string("cachedir")));
    if (!acl.empty()) {
      // publisher_acl users reach their own key file and the local socket; the
      // key file (0400, theirs) is what proves who they are.
      ::chmod(opts.get_string("cachedir").c_str(), 0711);
      ::chmod(opts.get_string("sock_dir").c_str(), 0711);
    }
    std::lock_guard lock(session_mu);
    std::mt19937 rng(std::random_device{}());
    session = protocol::SessionKey::generate(rng() & 0x7fffffff);
    session_started = std::chrono::steady_clock::now();
    return ok();
  }

  Status bind_sockets() {
    std::string iface = opts.get_string("interface", "0.0.0.0");
    // The minions' ports (publish_port, ret_port) use Salt's `transport`; the
    // local ipc sockets are always ZeroMQ.
    auto backend = daemon::transport_backend(opts);
    if (!backend) return backend.error();
    log->info("minion ports on {} use the {} transport", iface, transport::backend_name(*backend));
    transport::SocketOptions so;
    so.backend = *backend;
    so.send_hwm = static_cast<int>(opts.get_int("pub_hwm", 1000));
    so.backlog = static_cast<int>(opts.get_int("zmq_backlog", 1000));
    auto pub = transport::Publisher::bind({transport::tcp_endpoint(iface, publish_port())}, so);
    if (!pub) return pub.error();
    publisher = std::move(*pub);

    auto bus = EventBus::bind(opts.get_string("sock_dir"), acl.empty() ? 0600 : 0666);
    if (!bus) return bus.error();
    events = std::move(*bus);

    jobs = std::make_unique<JobManager>(opts, *events, channels, keys, acl,
                                        [this](const Value& load) { publish(load); });
    BRINE_TRY(jobs->open());

    transport::SocketOptions ro;
    ro.backend = *backend;
    ro.backlog = so.backlog;
    ro.recv_hwm = 100000;
    ro.send_hwm = 100000;
    ro.max_message_bytes = static_cast<int64_t>(protocol::kMaxFrameBytes);
    int workers = static_cast<int>(std::max<int64_t>(1, opts.get_int("worker_threads", 5)));
    auto req = transport::Server::start(
        {transport::tcp_endpoint(iface, static_cast<int>(opts.get_int("ret_port", 4506)))}, workers,
        [this](std::string_view b) { return handle_request(b); }, ro, run_on_io_thread);
    if (!req) return req.error();
    request_server = std::move(*req);

    fs::path local = fs::path(opts.get_string("sock_dir")) / kLocalSocketName;
    std::error_code ec;
    fs::remove(local, ec);
    transport::SocketOptions lo;
    lo.ipc_mode = acl.empty() ? 0600 : 0666;
    auto loc = transport::Server::start(
        {transport::ipc_endpoint(local.string())}, 2,
        [this](std::string_view b) { return handle_local(b); }, lo);
    if (!loc) return loc.error();
    local_server = std::move(*loc);
    return ok();
  }

  // Salt's max_open_files: every minion costs two descriptors (its request and
  // publish connections), so raise the soft limit a shell may have left at
  // 1,024 toward max_open_files, up to the hard limit.
  void set_max_open_files() {
    auto wanted =
        static_cast<uint64_t>(std::max<int64_t>(1, opts.get_int("max_open_files", 100000)));
    auto r = daemon::raise_open_files_limit(wanted);
    if (!r) {
      log->critical(
          "Failed to raise max open files setting to {} ({}). If this value is too low, the "
          "brine-master will most likely fail to run properly.",
          wanted, r.error().message);
      return;
    }
    log->info("Current values for max open files soft/hard setting: {}/{}",
              show_limit(r->before.soft), show_limit(r->before.hard));
    if (r->capped) {
      log->info(
          "The value for the 'max_open_files' setting, {}, is higher than the highest value the "
          "user running brine is allowed to set ({}). Defaulting to {}.",
          wanted, r->target, r->target);
    }
    if (r->after.soft != r->before.soft) {
      log->info("Raising max open files value to {}", r->target);
      log->info("New values for max open files soft/hard values: {}/{}", show_limit(r->after.soft),
                show_limit(r->after.hard));
    }
  }

  // Salt's check_max_open_files, each loop_interval: warns as accepted keys
  // approach a quarter of the soft limit.
  void check_max_open_files() {
    auto limit = daemon::open_files_limit();
    if (!limit) return;
    size_t accepted = keys.list(KeyState::kAccepted).size();
    log->debug("This brine-master instance has accepted {} minion keys.", accepted);
    auto wanted =
        static_cast<uint64_t>(std::max<int64_t>(1, opts.get_int("max_open_files", 100000)));
    auto advice = daemon::open_files_advice(accepted, wanted, *limit);
    if (!advice) return;
    switch (advice->level) {
      case daemon::OpenFilesAdvice::Level::kInfo:
        log->info("{}", advice->message);
        break;
      case daemon::OpenFilesAdvice::Level::kWarning:
        log->warn("{}", advice->message);
        break;
      case daemon::OpenFilesAdvice::Level::kCritical:
        log->critical("{}", advice->message);
        break;
    }
  }

  // ------------------------------------------------------------ request channel
  //
  // The receive path reads top to bottom: peek the type, then auth or channel.
  // Every early return logs once at debug and answers a clear error frame; the
  // worker keeps serving whatever a peer sends.
  std::string handle_request(std::string_view bytes) {
    auto header = protocol::peek_frame(bytes);
    if (!header) {
      log->debug("dropping malformed request: {}", header.error().to_string());
      return protocol::make_error_reply(protocol::kErrorBadFrame, header.error().message);
    }
    if (header->type == protocol::MessageType::kAuth) return on_auth(bytes);
    if (header->type == protocol::MessageType::kChannel) return on_channel(*header);
    return protocol::make_error_reply(protocol::kErrorBadFrame, "unexpected message type");
  }

  std::string on_auth(std::string_view bytes) {
    auto req = protocol::open_auth_request(bytes, unix_now());
    if (!req) {
      log->warn("refused auth request: {}", req.error().to_string());
      return protocol::make_error_reply(protocol::kErrorBadFrame, req.error().message);
    }
    if (!auth_replay.first_use(req->nonce, unix_now())) {
      log->warn("refused replayed auth request for '{}'", req->id);
      return protocol::make_error_reply(protocol::kErrorBadFrame, "replayed auth request");
    }
    std::string key_text = crypto::armor_public_key(req->pub);
    Result<AuthStatus> decision = AuthStatus::kRejected;
    {
      std::lock_guard lock(auth_mu);
      decision = keys.authorize(req->id, key_text, policy_from(opts));
    }
    if (!decision) {
      log->error("auth of '{}' failed: {}", req->id, decision.error().to_string());
      return protocol::make_error_reply(protocol::kErrorBusy, "master could not decide");
    }
    events->fire("salt/auth", Value::map({{"result", *decision == AuthStatus::kAccept ||
                                                         *decision == AuthStatus::kPending},
                                          {"act", std::string(auth_act(*decision))},
                                          {"id", req->id},
                                          {"pub", key_text}}));
    if (*decision != AuthStatus::kAccept) {
      log->info("authentication of '{}': {}", req->id, auth_act(*decision));
      return protocol::make_auth_reply(identity, *req, to_protocol(*decision), publish_port(),
                                       nullptr, nullptr);
    }
    protocol::ChannelKeys ck;
    std::string reply;
    uint32_t kid_at_auth = 0;
    {
      std::lock_guard lock(session_mu);
      reply = protocol::make_auth_reply(identity, *req, protocol::AuthStatus::kAccept,
                                        publish_port(), &session, &ck, serial);
      kid_at_auth = session.kid;
    }
    auto entry = std::make_shared<ChannelEntry>();
    entry->kid_at_auth = kid_at_auth;
    entry->id = req->id;
    entry->key_text = key_text;
    entry->channel = std::make_unique<protocol::Channel>(std::move(ck));
    entry->touch();
    if (req->mode == protocol::AuthMode::kCall) {
      // A one-off caller (brine-call): its channel must not displace the daemon's.
      channels.add_ephemeral(std::move(entry));
      log->info("authenticated a caller for minion '{}' (ephemeral channel)", req->id);
      return reply;
    }
    channels.add(std::move(entry));
    log->info("authenticated minion '{}'", req->id);
    return reply;
  }

  std::string on_channel(const protocol::FrameHeader& header) {
    auto entry = channels.find(std::string(header.sid));
    if (!entry) {
      return protocol::make_error_reply(protocol::kErrorUnknownChannel, "authenticate again");
    }
    auto opened = entry->channel->open(header);
    if (!opened) {
      log->debug("dropping channel frame from '{}': {}", entry->id, opened.error().to_string());
      return protocol::make_error_reply(protocol::kErrorBadFrame, "frame refused");
    }
    entry->touch();
    auto payload = codec::msgpack_unpack(opened->payload);
    if (!payload || !payload->is_map()) {
      return entry->channel->seal_reply(
          opened->ctr, codec::msgpack_pack(Value::map({{"error", "payload is not a map"}})));
    }
    if (payload->get_string("cmd") == "session_key") {
      // The key travels in its own reply type and never enters a Value or a log.
      // A minion whose channel predates this key was connected for every
      // publication made under it, so it may open all of them (the ones it held
      // while fetching); one that authenticated under this key got its floor then.
      std::lock_guard lock(session_mu);
      uint64_t floor = entry->kid_at_auth == session.kid ? serial : 0;
      return protocol::make_session_key_reply(*entry->channel, opened->ctr, session, floor);
    }
    return entry->channel->seal_reply(opened->ctr, codec::msgpack_pack(dispatch(*entry, *payload)));
  }

  // Commands a minion may send on its channel: an explicit allow-list.
  Value dispatch(ChannelEntry& entry, Value& req) {
    std::string cmd = req.get_string("cmd");
    if (entry.ephemeral && !ephemeral_command_allowed(cmd)) {
      return Value::map({{"error", "'" + cmd + "' is not allowed on a caller's channel"}});
    }
    if (cmd == "ping") {
      std::lock_guard lock(session_mu);
      return Value::map({{"ok", true}, {"kid", static_cast<int64_t>(session.kid)}});
    }
    if (cmd == "_return") {
      Value* load = req.find("load");
      if (!load || !load->is_map()) return Value::map({{"error", "return without a load"}});
      std::string jid = jobs->on_return(entry.id, std::move(*load));
      return Value::map({{"ok", !jid.empty()}, {"jid", jid}});
    }
    if (cmd == "_grains") {
      if (const Value* g = req.find("grains"); g && g->is_map()) entry.set_grains(*g);
      return Value::map({{"ok", true}});
    }
    if (cmd == "close") {  // a caller is done with its channel
      channels.drop(entry.channel->sid());
      return Value::map({{"ok", true}});
    }
    if (cmd == "minion_stop") {
      // A clean shutdown: the minion is no longer connected.
      std::string sid = entry.channel->sid();
      channels.drop_if([&](const ChannelEntry& e) { return e.channel->sid() == sid; });
      return Value::map({{"ok", true}});
    }
    if (cmd == "minion_start") {
      if (const Value* g = req.find("grains"); g && g->is_map()) entry.set_grains(*g);
      events->fire(
          "salt/minion/" + entry.id + "/start",
          Value::map({{"id", entry.id},
                      {"data", "Minion " + entry.id + " started at " + EventBus::stamp_now()}}));
      return Value::map({{"ok", true}});
    }
    return Value::map({{"error", "unknown command '" + cmd + "'"}});
  }

  // ------------------------------------------------------------ local API (CLIs)
  std::string handle_local(std::string_view bytes) {
    auto req = codec::msgpack_unpack(bytes);
    if (!req || !req->is_map()) {
      return codec::msgpack_pack(Value::map({{"error", "malformed request"}}));
    }
    auto user = acl.authenticate(req->get_string("user"), req->get_string("key"), root_key);
    if (!user) return codec::msgpack_pack(Value::map({{"error", user.error().message}}));
    std::string cmd = req->get_string("cmd");
    if (*user != "root" && cmd != "publish" && cmd != "returns" && cmd != "connected" &&
        cmd != "probe") {
      return codec::msgpack_pack(Value::map({{"error", "Authorization error occurred."}}));
    }
    Value reply;
    if (cmd == "key_event") {
      reply = on_key_event(*req);
    } else if (cmd == "publish") {
      const Value* load = req->find("load");
      reply = load && load->is_map() ? jobs->publish(*load, *user)
                                     : Value::map({{"error", "publish needs a load"}});
    } else if (cmd == "returns") {
      reply = jobs->returns(req->get_string("jid"));
    } else if (cmd == "runner") {
      const Value* a = req->find("arg");
      const Value* k = req->find("kwarg");
      reply = jobs->runner(req->get_string("fun"), a && a->is_list() ? a->as_list() : List{},
                           k && k->is_map() ? k->as_map() : Map{});
    } else if (cmd == "probe") {
      // Lets a CLI know its event subscription is live (master/client.cpp).
      std::string tag = req->get_string("tag");
      if (tag.starts_with("salt/job/_probe/") && tag.size() < 128) events->fire(tag, Value::map());
      reply = Value::map({{"ok", true}});
    } else if (cmd == "connected") {
      reply = Value::map({{"minions", connected_ids()}});
    } else {
      reply = Value::map({{"error", "unknown command '" + cmd + "'"}});
    }
    return codec::msgpack_pack(reply);
  }

  Value on_key_event(const Value& req) {
    bool removed = false;
    if (const Value* evs = req.find("events"); evs && evs->is_list()) {
      for (const auto& ev : evs->as_list()) {
        std::string act = ev.get_string("act");
        if (act == "delete" || act == "reject") removed = true;
        events->fire("salt/key",
                     Value::map({{"result", true}, {"act", act}, {"id", ev.get_string("id")}}));
      }
    }
    reconcile_keys(removed);
    return Value::map({{"ok", true}});
  }

  // Publishes one load to every minion (they match the target themselves).
  void publish(const Value& load) {
    std::string payload = codec::msgpack_pack(load);
    // Serial order on the wire must be the order serials are assigned (minions
    // refuse a serial below one they accepted), so send under the same lock;
    // publish() never blocks (PUB, dontwait).
    std::lock_guard lock(session_mu);
    publisher->publish(protocol::make_publication(identity, session, ++serial, payload));
  }

  // Minions whose channel carried a frame within three heartbeats: Salt's
  // presence ("connected"). A minion sends a heartbeat every heartbeat_interval.
  Value connected_ids() {
    auto window =
        std::chrono::seconds(3 * std::max<int64_t>(1, opts.get_int("heartbeat_interval", 10)) + 1);
    List ids;
    for (auto& id : channels.ids()) {
      auto e = channels.find_id(id);
      if (e && e->alive(window)) ids.emplace_back(id);
    }
    std::sort(ids.begin(), ids.end(),
              [](const Value& a, const Value& b) { return a.as_string() < b.as_string(); });
    return Value(std::move(ids));
  }

  // ------------------------------------------------------------ keys and rotation
  //
  // Drops channels whose key is no longer accepted as they authenticated with it,
  // and rotates the session key when a key left (delete/reject) so that minion can
  // no longer read publications.
  void reconcile_keys(bool force_rotate) {
    auto dropped = channels.drop_if([this](const ChannelEntry& e) {
      auto current = keys.read(KeyState::kAccepted, e.id);
      return !current || *current != e.key_text;
    });
    for (auto& id : dropped) log->info("minion '{}' lost its accepted key; channel closed", id);
    bool rotate = force_rotate || !dropped.empty();
    const Value* rk = opts.find("rotate_aes_key");
    if (rotate && !(rk && rk->is_bool() && !rk->as_bool())) rotate_session_key("key change");
  }

  void rotate_session_key(const char* why) {
    {
      std::lock_guard lock(session_mu);
      session = protocol::SessionKey::generate(session.kid + 1);
      serial = 0;
      session_started = std::chrono::steady_clock::now();
      publisher->publish(protocol::make_rotate_notice(identity, session.kid, unix_now()));
    }
    // Callers' channels got the old key at auth; they re-authenticate if they need to.
    channels.drop_ephemeral();
    log->info("rotated the session key ({})", why);
    events->fire("key", Value::map({{"rotate_aes_key", true}}));
  }

  std::vector<fs::file_time_type> read_key_dir_mtimes() {
    std::vector<fs::file_time_type> out;
    for (auto s : kAllKeyStates) {
      std::error_code ec;
      out.push_back(fs::last_write_time(keys.pki_dir() / dir_name(s), ec));
    }
    return out;
  }

  void maintenance_loop() {
    key_dir_mtimes = read_key_dir_mtimes();
    int64_t publish_session = opts.get_int("publish_session", 86400);
    auto loop_interval =
        std::chrono::seconds(std::max<int64_t>(1, opts.get_int("loop_interval", 60)));
    auto next_clean = std::chrono::steady_clock::now();
    auto next_trim = std::chrono::steady_clock::now() + kTrimInterval;
    while (!stopping.load()) {
      {
        std::unique_lock lock(wake_mu);
        wake.wait_for(lock, std::chrono::seconds(1), [this] { return stopping.load(); });
      }
      if (stopping.load()) break;
      // brine-key tells us directly; this catches edits made any other way.
      auto now_mtimes = read_key_dir_mtimes();
      if (now_mtimes != key_dir_mtimes) {
        key_dir_mtimes = now_mtimes;
        reconcile_keys(false);
      }
      bool due = false;
      {
        std::lock_guard lock(session_mu);
        due = publish_session > 0 && std::chrono::steady_clock::now() - session_started >
                                         std::chrono::seconds(publish_session);
      }
      if (due) rotate_session_key("publish_session elapsed");
      channels.drop_idle_ephemeral(kEphemeralIdle);
      if (std::chrono::steady_clock::now() >= next_clean) {
        jobs->clean();
        check_max_open_files();
        next_clean = std::chrono::steady_clock::now() + loop_interval;
      }
      if (std::chrono::steady_clock::now() >= next_trim) {
        release_free_memory();
        next_trim = std::chrono::steady_clock::now() + kTrimInterval;
      }
    }
  }
};

Master::Master(Value opts) : impl_(std::make_unique<Impl>(std::move(opts))) {}
Master::~Master() { stop(); }

Status Master::start() {
  BRINE_TRY(impl_->prepare_dirs());
  BRINE_TRY(impl_->load_identity());
  impl_->set_max_open_files();
  BRINE_TRY(impl_->bind_sockets());
  impl_->maintenance = std::thread([this] { impl_->maintenance_loop(); });
  impl_->log->info("brine-master {} started: publish_port {}, ret_port {}", BRINE_VERSION,
                   impl_->publish_port(), impl_->opts.get_int("ret_port", 4506));
  return ok();
}

void Master::stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  impl_->wake.notify_all();
  if (impl_->maintenance.joinable()) impl_->maintenance.join();
  if (impl_->request_server) impl_->request_server->stop();
  if (impl_->local_server) impl_->local_server->stop();
  impl_->log->info("brine-master stopped");
}

int Master::run() {
  daemon::SignalWaiter signals;
  if (auto s = start(); !s) {
    impl_->log->critical("{}", s.error().to_string());
    stop();
    return 1;
  }
  if (auto s = daemon::drop_privileges(impl_->opts.get_string("user")); !s) {
    impl_->log->critical("{}", s.error().to_string());
    stop();
    return 1;
  }
  while (signals.wait(std::chrono::seconds(1)) == 0) {
  }
  stop();
  return 0;
}

}  // namespace brine::master
