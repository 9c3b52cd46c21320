#include <filesystem>

#include "master/jobcache/job_cache.h"
#include "master/jobcache/sqlite_job_cache.h"

namespace brine::jobcache {

Result<std::unique_ptr<JobCache>> make_job_cache(const Value& opts) {
  std::string name = opts.get_string("master_job_cache", "local_cache");
  if (name.empty()) name = "local_cache";
  if (name == "local_cache" || name == "sqlite") {
    std::string cachedir = opts.get_string("cachedir");
    if (cachedir.empty()) {
      return make_error(Errc::kInvalidArgument, "cachedir: needed for the job cache, not set");
    }
    SqliteOptions o;
    o.path = (std::filesystem::path(cachedir) / "jobs.sqlite").string();
    o.store_returns = opts.get_bool("job_cache", true);
    return open_sqlite_job_cache(o);
  }
  return make_error(Errc::kUnsupported, "master_job_cache: unknown job cache '" + name +
                                            "' (supported: local_cache, sqlite)");
}

int64_t keep_jobs_seconds(const Value& opts) {
  int64_t seconds = opts.get_int("keep_jobs_seconds", 86400);
  int64_t hours = opts.get_int("keep_jobs", 24);
  if (seconds == 86400 && hours != 24) return hours * 3600;
  return seconds;
}

}  // namespace brine::jobcache
