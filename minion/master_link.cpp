#include "minion/master_link.h"

#include <filesystem>

#include "common/codec/msgpack.h"
#include "common/crypto/crypto.h"
#include "common/daemon/transport_key.h"
#include "common/log/log.h"

namespace brine::minion {
namespace fs = std::filesystem;

namespace {
using protocol::unix_now;

AuthAttempt outcome(AuthAttempt::Outcome o, std::string detail = {}) {
  AuthAttempt a;
  a.outcome = o;
  a.detail = std::move(detail);
  return a;
}
}  // namespace

std::string master_host(const Value& opts) {
  const Value* m = opts.find("master");
  if (m && m->is_list() && !m->as_list().empty() && m->as_list()[0].is_string()) {
    return m->as_list()[0].as_string();  // multi-master: first master for now
  }
  return opts.get_string("master", "salt");
}

MasterLink::MasterLink(const Value& opts, std::string id, protocol::AuthMode mode)
    : opts_(opts), id_(std::move(id)), mode_(mode) {}

MasterLink::~MasterLink() = default;

std::string MasterLink::endpoint() const {
  return transport::tcp_endpoint(master_host(opts_),
                                 static_cast<int>(opts_.get_int("master_port", 4506)));
}

Status MasterLink::load_keys() {
  BRINE_TRY(crypto::init());
  fs::path pki = opts_.get_string("pki_dir");
  auto kp = crypto::load_or_create_keypair(pki, "minion");
  if (!kp) return kp.error();
  identity_ = std::move(*kp);
  fs::path pinned_path = pki / "minion_master.pub";
  std::error_code ec;
  if (fs::exists(pinned_path, ec)) {
    auto pk = crypto::read_public_key(pinned_path);
    if (!pk) return pk.error();
    pinned_ = *pk;
  }
  return ok();
}

Status MasterLink::connect(const transport::SocketOptions& options) {
  auto backend = daemon::transport_backend(opts_);
  if (!backend) return backend.error();
  transport::SocketOptions so = options;
  so.backend = *backend;
  auto c = transport::Client::connect(endpoint(), so);
  if (!c) return c.error();
  client_ = std::move(*c);
  return ok();
}

AuthAttempt MasterLink::authenticate(std::chrono::milliseconds timeout) {
  using O = AuthAttempt::Outcome;
  BRINE_ASSERT(client_ != nullptr);
  protocol::AuthState st;
  std::string req = protocol::make_auth_request(identity_, id_, st, unix_now(), {}, mode_);
  // A reply whose nonce answers an earlier, timed-out attempt is stale: skip
  // it and keep waiting for ours (refusing it would cost acceptance_wait_time).
  const std::string finger = opts_.get_string("master_finger");
  std::optional<Result<protocol::AuthResult>> opened;
  auto reply = client_->request(req, timeout, [&](std::string_view bytes) {
    auto got = protocol::open_auth_reply(bytes, st, pinned_, finger);
    if (!got && got.error().code == Errc::kCrypto && got.error().where == "auth_reply.nonce") {
      log::get("minion")->debug("skipped a stale auth reply");
      return false;
    }
    opened.emplace(std::move(got));
    return true;
  });
  // A reply arrives only through the predicate, which sets `opened`.
  if (!reply) return outcome(O::kNoAnswer, reply.error().to_string());
  auto& r = *opened;
  if (!r) {
    if (r.error().code == Errc::kPermissionDenied) {
      return outcome(O::kFingerMismatch, r.error().message);
    }
    return outcome(O::kBadReply, r.error().to_string());
  }
  switch (r->status) {
    case protocol::AuthStatus::kPending:
      return outcome(O::kPending);
    case protocol::AuthStatus::kRejected:
      return outcome(O::kRejected);
    case protocol::AuthStatus::kDenied:
      return outcome(O::kDenied);
    case protocol::AuthStatus::kFull:
      return outcome(O::kFull);
    case protocol::AuthStatus::kAccept:
      break;
  }
  if (!pinned_) {
    fs::path pinned_path = fs::path(opts_.get_string("pki_dir")) / "minion_master.pub";
    if (auto s = crypto::write_public_key(r->master_pub, pinned_path); !s) {
      return outcome(O::kBadReply, "cannot pin the master key: " + s.error().to_string());
    }
    pinned_ = r->master_pub;
    log::get("minion")->info("pinned the master key {}", crypto::fingerprint(r->master_pub));
  }
  {
    std::lock_guard lock(mu_);
    channel_ = std::make_shared<protocol::Channel>(std::move(*r->channel));
  }
  AuthAttempt a = outcome(O::kAccepted);
  a.session = std::move(r->session);
  a.pub_serial = r->pub_serial;
  a.publish_port = r->publish_port;
  return a;
}

std::shared_ptr<protocol::Channel> MasterLink::channel() const {
  std::lock_guard lock(mu_);
  return channel_;
}

void MasterLink::reset_channel() {
  std::lock_guard lock(mu_);
  channel_.reset();
}

Result<Value> MasterLink::call(const Value& payload, std::chrono::milliseconds timeout) {
  auto ch = channel();
  if (!ch) return make_error(Errc::kUnavailable, "not authenticated");
  std::optional<std::string> opened;
  auto r = exchange(
      *ch, codec::msgpack_pack(payload),
      [&](std::string_view bytes, uint64_t ctr) {
        auto o = ch->open_reply(bytes, ctr);
        if (!o) return false;
        opened = std::move(*o);
        return true;
      },
      timeout);
  if (!r) return r.error();
  auto v = codec::msgpack_unpack(*opened);
  if (!v) return v.error();
  return std::move(*v);
}

Status MasterLink::exchange(protocol::Channel& ch, std::string_view payload,
                            const std::function<bool(std::string_view, uint64_t)>& take,
                            std::chrono::milliseconds timeout) {
  BRINE_ASSERT(client_ != nullptr);
  uint64_t ctr = 0;
  std::string frame = ch.seal(payload, &ctr);
  std::string error_code;
  auto reply = client_->request(frame, timeout, [&](std::string_view bytes) {
    auto h = protocol::peek_frame(bytes);
    if (h && h->type == protocol::MessageType::kError) {
      auto err = protocol::open_error_reply(bytes);
      error_code = err ? err->code : "error";
      return true;
    }
    return take(bytes, ctr);
  });
  if (!reply) return reply.error();
  if (!error_code.empty()) return make_error(Errc::kUnavailable, error_code);
  return ok();
}

}  // namespace brine::minion
