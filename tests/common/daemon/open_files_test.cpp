#include "common/daemon/open_files.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <limits>

namespace brine::daemon {
namespace {

using Level = OpenFilesAdvice::Level;

// Restores this test process's RLIMIT_NOFILE after each test.
class OpenFilesLimitTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved_), 0); }
  void TearDown() override { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  // Lowers the soft limit to `soft` (a process may always lower it).
  void lower_soft(rlim_t soft) {
    rlimit rl = saved_;
    rl.rlim_cur = soft;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &rl), 0);
  }
  uint64_t hard() const {
    return saved_.rlim_max == RLIM_INFINITY ? std::numeric_limits<uint64_t>::max()
                                            : saved_.rlim_max;
  }
  rlimit saved_{};
};

TEST_F(OpenFilesLimitTest, ReadsTheLimits) {
  auto l = open_files_limit();
  ASSERT_TRUE(l);
  EXPECT_GT(l->soft, 0u);
  EXPECT_GE(l->hard, l->soft);
}

TEST_F(OpenFilesLimitTest, RaisesTheSoftLimitToTheWantedValue) {
  if (hard() < 200) GTEST_SKIP() << "hard limit below 200";
  lower_soft(100);
  auto r = raise_open_files_limit(200);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->before.soft, 100u);
  EXPECT_EQ(r->after.soft, 200u);
  EXPECT_EQ(r->target, 200u);
  EXPECT_FALSE(r->capped);
  EXPECT_EQ(open_files_limit()->soft, 200u);
}

TEST_F(OpenFilesLimitTest, StopsAtTheHardLimit) {
  if (hard() == std::numeric_limits<uint64_t>::max() || hard() < 200) {
    GTEST_SKIP() << "needs a finite hard limit";
  }
  lower_soft(100);
  auto r = raise_open_files_limit(hard() + 1000);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_TRUE(r->capped);
  EXPECT_EQ(r->target, hard());
  EXPECT_EQ(r->after.soft, hard());
  EXPECT_EQ(r->after.hard, hard());
}

TEST_F(OpenFilesLimitTest, NeverLowersTheSoftLimit) {
  if (hard() < 300) GTEST_SKIP() << "hard limit below 300";
  lower_soft(300);
  auto r = raise_open_files_limit(50);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->after.soft, 300u);
  EXPECT_EQ(open_files_limit()->soft, 300u);
}

// Salt's own thresholds (tests/pytests/unit/utils/verify: soft limit 256).
TEST(OpenFilesAdvice, NothingWhileFourTimesTheKeysFit) {
  EXPECT_FALSE(open_files_advice(0, 100000, {256, 4096}));
  EXPECT_FALSE(open_files_advice(24, 100000, {256, 4096}));
  EXPECT_FALSE(open_files_advice(64, 100000, {256, 4096}));
}

TEST(OpenFilesAdvice, LevelsRiseAsKeysApproachTheLimit) {
  auto info = open_files_advice(66, 100000, {256, 4096});
  ASSERT_TRUE(info);
  EXPECT_EQ(info->level, Level::kInfo);
  EXPECT_EQ(info->message,
            "The number of accepted minion keys(66) should be lower than 1/4 of the max open "
            "files soft setting(256). Please consider raising this value.");
  EXPECT_EQ(open_files_advice(127, 100000, {256, 4096})->level, Level::kWarning);
  EXPECT_EQ(open_files_advice(196, 100000, {256, 4096})->level, Level::kCritical);
  auto full = open_files_advice(256, 100000, {256, 4096});
  EXPECT_EQ(full->level, Level::kCritical);
  EXPECT_NE(full->message.find("brine-master will crash pretty soon! "), std::string::npos);
}

TEST(OpenFilesAdvice, NamesTheMarginUnderTheHardLimit) {
  auto a = open_files_advice(100, 1024, {256, 4096});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->message,
            "The number of accepted minion keys(100) should be lower than 1/4 of the max open "
            "files soft setting(256). According to the system's hard limit, there's still a "
            "margin of 3072 to raise the max_open_files setting. Please consider raising this "
            "value.");
  // No margin to name under an unlimited hard limit.
  auto b = open_files_advice(100, 1024, {256, std::numeric_limits<uint64_t>::max()});
  EXPECT_EQ(b->message.find("margin"), std::string::npos);
}

}  // namespace
}  // namespace brine::daemon
