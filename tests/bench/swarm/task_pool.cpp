#include "tests/bench/swarm/task_pool.h"

namespace brine::swarm {

TaskPool::TaskPool(int workers, PortFactory factory) : factory_(std::move(factory)) {
  for (int i = 0; i < std::max(1, workers); ++i) threads_.emplace_back([this] { worker_loop(); });
}

TaskPool::~TaskPool() { stop(); }

void TaskPool::post_at(Clock::time_point when, Task task) {
  std::lock_guard lock(mu_);
  if (stopping_) return;
  // Wake a worker only when the new task is due before the earliest one it
  // may be sleeping on; otherwise the sleeper wakes in time by itself.
  bool earliest = queue_.empty() || when < queue_.top().when;
  queue_.push(Entry{when, seq_++, std::move(task)});
  if (earliest) cv_.notify_one();
}

size_t TaskPool::size() const {
  std::lock_guard lock(mu_);
  return queue_.size();
}

void TaskPool::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
    while (!queue_.empty()) queue_.pop();
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void TaskPool::worker_loop() {
  std::unique_ptr<RequestPort> port;
  while (!port) {
    auto p = factory_();
    if (p) {
      port = std::move(*p);
      break;
    }
    std::unique_lock lock(mu_);
    if (cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) return;
  }
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto when = queue_.top().when;
    if (when > Clock::now()) {
      cv_.wait_until(lock, when);
      continue;
    }
    // priority_queue::top() is const; the task is moved out through a cast,
    // which is safe because the entry is popped right away.
    Task task = std::move(const_cast<Entry&>(queue_.top()).task);
    queue_.pop();
    // Another worker may sleep on a later task; make sure one watches the new top.
    if (!queue_.empty()) cv_.notify_one();
    lock.unlock();
    try {
      task(*port);
    } catch (...) {
      failures_.fetch_add(1);
    }
    lock.lock();
  }
}

}  // namespace brine::swarm
