// jobs.* runner shapes (Salt's salt/runners/jobs.py).
#include "master/jobcache/jobs.h"

#include <gtest/gtest.h>

#include <functional>

#include "common/codec/json.h"
#include "master/jobcache/sqlite_job_cache.h"
#include "tests/master/jobcache/test_util.h"

namespace brine::jobcache {
namespace {

JobFilter with(const std::function<void(JobFilter&)>& set) {
  JobFilter f;
  set(f);
  return f;
}

using testing::TempDir;

const std::string kJid = "20240301101502123456";

class JobsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteOptions o;
    o.path = dir_.path() + "/jobs.sqlite";
    cache_ = std::move(*open_sqlite_job_cache(o));
    Value load = Value::map({{"fun", "test.arg"},
                             {"arg", Value::list({1, Value::map({{"__kwarg__", true}, {"x", 2}})})},
                             {"tgt", "web*"},
                             {"tgt_type", "glob"},
                             {"jid", kJid},
                             {"user", "sudo_alice"},
                             {"ret", ""},
                             {"kwargs", Value::map({{"metadata", Value::map({{"k", "v"}})}})}});
    ASSERT_TRUE(cache_->save_load(kJid, load, {"web2", "web1", "web3"}));
    ASSERT_TRUE(cache_->save_return(kJid, "web1",
                                    Value::map({{"id", "web1"},
                                                {"jid", kJid},
                                                {"fun", "test.arg"},
                                                {"fun_args", Value::list()},
                                                {"return", true},
                                                {"retcode", 0},
                                                {"success", true}})));
    ASSERT_TRUE(cache_->save_return(
        kJid, "web2", Value::map({{"return", "boom"}, {"retcode", 1}, {"success", false}})));
    ASSERT_TRUE(cache_->flush());
  }
  static std::string json(const Result<Value>& v) {
    EXPECT_TRUE(v) << v.error().to_string();
    return v ? codec::json_dump(*v) : "";
  }

  TempDir dir_;
  std::unique_ptr<JobCache> cache_;
};

TEST_F(JobsTest, ListJobs) {
  EXPECT_EQ(json(list_jobs(*cache_, {})),
            "{\"20240301101502123456\": {\"Function\": \"test.arg\", \"Arguments\": [1, "
            "{\"__kwarg__\": true, \"x\": 2}], \"Target\": \"web*\", \"Target-type\": \"glob\", "
            "\"User\": \"sudo_alice\", \"Metadata\": {\"k\": \"v\"}, \"StartTime\": \"2024, Mar 01 "
            "10:15:02.123456\"}}");
  EXPECT_EQ(json(list_jobs(*cache_, with([](JobFilter& f) { f.search_function = "cmd.*"; }))),
            "{}");
}

TEST_F(JobsTest, LookupJid) {
  EXPECT_EQ(json(lookup_jid(*cache_, kJid)), "{\"web1\": true, \"web2\": \"boom\"}");
  EXPECT_EQ(json(lookup_jid(*cache_, kJid, /*missing=*/true)),
            "{\"web1\": true, \"web2\": \"boom\", \"web3\": \"Minion did not return\"}");
  EXPECT_EQ(json(lookup_jid(*cache_, "20240301000000000000")), "{}");
  auto bad = lookup_jid(*cache_, "x");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "invalid jid 'x'");
}

TEST_F(JobsTest, LookupJidWithOutputter) {
  const std::string jid = "20240301101502999999";
  ASSERT_TRUE(cache_->save_load(jid, Value::map({{"fun", "state.apply"}}), {"web1"}));
  ASSERT_TRUE(cache_->save_return(
      jid, "web1", Value::map({{"return", Value::map()}, {"retcode", 0}, {"out", "highstate"}})));
  ASSERT_TRUE(cache_->flush());
  EXPECT_EQ(json(lookup_jid(*cache_, jid)),
            "{\"outputter\": \"highstate\", \"data\": {\"web1\": {}}}");
}

TEST_F(JobsTest, ListJob) {
  EXPECT_EQ(json(list_job(*cache_, kJid)),
            "{\"jid\": \"20240301101502123456\", \"Function\": \"test.arg\", \"Arguments\": [1, "
            "{\"__kwarg__\": true, \"x\": 2}], \"Target\": \"web*\", \"Target-type\": \"glob\", "
            "\"User\": \"sudo_alice\", \"Metadata\": {\"k\": \"v\"}, \"Minions\": [\"web1\", "
            "\"web2\", \"web3\"], \"StartTime\": \"2024, Mar 01 10:15:02.123456\", \"Result\": "
            "{\"web1\": {\"return\": true, \"retcode\": 0, \"success\": true}, \"web2\": "
            "{\"return\": \"boom\", \"retcode\": 1, \"success\": false}}}");
}

TEST_F(JobsTest, ListJobUnknownJid) {
  EXPECT_EQ(json(list_job(*cache_, "20240301000000000000")),
            "{\"jid\": \"20240301000000000000\", \"Error\": \"Cannot contact returner or no job "
            "with this jid\", \"StartTime\": \"2024, Mar 01 00:00:00.000000\", \"Result\": {}}");
}

TEST_F(JobsTest, PrintJob) {
  auto r = print_job(*cache_, kJid);
  ASSERT_TRUE(r);
  const Value* job = r->find(kJid);
  ASSERT_TRUE(job);
  EXPECT_EQ(job->get_string("Function"), "test.arg");
  EXPECT_EQ(job->get_string("StartTime"), "2024, Mar 01 10:15:02.123456");
  EXPECT_EQ(job->find("Result")->as_map().size(), 2u);
  EXPECT_EQ(job->find("Minions")->as_list().size(), 3u);
}

TEST(FormatJobInstance, DefaultsLikeSalt) {
  EXPECT_EQ(codec::json_dump(format_job_instance(Value::map({{"jid", "x"}}))),
            "{\"Function\": \"unknown-function\", \"Arguments\": [], \"Target\": "
            "\"unknown-target\", \"Target-type\": \"list\", \"User\": \"root\"}");
  EXPECT_EQ(codec::json_dump(format_job_instance(Value())),
            "{\"Error\": \"Cannot contact returner or no job with this jid\"}");
}

}  // namespace
}  // namespace brine::jobcache
