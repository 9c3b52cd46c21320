#include "master/keystore.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

namespace brine::master {
namespace {
namespace fs = std::filesystem;

class KeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("brine-keystore-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    store_ = std::make_unique<KeyStore>(dir_);
    ASSERT_TRUE(store_->ensure_dirs());
  }
  void TearDown() override { fs::remove_all(dir_); }
  void write_file(const fs::path& p, const std::string& text, mode_t mode = 0644) {
    std::ofstream(p) << text;
    ::chmod(p.c_str(), mode);
  }
  fs::path dir_;
  std::unique_ptr<KeyStore> store_;
};

TEST_F(KeyStoreTest, NewKeyGoesPendingThenStaysPending) {
  EXPECT_EQ(*store_->authorize("web1", "K1", {}), AuthStatus::kPending);
  EXPECT_EQ(*store_->authorize("web1", "K1", {}), AuthStatus::kPending);
  EXPECT_EQ(store_->list(KeyState::kPending), std::vector<std::string>{"web1"});
}

TEST_F(KeyStoreTest, AcceptedSameKeyAcceptsDifferentKeyIsDenied) {
  ASSERT_TRUE(store_->write(KeyState::kAccepted, "web1", "K1"));
  EXPECT_EQ(*store_->authorize("web1", "K1", {}), AuthStatus::kAccept);
  EXPECT_EQ(*store_->authorize("web1", "EVIL", {}), AuthStatus::kDenied);
  EXPECT_EQ(*store_->read(KeyState::kDenied, "web1"), "EVIL");
  EXPECT_EQ(*store_->read(KeyState::kAccepted, "web1"), "K1");
}

TEST_F(KeyStoreTest, PendingWithDifferentKeyIsDenied) {
  EXPECT_EQ(*store_->authorize("db1", "K1", {}), AuthStatus::kPending);
  EXPECT_EQ(*store_->authorize("db1", "K2", {}), AuthStatus::kDenied);
}

TEST_F(KeyStoreTest, RejectedStaysRejected) {
  ASSERT_TRUE(store_->write(KeyState::kRejected, "x", "K1"));
  EXPECT_EQ(*store_->authorize("x", "K1", {}), AuthStatus::kRejected);
}

TEST_F(KeyStoreTest, AutoAcceptAndAutosignFile) {
  AuthPolicy p;
  p.auto_accept = true;
  EXPECT_EQ(*store_->authorize("a1", "K", p), AuthStatus::kAccept);
  write_file(dir_ / "autosign", "# comment\nweb*\nexact-id\n^db[0-9]+$\n", 0600);
  AuthPolicy q;
  q.autosign_file = (dir_ / "autosign").string();
  EXPECT_EQ(*store_->authorize("web7", "K", q), AuthStatus::kAccept);
  EXPECT_EQ(*store_->authorize("exact-id", "K", q), AuthStatus::kAccept);
  EXPECT_EQ(*store_->authorize("db12", "K", q), AuthStatus::kAccept);
  EXPECT_EQ(*store_->authorize("mail", "K", q), AuthStatus::kPending);
  // A pending key is promoted once its id is autosigned.
  write_file(dir_ / "autosign", "mail\n", 0600);
  EXPECT_EQ(*store_->authorize("mail", "K", q), AuthStatus::kAccept);
}

TEST_F(KeyStoreTest, WorldWritableAutosignFileIsIgnored) {
  write_file(dir_ / "autosign", "*\n", 0666);
  AuthPolicy q;
  q.autosign_file = (dir_ / "autosign").string();
  EXPECT_EQ(*store_->authorize("web1", "K", q), AuthStatus::kPending);
  EXPECT_FALSE(id_listed_in(dir_ / "autosign", "web1"));
}

TEST_F(KeyStoreTest, AutorejectWinsOverAutoAccept) {
  write_file(dir_ / "autoreject", "bad*\n", 0600);
  AuthPolicy p;
  p.auto_accept = true;
  p.autoreject_file = (dir_ / "autoreject").string();
  EXPECT_EQ(*store_->authorize("bad1", "K", p), AuthStatus::kRejected);
  EXPECT_EQ(store_->list(KeyState::kRejected), std::vector<std::string>{"bad1"});
}

TEST_F(KeyStoreTest, MaxMinionsReportsFull) {
  AuthPolicy p;
  p.auto_accept = true;
  p.max_minions = 1;
  EXPECT_EQ(*store_->authorize("a", "K", p), AuthStatus::kAccept);
  EXPECT_EQ(*store_->authorize("b", "K", p), AuthStatus::kFull);
  EXPECT_EQ(*store_->authorize("a", "K", p), AuthStatus::kAccept);
}

TEST_F(KeyStoreTest, HostileIdsNeverTouchTheFilesystem) {
  for (const std::string& id : std::vector<std::string>{"", "../x", "a/b", "..", ".hidden",
                                                        std::string("a\0b", 3), "a\\b"}) {
    EXPECT_FALSE(store_->authorize(id, "K", {})) << id;
    EXPECT_FALSE(valid_minion_id(id)) << id;
  }
  EXPECT_TRUE(valid_minion_id("web-1.example.com"));
}

TEST_F(KeyStoreTest, ListSortsCaseInsensitivelyAndSkipsDotfiles) {
  for (auto id : {"b", "A", "c", "a2"}) ASSERT_TRUE(store_->write(KeyState::kAccepted, id, "K"));
  write_file(dir_ / "minions" / ".tmpfile", "x");
  EXPECT_EQ(store_->list(KeyState::kAccepted), (std::vector<std::string>{"A", "a2", "b", "c"}));
}

TEST(GlobMatch, PythonFnmatchShapes) {
  EXPECT_TRUE(glob_match("web*", "web1"));
  EXPECT_TRUE(glob_match("web?", "web1"));
  EXPECT_TRUE(glob_match("web[12]", "web2"));
  EXPECT_FALSE(glob_match("web[!12]", "web2"));
  EXPECT_FALSE(glob_match("Web*", "web1"));
  EXPECT_TRUE(glob_match("*", "a.b/c"));
}

}  // namespace
}  // namespace brine::master
