#include "common/cli/batch.h"

#include <gtest/gtest.h>

namespace brine::cli {
namespace {

TEST(BatchSize, AbsoluteCounts) {
  auto b = parse_batch_size("3");
  ASSERT_TRUE(b);
  EXPECT_FALSE(b->percent);
  EXPECT_EQ(b->resolve(100), 3u);
  EXPECT_EQ(parse_batch_size(" 10 ")->resolve(2), 10u);
}

TEST(BatchSize, PercentagesRoundLikeSalt) {
  auto b = parse_batch_size("10%");
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->percent);
  EXPECT_EQ(b->resolve(25), 2u);  // 2.5 -> floor
  EXPECT_EQ(b->resolve(5), 1u);   // 0.5 -> ceil
  EXPECT_EQ(b->resolve(0), 0u);
  EXPECT_EQ(parse_batch_size("%50")->resolve(3), 1u);
  EXPECT_EQ(parse_batch_size("12.5%")->resolve(16), 2u);
  EXPECT_EQ(parse_batch_size("100%")->resolve(7), 7u);
}

TEST(BatchSize, InvalidInputHasSaltsMessage) {
  for (const char* bad : {"abc", "3.5", "", "%", "x%", "0", "-2", "0%", "-5%", "inf%", "3 4"}) {
    auto b = parse_batch_size(bad);
    ASSERT_FALSE(b) << bad;
    EXPECT_EQ(b.error().message, std::string("Invalid batch data sent: ") + bad +
                                     "\nData must be in the form of %10, 10% or 3");
  }
}

}  // namespace
}  // namespace brine::cli
