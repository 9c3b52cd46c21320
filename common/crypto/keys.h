// Identity keys: Ed25519 key pairs, their text armor and fingerprints.
//
// Every master and minion has one Ed25519 key pair. The public key file is
//
//   -----BEGIN BRINE PUBLIC KEY-----
//   <base64 of the 32-byte public key>
//   -----END BRINE PUBLIC KEY-----
//
// and the secret key file the same with "BRINE PRIVATE KEY" around the base64
// of libsodium's 64-byte Ed25519 secret key (32-byte seed || 32-byte public
// key), wrapped at 64 columns. Parsers accept \r\n line ends and blank lines,
// and refuse anything else with an error naming the source.
//
// Fingerprints follow Salt (`salt-key -f`, `master_finger`): SHA-256 over the
// armored body lines (every non-blank line but the first and the last, each
// with a trailing "\n"), as 32 lower-case hex pairs joined by ':'.
//
// Thread-safety: free functions are safe from many threads; KeyPair is a
// value (const access from many threads is safe).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/crypto/secret_bytes.h"
#include "common/result.h"

namespace brine::crypto {

inline constexpr size_t kPublicKeyBytes = 32;  // crypto_sign_PUBLICKEYBYTES
inline constexpr size_t kSecretKeyBytes = 64;  // crypto_sign_SECRETKEYBYTES
inline constexpr size_t kSeedBytes = 32;       // crypto_sign_SEEDBYTES

inline constexpr std::string_view kPublicKeyLabel = "BRINE PUBLIC KEY";
inline constexpr std::string_view kSecretKeyLabel = "BRINE PRIVATE KEY";

struct PublicKey {
  std::array<uint8_t, kPublicKeyBytes> bytes{};

  bool operator==(const PublicKey& other) const { return bytes == other.bytes; }
  std::string_view view() const {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
  }
  // Copies exactly kPublicKeyBytes bytes into `out`; false (out untouched) otherwise.
  static bool from_bytes(std::string_view b, PublicKey& out);
};

// An identity key pair. `secret` is libsodium's 64-byte Ed25519 secret key
// (seed || public key); it is wiped when the KeyPair is destroyed.
struct KeyPair {
  PublicKey pub;
  SecretBytes secret;

  KeyPair clone() const { return KeyPair{pub, secret.clone()}; }
};

// A fresh random key pair. The default keeps the secret in guarded memory
// (see SecretBytes); a process holding thousands of identities (a test swarm)
// should pass SecretStorage::kHeap.
KeyPair generate_keypair();
KeyPair generate_keypair(SecretStorage storage);
// Deterministic key pair from a 32-byte seed (tests, known vectors).
// Error kInvalidArgument when the seed is not 32 bytes.
Result<KeyPair> keypair_from_seed(std::string_view seed,
                                  SecretStorage storage = SecretStorage::kGuarded);

// Armored text of a public key (the .pub file content, ending in "\n").
std::string armor_public_key(const PublicKey& key);
// Armored text of a secret key (the .pem file content). The returned string
// holds the secret: wipe() it once written.
std::string armor_secret_key(const KeyPair& key);

// Parses armored public key text. `source` (a file path or "minion 'web1'")
// prefixes every error: "<source>: not a Brine public key (missing '-----BEGIN
// BRINE PUBLIC KEY-----')". Errors: kParse.
Result<PublicKey> parse_public_key(std::string_view text, std::string_view source);
// Parses armored secret key text and checks that the embedded public key
// matches the seed (detects corruption). Errors: kParse.
Result<KeyPair> parse_secret_key(std::string_view text, std::string_view source,
                                 SecretStorage storage = SecretStorage::kGuarded);

// "5d:3e:...:a1" (32 pairs) for a key, via its armored text.
std::string fingerprint(const PublicKey& key);
// The same rule over any file text (works for Salt RSA PEM files too).
std::string fingerprint_text(std::string_view file_text);
// Case-insensitive comparison of two fingerprints ("AB:CD" == "ab:cd"), used
// for `master_finger`, which users paste by hand.
bool fingerprint_equal(std::string_view a, std::string_view b);

}  // namespace brine::crypto
