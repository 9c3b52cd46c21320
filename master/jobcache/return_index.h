// brine::jobcache::ReturnIndex: which minions already returned for recent
// jobs, so the job cache refuses a second return (Salt's "An extra return was
// detected") without a database read on the hot path.
//
// Minion ids are numbered once (an id table shared by every job) and each job
// keeps one bit per number: a job all of a 10,000-minion fleet returned for
// costs ~1.3 KB, where a set of id strings cost ~800 KB (80 B per id; 40 MB at
// the old 500,000-id bound, most of the master's growth over its first jobs).
//
// Bounded: past `max_ids` recorded returns or `max_bytes` (bit sets plus a
// per-job overhead plus the id table), the oldest jobs are forgotten first
// (never the one being written to); the caller then finds their returns in
// the database. Past `max_distinct_ids` numbered ids everything is forgotten
// and numbering starts again.
//
// Thread-safety: none; the job cache guards it with a mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace brine::jobcache {

class ReturnIndex {
 public:
  struct Limits {
    size_t max_ids = 500000;       // recorded (job, minion) returns
    size_t max_bytes = 16u << 20;  // bit sets + per-job overhead + id table
    size_t max_distinct_ids = 1000000;
  };
  explicit ReturnIndex(Limits limits) : limits_(limits) {}

  bool has_job(const std::string& jid) const { return jobs_.contains(jid); }
  // Starts tracking `jid` (saved at `saved_at`, unix seconds) with the ids
  // that already returned; no change when it is tracked already.
  void add_job(const std::string& jid, int64_t saved_at,
               const std::vector<std::string>& returned = {});

  enum class Claim { kFirst, kDuplicate, kUnknownJob };
  // Records that `id` returned for `jid`: kFirst the first time, kDuplicate
  // after, kUnknownJob when `jid` is not tracked (ask the database).
  Claim claim(const std::string& jid, const std::string& id);

  // Forgets jobs saved before `cutoff` (unix seconds), oldest first.
  void forget_before(int64_t cutoff);

  size_t jobs() const { return jobs_.size(); }
  size_t ids() const { return ids_; }
  size_t bytes() const { return bytes_; }

 private:
  struct Job {
    std::vector<uint64_t> bits;  // bit n set: id number n returned
    size_t count = 0;
    int64_t saved_at = 0;
  };
  // What one tracked job costs besides its bits: its map node, the jid in the
  // node and in `order_`, bookkeeping.
  static constexpr size_t kJobOverhead = 160;
  // An id table entry: node, hash bucket, the id (short ids stay inline).
  static constexpr size_t kIdOverhead = 80;

  uint32_t number_of(const std::string& id);
  bool set(Job& job, uint32_t n);
  void drop(std::unordered_map<std::string, Job>::iterator it);
  void clear();
  // Forgets the oldest jobs, except `keep`, until within the limits.
  void trim(const std::string& keep);

  Limits limits_;
  std::unordered_map<std::string, uint32_t> numbers_;
  std::unordered_map<std::string, Job> jobs_;
  std::deque<std::string> order_;  // jids, oldest first (may name forgotten jobs)
  size_t ids_ = 0;
  size_t bytes_ = 0;
};

}  // namespace brine::jobcache
