// brine::transport::WorkQueue: how both Server backends (ZeroMQ and tcp) hand
// requests from their I/O thread to their workers. Internal to
// common/transport.
//
// The I/O thread calls inline_ok()/call() for requests it runs itself, add()
// for each other request of a burst and flush() at the end of the burst: the
// burst is queued under one lock and the workers are woken after unlocking (a
// worker woken while the lock is held would only block on it again). Past
// kMaxQueued requests the rest of a burst is shed rather than grown. Workers
// loop on take() until stop().
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/transport/transport.h"

namespace brine::transport {

// `Key` names where the reply goes: a ZeroMQ routing id, a tcp connection id.
template <typename Key>
class WorkQueue {
 public:
  struct Request {
    Key key;
    std::string body;
  };
  static constexpr size_t kMaxQueued = 200000;

  WorkQueue(Server::Handler handler, Server::InlineFilter run_inline, int workers)
      : handler_(std::move(handler)),
        run_inline_(std::move(run_inline)),
        workers_(static_cast<size_t>(std::max(1, workers))) {}

  size_t workers() const { return workers_; }

  // The InlineFilter's answer; false when there is none or it threw.
  bool inline_ok(std::string_view body) const {
    try {
      return run_inline_ && run_inline_(body);
    } catch (...) {
      return false;  // a worker will see it
    }
  }

  // The handler's reply, or an empty one if it threw (the Handler contract).
  std::string call(std::string_view body) const {
    try {
      return handler_(body);
    } catch (...) {
      return {};
    }
  }

  // I/O thread only.
  void add(Key key, std::string_view body) {
    burst_.push_back({std::move(key), std::string(body)});
  }
  void flush() {
    if (burst_.empty()) return;
    size_t added = 0;
    {
      std::lock_guard lock(mu_);
      for (auto& r : burst_) {
        if (queue_.size() >= kMaxQueued) break;
        queue_.push_back(std::move(r));
        ++added;
      }
    }
    burst_.clear();
    if (added >= workers_) {
      cv_.notify_all();
    } else {
      for (size_t k = 0; k < added; ++k) cv_.notify_one();
    }
  }

  // Workers: the next request, waiting for one; nullopt once stopped.
  std::optional<Request> take() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return stopped_ || !queue_.empty(); });
    if (stopped_) return std::nullopt;
    Request r = std::move(queue_.front());
    queue_.pop_front();
    return r;
  }

  void stop() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
  }

 private:
  const Server::Handler handler_;
  const Server::InlineFilter run_inline_;
  const size_t workers_;
  std::vector<Request> burst_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request> queue_;
  bool stopped_ = false;
};

}  // namespace brine::transport
