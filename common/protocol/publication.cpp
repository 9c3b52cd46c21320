#include "common/protocol/publication.h"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "common/crypto/core.h"
#include "common/protocol/codec.h"

namespace brine::protocol {
namespace {

using detail::as_sv;
using detail::Decoded;
using detail::Encoder;
using detail::put_le;

constexpr std::string_view kSessionKeyPayloadType = "skey";

constexpr size_t kPubAdBytes = kPublicationAdContext.size() + 1 + 4 + 8 + 8;
using PubAd = std::array<uint8_t, kPubAdBytes>;

PubAd publication_ad(uint32_t version, uint32_t kid, uint64_t serial, int64_t ts) {
  PubAd ad{};
  uint8_t* p = ad.data();
  std::memcpy(p, kPublicationAdContext.data(), kPublicationAdContext.size());
  p += kPublicationAdContext.size();
  *p++ = static_cast<uint8_t>(version);
  put_le(p, kid, 4);
  put_le(p + 4, serial, 8);
  put_le(p + 12, static_cast<uint64_t>(ts), 8);
  return ad;
}

// Signed fields of a publication; the ciphertext is appended in place when
// `payload_to_encrypt` is given, else `ct` is copied.
std::string publication_fields(uint32_t kid, uint64_t serial, int64_t ts,
                               const crypto::AeadNonce& nonce, std::string_view ct) {
  std::string f;
  f.reserve(96 + ct.size());
  Encoder e(f);
  e.header(MessageType::kPublication);
  e.kv_uint(kFieldKid, kid);
  e.kv_uint(kFieldSerial, serial);
  e.kv_sint(kFieldTs, ts);
  e.kv_bin(kFieldNonce, crypto::as_view(nonce));
  e.kv_bin(kFieldCiphertext, ct);
  return f;
}
constexpr uint32_t kPublicationFields = 7;

std::string notice_fields(uint32_t kid, int64_t ts) {
  std::string f;
  Encoder e(f);
  e.header(MessageType::kRotate);
  e.kv_uint(kFieldKid, kid);
  e.kv_sint(kFieldTs, ts);
  return f;
}
constexpr uint32_t kNoticeFields = 4;

}  // namespace

std::string make_publication(const crypto::KeyPair& master, const SessionKey& session,
                             uint64_t serial, std::string_view payload) {
  return make_publication(master, session, serial, unix_now(), payload);
}

std::string make_publication(const crypto::KeyPair& master, const SessionKey& session,
                             uint64_t serial, int64_t ts, std::string_view payload) {
  BRINE_ASSERT(session.key.size() == kSessionKeyBytes);
  crypto::AeadNonce nonce{};
  crypto::random_fill(nonce);
  const PubAd ad = publication_ad(kProtocolVersion, session.kid, serial, ts);
  std::string ct(payload.size() + kAeadTagBytes, '\0');
  crypto::aead_encrypt(reinterpret_cast<uint8_t*>(ct.data()), payload, as_sv(ad.data(), ad.size()),
                       nonce, session.key);
  std::string fields = publication_fields(session.kid, serial, ts, nonce, ct);
  return detail::make_signed(master, kPublicationFields, fields);
}

Result<VerifiedPublication> verify_publication_signature(std::string_view bytes,
                                                         const crypto::PublicKey& master) {
  auto d = Decoded::parse(bytes, kMaxPublicationBytes, MessageType::kPublication);
  if (!d) {
    return d.error();
  }
  BRINE_TRY(d->only({kFieldKid, kFieldSerial, kFieldTs, kFieldNonce, kFieldCiphertext, kFieldSig}));
  auto kid = d->uint(kFieldKid, UINT32_MAX);
  auto serial = d->uint(kFieldSerial);
  auto ts = d->sint(kFieldTs);
  auto nonce = d->bin(kFieldNonce, kAeadNonceBytes);
  auto ct = d->bin_max(kFieldCiphertext, kMaxPublicationBytes);
  auto sig = d->bin(kFieldSig, kSignatureBytes);
  for (const Error* e : {kid ? nullptr : &kid.error(), serial ? nullptr : &serial.error(),
                         ts ? nullptr : &ts.error(), nonce ? nullptr : &nonce.error(),
                         ct ? nullptr : &ct.error(), sig ? nullptr : &sig.error()}) {
    if (e != nullptr) {
      return *e;
    }
  }
  if (ct->size() < kAeadTagBytes) {
    return make_error(Errc::kParse, "shorter than an authentication tag", "pub.ct");
  }
  VerifiedPublication p;
  p.version_ = d->version();
  p.kid_ = static_cast<uint32_t>(*kid);
  p.serial_ = *serial;
  p.ts_ = *ts;
  std::memcpy(p.nonce_.data(), nonce->data(), kAeadNonceBytes);
  std::string fields = publication_fields(p.kid_, p.serial_, p.ts_, p.nonce_, *ct);
  if (!detail::verify_signed(master, kPublicationFields, fields, {}, *sig)) {
    return make_error(kPubForged, "bad master signature on publication", "pub.sig");
  }
  p.ct_ = std::string(*ct);
  return p;
}

Result<std::string> decrypt_publication(const VerifiedPublication& pub, const SessionKey& session) {
  if (pub.kid_ != session.kid) {
    return make_error(kPubUnknownKey,
                      "publication uses session key " + std::to_string(pub.kid_) + ", have " +
                          std::to_string(session.kid),
                      "pub.kid");
  }
  const PubAd ad = publication_ad(pub.version_, pub.kid_, pub.serial_, pub.ts_);
  std::string out(pub.ct_.size() - kAeadTagBytes, '\0');
  if (!crypto::aead_decrypt(reinterpret_cast<uint8_t*>(out.data()), pub.ct_,
                            as_sv(ad.data(), ad.size()), pub.nonce_, session.key)) {
    // The master signed it, so this is not a forgery: our key for this kid is
    // stale (e.g. the master restarted and reused the kid). Refetch.
    return make_error(kPubUnknownKey,
                      "publication does not decrypt with session key " + std::to_string(pub.kid_) +
                          " (stale key)",
                      "pub.ct");
  }
  return out;
}

PublicationVerifier::PublicationVerifier(crypto::PublicKey master, size_t keep_keys)
    : master_(master), keep_keys_(keep_keys == 0 ? 1 : keep_keys) {}

PublicationVerifier::Entry* PublicationVerifier::find(uint32_t kid) {
  for (auto& e : entries_) {
    if (e.session.kid == kid) {
      return &e;
    }
  }
  return nullptr;
}

const PublicationVerifier::Entry* PublicationVerifier::find(uint32_t kid) const {
  for (const auto& e : entries_) {
    if (e.session.kid == kid) {
      return &e;
    }
  }
  return nullptr;
}

void PublicationVerifier::set_session_key(SessionKey key, uint64_t serial_floor) {
  BRINE_ASSERT(key.key.size() == kSessionKeyBytes);
  std::lock_guard lock(mu_);
  uint64_t floor = serial_floor;
  auto it = std::find_if(entries_.begin(), entries_.end(),
                         [&](const Entry& e) { return e.session.kid == key.kid; });
  if (it != entries_.end()) {
    floor = std::max(floor, it->last_serial);
    entries_.erase(it);
  }
  std::erase(retired_, key.kid);
  entries_.push_back(Entry{std::move(key), floor});
  while (entries_.size() > keep_keys_) {
    retire(entries_.front().session.kid);
    entries_.erase(entries_.begin());
  }
}

void PublicationVerifier::retire(uint32_t kid) {
  retired_.push_back(kid);
  if (retired_.size() > kMaxRetired) {
    retired_.erase(retired_.begin());
  }
}

void PublicationVerifier::clear_session_keys() {
  std::lock_guard lock(mu_);
  for (const auto& e : entries_) {
    retire(e.session.kid);
  }
  entries_.clear();
}

bool PublicationVerifier::is_retired(uint32_t kid) const {
  std::lock_guard lock(mu_);
  return std::find(retired_.begin(), retired_.end(), kid) != retired_.end();
}

bool PublicationVerifier::has_kid(uint32_t kid) const {
  std::lock_guard lock(mu_);
  return find(kid) != nullptr;
}

std::optional<uint32_t> PublicationVerifier::current_kid() const {
  std::lock_guard lock(mu_);
  if (entries_.empty()) {
    return std::nullopt;
  }
  return entries_.back().session.kid;
}

uint64_t PublicationVerifier::last_serial(uint32_t kid) const {
  std::lock_guard lock(mu_);
  const Entry* e = find(kid);
  return e == nullptr ? 0 : e->last_serial;
}

Result<OpenedPublication> PublicationVerifier::open(std::string_view bytes) {
  auto pub = verify_publication_signature(bytes, master_);
  if (!pub) {
    return pub.error();
  }
  return open(*pub);
}

Result<OpenedPublication> PublicationVerifier::open(const VerifiedPublication& pub) {
  // Publications arrive on one SUB socket, so the lock is uncontended in
  // practice; holding it across the decryption keeps the key alive and makes
  // check-decrypt-record atomic.
  std::lock_guard lock(mu_);
  Entry* e = find(pub.kid());
  if (e == nullptr && std::find(retired_.begin(), retired_.end(), pub.kid()) != retired_.end()) {
    return make_error(kPubReplayed,
                      "publication under retired session key " + std::to_string(pub.kid()),
                      "pub.kid");
  }
  if (e == nullptr) {
    return make_error(
        kPubUnknownKey,
        "unknown session key " + std::to_string(pub.kid()) + " (fetch the current key)", "pub.kid");
  }
  if (pub.serial() <= e->last_serial) {
    return make_error(kPubReplayed,
                      "replayed or stale publication (serial " + std::to_string(pub.serial()) +
                          ", last accepted " + std::to_string(e->last_serial) + ")",
                      "pub.serial");
  }
  auto payload = decrypt_publication(pub, e->session);
  if (!payload) {
    return payload.error();
  }
  e->last_serial = pub.serial();
  return OpenedPublication{std::move(*payload), pub.kid(), pub.serial(), pub.ts()};
}

std::string make_rotate_notice(const crypto::KeyPair& master, uint32_t kid) {
  return make_rotate_notice(master, kid, unix_now());
}

std::string make_rotate_notice(const crypto::KeyPair& master, uint32_t kid, int64_t ts) {
  return detail::make_signed(master, kNoticeFields, notice_fields(kid, ts));
}

Result<RotateNotice> open_rotate_notice(std::string_view bytes, const crypto::PublicKey& master) {
  auto d = Decoded::parse(bytes, kMaxNoticeBytes, MessageType::kRotate);
  if (!d) {
    return d.error();
  }
  BRINE_TRY(d->only({kFieldKid, kFieldTs, kFieldSig}));
  auto kid = d->uint(kFieldKid, UINT32_MAX);
  auto ts = d->sint(kFieldTs);
  auto sig = d->bin(kFieldSig, kSignatureBytes);
  for (const Error* e :
       {kid ? nullptr : &kid.error(), ts ? nullptr : &ts.error(), sig ? nullptr : &sig.error()}) {
    if (e != nullptr) {
      return *e;
    }
  }
  RotateNotice n{static_cast<uint32_t>(*kid), *ts};
  if (!detail::verify_signed(master, kNoticeFields, notice_fields(n.kid, n.ts), {}, *sig)) {
    return make_error(Errc::kCrypto, "bad master signature on rotate notice", "rotate.sig");
  }
  return n;
}

std::string make_session_key_reply(Channel& channel, uint64_t request_ctr,
                                   const SessionKey& session, uint64_t pub_serial) {
  BRINE_ASSERT(session.key.size() == kSessionKeyBytes);
  std::string payload;
  payload.reserve(80);
  Encoder e(payload);
  e.map(4);
  e.kv_str(kFieldType, kSessionKeyPayloadType);
  e.kv_uint(kFieldKid, session.kid);
  e.kv_bin("key", session.key.view());
  e.kv_uint(kFieldSerial, pub_serial);
  std::string frame = channel.seal_reply(request_ctr, payload);
  crypto::wipe(payload);
  return frame;
}

Result<SessionKeyUpdate> open_session_key_reply(Channel& channel, std::string_view frame,
                                                uint64_t request_ctr) {
  auto payload = channel.open_reply(frame, request_ctr);
  if (!payload) {
    return payload.error();
  }
  Result<SessionKeyUpdate> out = [&]() -> Result<SessionKeyUpdate> {
    auto d = Decoded::parse_inner(*payload, 1024, kSessionKeyPayloadType);
    if (!d) {
      return d.error();
    }
    BRINE_TRY(d->only({kFieldKid, "key", kFieldSerial}));
    auto kid = d->uint(kFieldKid, UINT32_MAX);
    auto key = d->bin("key", kSessionKeyBytes);
    auto serial = d->uint(kFieldSerial);
    for (const Error* e : {kid ? nullptr : &kid.error(), key ? nullptr : &key.error(),
                           serial ? nullptr : &serial.error()}) {
      if (e != nullptr) {
        return *e;
      }
    }
    return SessionKeyUpdate{
        SessionKey{static_cast<uint32_t>(*kid), crypto::SecretBytes::copy_of(*key)}, *serial};
  }();
  crypto::wipe(*payload);
  return out;
}

}  // namespace brine::protocol
