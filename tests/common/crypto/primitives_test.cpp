#include "common/crypto/primitives.h"

#include <gtest/gtest.h>

#include "common/crypto/core.h"

namespace brine::crypto {
namespace {

TEST(Sign, VerifiesAndRejectsTampering) {
  KeyPair kp = generate_keypair(SecretStorage::kHeap);
  KeyPair other = generate_keypair(SecretStorage::kHeap);
  Signature sig = sign_detached(kp, "message");
  EXPECT_TRUE(verify_detached(kp.pub, "message", as_view(sig)));
  EXPECT_FALSE(verify_detached(kp.pub, "messagE", as_view(sig)));
  EXPECT_FALSE(verify_detached(other.pub, "message", as_view(sig)));
  EXPECT_FALSE(verify_detached(kp.pub, "message", as_view(sig).substr(1)));
  sig[10] ^= 0x40;
  EXPECT_FALSE(verify_detached(kp.pub, "message", as_view(sig)));
}

TEST(Aead, RoundTripAndTamper) {
  SecretBytes key = SecretBytes::copy_of(random_bytes(kAeadKeyBytes));
  AeadNonce nonce{};
  random_fill(nonce);
  std::string pt = "hello world";
  std::string ct(pt.size() + kAeadTagBytes, '\0');
  aead_encrypt(reinterpret_cast<uint8_t*>(ct.data()), pt, "ad", nonce, key);
  std::string out(pt.size(), '\0');
  ASSERT_TRUE(aead_decrypt(reinterpret_cast<uint8_t*>(out.data()), ct, "ad", nonce, key));
  EXPECT_EQ(out, pt);
  EXPECT_FALSE(aead_decrypt(reinterpret_cast<uint8_t*>(out.data()), ct, "AD", nonce, key));
  for (size_t i = 0; i < ct.size(); ++i) {
    std::string bad = ct;
    bad[i] ^= 1;
    EXPECT_FALSE(aead_decrypt(reinterpret_cast<uint8_t*>(out.data()), bad, "ad", nonce, key));
  }
  EXPECT_FALSE(aead_decrypt(nullptr, ct.substr(0, 15), "ad", nonce, key));
  SecretBytes other = SecretBytes::copy_of(random_bytes(kAeadKeyBytes));
  EXPECT_FALSE(aead_decrypt(reinterpret_cast<uint8_t*>(out.data()), ct, "ad", nonce, other));
}

TEST(Kx, ClientAndServerAgree) {
  KxKeyPair c = kx_generate();
  KxKeyPair s = kx_generate();
  auto ck = kx_client(c, s.pub);
  auto sk = kx_server(s, c.pub);
  ASSERT_TRUE(ck && sk);
  EXPECT_TRUE(ck->tx.equals(sk->rx));
  EXPECT_TRUE(ck->rx.equals(sk->tx));
  EXPECT_FALSE(ck->tx.equals(ck->rx));
}

TEST(Kx, LowOrderPointRefused) {
  KxKeyPair c = kx_generate();
  KxPublicKey zero{};  // the all-zero point has small order
  EXPECT_FALSE(kx_client(c, zero).has_value());
  EXPECT_FALSE(kx_server(c, zero).has_value());
}

TEST(KeyedHash, DependsOnKeyAndParts) {
  SecretBytes k1 = SecretBytes::copy_of(std::string(32, 'a'));
  SecretBytes k2 = SecretBytes::copy_of(std::string(32, 'b'));
  SecretBytes h1 = keyed_hash(k1, {"ab", "c"});
  EXPECT_EQ(h1.size(), 32u);
  EXPECT_TRUE(h1.equals(keyed_hash(k1, {"a", "bc"})));  // plain concatenation
  EXPECT_FALSE(h1.equals(keyed_hash(k2, {"abc"})));
  EXPECT_FALSE(h1.equals(keyed_hash(k1, {"abd"})));
}

}  // namespace
}  // namespace brine::crypto
