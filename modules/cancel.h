// CancelToken: how a running job learns that it was killed.
//
// The minion's job pool owns one token per job and calls request(sig) for
// saltutil.kill_job / term_job / signal_job or a job timeout. The token then
//   - sends `sig` at once to every process group attached to it (the children
//     cmd.* started, each in its own group), so they die with the job;
//   - wakes every wait_for() and makes requested() non-zero, so sleeps and
//     command loops return early.
// Functions that wait poll wait_fd() together with their own descriptors.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <set>

namespace brine::modules {

class CancelToken {
 public:
  CancelToken();
  ~CancelToken();
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  // Records `sig` (first request wins for requested(); every request is
  // forwarded to the attached process groups) and wakes waiters.
  void request(int sig);
  // 0 until request() was called; then the first signal requested.
  int requested() const { return signal_.load(std::memory_order_acquire); }

  // Sleeps up to `d`; true when cancelled (at once or while sleeping).
  bool wait_for(std::chrono::milliseconds d) const;
  // A descriptor that becomes readable once cancelled (an eventfd), or -1 when
  // the kernel gave none; then callers poll requested() instead.
  int wait_fd() const { return fd_; }

  // Process groups that receive forwarded signals. attach() signals at once
  // when the token is already cancelled.
  void attach_process_group(pid_t pgid);
  void detach_process_group(pid_t pgid);

 private:
  std::atomic<int> signal_{0};
  int fd_ = -1;
  mutable std::mutex mu_;
  std::set<pid_t> groups_;
};

}  // namespace brine::modules
