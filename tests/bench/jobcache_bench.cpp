// Job cache ingestion benchmark: how many minion returns per second the SQLite
// job cache accepts and commits (goal: >= 20,000/s on a 2-core machine).
//
// Usage: jobcache_bench [returns=200000] [minions_per_job=10000] [threads=1]
// Each return is a test.ping-sized envelope. The clock runs from the first
// save_return() to flush() returning, so every row counted is committed.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "master/jobcache/jobcache.h"
#include "master/jobcache/sqlite_job_cache.h"

using namespace brine;
using namespace brine::jobcache;

int main(int argc, char** argv) {
  const long total = argc > 1 ? std::atol(argv[1]) : 200000;
  const long per_job = argc > 2 ? std::atol(argv[2]) : 10000;
  const int threads = argc > 3 ? std::atoi(argv[3]) : 1;
  if (total <= 0 || per_job <= 0 || threads <= 0) {
    std::fprintf(stderr, "usage: jobcache_bench [returns] [minions_per_job] [threads]\n");
    return 2;
  }
  std::string tmpl = (std::filesystem::temp_directory_path() / "brine-bench-XXXXXX").string();
  std::string dir = ::mkdtemp(tmpl.data());
  SqliteOptions o;
  o.path = dir + "/jobs.sqlite";
  auto opened = open_sqlite_job_cache(o);
  if (!opened) {
    std::fprintf(stderr, "%s\n", opened.error().to_string().c_str());
    return 1;
  }
  JobCache& cache = **opened;

  const long jobs = (total + per_job - 1) / per_job;
  std::vector<std::string> jids;
  std::vector<std::string> ids;
  for (long m = 0; m < per_job; ++m) ids.push_back("minion-" + std::to_string(m) + ".example.com");
  for (long j = 0; j < jobs; ++j) {
    jids.push_back(make_jid());
    Value load = Value::map({{"fun", "test.ping"},
                             {"arg", Value::list()},
                             {"tgt", "*"},
                             {"tgt_type", "glob"},
                             {"jid", jids.back()},
                             {"user", "root"},
                             {"ret", ""}});
    if (!cache.save_load(jids.back(), load, ids)) return 1;
  }
  if (!cache.flush()) return 1;

  auto worker = [&](int t) {
    long failures = 0;
    for (long i = t; i < total; i += threads) {
      const std::string& jid = jids[static_cast<size_t>(i / per_job)];
      const std::string& id = ids[static_cast<size_t>(i % per_job)];
      Value env = Value::map({{"id", id},
                              {"jid", jid},
                              {"fun", "test.ping"},
                              {"fun_args", Value::list()},
                              {"return", true},
                              {"retcode", 0},
                              {"success", true}});
      if (!cache.save_return(jid, id, env)) ++failures;
    }
    if (failures) std::fprintf(stderr, "thread %d: %ld failed saves\n", t, failures);
  };
  auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
  for (auto& th : pool) th.join();
  auto t1 = std::chrono::steady_clock::now();
  if (!cache.flush()) return 1;
  auto t2 = std::chrono::steady_clock::now();

  double accept_s = std::chrono::duration<double>(t1 - t0).count();
  double total_s = std::chrono::duration<double>(t2 - t0).count();
  JobCacheStats st = cache.stats();
  std::printf("jobcache_bench: %ld returns over %ld jobs, %d thread(s)\n", total, jobs, threads);
  std::printf("  accepted in %.3f s, committed in %.3f s (%llu batches)\n", accept_s, total_s,
              static_cast<unsigned long long>(st.batches_committed));
  std::printf("  %.0f returns/s committed\n", static_cast<double>(total) / total_s);

  // Read side: fetch one whole job back.
  auto r0 = std::chrono::steady_clock::now();
  auto rets = cache.get_returns(jids[0]);
  auto r1 = std::chrono::steady_clock::now();
  if (rets) {
    std::printf("  get_returns of %zu returns: %.1f ms\n", rets->as_map().size(),
                std::chrono::duration<double, std::milli>(r1 - r0).count());
  }
  opened->reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return 0;
}
