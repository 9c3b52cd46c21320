#include "master/jobcache/return_index.h"

namespace brine::jobcache {

uint32_t ReturnIndex::number_of(const std::string& id) {
  if (auto it = numbers_.find(id); it != numbers_.end()) return it->second;
  // Numbers are never reused while a job may hold them: start over instead.
  if (numbers_.size() >= limits_.max_distinct_ids) clear();
  auto n = static_cast<uint32_t>(numbers_.size());
  numbers_.emplace(id, n);
  bytes_ += kIdOverhead;
  return n;
}

bool ReturnIndex::set(Job& job, uint32_t n) {
  size_t word = n / 64;
  uint64_t bit = uint64_t{1} << (n % 64);
  if (word >= job.bits.size()) {
    size_t before = job.bits.capacity();
    job.bits.resize(word + 1, 0);
    bytes_ += (job.bits.capacity() - before) * sizeof(uint64_t);
  }
  if (job.bits[word] & bit) return false;
  job.bits[word] |= bit;
  ++job.count;
  ++ids_;
  return true;
}

void ReturnIndex::add_job(const std::string& jid, int64_t saved_at,
                          const std::vector<std::string>& returned) {
  if (jobs_.contains(jid)) return;
  std::vector<uint32_t> numbers;
  numbers.reserve(returned.size());
  for (const auto& id : returned) numbers.push_back(number_of(id));
  Job& job = jobs_[jid];
  job.saved_at = saved_at;
  order_.push_back(jid);
  bytes_ += kJobOverhead;
  for (uint32_t n : numbers) set(job, n);
  trim(jid);
}

ReturnIndex::Claim ReturnIndex::claim(const std::string& jid, const std::string& id) {
  if (!jobs_.contains(jid)) return Claim::kUnknownJob;
  uint32_t n = number_of(id);  // may forget every job (see number_of)
  auto it = jobs_.find(jid);
  if (it == jobs_.end()) return Claim::kUnknownJob;
  if (!set(it->second, n)) return Claim::kDuplicate;
  trim(jid);
  return Claim::kFirst;
}

void ReturnIndex::forget_before(int64_t cutoff) {
  while (!order_.empty()) {
    auto it = jobs_.find(order_.front());
    if (it != jobs_.end() && it->second.saved_at >= cutoff) break;
    if (it != jobs_.end()) drop(it);
    order_.pop_front();
  }
}

void ReturnIndex::drop(std::unordered_map<std::string, Job>::iterator it) {
  ids_ -= it->second.count;
  bytes_ -= kJobOverhead + it->second.bits.capacity() * sizeof(uint64_t);
  jobs_.erase(it);
}

void ReturnIndex::clear() {
  jobs_.clear();
  order_.clear();
  numbers_.clear();
  ids_ = 0;
  bytes_ = 0;
}

void ReturnIndex::trim(const std::string& keep) {
  while ((ids_ > limits_.max_ids || bytes_ > limits_.max_bytes) && jobs_.size() > 1 &&
         !order_.empty()) {
    std::string oldest = std::move(order_.front());
    order_.pop_front();
    if (oldest == keep) {  // never forget the job being written to
      order_.push_back(std::move(oldest));
      continue;
    }
    if (auto it = jobs_.find(oldest); it != jobs_.end()) drop(it);
  }
}

}  // namespace brine::jobcache
