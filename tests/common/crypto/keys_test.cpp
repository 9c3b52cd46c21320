#include "common/crypto/keys.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "common/crypto/core.h"

namespace brine::crypto {
namespace {

PublicKey counting_key() {
  PublicKey k;
  for (size_t i = 0; i < k.bytes.size(); ++i) {
    k.bytes[i] = static_cast<uint8_t>(i);
  }
  return k;
}

TEST(Armor, PublicKeyFormat) {
  EXPECT_EQ(armor_public_key(counting_key()),
            "-----BEGIN BRINE PUBLIC KEY-----\n"
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n"
            "-----END BRINE PUBLIC KEY-----\n");
}

TEST(Armor, PublicKeyRoundTrip) {
  KeyPair kp = generate_keypair(SecretStorage::kHeap);
  auto parsed = parse_public_key(armor_public_key(kp.pub), "test");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, kp.pub);
}

TEST(Armor, PublicKeyAcceptsCrlfAndBlankLines) {
  std::string text =
      "\r\n-----BEGIN BRINE PUBLIC KEY-----\r\n\r\n"
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n"
      "-----END BRINE PUBLIC KEY-----";
  auto parsed = parse_public_key(text, "k.pub");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, counting_key());
}

TEST(Armor, SecretKeyRoundTripAndWrap) {
  KeyPair kp = generate_keypair(SecretStorage::kHeap);
  std::string text = armor_secret_key(kp);
  EXPECT_EQ(text.rfind("-----BEGIN BRINE PRIVATE KEY-----\n", 0), 0u);
  // 88 base64 characters wrapped at 64 columns.
  EXPECT_NE(text.find("\n-----END BRINE PRIVATE KEY-----\n"), std::string::npos);
  auto parsed = parse_secret_key(text, "k.pem", SecretStorage::kHeap);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().to_string();
  EXPECT_EQ(parsed->pub, kp.pub);
  EXPECT_TRUE(parsed->secret.equals(kp.secret));
}

TEST(Armor, RejectsGarbage) {
  struct Case {
    std::string text;
    std::string error;
  } cases[] = {
      {"", "k.pub: empty key file"},
      {"\n\n  \n", "k.pub: empty key file"},
      {"hello",
       "k.pub: not a BRINE PUBLIC KEY (expected '-----BEGIN BRINE PUBLIC KEY-----' on "
       "the first line)"},
      {"-----BEGIN BRINE PUBLIC KEY-----\nAAEC\n",
       "k.pub: truncated key (missing '-----END BRINE PUBLIC KEY-----')"},
      {"-----BEGIN BRINE PUBLIC KEY-----\n-----END BRINE PUBLIC KEY-----\n",
       "k.pub: empty key body"},
      {"-----BEGIN BRINE PUBLIC KEY-----\n!!!!\n-----END BRINE PUBLIC KEY-----\n",
       "k.pub: invalid base64 in key body"},
      {"-----BEGIN BRINE PUBLIC KEY-----\nAAECAw==\n-----END BRINE PUBLIC KEY-----\n",
       "k.pub: key is 4 bytes, expected 32"},
      {"-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n",
       "k.pub: this is an RSA key (Salt format); Brine uses Ed25519 keys in '-----BEGIN BRINE "
       "PUBLIC KEY-----' armor"},
      {std::string("-----BEGIN BRINE PUBLIC KEY-----\n\0\n", 36),
       "k.pub: key file contains NUL bytes (binary or corrupt file)"},
      {std::string(70000, 'A'), "k.pub: key file too large (70000 bytes)"},
  };
  for (const auto& c : cases) {
    auto r = parse_public_key(c.text, "k.pub");
    ASSERT_FALSE(r.has_value()) << c.text;
    EXPECT_EQ(r.error().code, Errc::kParse);
    EXPECT_EQ(r.error().to_string(), c.error);
  }
}

TEST(Armor, SecretKeyWithPublicLabelRefused) {
  auto r = parse_secret_key(armor_public_key(counting_key()), "m.pem", SecretStorage::kHeap);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().where, "m.pem");
}

TEST(Armor, CorruptSecretKeyDetected) {
  KeyPair kp = generate_keypair(SecretStorage::kHeap);
  kp.secret.data()[40] ^= 1;  // corrupt the public half
  std::string text = armor_secret_key(kp);
  auto r = parse_secret_key(text, "m.pem", SecretStorage::kHeap);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().to_string(),
            "m.pem: corrupt secret key (public half does not match the seed)");
}

TEST(Fingerprint, KnownVector) {
  // printf 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n' | sha256sum
  //   7d3a1c8c0fb3f26a4cb1cd78f37751d39dd8d37addb78103d8a346d010eeccdc
  EXPECT_EQ(fingerprint(counting_key()),
            "7d:3a:1c:8c:0f:b3:f2:6a:4c:b1:cd:78:f3:77:51:d3:9d:d8:d3:7a:dd:b7:81:03:d8:a3:46:"
            "d0:10:ee:cc:dc");
}

TEST(Fingerprint, FormatIs32Pairs) {
  std::string f = fingerprint(generate_keypair(SecretStorage::kHeap).pub);
  EXPECT_TRUE(std::regex_match(f, std::regex("([0-9a-f]{2}:){31}[0-9a-f]{2}"))) << f;
}

TEST(Fingerprint, SaltBodyLinesRule) {
  // Blank lines skipped, \r\n normalised, first/last non-blank lines dropped.
  // printf 'line1\nline2\n' | sha256sum
  //   2751a3a2f303ad21752038085e2b8c5f98ecff61a2e4ebbd43506a941725be80
  std::string text =
      "\n-----BEGIN PUBLIC KEY-----\nline1\n\n   \nline2\r\n-----END PUBLIC KEY-----";
  EXPECT_EQ(fingerprint_text(text),
            "27:51:a3:a2:f3:03:ad:21:75:20:38:08:5e:2b:8c:5f:98:ec:ff:61:a2:e4:eb:bd:43:50:6a:"
            "94:17:25:be:80");
}

TEST(Fingerprint, TextOfArmorEqualsKeyFingerprint) {
  KeyPair kp = generate_keypair(SecretStorage::kHeap);
  EXPECT_EQ(fingerprint_text(armor_public_key(kp.pub)), fingerprint(kp.pub));
}

TEST(Fingerprint, EqualIgnoresCase) {
  EXPECT_TRUE(fingerprint_equal("ab:CD:0f", "AB:cd:0F"));
  EXPECT_FALSE(fingerprint_equal("ab:cd:0f", "ab:cd:0e"));
  EXPECT_FALSE(fingerprint_equal("ab:cd", "ab:cd:0f"));
}

TEST(KeyPair, FromSeedIsDeterministic) {
  std::string seed(32, '\x07');
  auto a = keypair_from_seed(seed, SecretStorage::kHeap);
  auto b = keypair_from_seed(seed, SecretStorage::kHeap);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->pub, b->pub);
  EXPECT_FALSE(keypair_from_seed("short").has_value());
}

TEST(KeyPair, GuardedStorageWorks) {
  KeyPair kp = generate_keypair();
  EXPECT_EQ(kp.secret.storage(), SecretStorage::kGuarded);
  KeyPair copy = kp.clone();
  EXPECT_TRUE(copy.secret.equals(kp.secret));
}

}  // namespace
}  // namespace brine::crypto
