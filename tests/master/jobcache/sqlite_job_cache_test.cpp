#include "master/jobcache/sqlite_job_cache.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <functional>
#include <thread>

#include "master/jobcache/job_cache.h"
#include "tests/master/jobcache/test_util.h"

namespace brine::jobcache {
namespace {

JobFilter with(const std::function<void(JobFilter&)>& set) {
  JobFilter f;
  set(f);
  return f;
}

using testing::FakeClock;
using testing::kMar1;
using testing::TempDir;

class SqliteCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    clock_.set(kMar1);
    open();
  }
  void open(bool store_returns = true) {
    cache_.reset();
    SqliteOptions o;
    o.path = dir_.path() + "/jobs.sqlite";
    o.store_returns = store_returns;
    o.now = clock_.clock();
    auto c = open_sqlite_job_cache(o);
    ASSERT_TRUE(c) << c.error().to_string();
    cache_ = std::move(*c);
  }
  static Value load(const std::string& jid, const char* fun = "test.ping", Value tgt = "*") {
    return Value::map({{"fun", fun},
                       {"arg", Value::list()},
                       {"tgt", std::move(tgt)},
                       {"tgt_type", "glob"},
                       {"jid", jid},
                       {"user", "root"}});
  }
  static Value envelope(Value ret, int retcode = 0) {
    return Value::map(
        {{"return", std::move(ret)}, {"retcode", retcode}, {"success", retcode == 0}});
  }

  TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<JobCache> cache_;
};

const std::string kJid = "20240301101502123456";
const std::string kJid2 = "20240301111502123456";

TEST_F(SqliteCacheTest, LoadRoundTrip) {
  ASSERT_TRUE(cache_->save_load(kJid, load(kJid), {"web2", "web1", "web2"}));
  ASSERT_TRUE(cache_->flush());
  auto l = cache_->get_load(kJid);
  ASSERT_TRUE(l);
  EXPECT_EQ(*l, load(kJid));
  auto m = cache_->get_minions(kJid);
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, (std::vector<std::string>{"web1", "web2"}));
  auto missing = cache_->get_load(kJid2);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Errc::kNotFound);
  EXPECT_EQ(missing.error().message, "job cache: no job with jid '" + kJid2 + "'");
  EXPECT_EQ(cache_->get_minions(kJid2).error().code, Errc::kNotFound);
}

TEST_F(SqliteCacheTest, SaveLoadReplacesTheLoad) {
  ASSERT_TRUE(cache_->save_load(kJid, load(kJid), {"a"}));
  ASSERT_TRUE(cache_->save_load(kJid, load(kJid, "cmd.run"), {"a", "b"}));
  ASSERT_TRUE(cache_->flush());
  EXPECT_EQ(cache_->get_load(kJid)->get_string("fun"), "cmd.run");
  EXPECT_EQ(cache_->get_minions(kJid)->size(), 2u);
}

TEST_F(SqliteCacheTest, ReturnsRoundTripAndDuplicatesAreRefused) {
  ASSERT_TRUE(cache_->save_load(kJid, load(kJid), {"web1", "web2"}));
  ASSERT_TRUE(cache_->save_return(kJid, "web1", envelope(true)));
  auto dup = cache_->save_return(kJid, "web1", envelope(false));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, Errc::kAlreadyExists);
  EXPECT_EQ(dup.error().message, "job cache: 'web1' already returned for '" + kJid + "'");
  ASSERT_TRUE(cache_->save_return(kJid, "web2", envelope("x", 3)));
  ASSERT_TRUE(cache_->flush());
  auto r = cache_->get_returns(kJid);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, Value::map({{"web1", envelope(true)}, {"web2", envelope("x", 3)}}));
  EXPECT_EQ(*cache_->get_returns(kJid2), Value::map());
  JobCacheStats s = cache_->stats();
  EXPECT_EQ(s.returns_saved, 2u);
  EXPECT_EQ(s.returns_duplicate, 1u);
}

TEST_F(SqliteCacheTest, ReturnsForUnknownJobsAreRefused) {
  auto r = cache_->save_return(kJid2, "web1", envelope(true));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kNotFound);
  EXPECT_EQ(r.error().message, "job cache: return for unknown job '" + kJid2 + "' from 'web1'");
  EXPECT_EQ(cache_->stats().returns_unknown_job, 1u);
}

TEST_F(SqliteCacheTest, InvalidInputIsRefused) {
  auto bad = cache_->save_load("../../etc", load("x"), {});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "job cache: invalid jid '../../etc'");
  EXPECT_FALSE(cache_->save_return("req", "web1", envelope(true)));
  ASSERT_TRUE(cache_->save_load(kJid, load(kJid), {}));
  EXPECT_FALSE(cache_->save_return(kJid, "", envelope(true)));
}

TEST_F(SqliteCacheTest, DuplicatesAreFoundAfterReopen) {
  ASSERT_TRUE(cache_->save_load(kJid, load(kJid), {"web1", "web2"}));
  ASSERT_TRUE(cache_->save_return(kJid, "web1", envelope(true)));
  open();  // a restarted master: nothing in memory
  EXPECT_EQ(cache_->save_return(kJid, "web1", envelope(true)).error().code, Errc::kAlreadyExists);
  EXPECT_TRUE(cache_->save_return(kJid, "web2", envelope(true)));
  EXPECT_EQ(cache_->save_return(kJid, "web2", envelope(true)).error().code, Errc::kAlreadyExists);
  ASSERT_TRUE(cache_->flush());
  EXPECT_EQ(cache_->get_returns(kJid)->as_map().size(), 2u);
}

TEST_F(SqliteCacheTest, DuplicatesFoundInTheDatabaseOnceTheIndexForgetsAJob) {
  cache_.reset();
  SqliteOptions o;
  o.path = dir_.path() + "/small.sqlite";
  o.recent_ids = 8;  // forces eviction of older jobs from the in-memory index
  auto c = open_sqlite_job_cache(o);
  ASSERT_TRUE(c);
  JobCache& cache = **c;
  std::vector<std::string> jids;
  for (int j = 0; j < 3; ++j) {
    jids.push_back(jid_from_unix_us(kMar1 + j));
    ASSERT_TRUE(cache.save_load(jids.back(), load(jids.back()), {}));
    for (int m = 0; m < 6; ++m) {
      ASSERT_TRUE(cache.save_return(jids.back(), "m" + std::to_string(m), envelope(m)));
    }
  }
  ASSERT_TRUE(cache.flush());
  for (const auto& jid : jids) {
    EXPECT_EQ(cache.save_return(jid, "m0", envelope(0)).error().code, Errc::kAlreadyExists);
    EXPECT_TRUE(cache.save_return(jid, "new", envelope(0)));
  }
  ASSERT_TRUE(cache.flush());
  for (const auto& jid : jids) EXPECT_EQ(cache.get_returns(jid)->as_map().size(), 7u);
}

TEST_F(SqliteCacheTest, JobCacheFalseStoresNoReturns) {
  open(/*store_returns=*/false);
  ASSERT_TRUE(cache_->save_load(kJid, load(kJid), {"web1"}));
  ASSERT_TRUE(cache_->save_return(kJid, "web1", envelope(true)));
  ASSERT_TRUE(cache_->flush());
  EXPECT_TRUE(cache_->get_load(kJid));
  EXPECT_EQ(*cache_->get_returns(kJid), Value::map());
}

TEST_F(SqliteCacheTest, DatabaseFileIsPrivate) {
  struct stat st {};
  ASSERT_EQ(::stat((dir_.path() + "/jobs.sqlite").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(SqliteCacheTest, ListJobsFilters) {
  const std::string j1 = "20240301090000000000", j2 = "20240301100000000000",
                    j3 = "20240302100000000000";
  Value l3 = load(j3, "state.apply", Value::list({"web1", "db1"}));
  l3["metadata"] = Value::map({{"ticket", "OPS-1"}});
  ASSERT_TRUE(cache_->save_load(j2, load(j2, "cmd.run", "web*"), {}));
  ASSERT_TRUE(cache_->save_load(j1, load(j1), {}));
  ASSERT_TRUE(cache_->save_load(j3, l3, {}));
  ASSERT_TRUE(cache_->flush());
  auto keys = [&](JobFilter f) {
    auto r = cache_->list_jobs(f);
    EXPECT_TRUE(r) << r.error().to_string();
    std::vector<std::string> out;
    if (r) {
      for (const auto& [k, v] : r->as_map()) out.push_back(k);
    }
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(keys({}), (V{j1, j2, j3}));
  EXPECT_EQ(keys(with([](JobFilter& f) { f.search_function = "cmd.*"; })), (V{j2}));
  EXPECT_EQ(keys(with([](JobFilter& f) { f.search_function = "cmd.*, test.*"; })), (V{j1, j2}));
  EXPECT_EQ(keys(with([](JobFilter& f) { f.search_target = "db1"; })), (V{j3}));
  EXPECT_EQ(keys(with([](JobFilter& f) { f.search_target = "web\\*"; })),
            (V{}));  // no escapes in fnmatch: literal match only
  EXPECT_EQ(keys(with([](JobFilter& f) { f.search_target = "web[*]"; })), (V{j2}));
  EXPECT_EQ(keys(with([](JobFilter& f) { f.start_time = "2024-03-01 10:00"; })), (V{j2, j3}));
  EXPECT_EQ(keys(with([](JobFilter& f) { f.end_time = "2024, Mar 01 10:00:00.000000"; })),
            (V{j1, j2}));
  EXPECT_EQ(keys(with([](JobFilter& f) {
              f.start_time = "2024-03-01 09:30";
              f.end_time = "2024-03-01 23:00";
            })),
            (V{j2}));
  EXPECT_EQ(keys(with([](JobFilter& f) {
              f.search_metadata = Value::map({{"ticket", "OPS-1"}});
            })),
            (V{j3}));
  EXPECT_EQ(keys(with([](JobFilter& f) {
              f.search_metadata = Value::map({{"ticket", "OPS-2"}});
            })),
            (V{}));
  EXPECT_EQ(keys(with([](JobFilter& f) { f.limit = 2; })), (V{j2, j3}));
  auto bad = cache_->list_jobs(with([](JobFilter& f) { f.start_time = "soon"; }));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "start_time: could not parse time 'soon'");
}

TEST_F(SqliteCacheTest, CleanRemovesOldJobsAndTheirReturns) {
  ASSERT_TRUE(cache_->save_load(kJid, load(kJid), {"web1"}));
  ASSERT_TRUE(cache_->save_return(kJid, "web1", envelope(true)));
  clock_.advance(int64_t{3600} * 1000000);
  ASSERT_TRUE(cache_->save_load(kJid2, load(kJid2), {"web1"}));
  ASSERT_TRUE(cache_->save_return(kJid2, "web1", envelope(true)));
  EXPECT_EQ(*cache_->clean(0), 0u);         // 0 keeps everything
  EXPECT_EQ(*cache_->clean(7200), 0u);      // both younger than 2 h
  clock_.advance(int64_t{5400} * 1000000);  // first job 2.5 h old, second 1.5 h
  EXPECT_EQ(*cache_->clean(7200), 1u);
  ASSERT_TRUE(cache_->flush());
  EXPECT_EQ(cache_->get_load(kJid).error().code, Errc::kNotFound);
  EXPECT_EQ(*cache_->get_returns(kJid), Value::map());
  EXPECT_TRUE(cache_->get_load(kJid2));
  EXPECT_EQ(cache_->get_returns(kJid2)->as_map().size(), 1u);
  // A late return for the cleaned job is refused as unknown.
  EXPECT_EQ(cache_->save_return(kJid, "web2", envelope(true)).error().code, Errc::kNotFound);
  EXPECT_EQ(cache_->stats().jobs_cleaned, 1u);
}

TEST_F(SqliteCacheTest, CleanInChunks) {
  for (int i = 0; i < 1234; ++i) {
    std::string jid = jid_from_unix_us(kMar1 + i);
    ASSERT_TRUE(cache_->save_load(jid, load(jid), {"m"}));
    ASSERT_TRUE(cache_->save_return(jid, "m", envelope(i)));
  }
  clock_.advance(int64_t{100} * 1000000);
  EXPECT_EQ(*cache_->clean(10), 1234u);
  EXPECT_EQ(cache_->list_jobs({})->as_map().size(), 0u);
}

TEST_F(SqliteCacheTest, ConcurrentWritersAndReaders) {
  constexpr int kJobs = 20, kMinions = 200;
  std::vector<std::string> jids;
  for (int j = 0; j < kJobs; ++j) {
    jids.push_back(jid_from_unix_us(kMar1 + j));
    ASSERT_TRUE(cache_->save_load(jids.back(), load(jids.back()), {}));
  }
  std::atomic<int> dups{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      // Every thread tries every return: exactly one of each is accepted.
      for (int j = 0; j < kJobs; ++j) {
        for (int m = 0; m < kMinions; ++m) {
          auto s = cache_->save_return(jids[j], "m" + std::to_string(m), envelope(m));
          if (!s) {
            EXPECT_EQ(s.error().code, Errc::kAlreadyExists);
            dups++;
          }
        }
      }
    });
  }
  threads.emplace_back([&] {
    for (int i = 0; i < 50; ++i) EXPECT_TRUE(cache_->get_returns(jids[i % kJobs]));
  });
  for (auto& t : threads) t.join();
  ASSERT_TRUE(cache_->flush());
  EXPECT_EQ(dups.load(), 3 * kJobs * kMinions);
  for (const auto& jid : jids)
    EXPECT_EQ(cache_->get_returns(jid)->as_map().size(), size_t{kMinions});
}

TEST_F(SqliteCacheTest, CorruptRowsAreErrorsNotCrashes) {
  ASSERT_TRUE(cache_->save_load(kJid, load(kJid), {"web1"}));
  ASSERT_TRUE(cache_->save_return(kJid, "web1", envelope(true)));
  ASSERT_TRUE(cache_->flush());
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_.path() + "/jobs.sqlite").c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 5000);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE jobs SET load = x'c1'; UPDATE returns SET ret = x'dc00ff';",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto l = cache_->get_load(kJid);
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().code, Errc::kProtocol);
  EXPECT_NE(l.error().message.find("job cache: corrupt load for '" + kJid + "'"),
            std::string::npos);
  EXPECT_FALSE(cache_->get_returns(kJid));
  auto all = cache_->list_jobs({});
  ASSERT_TRUE(all);  // corrupt jobs are skipped
  EXPECT_TRUE(all->as_map().empty());
}

TEST(JobCacheFactory, BackendsAndErrors) {
  TempDir dir;
  auto ok = make_job_cache(Value::map({{"cachedir", dir.path() + "/sub"}}));
  ASSERT_TRUE(ok) << ok.error().to_string();
  auto sqlite =
      make_job_cache(Value::map({{"cachedir", dir.path()}, {"master_job_cache", "sqlite"}}));
  EXPECT_TRUE(sqlite);
  auto pg = make_job_cache(Value::map({{"cachedir", dir.path()}, {"master_job_cache", "pgjsonb"}}));
  ASSERT_FALSE(pg);
  EXPECT_EQ(pg.error().code, Errc::kUnsupported);
  EXPECT_EQ(pg.error().message,
            "master_job_cache: unknown job cache 'pgjsonb' (supported: local_cache, sqlite)");
  auto none = make_job_cache(Value::map());
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "cachedir: needed for the job cache, not set");
  // A cachedir that is a file cannot hold the database.
  std::string file = dir.path() + "/plain";
  fclose(fopen(file.c_str(), "w"));
  auto bad = make_job_cache(Value::map({{"cachedir", file}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Errc::kIo);
  EXPECT_EQ(bad.error().message.rfind("job cache '" + file + "/jobs.sqlite': ", 0), 0u)
      << bad.error().message;
}

}  // namespace
}  // namespace brine::jobcache
