// The tcp Server (ROUTER-like) and Publisher (PUB-like) over EventLoop.
#include <condition_variable>
#include <deque>
#include <mutex>

#include "common/transport/tcp_loop.h"

namespace brine::transport::tcp {
namespace {

// ---------------------------------------------------------------- Server
//
// The I/O thread reads request frames, runs the inline ones itself and queues
// the rest for the workers; workers hand replies back through `replies_` and
// wake the loop, which writes each reply on the connection the request came
// from, if that very connection (id and generation) is still open.

class ServerImpl final : public TcpServer, public EventLoop {
 public:
  ServerImpl(Server::Handler handler, Server::InlineFilter run_inline, const SocketOptions& opts,
             int workers)
      : EventLoop(opts, frame_limit(opts)),
        handler_(std::move(handler)),
        run_inline_(std::move(run_inline)),
        worker_count_(static_cast<size_t>(std::max(1, workers))) {}
  ~ServerImpl() override { stop(); }

  Status start(const std::vector<std::string>& endpoints) {
    BRINE_TRY(open(endpoints));
    try {
      for (size_t i = 0; i < worker_count_; ++i) workers_.emplace_back([this] { worker_loop(); });
    } catch (const std::system_error& e) {
      stop();
      return make_error(Errc::kUnavailable, std::string("cannot start server threads: ") + e.what(),
                        endpoints.empty() ? "" : endpoints.front());
    }
    auto st = start_thread();
    if (!st) stop();
    return st;
  }

  void stop() override {
    std::call_once(stopped_, [this] {
      {
        std::lock_guard lock(mu_);
        quitting_ = true;
      }
      cv_.notify_all();
      for (auto& t : workers_) t.join();
      stop_thread();
    });
  }

 private:
  struct Request {
    uint64_t id;
    std::string body;
  };
  struct Reply {
    uint64_t id;
    std::string body;
  };
  static constexpr size_t kMaxQueued = 200000;  // as the ZeroMQ server: shed load, do not grow

  void on_frame(uint64_t id, std::string_view body) override {
    if (inline_ok(body)) {
      send(id, std::make_shared<const std::string>(call_handler(body)));
      return;
    }
    burst_.push_back({id, std::string(body)});
  }

  // One lock and one wake-up per batch of requests, not per request.
  void on_batch_end() override {
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
    if (added >= worker_count_) {
      cv_.notify_all();
    } else {
      for (size_t k = 0; k < added; ++k) cv_.notify_one();
    }
  }

  void on_wake() override {
    std::vector<Reply> ready;
    {
      std::lock_guard lock(reply_mu_);
      ready.swap(replies_);
    }
    // A reply whose connection closed, or is over its send_hwm, is dropped.
    for (auto& r : ready) send(r.id, std::make_shared<const std::string>(std::move(r.body)));
  }

  void worker_loop() {
    while (true) {
      Request req;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return quitting_ || !queue_.empty(); });
        if (quitting_) return;
        req = std::move(queue_.front());
        queue_.pop_front();
      }
      std::string reply = call_handler(req.body);
      {
        std::lock_guard lock(reply_mu_);
        replies_.push_back({req.id, std::move(reply)});
      }
      wake();
    }
  }

  bool inline_ok(std::string_view body) {
    try {
      return run_inline_ && run_inline_(body);
    } catch (...) {
      return false;  // a worker will see it
    }
  }

  // The handler's reply, or an empty one if it threw (the Handler contract).
  std::string call_handler(std::string_view body) {
    try {
      return handler_(body);
    } catch (...) {
      return {};
    }
  }

  Server::Handler handler_;
  Server::InlineFilter run_inline_;
  const size_t worker_count_;
  std::vector<Request> burst_;  // I/O thread only
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Request> queue_;
  bool quitting_ = false;
  std::mutex reply_mu_;
  std::vector<Reply> replies_;
  std::vector<std::thread> workers_;
  std::once_flag stopped_;
};

// ---------------------------------------------------------------- Publisher
//
// publish() copies the bytes once into a shared Frame and queues it for the
// I/O thread, which queues that same Frame on every connection under its
// send_hwm. A subscriber never sends anything: any non-empty inbound frame
// closes its connection.

class PublisherImpl final : public TcpPublisher, public EventLoop {
 public:
  explicit PublisherImpl(const SocketOptions& opts) : EventLoop(opts, 0) {}
  ~PublisherImpl() override { stop_thread(); }

  Status start(const std::vector<std::string>& endpoints) {
    BRINE_TRY(open(endpoints));
    return start_thread();
  }

  void publish(std::string_view bytes) override {
    if (bytes.size() > 0xffffffffu) return;  // cannot be framed
    auto frame = std::make_shared<const std::string>(bytes);
    {
      std::lock_guard lock(mu_);
      // The hand-off to the I/O thread is bounded too: if it falls this far
      // behind, every subscriber is over its high-water mark anyway.
      if (opts_.send_hwm > 0 && pending_.size() >= static_cast<size_t>(opts_.send_hwm)) return;
      pending_.push_back(std::move(frame));
    }
    wake();
  }

 private:
  void on_frame(uint64_t, std::string_view) override {}
  void on_wake() override {
    {
      std::lock_guard lock(mu_);
      batch_.swap(pending_);
    }
    send_all(batch_);
    batch_.clear();
  }

  std::mutex mu_;
  std::vector<Frame> pending_;
  std::vector<Frame> batch_;  // I/O thread only
};

}  // namespace

Result<std::unique_ptr<TcpServer>> start_server(const std::vector<std::string>& endpoints,
                                                int workers, Server::Handler handler,
                                                const SocketOptions& opts,
                                                Server::InlineFilter run_inline) {
  auto s = std::make_unique<ServerImpl>(std::move(handler), std::move(run_inline), opts, workers);
  BRINE_TRY(s->start(endpoints));
  return std::unique_ptr<TcpServer>(std::move(s));
}

Result<std::unique_ptr<TcpPublisher>> bind_publisher(const std::vector<std::string>& endpoints,
                                                     const SocketOptions& opts) {
  auto p = std::make_unique<PublisherImpl>(opts);
  BRINE_TRY(p->start(endpoints));
  return std::unique_ptr<TcpPublisher>(std::move(p));
}

}  // namespace brine::transport::tcp
