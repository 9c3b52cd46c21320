#include "master/jobcache/jid.h"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "common/values/value.h"
#include "master/jobcache/job_cache.h"
#include "tests/master/jobcache/test_util.h"

namespace brine::jobcache {
namespace {

using testing::FakeClock;
using testing::kMar1;

TEST(Jid, FormatsUtcMicroseconds) {
  EXPECT_EQ(jid_from_unix_us(kMar1), "20240301101502123456");
  EXPECT_EQ(jid_from_unix_us(0), "19700101000000000000");
  EXPECT_EQ(*jid_to_unix_us("20240301101502123456"), kMar1);
  EXPECT_EQ(jid_to_start_time("20240301101502123456"), "2024, Mar 01 10:15:02.123456");
  EXPECT_EQ(jid_to_start_time("20241231235959000001_123"), "2024, Dec 31 23:59:59.000001");
  EXPECT_EQ(jid_to_start_time("20241301000000000000"), "");  // month 13
  EXPECT_EQ(jid_to_start_time("nope"), "");
  EXPECT_FALSE(jid_to_unix_us("20240230000000000000"));  // Feb 30
}

TEST(Jid, GeneratorIsStrictlyIncreasingWhenTheClockRepeatsOrGoesBack) {
  FakeClock clock;
  clock.set(kMar1);
  JidGenerator gen(clock.clock());
  EXPECT_EQ(gen.next(), "20240301101502123456");
  EXPECT_EQ(gen.next(), "20240301101502123457");  // same microsecond
  clock.set(kMar1 - 5000000);                     // clock steps back 5 s
  EXPECT_EQ(gen.next(), "20240301101502123458");
  clock.set(kMar1 + 1000000);
  EXPECT_EQ(gen.next(), "20240301101503123456");
}

TEST(Jid, SuffixForUniqueJid) {
  FakeClock clock;
  clock.set(kMar1);
  JidGenerator gen(clock.clock(), "4242");
  std::string jid = gen.next();
  EXPECT_EQ(jid, "20240301101502123456_4242");
  EXPECT_TRUE(valid_jid(jid));
}

TEST(Jid, UniqueAcrossThreads) {
  std::vector<std::vector<std::string>> per(4);
  std::vector<std::thread> threads;
  for (auto& v : per) {
    threads.emplace_back([&v] {
      for (int i = 0; i < 5000; ++i) v.push_back(make_jid());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& v : per) {
    for (size_t i = 1; i < v.size(); ++i) EXPECT_LT(v[i - 1], v[i]);
    all.insert(v.begin(), v.end());
  }
  EXPECT_EQ(all.size(), 20000u);
  for (const auto& j : all) ASSERT_TRUE(valid_jid(j)) << j;
}

TEST(Jid, ValidityCheckForNetworkInput) {
  EXPECT_TRUE(valid_jid("20240301101502123456"));
  EXPECT_TRUE(valid_jid("20240301101502123456_1"));
  EXPECT_TRUE(valid_jid("20240301101502123456_abcXYZ09"));
  EXPECT_FALSE(valid_jid(""));
  EXPECT_FALSE(valid_jid("req"));
  EXPECT_FALSE(valid_jid("2024030110150212345"));    // 19 digits
  EXPECT_FALSE(valid_jid("202403011015021234567"));  // 21 digits
  EXPECT_FALSE(valid_jid("20240301101502123456_"));  // empty suffix
  EXPECT_FALSE(valid_jid("20240301101502123456_../x"));
  EXPECT_FALSE(valid_jid("20240301101502123456-1"));
  EXPECT_FALSE(valid_jid("2024030110150212345a"));
  EXPECT_FALSE(valid_jid("20240301101502123456_" + std::string(65, 'a')));
  EXPECT_FALSE(valid_jid(std::string("20240301101502123456\0", 21)));
}

TEST(ParseTime, AcceptedForms) {
  EXPECT_EQ(*parse_time("2024, Mar 01 10:15:02.123456"), kMar1);
  EXPECT_EQ(*parse_time("2024, Mar 01 10:15:02"), kMar1 - 123456);
  EXPECT_EQ(*parse_time("2024-03-01 10:15:02.123456"), kMar1);
  EXPECT_EQ(*parse_time("2024-03-01T10:15:02.123456Z"), kMar1);
  EXPECT_EQ(*parse_time("2024/03/01 10:15"), kMar1 - 2123456);
  EXPECT_EQ(*parse_time("2024-03-01"),
            kMar1 - (10 * 3600 + 15 * 60 + 2) * int64_t{1000000} - 123456);
  EXPECT_EQ(*parse_time("20240301101502123456"), kMar1);
  EXPECT_EQ(*parse_time("2024-03-01 10:15:02.1"), kMar1 - 23456);
}

TEST(ParseTime, Errors) {
  for (const char* bad : {"", "yesterday", "2024-13-01", "2024-02-30", "2024, Foo 01",
                          "2024-03-01 25:00", "2024-03-01 10:15:02.1234567", "2024-03-01x"}) {
    auto r = parse_time(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().message, std::string("could not parse time '") + bad + "'");
  }
}

TEST(KeepJobs, SaltsPrecedence) {
  EXPECT_EQ(keep_jobs_seconds(Value::map()), 86400);
  EXPECT_EQ(keep_jobs_seconds(Value::map({{"keep_jobs", 2}})), 7200);
  EXPECT_EQ(keep_jobs_seconds(Value::map({{"keep_jobs_seconds", 60}, {"keep_jobs", 2}})), 60);
  EXPECT_EQ(keep_jobs_seconds(Value::map({{"keep_jobs_seconds", 0}})), 0);
  EXPECT_EQ(keep_jobs_seconds(Value::map({{"keep_jobs_seconds", 86400}, {"keep_jobs", 24}})),
            86400);
}

}  // namespace
}  // namespace brine::jobcache
