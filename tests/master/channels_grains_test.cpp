// Grains kept packed in ChannelEntry and decoded by JobManager::publish only
// for targets that read them (docs/performance.md, proposal 2).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "common/codec/msgpack.h"
#include "common/crypto/crypto.h"
#include "master/acl.h"
#include "master/channels.h"
#include "master/events.h"
#include "master/jobs.h"
#include "master/keystore.h"

namespace brine::master {
namespace {
namespace fs = std::filesystem;

std::shared_ptr<ChannelEntry> make_entry(const std::string& id, int n) {
  protocol::ChannelKeys keys;
  keys.sid = std::string(protocol::kSidBytes, '\0');
  keys.sid.replace(0, std::to_string(n).size(), std::to_string(n));
  keys.side = protocol::Side::kMaster;
  keys.send_key = crypto::SecretBytes(crypto::kAeadKeyBytes);
  keys.recv_key = crypto::SecretBytes(crypto::kAeadKeyBytes);
  auto e = std::make_shared<ChannelEntry>();
  e->id = id;
  e->channel = std::make_unique<protocol::Channel>(std::move(keys));
  e->touch();
  return e;
}

Value host_grains(int i) {
  return Value::map({{"id", "web-" + std::to_string(i)},
                     {"os", "Debian"},
                     {"role", i % 2 == 0 ? "web" : "db"},
                     {"index", static_cast<int64_t>(i)},
                     {"ipv4", Value::list({"198.51.100." + std::to_string(i % 250), "127.0.0.1"})},
                     {"nested", Value::map({{"deep", Value::map({{"x", "y"}})}})}});
}

TEST(ChannelGrains, NullUntilReported) {
  auto e = make_entry("m1", 1);
  EXPECT_TRUE(e->grains().is_null());
  EXPECT_EQ(e->packed_grains(), nullptr);
}

TEST(ChannelGrains, DecodesToWhatWasReported) {
  auto e = make_entry("m1", 1);
  Value g = host_grains(7);
  e->set_grains(g);
  EXPECT_EQ(e->grains(), g);
  ASSERT_NE(e->packed_grains(), nullptr);
  EXPECT_EQ(*e->packed_grains(), codec::msgpack_pack(g));
  // Each call decodes a fresh tree: changing one leaves the stored grains alone.
  Value copy = e->grains();
  copy["os"] = "Ubuntu";
  EXPECT_EQ(e->grains().get_string("os"), "Debian");
}

TEST(ChannelGrains, ANewReportReplacesAndANonMapClears) {
  auto e = make_entry("m1", 1);
  e->set_grains(host_grains(1));
  e->set_grains(host_grains(2));
  EXPECT_EQ(e->grains().get_string("role"), "web");
  auto before = e->packed_grains();
  e->set_grains(Value("not a map"));
  EXPECT_TRUE(e->grains().is_null());
  // A reader holding the old bytes keeps them.
  ASSERT_NE(before, nullptr);
  EXPECT_EQ(codec::msgpack_unpack(*before)->get_string("role"), "web");
}

TEST(ChannelGrains, PackedBytesHaveNoSpareCapacity) {
  auto e = make_entry("m1", 1);
  Value g = host_grains(3);
  e->set_grains(g);
  EXPECT_EQ(e->packed_grains()->capacity(), e->packed_grains()->size());
}

// A JobManager over a scratch cachedir/sock_dir/pki_dir with `n` accepted
// minions web-0..web-<n-1>, each connected with host_grains(i) unless listed
// in `silent` (accepted, no channel: Salt keeps those expected, "greedy").
class PublishGrains : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("brine-grains-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "cache");
    fs::create_directories(dir_ / "sock");
    opts_ = Value::map({{"cachedir", (dir_ / "cache").string()}});
    keys_ = std::make_unique<KeyStore>(dir_ / "pki");
    ASSERT_TRUE(keys_->ensure_dirs());
    auto bus = EventBus::bind((dir_ / "sock").string());
    ASSERT_TRUE(bus) << bus.error().to_string();
    events_ = std::move(*bus);
    acl_ = std::make_unique<PublisherAcl>(opts_);
    jobs_ = std::make_unique<JobManager>(opts_, *events_, channels_, *keys_, *acl_,
                                         [this](const Value& load) { published_.push_back(load); });
    ASSERT_TRUE(jobs_->open());
  }
  void TearDown() override {
    jobs_.reset();
    events_.reset();
    fs::remove_all(dir_);
  }
  void fleet(int n, const std::vector<int>& silent = {}) {
    for (int i = 0; i < n; ++i) {
      std::string id = "web-" + std::to_string(i);
      ASSERT_TRUE(keys_->write(KeyState::kAccepted, id, "key-" + id));
      if (std::find(silent.begin(), silent.end(), i) != silent.end()) continue;
      auto e = make_entry(id, i);
      e->set_grains(host_grains(i));
      channels_.add(std::move(e));
    }
  }
  std::vector<std::string> minions(const Value& tgt, const std::string& type) {
    Value r = jobs_->publish(
        Value::map({{"fun", "test.ping"}, {"tgt", tgt}, {"tgt_type", type}, {"preview", true}}),
        "root");
    EXPECT_FALSE(r.find("error")) << r.get_string("error");
    std::vector<std::string> out;
    if (const Value* m = r.find("minions"); m && m->is_list()) {
      for (const auto& v : m->as_list()) out.push_back(v.as_string());
    }
    return out;
  }

  fs::path dir_;
  Value opts_;
  ChannelTable channels_;
  std::unique_ptr<KeyStore> keys_;
  std::unique_ptr<EventBus> events_;
  std::unique_ptr<PublisherAcl> acl_;
  std::unique_ptr<JobManager> jobs_;
  std::vector<Value> published_;
};

TEST_F(PublishGrains, GrainTargetMatchesEachMinionsOwnGrains) {
  fleet(40);
  auto got = minions("role:web", "grain");
  ASSERT_EQ(got.size(), 20u);
  for (const auto& id : got) {
    EXPECT_EQ(std::stoi(id.substr(4)) % 2, 0) << id;
  }
  // Every minion's decoded grains are its own, not a neighbour's.
  got = minions("index:17", "grain");
  EXPECT_EQ(got, std::vector<std::string>{"web-17"});
  got = minions("ipv4:198.51.100.33", "grain");
  EXPECT_EQ(got, std::vector<std::string>{"web-33"});
}

TEST_F(PublishGrains, CompoundAndNestedGrains) {
  fleet(12);
  auto got = minions("G@role:db and web-1*", "compound");
  EXPECT_EQ(got, (std::vector<std::string>{"web-1", "web-11"}));
  got = minions("nested:deep:x:y", "grain");
  EXPECT_EQ(got.size(), 12u);
}

TEST_F(PublishGrains, MinionsWithoutGrainsStayExpected) {
  fleet(6, {3});
  auto got = minions("role:web", "grain");
  // 0, 2, 4 by their grains; 3 has no cache entry (greedy, as in Salt).
  EXPECT_EQ(got, (std::vector<std::string>{"web-0", "web-2", "web-3", "web-4"}));
}

TEST_F(PublishGrains, GlobAndListTargetsNeedNoGrains) {
  fleet(5);
  EXPECT_EQ(minions("web-*", "glob").size(), 5u);
  EXPECT_EQ(minions("web-1,web-4", "list").size(), 2u);
}

}  // namespace
}  // namespace brine::master
