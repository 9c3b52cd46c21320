// TaskPool: the swarm's engine. A few worker threads serve one queue of timed
// tasks (auth attempts, heartbeats, key fetches, publication deliveries,
// returns) for every virtual minion, so thousands of minions need no thread
// of their own.
//
// Each worker owns one RequestPort (a DEALER socket in the daemon, a fake in
// tests), made on that worker's thread by the factory, and hands it to every
// task it runs: a ZeroMQ socket stays on one thread, and the number of
// requests in flight is the number of workers. The master routes by channel
// id, not by socket, so any worker may carry any minion's request.
//
// Tasks run in due-time order (FIFO among equal times). A task must not throw;
// one that does is caught and counted (the pool keeps serving).
//
// Thread-safety: post*/size/stop from any thread. stop() drops pending tasks
// and joins the workers; tasks posted after stop() are discarded.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common/result.h"

namespace brine::swarm {

using Clock = std::chrono::steady_clock;

// One synchronous request/reply path to the master (see transport::Client).
class RequestPort {
 public:
  virtual ~RequestPort() = default;
  // Sends `request` and returns the first reply `accept` takes within `timeout`
  // (Errc::kTimeout otherwise); replies it refuses (stale ones) are skipped.
  virtual Result<std::string> request(std::string_view request, std::chrono::milliseconds timeout,
                                      const std::function<bool(std::string_view)>& accept) = 0;
};

// Makes a worker's port; called on the worker thread. An error is retried
// (with a pause) until it succeeds or the pool stops.
using PortFactory = std::function<Result<std::unique_ptr<RequestPort>>()>;

class TaskPool {
 public:
  using Task = std::function<void(RequestPort&)>;

  TaskPool(int workers, PortFactory factory);
  ~TaskPool();
  TaskPool(const TaskPool&) = delete;
  TaskPool& operator=(const TaskPool&) = delete;

  void post(Task task) { post_at(Clock::now(), std::move(task)); }
  void post_after(std::chrono::milliseconds delay, Task task) {
    post_at(Clock::now() + delay, std::move(task));
  }
  void post_at(Clock::time_point when, Task task);

  // Tasks waiting (due or not).
  size_t size() const;
  // Tasks that threw.
  uint64_t failures() const { return failures_.load(); }
  void stop();

 private:
  struct Entry {
    Clock::time_point when;
    uint64_t seq;
    Task task;
    bool operator>(const Entry& o) const { return when != o.when ? when > o.when : seq > o.seq; }
  };
  void worker_loop();

  PortFactory factory_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  uint64_t seq_ = 0;
  bool stopping_ = false;
  std::atomic<uint64_t> failures_{0};
  std::vector<std::thread> threads_;
};

}  // namespace brine::swarm
