// brine::jobcache::JobCache: where the master keeps jobs and their returns
// (Salt's master_job_cache returner; protocol-notes.md §7).
//
// A job is its publish load (fun, arg, tgt, tgt_type, jid, user, ...) plus
// the expected minions; each minion adds one return envelope ({return,
// retcode, success, [out], ...}). Backends are chosen by the master option
// `master_job_cache` through make_job_cache(); callers only see this
// interface, so a networked backend (PostgreSQL, for several masters) can be
// added without touching them.
//
// Write semantics (all backends):
//  * save_load() records or replaces a job.
//  * save_return() accepts the first return per (jid, minion); a second one is
//    refused with Errc::kAlreadyExists (Salt logs "An extra return was
//    detected ..." and drops it); a return for a jid the cache does not know is
//    refused with Errc::kNotFound (Salt drops it too). With `job_cache: False`
//    returns are accepted and not stored.
//  * Writes may be batched: readers see them once committed, which happens
//    within a few milliseconds; flush() waits until every accepted write is
//    committed (tests, shutdown).
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::jobcache {

// jobs.list_jobs filters, as Salt's runner takes them. Empty = no filter.
struct JobFilter {
  std::string search_function;  // globs, comma-separated: any may match `fun`
  std::string search_target;    // globs, comma-separated: any may match `tgt` (or an item of it)
  std::string start_time;       // jobs started at or after (see parse_time())
  std::string end_time;         // jobs started at or before
  Value search_metadata;        // map: any key whose value equals the job's metadata[key]
  size_t limit = 0;             // keep only the newest N matches; 0 = all
};

struct JobCacheStats {
  uint64_t loads_saved = 0;
  uint64_t returns_saved = 0;
  uint64_t returns_duplicate = 0;    // refused with kAlreadyExists
  uint64_t returns_unknown_job = 0;  // refused with kNotFound
  uint64_t batches_committed = 0;
  uint64_t write_errors = 0;
  uint64_t jobs_cleaned = 0;
};

class JobCache {
 public:
  virtual ~JobCache() = default;

  // Records the job `jid` (valid_jid()) with its publish load and expected minions.
  virtual Status save_load(std::string_view jid, const Value& load,
                           const std::vector<std::string>& minions) = 0;

  // Stores `minion_id`'s return envelope for `jid` (see the header comment).
  virtual Status save_return(std::string_view jid, std::string_view minion_id,
                             const Value& ret) = 0;

  // The load saved for `jid`; Errc::kNotFound when there is none.
  virtual Result<Value> get_load(std::string_view jid) = 0;

  // Expected minions of `jid` (sorted); Errc::kNotFound when the job is unknown.
  virtual Result<std::vector<std::string>> get_minions(std::string_view jid) = 0;

  // {minion_id: envelope} of every committed return for `jid` ({} if none).
  virtual Result<Value> get_returns(std::string_view jid) = 0;

  // {jid: load} of the jobs matching `filter`, in jid (= time) order.
  // Error (kInvalidArgument) when start_time/end_time cannot be parsed.
  virtual Result<Value> list_jobs(const JobFilter& filter) = 0;

  // Removes jobs (and their returns) saved more than `keep_seconds` ago;
  // keep_seconds <= 0 keeps everything. Returns how many jobs were removed.
  virtual Result<uint64_t> clean(int64_t keep_seconds) = 0;

  // Waits until every write accepted so far is committed.
  virtual Status flush() = 0;

  virtual JobCacheStats stats() const = 0;
};

// Builds the backend named by opts["master_job_cache"]: "local_cache" (Salt's
// default name) and "sqlite" both give the SQLite cache in
// <opts["cachedir"]>/jobs.sqlite. Honors `job_cache` (false: returns not
// stored). Errors: kUnsupported "master_job_cache: unknown job cache 'x'
// (supported: local_cache, sqlite)", kIo for a cache that cannot be opened.
Result<std::unique_ptr<JobCache>> make_job_cache(const Value& opts);

// Job retention in seconds from master opts, with Salt's precedence:
// keep_jobs_seconds (default 86400) wins unless it is left at 86400 and
// keep_jobs (hours, default 24) was changed, then keep_jobs * 3600. 0 = keep
// forever.
int64_t keep_jobs_seconds(const Value& opts);

}  // namespace brine::jobcache
