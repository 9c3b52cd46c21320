#include "common/crypto/core.h"

#include <gtest/gtest.h>

#include <set>

#include "common/crypto/secret_bytes.h"

namespace brine::crypto {
namespace {

TEST(Core, InitIsIdempotent) {
  ASSERT_TRUE(init().has_value());
  ASSERT_TRUE(init().has_value());
}

TEST(Core, Hex) {
  EXPECT_EQ(hex(std::string_view("\x00\x01\xab\xff", 4)), "0001abff");
  EXPECT_EQ(hex(std::string_view()), "");
}

TEST(Core, RandomBytesDiffer) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string r = random_bytes(16);
    ASSERT_EQ(r.size(), 16u);
    seen.insert(r);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(random_bytes(0), "");
  EXPECT_EQ(random_uniform(0), 0u);
  EXPECT_LT(random_uniform(10), 10u);
}

TEST(Core, EqualCt) {
  EXPECT_TRUE(equal_ct("", ""));
  EXPECT_TRUE(equal_ct("abc", "abc"));
  EXPECT_FALSE(equal_ct("abc", "abd"));
  EXPECT_FALSE(equal_ct("abc", "abcd"));
}

TEST(Core, Sha256KnownVector) {
  // echo -n abc | sha256sum
  EXPECT_EQ(hex(std::span<const uint8_t>(sha256("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Core, Wipe) {
  std::string s = "secret";
  wipe(s);
  EXPECT_EQ(s, std::string(6, '\0'));
}

TEST(SecretBytes, MoveLeavesSourceEmpty) {
  SecretBytes a = SecretBytes::copy_of("0123456789abcdef");
  SecretBytes b = std::move(a);
  EXPECT_EQ(a.size(), 0u);  // NOLINT(bugprone-use-after-move): documented state
  EXPECT_EQ(a.data(), nullptr);
  EXPECT_EQ(b.view(), "0123456789abcdef");
  SecretBytes c(4, SecretStorage::kGuarded);
  c = std::move(b);
  EXPECT_EQ(c.view(), "0123456789abcdef");
  EXPECT_EQ(c.storage(), SecretStorage::kHeap);
}

TEST(SecretBytes, CloneAndEquals) {
  SecretBytes a = SecretBytes::copy_of("key", SecretStorage::kGuarded);
  SecretBytes b = a.clone();
  EXPECT_TRUE(a.equals(b));
  EXPECT_EQ(b.storage(), SecretStorage::kGuarded);
  b.data()[0] = 'K';
  EXPECT_FALSE(a.equals(b));
  EXPECT_FALSE(a.equals(SecretBytes()));
  EXPECT_TRUE(SecretBytes().equals(SecretBytes()));
}

}  // namespace
}  // namespace brine::crypto
