#include "common/crypto/key_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace brine::crypto {
namespace {

namespace fs = std::filesystem;

class KeyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "brine-keyfiles-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  static unsigned mode_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0);
    return st.st_mode & 07777;
  }
  static void write_text(const fs::path& p, const std::string& text, unsigned mode) {
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    ::chmod(p.c_str(), mode);
  }

  fs::path dir_;
};

TEST_F(KeyFiles, WriteAndReadRoundTripWithModes) {
  KeyPair kp = generate_keypair(SecretStorage::kHeap);
  ASSERT_TRUE(write_keypair(kp, dir_ / "master.pem", dir_ / "master.pub").has_value());
  EXPECT_EQ(mode_of(dir_ / "master.pem"), 0400u);
  EXPECT_EQ(mode_of(dir_ / "master.pub"), 0644u);
  auto back = read_keypair(dir_ / "master.pem");
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  EXPECT_EQ(back->pub, kp.pub);
  EXPECT_TRUE(back->secret.equals(kp.secret));
  auto pub = read_public_key(dir_ / "master.pub");
  ASSERT_TRUE(pub.has_value());
  EXPECT_EQ(*pub, kp.pub);
  // No temp files left behind.
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) {
    ++n;
  }
  EXPECT_EQ(n, 2u);
}

TEST_F(KeyFiles, OverwriteReplacesAtomically) {
  KeyPair a = generate_keypair(SecretStorage::kHeap);
  KeyPair b = generate_keypair(SecretStorage::kHeap);
  ASSERT_TRUE(write_keypair(a, dir_ / "k.pem", dir_ / "k.pub").has_value());
  ASSERT_TRUE(write_keypair(b, dir_ / "k.pem", dir_ / "k.pub").has_value());
  auto back = read_keypair(dir_ / "k.pem");
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->pub, b.pub);
}

TEST_F(KeyFiles, RefusesGroupOrWorldAccessibleSecret) {
  KeyPair kp = generate_keypair(SecretStorage::kHeap);
  ASSERT_TRUE(write_keypair(kp, dir_ / "minion.pem", dir_ / "minion.pub").has_value());
  for (unsigned mode : {0440u, 0404u, 0600u | 0020u, 0644u}) {
    ASSERT_EQ(::chmod((dir_ / "minion.pem").c_str(), mode), 0);
    auto r = read_keypair(dir_ / "minion.pem");
    ASSERT_FALSE(r.has_value()) << mode;
    EXPECT_EQ(r.error().code, Errc::kPermissionDenied);
    EXPECT_EQ(r.error().where, (dir_ / "minion.pem").string());
    EXPECT_NE(r.error().message.find("accessible by group or others"), std::string::npos);
  }
  ASSERT_EQ(::chmod((dir_ / "minion.pem").c_str(), 0600), 0);
  EXPECT_TRUE(read_keypair(dir_ / "minion.pem").has_value());
}

TEST_F(KeyFiles, GarbledFilesNameTheFile) {
  const fs::path pem = dir_ / "minion.pem";
  const fs::path pub = dir_ / "minion.pub";
  write_text(pem,
             "-----BEGIN BRINE PRIVATE KEY-----\nnot base64!\n-----END BRINE PRIVATE KEY-----\n",
             0400);
  write_text(pub, "garbage\n", 0644);
  auto r = read_keypair(pem);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().to_string(), pem.string() + ": invalid base64 in key body");
  auto p = read_public_key(pub);
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code, Errc::kParse);
  EXPECT_EQ(p.error().where, pub.string());
}

TEST_F(KeyFiles, TruncatedSecretFile) {
  KeyPair kp = generate_keypair(SecretStorage::kHeap);
  std::string text = armor_secret_key(kp);
  for (size_t len = 0; len < text.size() - 1; len += 7) {
    write_text(dir_ / "t.pem", text.substr(0, len), 0400);
    auto r = read_keypair(dir_ / "t.pem");
    ASSERT_FALSE(r.has_value()) << len;
    EXPECT_EQ(r.error().where, (dir_ / "t.pem").string());
    fs::remove(dir_ / "t.pem");
  }
}

TEST_F(KeyFiles, MissingFileIsNotFound) {
  auto r = read_public_key(dir_ / "nope.pub");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kNotFound);
  EXPECT_EQ(r.error().where, (dir_ / "nope.pub").string());
}

TEST_F(KeyFiles, DirectoryAndFifoRefused) {
  auto r = read_public_key(dir_);
  ASSERT_FALSE(r.has_value());
  ASSERT_EQ(::mkfifo((dir_ / "fifo.pub").c_str(), 0644), 0);
  auto f = read_public_key(dir_ / "fifo.pub");
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().message, "key file is not a regular file");
}

TEST_F(KeyFiles, TooLargeRefused) {
  write_text(dir_ / "big.pub", std::string(100000, 'A'), 0644);
  auto r = read_public_key(dir_ / "big.pub");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "key file too large (100000 bytes)");
}

TEST_F(KeyFiles, LoadOrCreateCreatesDirAndIsStable) {
  const fs::path pki = dir_ / "pki" / "minion";
  auto a = load_or_create_keypair(pki, "minion");
  ASSERT_TRUE(a.has_value()) << a.error().to_string();
  EXPECT_EQ(mode_of(pki), 0700u);
  EXPECT_EQ(mode_of(pki / "minion.pem"), 0400u);
  EXPECT_EQ(mode_of(pki / "minion.pub"), 0644u);
  auto b = load_or_create_keypair(pki, "minion");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(a->pub, b->pub);
}

TEST_F(KeyFiles, LoadOrCreateRestoresMissingPub) {
  auto a = load_or_create_keypair(dir_, "master");
  ASSERT_TRUE(a.has_value());
  fs::remove(dir_ / "master.pub");
  auto b = load_or_create_keypair(dir_, "master");
  ASSERT_TRUE(b.has_value());
  auto pub = read_public_key(dir_ / "master.pub");
  ASSERT_TRUE(pub.has_value());
  EXPECT_EQ(*pub, a->pub);
}

TEST_F(KeyFiles, LoadOrCreateRefusesMismatchedPub) {
  ASSERT_TRUE(load_or_create_keypair(dir_, "master").has_value());
  ASSERT_TRUE(write_public_key(generate_keypair(SecretStorage::kHeap).pub, dir_ / "master.pub")
                  .has_value());
  auto r = load_or_create_keypair(dir_, "master");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kAlreadyExists);
  EXPECT_EQ(r.error().where, (dir_ / "master.pub").string());
}

TEST_F(KeyFiles, LoadOrCreateRefusesOpenSecret) {
  ASSERT_TRUE(load_or_create_keypair(dir_, "master").has_value());
  ::chmod((dir_ / "master.pem").c_str(), 0644);
  auto r = load_or_create_keypair(dir_, "master");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kPermissionDenied);
}

TEST_F(KeyFiles, WriteIntoMissingDirFails) {
  auto st = write_public_key(generate_keypair(SecretStorage::kHeap).pub, dir_ / "no" / "k.pub");
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, Errc::kNotFound);
}

}  // namespace
}  // namespace brine::crypto
