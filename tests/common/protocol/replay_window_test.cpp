#include "common/protocol/replay_window.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace brine::protocol {
namespace {

TEST(ReplayWindow, AcceptsEachCounterOnce) {
  ReplayWindow w(1024);
  for (uint64_t c = 1; c <= 5000; ++c) {
    ASSERT_TRUE(w.accept(c)) << c;
    ASSERT_FALSE(w.accept(c)) << c;
  }
  EXPECT_EQ(w.highest(), 5000u);
}

TEST(ReplayWindow, RejectsZero) {
  ReplayWindow w;
  EXPECT_FALSE(w.check(0));
  EXPECT_FALSE(w.accept(0));
}

TEST(ReplayWindow, OutOfOrderWithinWindow) {
  ReplayWindow w(1024);
  ASSERT_TRUE(w.accept(100));
  ASSERT_TRUE(w.accept(50));
  ASSERT_TRUE(w.accept(99));
  EXPECT_FALSE(w.accept(50));
  EXPECT_FALSE(w.accept(100));
  EXPECT_TRUE(w.check(51));
  EXPECT_TRUE(w.accept(1));
}

TEST(ReplayWindow, RejectsTooOld) {
  ReplayWindow w(1024);
  ASSERT_TRUE(w.accept(5000));
  EXPECT_FALSE(w.check(5000 - 1024));
  EXPECT_TRUE(w.check(5000 - 1023));
  EXPECT_FALSE(w.accept(1));
}

TEST(ReplayWindow, BigJumpClearsOldBits) {
  ReplayWindow w(64);
  for (uint64_t c = 1; c <= 64; ++c) {
    ASSERT_TRUE(w.accept(c));
  }
  ASSERT_TRUE(w.accept(1000));
  // Counters just below the new top were never seen: they must be accepted
  // even though their slots held bits of counters 1..64.
  for (uint64_t c = 1000 - 63; c < 1000; ++c) {
    ASSERT_TRUE(w.accept(c)) << c;
  }
}

TEST(ReplayWindow, SmallJumpClearsSkippedSlots) {
  ReplayWindow w(64);
  for (uint64_t c = 1; c <= 64; ++c) {
    ASSERT_TRUE(w.accept(c));
  }
  ASSERT_TRUE(w.accept(70));  // slots of 65..69 = slots of 1..5
  for (uint64_t c = 65; c < 70; ++c) {
    EXPECT_TRUE(w.accept(c)) << c;
  }
  EXPECT_FALSE(w.accept(6));  // 70 - 6 = 64: outside the window
  EXPECT_FALSE(w.accept(7)) << "already seen";
}

TEST(ReplayWindow, ShuffledDeliveryAcceptsAllExactlyOnce) {
  ReplayWindow w(1024);
  std::vector<uint64_t> ctrs(20000);
  for (size_t i = 0; i < ctrs.size(); ++i) {
    ctrs[i] = i + 1;
  }
  // Local shuffles within blocks of 512: reordering smaller than the window.
  std::mt19937_64 rng(7);
  for (size_t i = 0; i < ctrs.size(); i += 512) {
    std::shuffle(ctrs.begin() + static_cast<long>(i),
                 ctrs.begin() + static_cast<long>(std::min(i + 512, ctrs.size())), rng);
  }
  for (uint64_t c : ctrs) {
    ASSERT_TRUE(w.accept(c)) << c;
  }
  for (uint64_t c = 20000 - 1023; c <= 20000; ++c) {
    ASSERT_FALSE(w.accept(c));
  }
}

TEST(ReplayWindow, SizeRoundsUp) {
  EXPECT_EQ(ReplayWindow(1).size(), 64u);
  EXPECT_EQ(ReplayWindow(100).size(), 128u);
  EXPECT_EQ(ReplayWindow(1024).size(), 1024u);
}

}  // namespace
}  // namespace brine::protocol
