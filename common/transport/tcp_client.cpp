// The tcp Client (DEALER-like). It owns no thread: request() connects,
// writes and waits with poll() in the caller's thread, so a process can hold
// thousands of Clients (tests/bench/swarm). Between requests nothing reads the
// socket; replies that come late wait in the kernel and are discarded by the
// next request, as a DEALER discards them there.
#include <poll.h>
#include <unistd.h>

#include <mutex>

#include "common/transport/tcp.h"

namespace brine::transport::tcp {
namespace {

class ClientImpl final : public TcpClient {
 public:
  ClientImpl(Endpoint ep, const SocketOptions& opts)
      : ep_(std::move(ep)), opts_(opts), limit_(frame_limit(opts)), link_(opts) {}
  ~ClientImpl() override { link_.drop(); }

  // Connects at once, as zmq_connect() does in the background; only running
  // out of descriptors is an error.
  Status start() { return link_.start(ep_, opts_); }

  Result<std::string> request(std::string_view request, std::chrono::milliseconds timeout,
                              const std::function<bool(std::string_view)>& accept) override {
    std::lock_guard lock(mu_);
    if (request.size() > 0xffffffffu) {
      return make_error(Errc::kInvalidArgument, "request too large to frame", ep_.text);
    }
    const auto deadline = Clock::now() + timeout;
    auto buf = std::make_unique_for_overwrite<char[]>(kScratchBytes);
    // Replies to earlier, timed-out requests: discard (this also notices a
    // peer that closed while we were idle).
    for (int reads = 0;
         reads < 1024 && link_.read_once(buf.get(), kScratchBytes, limit_, [](std::string_view) {});
         ++reads) {
    }
    if (link_.fd < 0) out_.clear();
    // A frame partly written must be finished, or the stream loses its
    // framing; an earlier request never started is dropped with its timeout.
    if (!out_.started()) out_.clear();
    out_.push(std::make_shared<const std::string>(request));

    std::optional<std::string> reply;
    auto on_frame = [&](std::string_view body) {
      if (!reply && (!accept || accept(body))) reply.emplace(body);
    };
    while (true) {
      auto now = Clock::now();
      if (link_.fd < 0) link_.connect_if_due(ep_, opts_, now);
      if (link_.timed_out(now)) {
        lose();
      } else if (link_.ping_due(now)) {
        out_.push(ping_frame());  // behind the request, never inside a frame
        link_.pinged = now;
      }
      if (link_.fd >= 0 && !link_.connecting && !out_.empty() &&
          out_.flush(link_.fd) == SendQueue::Io::kError) {
        lose();
      }
      for (int reads = 0;
           reads < 64 && !reply && link_.read_once(buf.get(), kScratchBytes, limit_, on_frame);
           ++reads) {
      }
      if (link_.fd < 0) lose();
      if (reply) return std::move(*reply);
      if (now >= deadline) break;
      if (link_.fd < 0) {
        ::poll(nullptr, 0, ms_until(std::min(deadline, link_.backoff.next()), now));
        continue;
      }
      bool want_out = link_.connecting || !out_.empty();
      pollfd p{link_.fd, static_cast<short>(POLLIN | (want_out ? POLLOUT : 0)), 0};
      auto until = std::min(deadline, link_.next_heartbeat());
      if (::poll(&p, 1, ms_until(until, now)) > 0 && link_.connecting && !link_.finish_connect()) {
        lose();
      }
    }
    if (!out_.started()) out_.clear();
    return make_error(Errc::kTimeout, "no reply within " + std::to_string(timeout.count()) + " ms");
  }

 private:
  // The connection is gone: a request partly written on it is lost (the
  // caller times out, as with ZeroMQ); one not started yet goes out on the
  // next connection.
  void lose() {
    link_.drop();
    if (out_.started()) out_.clear();
  }

  const Endpoint ep_;
  const SocketOptions opts_;
  const uint64_t limit_;
  std::mutex mu_;
  Link link_;
  SendQueue out_;
};

}  // namespace

Result<std::unique_ptr<TcpClient>> connect_client(const std::string& endpoint,
                                                  const SocketOptions& opts) {
  auto ep = parse_endpoint(endpoint, false);
  if (!ep) return ep.error();
  auto c = std::make_unique<ClientImpl>(std::move(*ep), opts);
  BRINE_TRY(c->start());
  return std::unique_ptr<TcpClient>(std::move(c));
}

}  // namespace brine::transport::tcp
