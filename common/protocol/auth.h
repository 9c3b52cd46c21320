// The auth handshake on the request channel (minion = client).
//
//   minion                                   master
//   make_auth_request ---- auth ----------->  open_auth_request (verified)
//                                             key store decides the status
//   open_auth_reply  <--- auth_reply ------   make_auth_reply
//
// auth: {v, t="auth", id, pub, eph, nonce, ts, [grains], [mode], sig}. `sig` is the
// minion's Ed25519 signature over the canonical encoding of every other
// field, so the master gets proof that the sender holds the secret key of
// `pub` (Salt CVE-2024-38825 class) and that id/eph/nonce/ts are the
// minion's own.
//
// auth_reply: {v, t="auth_reply", status, nonce, master_pub, publish_port,
// [meph, sid, kid, skey, serial], sig}. The bracketed fields are present only
// when status is "accept". `sig` is the master's signature over the canonical
// fields *and* the request's id, pub and eph (transcript binding, not sent
// again), so every reply, including "rejected", is authenticated (Salt
// CVE-2022-22935) and bound to one request.
//
// Channel keys: crypto_kx over the two ephemeral X25519 keys (forward
// secrecy), then each direction's key = BLAKE2b-256 keyed by the kx output
// over (context, direction, minion pub, master pub, id, nonce, sid). skey is
// the session key sealed with the master->minion key. docs/protocol.md has
// the byte-level details.
//
// All functions are pure (no I/O, no logging) and thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "common/crypto/keys.h"
#include "common/crypto/primitives.h"
#include "common/protocol/types.h"
#include "common/protocol/wire_format.h"
#include "common/result.h"

namespace brine::protocol {

using Nonce = std::array<uint8_t, kNonceBytes>;

// Minion-side state between make_auth_request and open_auth_reply. Holds the
// ephemeral secret; destroy it once the reply is processed.
struct AuthState {
  std::string id;
  crypto::PublicKey minion_pub;
  crypto::KxKeyPair eph;
  Nonce nonce{};
  int64_t ts = 0;
};

// A verified auth request (output of open_auth_request).
struct AuthRequest {
  uint32_t version = kProtocolVersion;
  std::string id;
  crypto::PublicKey pub;
  crypto::KxPublicKey eph{};
  Nonce nonce{};
  int64_t ts = 0;
  // Opaque msgpack map of grains for autosign_grains; empty when not sent.
  // Signed by the minion, but self-declared: see docs/security.md.
  std::string autosign_grains;
  // kCall when the request carried mode "call" (a one-off caller).
  AuthMode mode = AuthMode::kMinion;
};

// The minion's view of a verified auth reply.
struct AuthResult {
  AuthStatus status = AuthStatus::kRejected;
  crypto::PublicKey master_pub;
  // True when master_pub equals the pinned key passed in; false when nothing
  // was pinned (trust on first use): the caller should pin master_pub now
  // (write minion_master.pub) if the status warrants it.
  bool master_pinned = false;
  uint16_t publish_port = 0;
  // Present exactly when status == kAccept.
  std::optional<ChannelKeys> channel;
  std::optional<SessionKey> session;
  // Accept only: the last publication serial the master used with
  // session->kid. Pass it to PublicationVerifier::set_session_key so that
  // publications captured before this auth cannot be replayed.
  uint64_t pub_serial = 0;
};

// Builds a signed auth request for `id` and fills `st` (fresh ephemeral key
// and nonce). `now` is unix seconds (defaults to the system clock);
// `autosign_grains` is an optional msgpack map (<= kMaxGrainsBytes); `mode`
// kCall adds the field mode "call" (a one-off caller's ephemeral channel). The
// id should satisfy check_minion_id; the master refuses it otherwise.
std::string make_auth_request(const crypto::KeyPair& minion, std::string_view id, AuthState& st);
std::string make_auth_request(const crypto::KeyPair& minion, std::string_view id, AuthState& st,
                              int64_t now, std::string_view autosign_grains = {},
                              AuthMode mode = AuthMode::kMinion);

// Master side: decodes and verifies an auth request. Checks, cheapest first:
// size/format/version, id grammar, |now - ts| <= max_skew_s, the signature by
// the enclosed public key, and that the ephemeral key is usable.
// Errors: kParse/kProtocol/kUnsupported (malformed), kInvalidArgument (bad
// id), kTimeout (clock skew / stale request), kCrypto (signature or key).
Result<AuthRequest> open_auth_request(std::string_view bytes, int64_t now,
                                      int64_t max_skew_s = kDefaultMaxClockSkewS);

// Master side: builds the signed reply. For kAccept, `session` and
// `out_master_side` must be non-null (BRINE_ASSERT): a fresh ephemeral key
// and sid are made, the channel keys are written to *out_master_side, and the
// session key is sealed into the reply. `pub_serial` is the last serial
// published under session->kid (see AuthResult::pub_serial). For other
// statuses both pointers are ignored. `req` must come from open_auth_request.
std::string make_auth_reply(const crypto::KeyPair& master, const AuthRequest& req,
                            AuthStatus status, uint16_t publish_port, const SessionKey* session,
                            ChannelKeys* out_master_side, uint64_t pub_serial = 0);

// Minion side: decodes and verifies a reply to the request that produced
// `st`. Checks: format, the nonce echo, master_pub against `pinned_master`
// (when set), master_pub against `master_finger` (when not empty), the
// signature, and for accept the key exchange and the sealed session key.
// Errors: kParse/kProtocol/kUnsupported (malformed), kCrypto (nonce
// mismatch, bad signature, master key changed), kPermissionDenied
// (master_finger mismatch; Salt exits 42 on this).
Result<AuthResult> open_auth_reply(std::string_view bytes, const AuthState& st,
                                   const std::optional<crypto::PublicKey>& pinned_master,
                                   std::string_view master_finger);

// Master side, optional: remembers auth nonces seen within the clock-skew
// window so a captured auth request cannot be replayed (a replay gains no
// keys, but would make the master open a channel and fire auth events).
// Bounded: past `capacity` entries the oldest is forgotten. Thread-safe.
class AuthReplayGuard {
 public:
  explicit AuthReplayGuard(size_t capacity = 65536, int64_t max_skew_s = kDefaultMaxClockSkewS);
  // True the first time `nonce` is seen (and records it); false for a replay.
  bool first_use(const Nonce& nonce, int64_t now);

 private:
  std::mutex mu_;
  size_t capacity_;
  int64_t ttl_s_;
  std::unordered_set<std::string> seen_;
  std::deque<std::pair<int64_t, std::string>> order_;  // (expiry, nonce)
};

}  // namespace brine::protocol
