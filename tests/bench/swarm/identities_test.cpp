#include "tests/bench/swarm/identities.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <random>

namespace brine::swarm {
namespace {

namespace fs = std::filesystem;

fs::path scratch() {
  return fs::temp_directory_path() / ("brine-swarm-ids-" + std::to_string(::getpid()) + "-" +
                                      std::to_string(std::random_device{}()));
}

TEST(SwarmIdentities, CreatesThenReusesKeys) {
  fs::path root = scratch();
  auto a = load_identities(root, {"a", "b", "c"});
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  ASSERT_EQ(a->size(), 3u);
  EXPECT_EQ((*a)[1].id, "b");
  EXPECT_FALSE((*a)[0].keys.pub == (*a)[1].keys.pub);
  struct stat st {};
  ASSERT_EQ(::stat((root / "identities").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // Same ids again, plus a new one, in another order: the old keys come back.
  auto b = load_identities(root, {"c", "d", "a"});
  ASSERT_TRUE(b.has_value());
  EXPECT_TRUE((*b)[0].keys.pub == (*a)[2].keys.pub);
  EXPECT_TRUE((*b)[2].keys.pub == (*a)[0].keys.pub);
  auto c = load_identities(root, {"d"});
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE((*c)[0].keys.pub == (*b)[1].keys.pub);
  fs::remove_all(root);
}

TEST(SwarmIdentities, RefusesAGarbledFileNamingTheLine) {
  fs::path root = scratch();
  fs::create_directories(root);
  { std::ofstream(root / "identities") << "a " << std::string(64, '1') << "\nb zz\n"; }
  fs::permissions(root / "identities", fs::perms::owner_read | fs::perms::owner_write);
  auto r = load_identities(root, {"a"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().to_string(),
            (root / "identities").string() + ":2: expected '<id> <64 hex digits>'");
  fs::remove_all(root);
}

TEST(SwarmIdentities, RefusesAFileOthersCanRead) {
  fs::path root = scratch();
  fs::create_directories(root);
  std::ofstream(root / "identities") << "a " << std::string(64, '1') << "\n";
  fs::permissions(root / "identities", fs::perms::owner_read | fs::perms::others_read);
  auto r = load_identities(root, {"a"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kPermissionDenied);
  fs::remove_all(root);
}

TEST(SwarmIdentities, PinsTheMasterKey) {
  fs::path root = scratch();
  fs::create_directories(root);
  auto none = read_pinned_master(root);
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
  auto kp = crypto::generate_keypair(crypto::SecretStorage::kHeap);
  ASSERT_TRUE(write_pinned_master(root, kp.pub).has_value());
  auto back = read_pinned_master(root);
  ASSERT_TRUE(back.has_value() && back->has_value());
  EXPECT_TRUE(**back == kp.pub);
  fs::remove_all(root);
}

}  // namespace
}  // namespace brine::swarm
