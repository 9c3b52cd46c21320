#include "common/crypto/primitives.h"

#include <sodium.h>

#include "common/crypto/core.h"

namespace brine::crypto {
namespace {

static_assert(kSignatureBytes == crypto_sign_BYTES);
static_assert(kAeadKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kAeadNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kAeadTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);
static_assert(kKxPublicKeyBytes == crypto_kx_PUBLICKEYBYTES);
static_assert(kKxSecretKeyBytes == crypto_kx_SECRETKEYBYTES);
static_assert(kKxSessionKeyBytes == crypto_kx_SESSIONKEYBYTES);
static_assert(kHashKeyMinBytes == crypto_generichash_KEYBYTES_MIN);
static_assert(kHashKeyMaxBytes == crypto_generichash_KEYBYTES_MAX);

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

Signature sign_detached(const KeyPair& key, std::string_view message) {
  BRINE_ASSERT(key.secret.size() == kSecretKeyBytes);
  Signature sig{};
  crypto_sign_detached(sig.data(), nullptr, u8(message), message.size(), key.secret.data());
  return sig;
}

bool verify_detached(const PublicKey& pub, std::string_view message, std::string_view sig) {
  if (sig.size() != kSignatureBytes) {
    return false;
  }
  return crypto_sign_verify_detached(u8(sig), u8(message), message.size(), pub.bytes.data()) == 0;
}

void aead_encrypt(uint8_t* out, std::string_view plaintext, std::string_view ad,
                  const AeadNonce& nonce, const SecretBytes& key) {
  BRINE_ASSERT(key.size() == kAeadKeyBytes);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out, &clen, u8(plaintext), plaintext.size(), u8(ad),
                                             ad.size(), nullptr, nonce.data(), key.data());
}

bool aead_decrypt(uint8_t* out, std::string_view ciphertext, std::string_view ad,
                  const AeadNonce& nonce, const SecretBytes& key) {
  BRINE_ASSERT(key.size() == kAeadKeyBytes);
  if (ciphertext.size() < kAeadTagBytes) {
    return false;
  }
  unsigned long long mlen = 0;
  return crypto_aead_xchacha20poly1305_ietf_decrypt(out, &mlen, nullptr, u8(ciphertext),
                                                    ciphertext.size(), u8(ad), ad.size(),
                                                    nonce.data(), key.data()) == 0;
}

KxKeyPair kx_generate() {
  BRINE_ASSERT(init().has_value());
  KxKeyPair kp{KxPublicKey{}, SecretBytes(kKxSecretKeyBytes)};
  crypto_kx_keypair(kp.pub.data(), kp.secret.data());
  return kp;
}

Result<KxSessionKeys> kx_client(const KxKeyPair& client, const KxPublicKey& server_pub) {
  BRINE_ASSERT(client.secret.size() == kKxSecretKeyBytes);
  KxSessionKeys keys{SecretBytes(kKxSessionKeyBytes), SecretBytes(kKxSessionKeyBytes)};
  if (crypto_kx_client_session_keys(keys.rx.data(), keys.tx.data(), client.pub.data(),
                                    client.secret.data(), server_pub.data()) != 0) {
    return make_error(Errc::kCrypto, "key exchange failed (invalid peer ephemeral key)");
  }
  return keys;
}

Result<KxSessionKeys> kx_server(const KxKeyPair& server, const KxPublicKey& client_pub) {
  BRINE_ASSERT(server.secret.size() == kKxSecretKeyBytes);
  KxSessionKeys keys{SecretBytes(kKxSessionKeyBytes), SecretBytes(kKxSessionKeyBytes)};
  if (crypto_kx_server_session_keys(keys.rx.data(), keys.tx.data(), server.pub.data(),
                                    server.secret.data(), client_pub.data()) != 0) {
    return make_error(Errc::kCrypto, "key exchange failed (invalid peer ephemeral key)");
  }
  return keys;
}

bool kx_public_key_valid(const KxPublicKey& pub) {
  BRINE_ASSERT(init().has_value());
  // A clamped scalar is a multiple of the cofactor, so the product is the
  // identity (all zeros, which crypto_scalarmult reports as -1) exactly when
  // the point has small order. Any fixed scalar will do.
  static const std::array<uint8_t, crypto_scalarmult_SCALARBYTES> kScalar = [] {
    std::array<uint8_t, crypto_scalarmult_SCALARBYTES> s{};
    for (size_t i = 0; i < s.size(); ++i) {
      s[i] = static_cast<uint8_t>(0x5a ^ i);
    }
    return s;
  }();
  std::array<uint8_t, crypto_scalarmult_BYTES> q{};
  bool valid = crypto_scalarmult(q.data(), kScalar.data(), pub.data()) == 0;
  sodium_memzero(q.data(), q.size());
  return valid;
}

SecretBytes keyed_hash(const SecretBytes& key, std::initializer_list<std::string_view> parts,
                       size_t out_len) {
  BRINE_ASSERT(key.size() >= kHashKeyMinBytes && key.size() <= kHashKeyMaxBytes);
  BRINE_ASSERT(out_len >= crypto_generichash_BYTES_MIN && out_len <= crypto_generichash_BYTES_MAX);
  crypto_generichash_state st;
  crypto_generichash_init(&st, key.data(), key.size(), out_len);
  for (std::string_view p : parts) {
    crypto_generichash_update(&st, u8(p), p.size());
  }
  SecretBytes out(out_len);
  crypto_generichash_final(&st, out.data(), out_len);
  sodium_memzero(&st, sizeof st);
  return out;
}

}  // namespace brine::crypto
