#include "common/protocol/auth.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "common/crypto/core.h"
#include "common/protocol/codec.h"
#include "common/protocol/keys_internal.h"

namespace brine::protocol {
namespace {

using detail::as_sv;
using detail::Decoded;
using detail::Encoder;

// Canonical fields of an auth request (everything but "sig").
std::string auth_request_fields(std::string_view id, const crypto::PublicKey& pub,
                                const crypto::KxPublicKey& eph, const Nonce& nonce, int64_t ts,
                                std::string_view grains, AuthMode mode, uint32_t* n) {
  std::string f;
  f.reserve(200 + id.size() + grains.size());
  Encoder e(f);
  e.header(MessageType::kAuth);
  e.kv_str(kFieldId, id);
  e.kv_bin(kFieldPub, pub.view());
  e.kv_bin(kFieldEph, crypto::as_view(eph));
  e.kv_bin(kFieldNonce, crypto::as_view(nonce));
  e.kv_sint(kFieldTs, ts);
  *n = 7;
  if (!grains.empty()) {
    e.kv_bin(kFieldGrains, grains);
    ++*n;
  }
  if (mode == AuthMode::kCall) {
    e.kv_str(kFieldMode, kModeCall);
    ++*n;
  }
  return f;
}

// The request context the reply signature covers without resending it.
std::string reply_binding(std::string_view id, const crypto::PublicKey& minion_pub,
                          const crypto::KxPublicKey& eph) {
  std::string b;
  Encoder e(b);
  e.map(3);
  e.kv_str(kFieldId, id);
  e.kv_bin(kFieldPub, minion_pub.view());
  e.kv_bin(kFieldEph, crypto::as_view(eph));
  return b;
}

struct ReplyFields {
  AuthStatus status;
  Nonce nonce;
  crypto::PublicKey master_pub;
  uint16_t publish_port;
  // accept only
  crypto::KxPublicKey meph{};
  std::string_view sid;
  uint32_t kid = 0;
  std::string_view skey;
  uint64_t serial = 0;
};

std::string auth_reply_fields(const ReplyFields& r, uint32_t* n) {
  std::string f;
  f.reserve(300);
  Encoder e(f);
  e.header(MessageType::kAuthReply);
  e.kv_str(kFieldStatus, to_string(r.status));
  e.kv_bin(kFieldNonce, crypto::as_view(r.nonce));
  e.kv_bin(kFieldMasterPub, r.master_pub.view());
  e.kv_uint(kFieldPublishPort, r.publish_port);
  *n = 6;
  if (r.status == AuthStatus::kAccept) {
    e.kv_bin(kFieldMasterEph, crypto::as_view(r.meph));
    e.kv_bin(kFieldSid, r.sid);
    e.kv_uint(kFieldKid, r.kid);
    e.kv_bin(kFieldSessionKey, r.skey);
    e.kv_uint(kFieldSerial, r.serial);
    *n = 11;
  }
  return f;
}

template <size_t N>
void copy_to(std::array<uint8_t, N>& out, std::string_view b) {
  std::memcpy(out.data(), b.data(), N);
}

}  // namespace

std::string make_auth_request(const crypto::KeyPair& minion, std::string_view id, AuthState& st) {
  return make_auth_request(minion, id, st, unix_now());
}

std::string make_auth_request(const crypto::KeyPair& minion, std::string_view id, AuthState& st,
                              int64_t now, std::string_view autosign_grains, AuthMode mode) {
  st.id = std::string(id);
  st.minion_pub = minion.pub;
  st.eph = crypto::kx_generate();
  crypto::random_fill(st.nonce);
  st.ts = now;
  uint32_t n = 0;
  std::string fields =
      auth_request_fields(id, minion.pub, st.eph.pub, st.nonce, now, autosign_grains, mode, &n);
  return detail::make_signed(minion, n, fields);
}

Result<AuthRequest> open_auth_request(std::string_view bytes, int64_t now, int64_t max_skew_s) {
  auto d = Decoded::parse(bytes, kMaxAuthBytes, MessageType::kAuth);
  if (!d) {
    return d.error();
  }
  BRINE_TRY(d->only({kFieldId, kFieldPub, kFieldEph, kFieldNonce, kFieldTs, kFieldGrains,
                     kFieldMode, kFieldSig}));
  auto id = d->str(kFieldId, kMaxIdBytes + 1);  // +1: let check_minion_id word it
  auto pub = d->bin(kFieldPub, kKeyBytes);
  auto eph = d->bin(kFieldEph, kKeyBytes);
  auto nonce = d->bin(kFieldNonce, kNonceBytes);
  auto ts = d->sint(kFieldTs);
  auto sig = d->bin(kFieldSig, kSignatureBytes);
  for (const Error* e : {id ? nullptr : &id.error(), pub ? nullptr : &pub.error(),
                         eph ? nullptr : &eph.error(), nonce ? nullptr : &nonce.error(),
                         ts ? nullptr : &ts.error(), sig ? nullptr : &sig.error()}) {
    if (e != nullptr) {
      return *e;
    }
  }
  std::string_view grains;
  if (d->has(kFieldGrains)) {
    auto g = d->bin_max(kFieldGrains, kMaxGrainsBytes);
    if (!g) {
      return g.error();
    }
    if (g->empty()) {
      return make_error(Errc::kParse, "empty (omit the field instead)", "auth.grains");
    }
    grains = *g;
  }
  AuthMode mode = AuthMode::kMinion;
  if (d->has(kFieldMode)) {
    auto m = d->str(kFieldMode, kMaxModeBytes);
    if (!m) {
      return m.error();
    }
    if (*m != kModeCall) {
      return make_error(Errc::kProtocol, "unknown mode '" + printable(*m) + "'", "auth.mode");
    }
    mode = AuthMode::kCall;
  }

  BRINE_TRY(check_minion_id(*id));
  // Unsigned arithmetic: the difference of two int64 values always fits.
  uint64_t skew = *ts > now ? static_cast<uint64_t>(*ts) - static_cast<uint64_t>(now)
                            : static_cast<uint64_t>(now) - static_cast<uint64_t>(*ts);
  if (max_skew_s < 0 || skew > static_cast<uint64_t>(max_skew_s)) {
    return make_error(Errc::kTimeout,
                      "auth request from '" + printable(*id) + "' is " +
                          (*ts > now ? "ahead of" : "behind") + " the master's clock by " +
                          std::to_string(skew) + " s (limit " + std::to_string(max_skew_s) +
                          " s); check the clocks or this is a replay",
                      "auth.ts");
  }

  AuthRequest req;
  req.version = d->version();
  req.id = std::string(*id);
  crypto::PublicKey::from_bytes(*pub, req.pub);
  copy_to(req.eph, *eph);
  copy_to(req.nonce, *nonce);
  req.ts = *ts;
  req.autosign_grains = std::string(grains);
  req.mode = mode;

  uint32_t n = 0;
  std::string fields =
      auth_request_fields(req.id, req.pub, req.eph, req.nonce, req.ts, grains, mode, &n);
  if (!detail::verify_signed(req.pub, n, fields, {}, *sig)) {
    return make_error(Errc::kCrypto,
                      "bad signature on auth request from '" + printable(req.id) +
                          "' (no proof of possession of the presented key)",
                      "auth.sig");
  }
  if (!crypto::kx_public_key_valid(req.eph)) {
    return make_error(
        Errc::kCrypto,
        "auth request from '" + printable(req.id) + "' carries an invalid ephemeral key",
        "auth.eph");
  }
  return req;
}

std::string make_auth_reply(const crypto::KeyPair& master, const AuthRequest& req,
                            AuthStatus status, uint16_t publish_port, const SessionKey* session,
                            ChannelKeys* out_master_side, uint64_t pub_serial) {
  ReplyFields r;
  r.status = status;
  r.nonce = req.nonce;
  r.master_pub = master.pub;
  r.publish_port = publish_port;
  std::string sid;
  std::string skey;
  if (status == AuthStatus::kAccept) {
    BRINE_ASSERT(session != nullptr && out_master_side != nullptr);
    BRINE_ASSERT(session->key.size() == kSessionKeyBytes);
    crypto::KxKeyPair meph = crypto::kx_generate();
    auto kx = crypto::kx_server(meph, req.eph);
    // open_auth_request refuses low-order ephemeral keys, so this cannot fail
    // for a request that came from it.
    BRINE_ASSERT(kx.has_value());
    sid = crypto::random_bytes(kSidBytes);
    *out_master_side = detail::derive_channel_keys(Side::kMaster, *kx, req.pub, master.pub, req.id,
                                                   req.nonce, sid);
    skey = detail::seal_session_key(*out_master_side, *session);
    r.meph = meph.pub;
    r.sid = sid;
    r.kid = session->kid;
    r.skey = skey;
    r.serial = pub_serial;
  }
  uint32_t n = 0;
  std::string fields = auth_reply_fields(r, &n);
  return detail::make_signed(master, n, fields, reply_binding(req.id, req.pub, req.eph));
}

Result<AuthResult> open_auth_reply(std::string_view bytes, const AuthState& st,
                                   const std::optional<crypto::PublicKey>& pinned_master,
                                   std::string_view master_finger) {
  // Our own id goes into the key derivation; refuse an invalid one here
  // rather than trusting the master to have refused it.
  BRINE_TRY(check_minion_id(st.id));
  auto d = Decoded::parse(bytes, kMaxAuthBytes, MessageType::kAuthReply);
  if (!d) {
    return d.error();
  }
  auto status_s = d->str(kFieldStatus, 16);
  if (!status_s) {
    return status_s.error();
  }
  auto status = parse_auth_status(*status_s);
  if (!status) {
    return make_error(Errc::kProtocol, "unknown status '" + printable(*status_s) + "'",
                      "auth_reply.status");
  }
  const bool accept = *status == AuthStatus::kAccept;
  if (accept) {
    BRINE_TRY(
        d->only({kFieldStatus, kFieldNonce, kFieldMasterPub, kFieldPublishPort, kFieldMasterEph,
                 kFieldSid, kFieldKid, kFieldSessionKey, kFieldSerial, kFieldSig}));
  } else {
    BRINE_TRY(d->only({kFieldStatus, kFieldNonce, kFieldMasterPub, kFieldPublishPort, kFieldSig}));
  }
  auto nonce = d->bin(kFieldNonce, kNonceBytes);
  auto mpub = d->bin(kFieldMasterPub, kKeyBytes);
  auto port = d->uint(kFieldPublishPort, UINT16_MAX);
  auto sig = d->bin(kFieldSig, kSignatureBytes);
  for (const Error* e : {nonce ? nullptr : &nonce.error(), mpub ? nullptr : &mpub.error(),
                         port ? nullptr : &port.error(), sig ? nullptr : &sig.error()}) {
    if (e != nullptr) {
      return *e;
    }
  }
  ReplyFields r;
  r.status = *status;
  copy_to(r.nonce, *nonce);
  crypto::PublicKey::from_bytes(*mpub, r.master_pub);
  r.publish_port = static_cast<uint16_t>(*port);
  if (accept) {
    auto meph = d->bin(kFieldMasterEph, kKeyBytes);
    auto sid = d->bin(kFieldSid, kSidBytes);
    auto kid = d->uint(kFieldKid, UINT32_MAX);
    auto skey = d->bin(kFieldSessionKey, kSessionKeyBytes + kAeadTagBytes);
    auto serial = d->uint(kFieldSerial);
    for (const Error* e : {meph ? nullptr : &meph.error(), sid ? nullptr : &sid.error(),
                           kid ? nullptr : &kid.error(), skey ? nullptr : &skey.error(),
                           serial ? nullptr : &serial.error()}) {
      if (e != nullptr) {
        return *e;
      }
    }
    copy_to(r.meph, *meph);
    r.sid = *sid;
    r.kid = static_cast<uint32_t>(*kid);
    r.skey = *skey;
    r.serial = *serial;
  }

  // The reply must answer our request...
  if (!crypto::equal_ct(crypto::as_view(r.nonce), crypto::as_view(st.nonce))) {
    return make_error(Errc::kCrypto, "reply does not answer our auth request (nonce mismatch)",
                      "auth_reply.nonce");
  }
  // ...come from the master we trust...
  AuthResult res;
  res.master_pub = r.master_pub;
  if (pinned_master) {
    if (!(*pinned_master == r.master_pub)) {
      return make_error(Errc::kCrypto,
                        "the master key has changed (pinned " +
                            crypto::fingerprint(*pinned_master) + ", offered " +
                            crypto::fingerprint(r.master_pub) +
                            "); the master could have been subverted",
                        "auth_reply.master_pub");
    }
    res.master_pinned = true;
  }
  if (!master_finger.empty()) {
    std::string got = crypto::fingerprint(r.master_pub);
    if (!crypto::fingerprint_equal(got, master_finger)) {
      return make_error(Errc::kPermissionDenied,
                        "master fingerprint " + got + " does not match master_finger " +
                            printable(master_finger, 128),
                        "auth_reply.master_pub");
    }
  }
  // ...and be signed by it over this exchange.
  uint32_t n = 0;
  std::string fields = auth_reply_fields(r, &n);
  if (!detail::verify_signed(r.master_pub, n, fields,
                             reply_binding(st.id, st.minion_pub, st.eph.pub), *sig)) {
    return make_error(Errc::kCrypto, "bad master signature on auth reply", "auth_reply.sig");
  }
  res.status = r.status;
  res.publish_port = r.publish_port;
  if (!accept) {
    return res;
  }
  auto kx = crypto::kx_client(st.eph, r.meph);
  if (!kx) {
    return make_error(Errc::kCrypto, kx.error().message, "auth_reply.meph");
  }
  ChannelKeys keys = detail::derive_channel_keys(Side::kMinion, *kx, st.minion_pub, r.master_pub,
                                                 st.id, st.nonce, r.sid);
  auto session = detail::open_session_key(keys, r.kid, r.skey);
  if (!session) {
    return session.error();
  }
  res.channel = std::move(keys);
  res.session = std::move(*session);
  res.pub_serial = r.serial;
  return res;
}

AuthReplayGuard::AuthReplayGuard(size_t capacity, int64_t max_skew_s)
    : capacity_(capacity == 0 ? 1 : capacity), ttl_s_(2 * max_skew_s + 1) {}

bool AuthReplayGuard::first_use(const Nonce& nonce, int64_t now) {
  std::string key(crypto::as_view(nonce));
  std::lock_guard lock(mu_);
  while (!order_.empty() && (order_.front().first <= now || order_.size() >= capacity_)) {
    seen_.erase(order_.front().second);
    order_.pop_front();
  }
  if (!seen_.insert(key).second) {
    return false;
  }
  order_.emplace_back(now + ttl_s_, std::move(key));
  return true;
}

}  // namespace brine::protocol
