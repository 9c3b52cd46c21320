// Cryptographic primitives used by brine::protocol, so that protocol code
// never includes <sodium.h>:
//
//   Ed25519 detached signatures       sign_detached / verify_detached
//   XChaCha20-Poly1305-IETF AEAD       aead_encrypt / aead_decrypt
//   X25519 key exchange (crypto_kx)    kx_generate / kx_client / kx_server
//   keyed BLAKE2b (crypto_generichash) keyed_hash
//
// The AEAD functions take raw output pointers so callers can encrypt straight
// into a frame buffer and decrypt straight into the result string, without
// intermediate copies. Sizes are the caller's contract and are checked with
// BRINE_ASSERT (a wrong size is a bug, not bad input).
//
// Thread-safety: all functions are safe to call from many threads.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "common/crypto/keys.h"
#include "common/crypto/secret_bytes.h"
#include "common/result.h"

namespace brine::crypto {

inline constexpr size_t kSignatureBytes = 64;    // crypto_sign_BYTES
inline constexpr size_t kAeadKeyBytes = 32;      // crypto_aead_xchacha20poly1305_ietf_KEYBYTES
inline constexpr size_t kAeadNonceBytes = 24;    // ..._NPUBBYTES
inline constexpr size_t kAeadTagBytes = 16;      // ..._ABYTES
inline constexpr size_t kKxPublicKeyBytes = 32;  // crypto_kx_PUBLICKEYBYTES
inline constexpr size_t kKxSecretKeyBytes = 32;  // crypto_kx_SECRETKEYBYTES
inline constexpr size_t kKxSessionKeyBytes = 32;
inline constexpr size_t kHashKeyMinBytes = 16;  // crypto_generichash_KEYBYTES_MIN
inline constexpr size_t kHashKeyMaxBytes = 64;

using Signature = std::array<uint8_t, kSignatureBytes>;
using AeadNonce = std::array<uint8_t, kAeadNonceBytes>;
using KxPublicKey = std::array<uint8_t, kKxPublicKeyBytes>;

// Ed25519 signature of `message` with key.secret (64 bytes).
Signature sign_detached(const KeyPair& key, std::string_view message);
// True when `sig` (64 bytes) is a valid signature of `message` by `pub`.
// Any other signature size is simply invalid (false).
bool verify_detached(const PublicKey& pub, std::string_view message, std::string_view sig);

// out must have room for plaintext.size() + kAeadTagBytes bytes; `key` is 32
// bytes. `out` may not overlap `plaintext` unless out == plaintext.data().
void aead_encrypt(uint8_t* out, std::string_view plaintext, std::string_view ad,
                  const AeadNonce& nonce, const SecretBytes& key);
// out must have room for ciphertext.size() - kAeadTagBytes bytes. Returns
// false (out contents unspecified, never a partial plaintext to rely on) when
// the ciphertext is shorter than a tag or fails authentication.
[[nodiscard]] bool aead_decrypt(uint8_t* out, std::string_view ciphertext, std::string_view ad,
                                const AeadNonce& nonce, const SecretBytes& key);

// An ephemeral X25519 key pair for crypto_kx.
struct KxKeyPair {
  KxPublicKey pub{};
  SecretBytes secret;  // 32 bytes
};
KxKeyPair kx_generate();

// Directional session keys: rx decrypts what the peer sends, tx encrypts what
// we send. Client tx == server rx and vice versa.
struct KxSessionKeys {
  SecretBytes rx;
  SecretBytes tx;
};
// Error kCrypto when the peer key is a low-order point (libsodium refuses it).
Result<KxSessionKeys> kx_client(const KxKeyPair& client, const KxPublicKey& server_pub);
Result<KxSessionKeys> kx_server(const KxKeyPair& server, const KxPublicKey& client_pub);
// False when `pub` is a low-order X25519 point that kx_client/kx_server would
// refuse (costs one scalar multiplication). Lets a decoder refuse such a key
// up front instead of failing later in the handshake.
bool kx_public_key_valid(const KxPublicKey& pub);

// BLAKE2b-256 (crypto_generichash) of the concatenation of `parts`, keyed
// with `key` (16..64 bytes). Used as the KDF that binds identities into the
// channel keys.
SecretBytes keyed_hash(const SecretBytes& key, std::initializer_list<std::string_view> parts,
                       size_t out_len = 32);

}  // namespace brine::crypto
