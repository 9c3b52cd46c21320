#include "master/jobcache/sqlite_job_cache.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

#include "common/codec/msgpack.h"
#include "common/log/log.h"
#include "master/jobcache/filter.h"
#include "master/jobcache/return_index.h"
#include "master/jobcache/sqlite_util.h"

namespace brine::jobcache {
namespace {

// Rowid tables with separate key indexes, not WITHOUT ROWID: a job's minion
// list can be hundreds of KB, and SQLite reads a WITHOUT ROWID row's whole
// payload (overflow pages included) to compare keys, which made every
// "does this job exist" probe read the minion list.
constexpr const char* kSchema = R"sql(
BEGIN;
CREATE TABLE IF NOT EXISTS jobs (
  jid TEXT NOT NULL UNIQUE,
  saved_at INTEGER NOT NULL,
  load BLOB NOT NULL,
  minions BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_saved_at ON jobs(saved_at);
CREATE TABLE IF NOT EXISTS returns (
  jid TEXT NOT NULL,
  id TEXT NOT NULL,
  saved_at INTEGER NOT NULL,
  ret BLOB NOT NULL,
  UNIQUE (jid, id)
);
PRAGMA user_version = 1;
COMMIT;
)sql";

// Jobs removed per transaction by clean(), so the writer never holds the
// write lock for long.
constexpr int kCleanChunk = 500;

struct Op {
  enum class Kind { kLoad, kReturn, kClean };
  Kind kind = Kind::kLoad;
  std::string jid;
  std::string id;
  std::string blob;
  std::string minions;
  int64_t saved_at = 0;
  std::shared_ptr<std::promise<Result<uint64_t>>> done;  // kClean
};

class SqliteJobCache final : public JobCache {
 public:
  explicit SqliteJobCache(SqliteOptions o) : o_(std::move(o)) {}
  ~SqliteJobCache() override { stop(); }

  Status open() {
    std::error_code ec;
    auto dir = std::filesystem::path(o_.path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    BRINE_TRY(wdb_.open(o_.path, /*readonly=*/false));
    ::chmod(o_.path.c_str(), 0600);
    // WAL: readers never block the writer; synchronous=NORMAL: commits do
    // not fsync (a power loss may drop the last few ms of returns, never
    // corrupt the database).
    BRINE_TRY(
        wdb_.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-16384;"));
    BRINE_TRY(wdb_.exec(kSchema));
    BRINE_TRY(rdb_.open(o_.path, /*readonly=*/false));
    BRINE_TRY(rdb_.exec("PRAGMA query_only=1;"));
    BRINE_TRY(upsert_load_.prepare(
        wdb_,
        "INSERT INTO jobs(jid, saved_at, load, minions) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT(jid) DO UPDATE SET load = excluded.load, minions = excluded.minions"));
    BRINE_TRY(insert_return_.prepare(
        wdb_,
        "INSERT OR IGNORE INTO returns(jid, id, saved_at, ret) SELECT ?1, ?2, ?3, ?4 "
        "WHERE EXISTS (SELECT 1 FROM jobs WHERE jid = ?1)"));
    writer_ = std::thread([this] { writer_loop(); });
    return ok();
  }

  Status save_load(std::string_view jid, const Value& load,
                   const std::vector<std::string>& minions) override {
    if (!valid_jid(jid)) return bad_jid(jid);
    Op op;
    op.kind = Op::Kind::kLoad;
    op.jid = std::string(jid);
    op.blob = codec::msgpack_pack(load);
    List ids;
    std::vector<std::string> sorted = minions;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    for (auto& id : sorted) ids.emplace_back(id);
    op.minions = codec::msgpack_pack(Value(std::move(ids)));
    op.saved_at = o_.now() / 1000000;
    {
      std::lock_guard lock(idx_mu_);
      index_.add_job(op.jid, op.saved_at);
    }
    enqueue(std::move(op));
    stat_loads_++;
    return ok();
  }

  Status save_return(std::string_view jid, std::string_view minion_id, const Value& ret) override {
    if (!valid_jid(jid)) return bad_jid(jid);
    if (minion_id.empty()) {
      return make_error(Errc::kInvalidArgument,
                        "job cache: empty minion id for '" + std::string(jid) + "'");
    }
    if (!o_.store_returns) return ok();
    BRINE_TRY(claim(std::string(jid), std::string(minion_id)));
    Op op;
    op.kind = Op::Kind::kReturn;
    op.jid = std::string(jid);
    op.id = std::string(minion_id);
    op.blob = codec::msgpack_pack(ret);
    op.saved_at = o_.now() / 1000000;
    enqueue(std::move(op));
    stat_returns_++;
    return ok();
  }

  Result<Value> get_load(std::string_view jid) override {
    std::lock_guard lock(rmu_);
    Stmt s;
    BRINE_TRY(s.prepare(rdb_, "SELECT load FROM jobs WHERE jid = ?1"));
    s.bind_text(1, jid);
    auto row = s.step();
    if (!row) return std::move(row).error();
    if (!*row) return not_found(jid);
    return unpack(s.column_blob(0), jid, "load");
  }

  Result<std::vector<std::string>> get_minions(std::string_view jid) override {
    std::lock_guard lock(rmu_);
    Stmt s;
    BRINE_TRY(s.prepare(rdb_, "SELECT minions FROM jobs WHERE jid = ?1"));
    s.bind_text(1, jid);
    auto row = s.step();
    if (!row) return std::move(row).error();
    if (!*row) return not_found(jid);
    auto v = unpack(s.column_blob(0), jid, "minions");
    if (!v) return std::move(v).error();
    std::vector<std::string> out;
    if (v->is_list()) {
      for (const auto& id : v->as_list()) {
        if (id.is_string()) out.push_back(id.as_string());
      }
    }
    return out;
  }

  Result<Value> get_returns(std::string_view jid) override {
    std::lock_guard lock(rmu_);
    Stmt s;
    BRINE_TRY(s.prepare(rdb_, "SELECT id, ret FROM returns WHERE jid = ?1 ORDER BY id"));
    s.bind_text(1, jid);
    Map out;
    while (true) {
      auto row = s.step();
      if (!row) return std::move(row).error();
      if (!*row) break;
      auto v = unpack(s.column_blob(1), jid, "return");
      if (!v) return std::move(v).error();
      out.set(s.column_text(0), std::move(*v));
    }
    return Value(std::move(out));
  }

  Result<Value> list_jobs(const JobFilter& f) override;

  Result<uint64_t> clean(int64_t keep_seconds) override {
    if (keep_seconds <= 0) return uint64_t{0};
    int64_t cutoff = o_.now() / 1000000 - keep_seconds;
    Op op;
    op.kind = Op::Kind::kClean;
    op.saved_at = cutoff;
    op.done = std::make_shared<std::promise<Result<uint64_t>>>();
    auto fut = op.done->get_future();
    {
      std::lock_guard lock(idx_mu_);
      index_.forget_before(cutoff);
    }
    enqueue(std::move(op));
    return fut.get();
  }

  Status flush() override {
    std::unique_lock lock(qmu_);
    uint64_t target = enqueued_;
    flush_wanted_ = true;
    qcv_.notify_all();
    done_cv_.wait(lock, [&] { return committed_ >= target || stopped_; });
    if (committed_ < target) return make_error(Errc::kUnavailable, "job cache is closed");
    return ok();
  }

  JobCacheStats stats() const override {
    JobCacheStats s;
    s.loads_saved = stat_loads_;
    s.returns_saved = stat_returns_;
    s.returns_duplicate = stat_dup_;
    s.returns_unknown_job = stat_unknown_;
    s.batches_committed = stat_batches_;
    s.write_errors = stat_write_errors_;
    s.jobs_cleaned = stat_cleaned_;
    return s;
  }

 private:
  static Error bad_jid(std::string_view jid) {
    std::string shown(jid.substr(0, 64));
    return make_error(Errc::kInvalidArgument, "job cache: invalid jid '" + shown + "'");
  }
  static Error not_found(std::string_view jid) {
    return make_error(Errc::kNotFound, "job cache: no job with jid '" + std::string(jid) + "'");
  }
  static Result<Value> unpack(std::string_view blob, std::string_view jid, const char* what) {
    auto v = codec::msgpack_unpack(blob);
    if (!v) {
      return make_error(Errc::kProtocol, "job cache: corrupt " + std::string(what) + " for '" +
                                             std::string(jid) + "': " + v.error().message);
    }
    return v;
  }

  // First return per (jid, id) wins; unknown jobs are refused.
  Status claim(const std::string& jid, const std::string& id) {
    {
      std::lock_guard lock(idx_mu_);
      auto c = index_.claim(jid, id);
      if (c != ReturnIndex::Claim::kUnknownJob) return claimed(c, jid, id);
    }
    // Not a recent job: ask the database (committed data; the job's load, if
    // saved by this process, was queued before its returns).
    bool job = false;
    std::vector<std::string> returned;
    {
      std::lock_guard lock(rmu_);
      Stmt s;
      BRINE_TRY(s.prepare(rdb_, "SELECT 1 FROM jobs WHERE jid = ?1"));
      s.bind_text(1, jid);
      auto row = s.step();
      if (!row) return std::move(row).error();
      job = *row;
      if (job) {
        Stmt r;
        BRINE_TRY(r.prepare(rdb_, "SELECT id FROM returns WHERE jid = ?1"));
        r.bind_text(1, jid);
        while (true) {
          auto more = r.step();
          if (!more) return std::move(more).error();
          if (!*more) break;
          returned.push_back(r.column_text(0));
        }
      }
    }
    if (!job) {
      stat_unknown_++;
      return make_error(Errc::kNotFound,
                        "job cache: return for unknown job '" + jid + "' from '" + id + "'");
    }
    std::lock_guard lock(idx_mu_);
    index_.add_job(jid, o_.now() / 1000000, returned);
    return claimed(index_.claim(jid, id), jid, id);
  }

  Status claimed(ReturnIndex::Claim c, const std::string& jid, const std::string& id) {
    if (c != ReturnIndex::Claim::kDuplicate) return ok();
    stat_dup_++;
    return make_error(Errc::kAlreadyExists,
                      "job cache: '" + id + "' already returned for '" + jid + "'");
  }

  void enqueue(Op op) {
    std::unique_lock lock(qmu_);
    space_cv_.wait(lock, [&] { return queue_.size() < o_.max_queue || stopped_; });
    if (stopped_) {  // closing: nothing will commit this
      if (op.done) op.done->set_value(make_error(Errc::kUnavailable, "job cache is closed"));
      return;
    }
    queue_.push_back(std::move(op));
    enqueued_++;
    if (queue_.size() == 1 || queue_.size() >= o_.batch_rows ||
        queue_.back().kind == Op::Kind::kClean) {
      qcv_.notify_one();
    }
  }

  void writer_loop() {
    std::vector<Op> batch;
    while (true) {
      {
        std::unique_lock lock(qmu_);
        qcv_.wait(lock, [&] { return !queue_.empty() || stop_; });
        if (queue_.empty() && stop_) break;
        // Let a batch build up, unless asked to hurry.
        if (!stop_ && !flush_wanted_ && queue_.size() < o_.batch_rows &&
            queue_.back().kind != Op::Kind::kClean) {
          qcv_.wait_for(lock, o_.batch_interval,
                        [&] { return stop_ || flush_wanted_ || queue_.size() >= o_.batch_rows; });
        }
        flush_wanted_ = false;
        batch.swap(queue_);
      }
      space_cv_.notify_all();
      commit(batch);
      {
        std::lock_guard lock(qmu_);
        committed_ += batch.size();
      }
      done_cv_.notify_all();
      batch.clear();
    }
    std::lock_guard lock(qmu_);
    stopped_ = true;
    done_cv_.notify_all();
    space_cv_.notify_all();
  }

  void commit(std::vector<Op>& batch) {
    auto log = brine::log::get("master.jobcache");
    size_t i = 0;
    while (i < batch.size()) {
      if (batch[i].kind == Op::Kind::kClean) {
        batch[i].done->set_value(run_clean(batch[i].saved_at));
        ++i;
        continue;
      }
      size_t end = i;
      while (end < batch.size() && batch[end].kind != Op::Kind::kClean) ++end;
      Status st = write_rows(batch, i, end);
      if (!st) {
        stat_write_errors_++;
        log->error("job cache: lost {} write(s): {}", end - i, st.error().to_string());
      } else {
        stat_batches_++;
      }
      i = end;
    }
  }

  Status write_rows(std::vector<Op>& batch, size_t from, size_t to) {
    BRINE_TRY(wdb_.exec("BEGIN IMMEDIATE"));
    for (size_t i = from; i < to; ++i) {
      Op& op = batch[i];
      Stmt& s = op.kind == Op::Kind::kLoad ? upsert_load_ : insert_return_;
      s.reset();
      s.bind_text(1, op.jid);
      if (op.kind == Op::Kind::kLoad) {
        s.bind_int(2, op.saved_at);
        s.bind_blob(3, op.blob);
        s.bind_blob(4, op.minions);
      } else {
        s.bind_text(2, op.id);
        s.bind_int(3, op.saved_at);
        s.bind_blob(4, op.blob);
      }
      auto r = s.step();
      if (!r) {
        (void)wdb_.exec("ROLLBACK");
        return std::move(r).error();
      }
      // A return the in-memory index could not refuse (its job had been
      // evicted and the first copy was not committed yet) is dropped here.
      if (op.kind == Op::Kind::kReturn && sqlite3_changes(wdb_.get()) == 0) stat_dup_++;
    }
    auto c = wdb_.exec("COMMIT");
    if (!c) (void)wdb_.exec("ROLLBACK");
    return c;
  }

  Result<uint64_t> run_clean(int64_t cutoff) {
    uint64_t removed = 0;
    while (true) {
      BRINE_TRY(wdb_.exec("BEGIN IMMEDIATE"));
      Stmt pick;
      auto st = pick.prepare(wdb_, "SELECT jid FROM jobs WHERE saved_at < ?1 LIMIT ?2");
      std::vector<std::string> jids;
      if (st) {
        pick.bind_int(1, cutoff);
        pick.bind_int(2, kCleanChunk);
        while (true) {
          auto row = pick.step();
          if (!row) {
            st = std::move(row).error();
            break;
          }
          if (!*row) break;
          jids.push_back(pick.column_text(0));
        }
      }
      Stmt del_ret, del_job;
      if (st) st = del_ret.prepare(wdb_, "DELETE FROM returns WHERE jid = ?1");
      if (st) st = del_job.prepare(wdb_, "DELETE FROM jobs WHERE jid = ?1");
      for (size_t i = 0; st && i < jids.size(); ++i) {
        for (Stmt* s : {&del_ret, &del_job}) {
          s->reset();
          s->bind_text(1, jids[i]);
          if (auto r = s->step(); !r) {
            st = std::move(r).error();
            break;
          }
        }
      }
      if (st) st = wdb_.exec("COMMIT");
      if (!st) {
        (void)wdb_.exec("ROLLBACK");
        return std::move(st).error();
      }
      removed += jids.size();
      stat_cleaned_ += jids.size();
      if (jids.size() < static_cast<size_t>(kCleanChunk)) break;
    }
    // Returns whose job is gone (kept from before a crash) go too.
    BRINE_TRY(wdb_.exec("DELETE FROM returns WHERE saved_at < " + std::to_string(cutoff) +
                        " AND jid NOT IN (SELECT jid FROM jobs)"));
    return removed;
  }

  void stop() {
    {
      std::lock_guard lock(qmu_);
      stop_ = true;
    }
    qcv_.notify_all();
    if (writer_.joinable()) writer_.join();
    insert_return_.finalize();
    upsert_load_.finalize();
  }

  SqliteOptions o_;
  Db wdb_;  // writer thread only (after open())
  Db rdb_;  // readers, under rmu_
  std::mutex rmu_;
  Stmt upsert_load_, insert_return_;

  std::mutex qmu_;
  std::condition_variable qcv_, done_cv_, space_cv_;
  std::vector<Op> queue_;
  uint64_t enqueued_ = 0, committed_ = 0;
  bool stop_ = false, stopped_ = false, flush_wanted_ = false;
  std::thread writer_;

  // Minion ids already returned for recent jobs (bounded; older jobs are
  // looked up in the database).
  std::mutex idx_mu_;
  ReturnIndex index_{{o_.recent_ids, o_.recent_bytes}};

  std::atomic<uint64_t> stat_loads_{0}, stat_returns_{0}, stat_dup_{0}, stat_unknown_{0},
      stat_batches_{0}, stat_write_errors_{0}, stat_cleaned_{0};
};

Result<Value> SqliteJobCache::list_jobs(const JobFilter& filter) {
  auto f = parse_filter(filter);
  if (!f) return std::move(f).error();
  // Jids sort in time order: the time window is a key range. "~" sorts after
  // every jid (digits and '_').
  std::string lo = f->start_us ? jid_from_unix_us(*f->start_us) : std::string();
  std::string hi = f->end_us ? jid_from_unix_us(*f->end_us + 1) : std::string("~");
  const bool newest_first = f->limit > 0;
  std::vector<std::pair<std::string, Value>> rows;
  {
    std::lock_guard lock(rmu_);
    Stmt s;
    BRINE_TRY(s.prepare(rdb_, newest_first ? "SELECT jid, load FROM jobs WHERE jid >= ?1 AND "
                                             "jid < ?2 ORDER BY jid DESC"
                                           : "SELECT jid, load FROM jobs WHERE jid >= ?1 AND "
                                             "jid < ?2 ORDER BY jid"));
    s.bind_text(1, lo);
    s.bind_text(2, hi);
    while (true) {
      auto row = s.step();
      if (!row) return std::move(row).error();
      if (!*row) break;
      std::string jid = s.column_text(0);
      auto load = unpack(s.column_blob(1), jid, "load");
      if (!load) {
        brine::log::get("master.jobcache")->warn("{}", load.error().to_string());
        continue;
      }
      if (!filter_matches(*f, *load)) continue;
      rows.emplace_back(std::move(jid), std::move(*load));
      if (newest_first && rows.size() >= f->limit) break;
    }
  }
  if (newest_first) std::reverse(rows.begin(), rows.end());
  Map out;
  out.reserve(rows.size());
  for (auto& [jid, load] : rows) out.set(jid, std::move(load));
  return Value(std::move(out));
}

}  // namespace

Result<std::unique_ptr<JobCache>> open_sqlite_job_cache(const SqliteOptions& options) {
  auto cache = std::make_unique<SqliteJobCache>(options);
  if (auto st = cache->open(); !st) {
    return make_error(st.error().code, "job cache '" + options.path + "': " + st.error().message);
  }
  return std::unique_ptr<JobCache>(std::move(cache));
}

}  // namespace brine::jobcache
