// Publications (master PUB socket) and session key management.
//
// pub: {v, t="pub", kid, serial, ts, nonce, ct, sig}
//   kid     session key id
//   serial  strictly increasing per kid (replay guard)
//   ts      master clock, unix seconds (informational)
//   nonce   24 random bytes (AEAD nonce; random rather than derived from the
//           serial so a persisted key with a reset serial can never reuse one)
//   ct      XChaCha20-Poly1305-IETF(payload) under the session key, AD =
//           context || v || le32(kid) || le64(serial) || le64(ts)
//   sig     master Ed25519 signature over all of the above
//
// A minion checks, in this order: the signature with the pinned master key
// (forgeries are dropped before any other work, and a minion that holds the
// session key still cannot forge a job: the shared-key weakness of Salt), the
// kid, the serial (> last seen for that kid), then decrypts. The payload is
// opaque bytes (a msgpack-encoded brine::Value job load, encoded by the
// caller).
//
// rotate: {v, t="rotate", kid, ts, sig}: signed, clear notice that session key
// `kid` is current; minions that lack it fetch it over their channel after a
// random delay (make_session_key_reply / open_session_key_reply).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/keys.h"
#include "common/crypto/primitives.h"
#include "common/protocol/channel.h"
#include "common/protocol/types.h"
#include "common/protocol/wire_format.h"
#include "common/result.h"

namespace brine::protocol {

// Error codes of publication checks, so callers can react without parsing
// messages: a forged or malformed publication is dropped, a replay is dropped
// (and may be counted), an unknown key means "fetch the current session key".
inline constexpr Errc kPubForged = Errc::kCrypto;           // bad signature
inline constexpr Errc kPubReplayed = Errc::kAlreadyExists;  // serial <= last seen, retired kid
inline constexpr Errc kPubUnknownKey = Errc::kNotFound;     // kid unknown / key stale
// (malformed: kParse, kProtocol, kInvalidArgument, kUnsupported)

// Master side: one signed, encrypted publication. `ts` defaults to now.
std::string make_publication(const crypto::KeyPair& master, const SessionKey& session,
                             uint64_t serial, std::string_view payload);
std::string make_publication(const crypto::KeyPair& master, const SessionKey& session,
                             uint64_t serial, int64_t ts, std::string_view payload);

// A publication whose master signature has been checked; only
// verify_publication_signature makes one. Owns a copy of the ciphertext.
class VerifiedPublication {
 public:
  uint32_t version() const { return version_; }
  uint32_t kid() const { return kid_; }
  uint64_t serial() const { return serial_; }
  int64_t ts() const { return ts_; }
  size_t ciphertext_size() const { return ct_.size(); }

 private:
  friend Result<VerifiedPublication> verify_publication_signature(std::string_view,
                                                                  const crypto::PublicKey&);
  friend Result<std::string> decrypt_publication(const VerifiedPublication&, const SessionKey&);
  VerifiedPublication() = default;

  uint32_t version_ = 0;
  uint32_t kid_ = 0;
  uint64_t serial_ = 0;
  int64_t ts_ = 0;
  crypto::AeadNonce nonce_{};
  std::string ct_;
};

// Decodes a publication and checks its signature (one Ed25519 verification).
// A swarm of virtual minions does this once and hands the result to each
// minion's PublicationVerifier::open(const VerifiedPublication&).
// Errors: malformed codes, kPubForged.
Result<VerifiedPublication> verify_publication_signature(std::string_view bytes,
                                                         const crypto::PublicKey& master);

// Decrypts with `session` (kid must match) without any serial tracking.
// Errors: kPubUnknownKey (kid mismatch or the key does not decrypt).
Result<std::string> decrypt_publication(const VerifiedPublication& pub, const SessionKey& session);

struct OpenedPublication {
  std::string payload;
  uint32_t kid = 0;
  uint64_t serial = 0;
  int64_t ts = 0;
};

// Minion side: the pinned master key, the newest `keep_keys` session keys
// (the previous key stays usable so publications in flight during a rotation
// still open) and the last serial accepted per kid. Thread-safe.
class PublicationVerifier {
 public:
  explicit PublicationVerifier(crypto::PublicKey master, size_t keep_keys = 2);

  // Installs a session key (from the auth reply or a key reply) and makes it
  // current. Publications with serial <= serial_floor are refused for that
  // kid (pass AuthResult::pub_serial / SessionKeyUpdate::pub_serial).
  // Installing a kid that is already known keeps the higher of the two floors.
  void set_session_key(SessionKey key, uint64_t serial_floor = 0);
  // Drops every session key (e.g. after the master key changed).
  void clear_session_keys();
  // True when `kid` was held and has since been replaced: publications under
  // it are refused as kPubReplayed (not kPubUnknownKey), so a replayed old
  // publication cannot trigger endless key fetches.
  bool is_retired(uint32_t kid) const;
  bool has_kid(uint32_t kid) const;
  std::optional<uint32_t> current_kid() const;
  uint64_t last_serial(uint32_t kid) const;  // 0 when unknown
  const crypto::PublicKey& master() const { return master_; }

  // Signature first, then kid, serial, decryption; on success the serial is
  // recorded. Errors: see kPub* above.
  Result<OpenedPublication> open(std::string_view bytes);
  // For an already verified publication (kid, serial, decryption only).
  Result<OpenedPublication> open(const VerifiedPublication& pub);

 private:
  struct Entry {
    SessionKey session;
    uint64_t last_serial = 0;
  };
  Entry* find(uint32_t kid);
  const Entry* find(uint32_t kid) const;

  void retire(uint32_t kid);

  static constexpr size_t kMaxRetired = 16;

  const crypto::PublicKey master_;
  const size_t keep_keys_;
  mutable std::mutex mu_;
  std::vector<Entry> entries_;     // oldest first; back() is current
  std::vector<uint32_t> retired_;  // kids dropped from entries_, oldest first
};

// ---- Rotation -------------------------------------------------------------------

struct RotateNotice {
  uint32_t kid = 0;
  int64_t ts = 0;
};

std::string make_rotate_notice(const crypto::KeyPair& master, uint32_t kid);
std::string make_rotate_notice(const crypto::KeyPair& master, uint32_t kid, int64_t ts);
// Errors: malformed codes, kCrypto (not signed by `master`).
Result<RotateNotice> open_rotate_notice(std::string_view bytes, const crypto::PublicKey& master);

// Session key delivery over a minion's channel (after a rotate notice, a
// failed decryption, or on schedule). The minion sends any request it likes
// (e.g. a payload naming the "_session_key" command); the master answers with
// make_session_key_reply, whose encrypted payload is
// {t="skey", kid, key, serial}. The key never appears in a Value or a log.
std::string make_session_key_reply(Channel& channel, uint64_t request_ctr,
                                   const SessionKey& session, uint64_t pub_serial);

struct SessionKeyUpdate {
  SessionKey session;
  uint64_t pub_serial = 0;  // pass to PublicationVerifier::set_session_key
};
Result<SessionKeyUpdate> open_session_key_reply(Channel& channel, std::string_view frame,
                                                uint64_t request_ctr);

}  // namespace brine::protocol
