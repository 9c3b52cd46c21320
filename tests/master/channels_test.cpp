// ChannelTable: live channels (one per id) and ephemeral ones (brine-call).
#include "master/channels.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

namespace brine::master {
namespace {

// A channel id (exactly kSidBytes) named `name`.
std::string S(const std::string& name) {
  std::string sid = name;
  sid.resize(protocol::kSidBytes, '.');
  return sid;
}

std::shared_ptr<ChannelEntry> entry(const std::string& id, const std::string& name,
                                    const std::string& key_text = "key") {
  protocol::ChannelKeys keys;
  keys.sid = S(name);
  keys.side = protocol::Side::kMaster;
  keys.send_key = crypto::SecretBytes(32);
  keys.recv_key = crypto::SecretBytes(32);
  auto e = std::make_shared<ChannelEntry>();
  e->id = id;
  e->key_text = key_text;
  e->channel = std::make_unique<protocol::Channel>(std::move(keys));
  e->touch();
  return e;
}

// Makes `e` look silent for `age`.
void age(ChannelEntry& e, std::chrono::milliseconds by) {
  e.last_seen_ms.store(e.last_seen_ms.load() - by.count());
}

TEST(ChannelTable, ReauthReplacesTheLiveChannel) {
  ChannelTable t;
  EXPECT_FALSE(t.add(entry("web1", "sid-a")));
  EXPECT_TRUE(t.add(entry("web1", "sid-b")));
  EXPECT_EQ(t.find(S("sid-a")), nullptr);
  ASSERT_NE(t.find_id("web1"), nullptr);
  EXPECT_EQ(t.find_id("web1")->channel->sid(), S("sid-b"));
  EXPECT_EQ(t.size(), 1u);
}

TEST(ChannelTable, EphemeralIsFoundBySidButIsNotTheLiveChannel) {
  ChannelTable t;
  t.add(entry("web1", "live"));
  EXPECT_EQ(t.add_ephemeral(entry("web1", "call-1")), 0u);

  auto e = t.find(S("call-1"));
  ASSERT_NE(e, nullptr);
  EXPECT_TRUE(e->ephemeral);
  EXPECT_EQ(e->id, "web1");
  // The daemon's channel is untouched and still the one for the id.
  ASSERT_NE(t.find_id("web1"), nullptr);
  EXPECT_EQ(t.find_id("web1")->channel->sid(), S("live"));
  EXPECT_FALSE(t.find_id("web1")->ephemeral);
  EXPECT_EQ(t.ids(), std::vector<std::string>{"web1"});
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.ephemeral_count(), 1u);
  EXPECT_EQ(t.ephemeral_count("web1"), 1u);
}

TEST(ChannelTable, EphemeralAloneDoesNotMakeTheIdPresent) {
  ChannelTable t;
  t.add_ephemeral(entry("db1", "call-1"));
  EXPECT_EQ(t.find_id("db1"), nullptr);
  EXPECT_TRUE(t.ids().empty());
  EXPECT_NE(t.find(S("call-1")), nullptr);
}

TEST(ChannelTable, LiveReauthKeepsEphemeralChannels) {
  ChannelTable t;
  t.add(entry("web1", "live-1"));
  t.add_ephemeral(entry("web1", "call-1"));
  EXPECT_TRUE(t.add(entry("web1", "live-2")));
  EXPECT_NE(t.find(S("call-1")), nullptr);
  EXPECT_EQ(t.find_id("web1")->channel->sid(), S("live-2"));
}

TEST(ChannelTable, AtMostSixteenEphemeralPerIdOldestDroppedFirst) {
  ChannelTable t;
  t.add(entry("web1", "live"));
  for (size_t i = 0; i < kMaxEphemeralPerId; ++i) {
    EXPECT_EQ(t.add_ephemeral(entry("web1", "call-" + std::to_string(i))), 0u);
  }
  EXPECT_EQ(t.ephemeral_count("web1"), kMaxEphemeralPerId);
  EXPECT_EQ(t.add_ephemeral(entry("web1", "call-new")), 1u);
  EXPECT_EQ(t.find(S("call-0")), nullptr);  // the oldest went
  EXPECT_NE(t.find(S("call-1")), nullptr);
  EXPECT_NE(t.find(S("call-new")), nullptr);
  EXPECT_EQ(t.ephemeral_count("web1"), kMaxEphemeralPerId);
  // Other ids have their own bound; the live channel never counts.
  t.add_ephemeral(entry("web2", "other"));
  EXPECT_EQ(t.ephemeral_count("web2"), 1u);
  EXPECT_EQ(t.ephemeral_count(), kMaxEphemeralPerId + 1);
  EXPECT_NE(t.find(S("live")), nullptr);
  EXPECT_EQ(t.size(), kMaxEphemeralPerId + 2);
}

TEST(ChannelTable, DropBySidRemovesOnlyThatChannel) {
  ChannelTable t;
  t.add(entry("web1", "live"));
  t.add_ephemeral(entry("web1", "call-1"));
  t.add_ephemeral(entry("web1", "call-2"));
  EXPECT_TRUE(t.drop(S("call-1")));
  EXPECT_FALSE(t.drop(S("call-1")));
  EXPECT_EQ(t.find(S("call-1")), nullptr);
  EXPECT_NE(t.find(S("call-2")), nullptr);
  EXPECT_NE(t.find_id("web1"), nullptr);
  EXPECT_EQ(t.ephemeral_count("web1"), 1u);

  EXPECT_TRUE(t.drop(S("live")));
  EXPECT_EQ(t.find_id("web1"), nullptr);
  EXPECT_NE(t.find(S("call-2")), nullptr);
  EXPECT_FALSE(t.drop(S("nosuch")));
}

TEST(ChannelTable, IdleEphemeralChannelsAreDropped) {
  ChannelTable t;
  t.add(entry("web1", "live"));
  t.add_ephemeral(entry("web1", "old"));
  t.add_ephemeral(entry("web1", "fresh"));
  age(*t.find(S("old")), std::chrono::seconds(120));
  age(*t.find(S("live")),
      std::chrono::seconds(120));  // a silent daemon is not the sweep's business

  EXPECT_EQ(t.drop_idle_ephemeral(kEphemeralIdle), 1u);
  EXPECT_EQ(t.find(S("old")), nullptr);
  EXPECT_NE(t.find(S("fresh")), nullptr);
  EXPECT_NE(t.find(S("live")), nullptr);
  EXPECT_EQ(t.drop_idle_ephemeral(kEphemeralIdle), 0u);

  age(*t.find(S("fresh")), std::chrono::seconds(61));
  EXPECT_EQ(t.drop_idle_ephemeral(kEphemeralIdle), 1u);
  EXPECT_EQ(t.ephemeral_count(), 0u);
  EXPECT_EQ(t.ephemeral_count("web1"), 0u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(ChannelTable, KeyChangeDropsEphemeralChannelsOfThatIdToo) {
  ChannelTable t;
  t.add(entry("web1", "live", "old-key"));
  t.add_ephemeral(entry("web1", "call-1", "old-key"));
  t.add(entry("web2", "live-2", "key2"));
  t.add_ephemeral(entry("web2", "call-2", "key2"));

  auto dropped = t.drop_if([](const ChannelEntry& e) { return e.id == "web1"; });
  std::sort(dropped.begin(), dropped.end());
  EXPECT_EQ(dropped, (std::vector<std::string>{"web1", "web1"}));
  EXPECT_EQ(t.find(S("live")), nullptr);
  EXPECT_EQ(t.find(S("call-1")), nullptr);
  EXPECT_EQ(t.find_id("web1"), nullptr);
  EXPECT_EQ(t.ephemeral_count("web1"), 0u);
  EXPECT_NE(t.find(S("call-2")), nullptr);
  EXPECT_NE(t.find_id("web2"), nullptr);
}

TEST(ChannelTable, DroppingAnEphemeralChannelKeepsTheLiveMapping) {
  ChannelTable t;
  t.add(entry("web1", "live"));
  t.add_ephemeral(entry("web1", "call-1"));
  t.drop_if([](const ChannelEntry& e) { return e.ephemeral; });
  ASSERT_NE(t.find_id("web1"), nullptr);
  EXPECT_EQ(t.find_id("web1")->channel->sid(), S("live"));
}

TEST(ChannelTable, RotationDropsEveryEphemeralChannel) {
  ChannelTable t;
  t.add(entry("web1", "live"));
  t.add_ephemeral(entry("web1", "call-1"));
  t.add_ephemeral(entry("db1", "call-2"));
  EXPECT_EQ(t.drop_ephemeral(), 2u);
  EXPECT_EQ(t.find(S("call-1")), nullptr);
  EXPECT_EQ(t.find(S("call-2")), nullptr);
  EXPECT_EQ(t.ephemeral_count(), 0u);
  EXPECT_NE(t.find_id("web1"), nullptr);
  EXPECT_EQ(t.drop_ephemeral(), 0u);
}

TEST(ChannelTable, ManyCallersNeverGrowTheTable) {
  ChannelTable t;
  t.add(entry("web1", "live"));
  std::vector<std::thread> threads;
  for (int w = 0; w < 4; ++w) {
    threads.emplace_back([&t, w] {
      for (int i = 0; i < 500; ++i) {
        std::string name = "c" + std::to_string(w) + "-" + std::to_string(i);
        t.add_ephemeral(entry("web1", name));
        if (i % 3 == 0) t.drop(S(name));
        if (i % 50 == 0) t.drop_idle_ephemeral(kEphemeralIdle);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(t.ephemeral_count("web1"), kMaxEphemeralPerId);
  EXPECT_EQ(t.size(), t.ephemeral_count() + 1);
  EXPECT_EQ(t.find_id("web1")->channel->sid(), S("live"));
}

TEST(ChannelTable, OnlyCallerCommandsOnEphemeralChannels) {
  for (const char* ok : {"_return", "close", "ping"}) EXPECT_TRUE(ephemeral_command_allowed(ok));
  for (const char* no : {"minion_start", "minion_stop", "_grains", "session_key", "", "x"}) {
    EXPECT_FALSE(ephemeral_command_allowed(no)) << no;
  }
}

}  // namespace
}  // namespace brine::master
