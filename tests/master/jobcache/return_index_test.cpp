#include "master/jobcache/return_index.h"

#include <gtest/gtest.h>

#include <string>

namespace brine::jobcache {
namespace {

using Claim = ReturnIndex::Claim;

TEST(ReturnIndex, FirstReturnThenDuplicate) {
  ReturnIndex idx({});
  idx.add_job("j1", 100);
  EXPECT_EQ(idx.claim("j1", "web1"), Claim::kFirst);
  EXPECT_EQ(idx.claim("j1", "web2"), Claim::kFirst);
  EXPECT_EQ(idx.claim("j1", "web1"), Claim::kDuplicate);
  EXPECT_EQ(idx.ids(), 2u);
}

TEST(ReturnIndex, UnknownJobIsLeftToTheCaller) {
  ReturnIndex idx({});
  EXPECT_EQ(idx.claim("nope", "web1"), Claim::kUnknownJob);
  EXPECT_FALSE(idx.has_job("nope"));
}

TEST(ReturnIndex, JobsAreIndependent) {
  ReturnIndex idx({});
  idx.add_job("j1", 100);
  idx.add_job("j2", 100);
  EXPECT_EQ(idx.claim("j1", "web1"), Claim::kFirst);
  EXPECT_EQ(idx.claim("j2", "web1"), Claim::kFirst);
  EXPECT_EQ(idx.claim("j2", "web1"), Claim::kDuplicate);
}

TEST(ReturnIndex, AddJobKeepsReturnsAlreadyInTheDatabase) {
  ReturnIndex idx({});
  idx.add_job("j1", 100, {"web1", "web3"});
  EXPECT_EQ(idx.claim("j1", "web1"), Claim::kDuplicate);
  EXPECT_EQ(idx.claim("j1", "web2"), Claim::kFirst);
  EXPECT_EQ(idx.claim("j1", "web3"), Claim::kDuplicate);
  // A second add of a tracked job changes nothing.
  idx.add_job("j1", 200, {"web4"});
  EXPECT_EQ(idx.claim("j1", "web4"), Claim::kFirst);
}

TEST(ReturnIndex, ManyMinionsCostBitsNotStrings) {
  ReturnIndex idx({});
  for (int j = 0; j < 50; ++j) {
    std::string jid = "j" + std::to_string(j);
    idx.add_job(jid, 100);
    for (int m = 0; m < 10000; ++m) {
      ASSERT_EQ(idx.claim(jid, "swarm-" + std::to_string(m)), Claim::kFirst);
    }
  }
  EXPECT_EQ(idx.jobs(), 50u);
  EXPECT_EQ(idx.ids(), 500000u);
  // 10,000 ids numbered once (~80 B each) + 50 jobs of 10,000 bits (up to
  // twice that from vector growth): ~1 MB, where strings per job cost ~40 MB.
  EXPECT_LT(idx.bytes(), 2u << 20);
  EXPECT_EQ(idx.claim("j0", "swarm-9999"), Claim::kDuplicate);
}

TEST(ReturnIndex, ForgetsOldestJobsPastMaxIds) {
  ReturnIndex idx({.max_ids = 8});
  for (int j = 0; j < 3; ++j) {
    std::string jid = "j" + std::to_string(j);
    idx.add_job(jid, 100 + j);
    for (int m = 0; m < 6; ++m) idx.claim(jid, "m" + std::to_string(m));
  }
  EXPECT_FALSE(idx.has_job("j0"));
  EXPECT_TRUE(idx.has_job("j2"));
  EXPECT_LE(idx.ids(), 8u);
  EXPECT_EQ(idx.claim("j0", "m0"), Claim::kUnknownJob);
}

TEST(ReturnIndex, NeverForgetsTheJobBeingWrittenTo) {
  ReturnIndex idx({.max_ids = 4});
  idx.add_job("old", 100);
  idx.add_job("big", 101);
  idx.claim("old", "a");
  for (int m = 0; m < 20; ++m) {
    EXPECT_EQ(idx.claim("big", "m" + std::to_string(m)), Claim::kFirst);
  }
  EXPECT_TRUE(idx.has_job("big"));
  EXPECT_FALSE(idx.has_job("old"));
  EXPECT_EQ(idx.claim("big", "m3"), Claim::kDuplicate);
}

TEST(ReturnIndex, ForgetsOldestJobsPastMaxBytes) {
  ReturnIndex idx({.max_bytes = 16 * 1024});
  for (int j = 0; j < 200; ++j) idx.add_job("j" + std::to_string(j), 100);
  EXPECT_LE(idx.bytes(), 16u * 1024);
  EXPECT_LT(idx.jobs(), 200u);
  EXPECT_TRUE(idx.has_job("j199"));
  EXPECT_FALSE(idx.has_job("j0"));
}

TEST(ReturnIndex, StartsOverPastMaxDistinctIds) {
  ReturnIndex idx({.max_distinct_ids = 3});
  idx.add_job("j1", 100);
  for (const char* id : {"a", "b", "c"}) EXPECT_EQ(idx.claim("j1", id), Claim::kFirst);
  // A fourth distinct id: everything is forgotten, the job too.
  EXPECT_EQ(idx.claim("j1", "d"), Claim::kUnknownJob);
  EXPECT_EQ(idx.jobs(), 0u);
  EXPECT_EQ(idx.ids(), 0u);
  idx.add_job("j1", 100, {"a"});
  EXPECT_EQ(idx.claim("j1", "a"), Claim::kDuplicate);
  EXPECT_EQ(idx.claim("j1", "d"), Claim::kFirst);
}

TEST(ReturnIndex, ForgetBeforeDropsOnlyOlderJobs) {
  ReturnIndex idx({});
  idx.add_job("j1", 100);
  idx.add_job("j2", 200);
  idx.claim("j1", "a");
  idx.claim("j2", "a");
  idx.forget_before(150);
  EXPECT_FALSE(idx.has_job("j1"));
  EXPECT_TRUE(idx.has_job("j2"));
  EXPECT_EQ(idx.ids(), 1u);
  idx.forget_before(1000);
  EXPECT_EQ(idx.jobs(), 0u);
  EXPECT_GT(idx.bytes(), 0u);  // the id table stays
  EXPECT_LT(idx.bytes(), 1024u);
}

}  // namespace
}  // namespace brine::jobcache
