// The tcp Server (ROUTER-like) and Publisher (PUB-like) over EventLoop.
#include <mutex>

#include "common/transport/tcp_loop.h"
#include "common/transport/work_queue.h"

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
        work_(std::move(handler), std::move(run_inline), workers) {}
  ~ServerImpl() override { stop(); }

  Status start(const std::vector<std::string>& endpoints) {
    BRINE_TRY(open(endpoints));
    try {
      for (size_t i = 0; i < work_.workers(); ++i) workers_.emplace_back([this] { worker_loop(); });
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
      work_.stop();
      for (auto& t : workers_) t.join();
      stop_thread();
    });
  }

 private:
  struct Reply {
    uint64_t id;
    std::string body;
  };

  void on_frame(uint64_t id, std::string_view body) override {
    if (work_.inline_ok(body)) {
      send(id, std::make_shared<const std::string>(work_.call(body)));
    } else {
      work_.add(id, body);
    }
  }

  // One lock and one wake-up per batch of requests, not per request.
  void on_batch_end() override { work_.flush(); }

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
    while (auto req = work_.take()) {
      std::string reply = work_.call(req->body);
      {
        std::lock_guard lock(reply_mu_);
        replies_.push_back({req->key, std::move(reply)});
      }
      wake();
    }
  }

  WorkQueue<uint64_t> work_;  // keyed by connection id
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
