// The embedded job cache: one SQLite database (<cachedir>/jobs.sqlite) in WAL
// mode. Loads and returns are stored as msgpack blobs of their Values.
//
// Writes are batched for throughput: callers pack the blob, check duplicates
// against an in-memory index of recent jobs (falling back to the database for
// older ones) and queue the row; one writer thread commits the queue every
// `batch_interval` or `batch_rows` rows in a single transaction with prepared
// statements. Readers use their own connection and see committed data (WAL
// lets them read while the writer writes). When the queue holds `max_queue`
// rows, writers wait for the writer thread (back-pressure, bounded memory).
//
// Schema (PRAGMA user_version = 1):
//   jobs(jid TEXT UNIQUE, saved_at INTEGER, load BLOB, minions BLOB)
//   returns(jid TEXT, id TEXT, saved_at INTEGER, ret BLOB, UNIQUE(jid, id))
// saved_at is Unix seconds and drives clean(); jids sort in time order, so
// start/end filters are jid ranges.
//
// Thread-safety: as JobCache (any thread, concurrently).
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "master/jobcache/jid.h"
#include "master/jobcache/job_cache.h"

namespace brine::jobcache {

struct SqliteOptions {
  std::string path;           // database file; its directory must exist or be creatable
  bool store_returns = true;  // master `job_cache`
  size_t batch_rows = 4096;   // commit once this many rows are queued
  std::chrono::microseconds batch_interval{2000};  // or after this long
  size_t max_queue = 100000;                       // back-pressure threshold (rows)
  size_t recent_ids = 500000;       // duplicate index size (minion ids over recent jobs)
  size_t recent_bytes = 16u << 20;  // ... and its memory (see return_index.h)
  Clock now = system_now_us;        // for saved_at (tests move time)
};

// Opens (creating if needed) the database, file mode 0600. Errors (kIo) name
// the path: "job cache '/x/jobs.sqlite': unable to open database file".
Result<std::unique_ptr<JobCache>> open_sqlite_job_cache(const SqliteOptions& options);

}  // namespace brine::jobcache
