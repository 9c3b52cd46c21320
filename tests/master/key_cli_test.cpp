// brine-key in-process against a scratch pki_dir (no master running).
#include "master/key_cli.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/crypto/crypto.h"
#include "master/keystore.h"

namespace brine::master {
namespace {
namespace fs = std::filesystem;

class KeyCli : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("brine-keycli-" + std::to_string(::getpid()) + "-" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_ / "conf");
    std::ofstream(root_ / "conf" / "master") << "root_dir: " << root_.string() << "\n";
    store_ = std::make_unique<KeyStore>(root_ / "etc/brine/pki/master");
    ASSERT_TRUE(store_->ensure_dirs());
    ASSERT_TRUE(crypto::init());
  }
  void TearDown() override { fs::remove_all(root_); }

  struct Out {
    int rc;
    std::string out, err;
  };
  Out key(std::vector<std::string> args, const std::string& input = "") {
    args.insert(args.begin(), {"brine-key", "-c", (root_ / "conf").string()});
    std::istringstream in(input);
    std::ostringstream out, err;
    int rc = key_main(args, in, out, err);
    return {rc, out.str(), err.str()};
  }
  void add(KeyState s, const std::string& id) {
    auto kp = crypto::generate_keypair();
    ASSERT_TRUE(store_->write(s, id, crypto::armor_public_key(kp.pub)));
  }

  fs::path root_;
  std::unique_ptr<KeyStore> store_;
};

TEST_F(KeyCli, ListsEverySectionInSaltsOrder) {
  add(KeyState::kAccepted, "web1");
  add(KeyState::kPending, "db1");
  add(KeyState::kRejected, "bad");
  add(KeyState::kDenied, "web1");
  auto r = key({"-L"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(
      r.out,
      "Accepted Keys:\nweb1\nDenied Keys:\nweb1\nUnaccepted Keys:\ndb1\nRejected Keys:\nbad\n");
  EXPECT_EQ(key({"-L", "--out", "json"}).out,
            "{\n    \"minions\": [\n        \"web1\"\n    ],\n    \"minions_pre\": [\n        "
            "\"db1\"\n    ],\n    \"minions_rejected\": [\n        \"bad\"\n    ],\n    "
            "\"minions_denied\": [\n        \"web1\"\n    ]\n}\n");
  EXPECT_EQ(key({"-l", "acc"}).out, "Accepted Keys:\nweb1\n");
  EXPECT_EQ(key({"-l", "un"}).out, "Unaccepted Keys:\ndb1\n");
  EXPECT_EQ(key({"-l", "den", "--out", "yaml"}).out, "minions_denied:\n- web1\n");
}

TEST_F(KeyCli, BadListArgumentIsAUsageError) {
  auto r = key({"-l", "bogus"});
  EXPECT_EQ(r.rc, 64);
  EXPECT_NE(r.err.find("'bogus' is not a valid argument to '--list'"), std::string::npos);
  EXPECT_EQ(key({"--nosuch"}).rc, 64);
  EXPECT_EQ(key({"-a", "x", "-d", "y"}).rc, 64);
}

TEST_F(KeyCli, AcceptIncludingRejectedAndRejectIncludingAccepted) {
  add(KeyState::kRejected, "r1");
  EXPECT_EQ(key({"-a", "r1", "-y"}).out, "The key glob 'r1' does not match any unaccepted keys.\n");
  EXPECT_EQ(key({"-a", "r1", "-y", "--include-rejected"}).out, "Key for minion r1 accepted.\n");
  EXPECT_EQ(store_->list(KeyState::kAccepted), std::vector<std::string>{"r1"});
  EXPECT_EQ(key({"-r", "r1", "-y", "--include-accepted"}).out, "Key for minion r1 rejected.\n");
  EXPECT_EQ(store_->list(KeyState::kRejected), std::vector<std::string>{"r1"});
}

TEST_F(KeyCli, RejectAllAndDeleteAll) {
  add(KeyState::kPending, "a");
  add(KeyState::kPending, "b");
  EXPECT_EQ(key({"-R", "-y"}).out, "Key for minion a rejected.\nKey for minion b rejected.\n");
  add(KeyState::kAccepted, "c");
  EXPECT_EQ(key({"-D"}, "y\n").out,
            "The following keys are going to be deleted:\nAccepted Keys:\nc\nRejected Keys:\na\nb\n"
            "Proceed? [N/y] Key for minion c deleted.\nKey for minion a deleted.\nKey for minion "
            "b deleted.\n");
  EXPECT_TRUE(store_->list(KeyState::kRejected).empty());
}

TEST_F(KeyCli, FingerAndPrintGlobs) {
  add(KeyState::kAccepted, "web1");
  add(KeyState::kPending, "web2");
  auto text = *store_->read(KeyState::kAccepted, "web1");
  auto f = key({"-f", "web*"});
  EXPECT_EQ(f.out, "Accepted Keys:\nweb1:  " + crypto::fingerprint_text(text) +
                       "\nUnaccepted Keys:\nweb2:  " +
                       crypto::fingerprint_text(*store_->read(KeyState::kPending, "web2")) + "\n");
  auto p = key({"-p", "web1", "--out", "json"});
  EXPECT_NE(p.out.find("BEGIN BRINE PUBLIC KEY"), std::string::npos) << p.out;
}

TEST_F(KeyCli, GenKeysWritesAPairWithSecretModeAndPrintsItsFingerprint) {
  fs::path dir = root_ / "gen";
  fs::create_directories(dir);
  auto r = key({"--gen-keys", "mykey", "--gen-keys-dir", dir.string()});
  EXPECT_EQ(r.rc, 0) << r.err;
  ASSERT_TRUE(fs::exists(dir / "mykey.pem"));
  ASSERT_TRUE(fs::exists(dir / "mykey.pub"));
  EXPECT_EQ(fs::status(dir / "mykey.pem").permissions(), fs::perms::owner_read);
  auto pub = crypto::read_public_key(dir / "mykey.pub");
  ASSERT_TRUE(pub);
  EXPECT_EQ(r.out, "Local Keys:\nmykey.pub:  " + crypto::fingerprint(*pub) + "\n");
}

}  // namespace
}  // namespace brine::master
