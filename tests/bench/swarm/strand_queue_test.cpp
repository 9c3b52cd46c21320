// The delivery strands' queue: each virtual minion's backlog is capped on its
// own, like a real minion's SUB socket high-water mark.
#include <gtest/gtest.h>

#include "common/codec/msgpack.h"
#include "tests/bench/swarm/fake_master.h"
#include "tests/bench/swarm/swarm_impl.h"

namespace brine::swarm {
namespace {

class StrandQueueTest : public ::testing::Test {
 protected:
  std::shared_ptr<Delivery> delivery(const std::string& jid) {
    auto bytes = master_.publication(Value::map({{"jid", jid}, {"fun", "test.ping"}}));
    auto v = protocol::verify_publication_signature(bytes, master_.public_key());
    EXPECT_TRUE(v.has_value());
    return std::make_shared<Delivery>(std::move(*v));
  }
  testing::FakeMaster master_;
};

TEST_F(StrandQueueTest, CopiesForTheNextMinionsJoinTheBackItem) {
  StrandQueue q(256);  // strand 2: minions 256..383
  auto d1 = delivery("1"), d2 = delivery("2");
  // One connection per minion: 128 copies of d1, then of d2.
  for (size_t i = 256; i < 384; ++i) EXPECT_EQ(q.push(d1, i, i + 1), 0u);
  for (size_t i = 256; i < 384; ++i) EXPECT_EQ(q.push(d2, i, i + 1), 0u);
  EXPECT_EQ(q.items(), 2u);
  EXPECT_EQ(q.waiting(256), 2u);
  EXPECT_EQ(q.waiting(383), 2u);
  auto a = q.pop();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->delivery, d1);
  EXPECT_EQ(a->lo, 256u);
  EXPECT_EQ(a->hi, 384u);
  EXPECT_EQ(q.waiting(300), 1u);
  // Copies out of order are separate items, each minion's order kept.
  auto d3 = delivery("3");
  EXPECT_EQ(q.push(d3, 300, 301), 0u);
  EXPECT_EQ(q.push(d3, 256, 300), 0u);
  EXPECT_EQ(q.items(), 3u);
  EXPECT_EQ(q.pop()->delivery, d2);
  EXPECT_EQ(q.pop()->lo, 300u);
  EXPECT_EQ(q.pop()->hi, 300u);
  EXPECT_FALSE(q.pop());
  EXPECT_EQ(q.waiting(256), 0u);
  EXPECT_EQ(q.waiting(300), 0u);
}

TEST_F(StrandQueueTest, ABurstOnPerMinionConnectionsFitsEachMinionsBacklog) {
  // 900 publications, a copy for each of 128 minions: 115,200 copies on the
  // strand, 900 per minion, under each minion's own 1,000.
  StrandQueue q(0);
  for (int j = 0; j < 900; ++j) {
    auto d = delivery(std::to_string(j));
    for (size_t i = 0; i < kDeliveryChunk; ++i) ASSERT_EQ(q.push(d, i, i + 1), 0u);
  }
  EXPECT_EQ(q.items(), 900u);
  EXPECT_EQ(q.waiting(0), 900u);
  EXPECT_EQ(q.waiting(127), 900u);
}

TEST_F(StrandQueueTest, EachMinionDropsOnlyWhenItsOwnBacklogIsFull) {
  StrandQueue q(0);
  auto d = delivery("1");
  for (size_t k = 0; k < kMaxMinionBacklog; ++k) ASSERT_EQ(q.push(d, 0, 1), 0u);
  EXPECT_EQ(q.waiting(0), kMaxMinionBacklog);
  // Minion 0 is full; minions 1..3 still take it (the back item, extended).
  EXPECT_EQ(q.push(d, 0, 4), 1u);
  EXPECT_EQ(q.waiting(0), kMaxMinionBacklog);
  EXPECT_EQ(q.waiting(1), 1u);
  EXPECT_EQ(q.waiting(4), 0u);
  EXPECT_EQ(q.items(), kMaxMinionBacklog);
  EXPECT_EQ(q.push(d, 0, 1), 1u);
  // Tasks are never dropped.
  int ran = 0;
  q.push([&] { ++ran; });
  EXPECT_EQ(q.items(), kMaxMinionBacklog + 1);
  // Reading one frees one place.
  auto first = q.pop();
  ASSERT_TRUE(first);
  EXPECT_EQ(q.waiting(0), kMaxMinionBacklog - 1);
  EXPECT_EQ(q.push(d, 0, 1), 0u);
  EXPECT_EQ(q.push(d, 0, 1), 1u);
  size_t popped = 1;
  while (auto item = q.pop()) {
    ++popped;
    if (item->task) item->task();
  }
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(popped, kMaxMinionBacklog + 2);
  EXPECT_EQ(q.waiting(0), 0u);
  EXPECT_EQ(q.waiting(1), 0u);
}

}  // namespace
}  // namespace brine::swarm
