#include "common/protocol/keys_internal.h"

#include <cstring>

#include "common/protocol/codec.h"

namespace brine::protocol::detail {
namespace {

constexpr size_t kSkeyAdBytes = kSessionKeyAdContext.size() + kSidBytes + 4;

crypto::AeadNonce session_key_nonce(uint32_t kid) {
  crypto::AeadNonce n{};
  n[0] = kNonceSessionKeyDelivery;
  put_le(n.data() + n.size() - 4, kid, 4);
  return n;
}

std::array<uint8_t, kSkeyAdBytes> session_key_ad(std::string_view sid, uint32_t kid) {
  std::array<uint8_t, kSkeyAdBytes> ad{};
  BRINE_ASSERT(sid.size() == kSidBytes);
  std::memcpy(ad.data(), kSessionKeyAdContext.data(), kSessionKeyAdContext.size());
  std::memcpy(ad.data() + kSessionKeyAdContext.size(), sid.data(), kSidBytes);
  put_le(ad.data() + kSessionKeyAdContext.size() + kSidBytes, kid, 4);
  return ad;
}

crypto::SecretBytes kdf(const crypto::SecretBytes& raw, uint8_t direction,
                        const crypto::PublicKey& minion_pub, const crypto::PublicKey& master_pub,
                        std::string_view id, const std::array<uint8_t, kNonceBytes>& nonce,
                        std::string_view sid) {
  const uint8_t dir[1] = {direction};
  const uint8_t id_len[1] = {static_cast<uint8_t>(id.size())};
  return crypto::keyed_hash(
      raw, {kChannelKdfContext, as_sv(dir, 1), minion_pub.view(), master_pub.view(),
            as_sv(id_len, 1), id, as_sv(nonce.data(), nonce.size()), sid});
}

}  // namespace

ChannelKeys derive_channel_keys(Side side, const crypto::KxSessionKeys& kx,
                                const crypto::PublicKey& minion_pub,
                                const crypto::PublicKey& master_pub, std::string_view id,
                                const std::array<uint8_t, kNonceBytes>& nonce,
                                std::string_view sid) {
  BRINE_ASSERT(id.size() <= kMaxIdBytes);
  // crypto_kx: the client's tx is the server's rx (minion -> master).
  const crypto::SecretBytes& m2s_raw = side == Side::kMinion ? kx.tx : kx.rx;
  const crypto::SecretBytes& s2m_raw = side == Side::kMinion ? kx.rx : kx.tx;
  crypto::SecretBytes m2s =
      kdf(m2s_raw, kDirMinionToMaster, minion_pub, master_pub, id, nonce, sid);
  crypto::SecretBytes s2m =
      kdf(s2m_raw, kDirMasterToMinion, minion_pub, master_pub, id, nonce, sid);
  ChannelKeys keys;
  keys.sid = std::string(sid);
  keys.side = side;
  if (side == Side::kMinion) {
    keys.send_key = std::move(m2s);
    keys.recv_key = std::move(s2m);
  } else {
    keys.send_key = std::move(s2m);
    keys.recv_key = std::move(m2s);
  }
  return keys;
}

std::string seal_session_key(const ChannelKeys& keys, const SessionKey& session) {
  BRINE_ASSERT(keys.side == Side::kMaster);
  BRINE_ASSERT(session.key.size() == kSessionKeyBytes);
  auto ad = session_key_ad(keys.sid, session.kid);
  std::string out(kSessionKeyBytes + kAeadTagBytes, '\0');
  crypto::aead_encrypt(reinterpret_cast<uint8_t*>(out.data()), session.key.view(),
                       as_sv(ad.data(), ad.size()), session_key_nonce(session.kid), keys.send_key);
  return out;
}

Result<SessionKey> open_session_key(const ChannelKeys& keys, uint32_t kid,
                                    std::string_view sealed) {
  BRINE_ASSERT(keys.side == Side::kMinion);
  if (sealed.size() != kSessionKeyBytes + kAeadTagBytes) {
    return make_error(Errc::kParse, "sealed session key has the wrong size", "auth_reply.skey");
  }
  auto ad = session_key_ad(keys.sid, kid);
  SessionKey s{kid, crypto::SecretBytes(kSessionKeyBytes)};
  if (!crypto::aead_decrypt(s.key.data(), sealed, as_sv(ad.data(), ad.size()),
                            session_key_nonce(kid), keys.recv_key)) {
    return make_error(Errc::kCrypto, "session key does not decrypt (wrong channel key)",
                      "auth_reply.skey");
  }
  return s;
}

}  // namespace brine::protocol::detail
