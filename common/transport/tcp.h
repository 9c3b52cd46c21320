// brine::transport::tcp: the `transport: tcp` backend, internal to
// common/transport. transport.cpp hands tcp:// endpoints here when
// SocketOptions::backend is kTcp; the public classes keep their contract
// (transport.h) and only their Impl changes.
//
// Wire: every message is one frame, a 4-byte big-endian length then that many
// bytes (0 is a valid, empty message). A frame announcing more than
// max_message_bytes closes that connection. Two length values are control
// frames without a body: kPing (0xffffffff), sent by a connecting side with
// heartbeat_ivl_ms set, and kPong (0xfffffffe), the listening side's answer.
// Nothing else is ever sent: no greeting, no subscription.
//
// Memory is the point of this backend: an idle connection is one small struct
// (fd, a 4-byte header being read, an empty std::string and an empty vector);
// a body buffer exists only while a frame is partly received and grows only
// as its bytes arrive; a send queue holds shared_ptrs, so one publication to
// every subscriber is one copy, and is freed once drained.
//
// Threads: Server and Publisher each own one epoll I/O thread (the Server also
// its workers); Subscriber, SubscriberGroup and Client own no thread and do
// their I/O in the calling thread (receive()/request()).
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/transport/transport.h"

namespace brine::transport::tcp {

using Clock = std::chrono::steady_clock;
// One frame's body, shared by every connection it is queued on.
using Frame = std::shared_ptr<const std::string>;

constexpr size_t kScratchBytes = 64 * 1024;  // one read() per turn, on the stack or per loop

// ---------------------------------------------------------------- endpoints

// A parsed "tcp://host:port". `host` has no brackets; "*" is kept as "*".
struct Endpoint {
  std::string text;  // as given, for error messages
  std::string host;
  uint16_t port = 0;
};

bool is_tcp(std::string_view endpoint);
// Syntax only: tcp://HOST:PORT, HOST an IPv4 literal, [IPv6 literal], a name
// (resolved at each connect; binding needs a literal or "*"), PORT 0-65535 for
// a bind ("*" = 0 = any) and 1-65535 for a connect. kInvalidArgument naming
// the endpoint.
Result<Endpoint> parse_endpoint(const std::string& endpoint, bool for_bind);

struct Address {
  sockaddr_storage addr{};
  socklen_t len = 0;
};
// getaddrinfo(); numeric hosts never touch DNS, names may block.
Result<Address> resolve(const Endpoint& ep, bool for_bind);

// ---------------------------------------------------------------- sockets

// Listening socket: CLOEXEC, non-blocking, SO_REUSEADDR, backlog = opts.backlog.
// kUnavailable "cannot bind: <strerror>" naming the endpoint.
Result<int> listen_on(const Endpoint& ep, const SocketOptions& opts);
// TCP_NODELAY and, when opts.tcp_keepalive, SO_KEEPALIVE idle 60 s / interval 10 s.
void tune(int fd, const SocketOptions& opts);
// Starts a non-blocking connect; the fd is returned while the connect is in
// progress (or done). kUnavailable: no socket could be made (out of
// descriptors); kIo: this attempt failed (name not resolved, refused), retry.
Result<int> start_connect(const Endpoint& ep, const SocketOptions& opts);
// SO_ERROR of a connecting socket: 0 once connected.
int socket_error(int fd);

// Reconnect timing as libzmq does it: the first attempt at once, each later
// one reconnect_ivl after the previous attempt plus up to reconnect_ivl of
// jitter, the interval doubling up to reconnect_ivl_max (when that is larger),
// back to reconnect_ivl once a connection is made.
class Backoff {
 public:
  explicit Backoff(const SocketOptions& opts);
  bool due(Clock::time_point now) const { return now >= next_; }
  Clock::time_point next() const { return next_; }
  void attempted(Clock::time_point now);  // schedules the next attempt
  void connected();                       // resets the interval

 private:
  int ivl_ms_;
  int max_ms_;
  int current_ms_;
  Clock::time_point next_{};
};

// ---------------------------------------------------------------- framing

inline void put_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

constexpr uint32_t kPing = 0xffffffffu;
constexpr uint32_t kPong = 0xfffffffeu;
constexpr uint64_t kMaxBody = 0xfffffffdu;
// Sentinels queued in a SendQueue to write a control frame.
const Frame& ping_frame();
const Frame& pong_frame();

// Largest body a frame may announce on a socket with these options.
uint64_t frame_limit(const SocketOptions& opts);

// Incremental frame parser. Idle it holds no heap memory.
class FrameReader {
 public:
  // Feeds received bytes, calling on_frame(std::string_view) per complete
  // frame (the view lives until the callback returns) and on_control(kPing
  // or kPong) per control frame. False when a header announced more than
  // `limit`: the connection must be closed.
  template <typename F, typename C>
  bool feed(const char* p, size_t n, uint64_t limit, F&& on_frame, C&& on_control) {
    const char* end = p + n;
    while (p < end) {
      if (hdr_len_ < 4) {
        size_t take = std::min<size_t>(4 - hdr_len_, static_cast<size_t>(end - p));
        std::memcpy(hdr_ + hdr_len_, p, take);
        hdr_len_ = static_cast<uint8_t>(hdr_len_ + take);
        p += take;
        if (hdr_len_ < 4) break;
        need_ = (uint32_t{hdr_[0]} << 24) | (uint32_t{hdr_[1]} << 16) | (uint32_t{hdr_[2]} << 8) |
                uint32_t{hdr_[3]};
        if (need_ >= kPong) {
          hdr_len_ = 0;
          on_control(need_);
          continue;
        }
        if (need_ > limit) return false;
        if (need_ == 0) {
          hdr_len_ = 0;
          on_frame(std::string_view());
        }
        continue;
      }
      size_t avail = static_cast<size_t>(end - p);
      if (body_.empty() && avail >= need_) {  // whole body at hand: no copy
        std::string_view body(p, need_);
        p += need_;
        hdr_len_ = 0;
        on_frame(body);
        continue;
      }
      size_t take = std::min<size_t>(need_ - body_.size(), avail);
      body_.append(p, take);  // grows with the bytes that came, not with the header's claim
      p += take;
      if (body_.size() == need_) {
        hdr_len_ = 0;
        std::string done;
        done.swap(body_);  // idle again before the callback runs
        on_frame(std::string_view(done));
      }
    }
    return true;
  }
  bool idle() const { return hdr_len_ == 0; }
  void reset() {
    hdr_len_ = 0;
    std::string().swap(body_);
  }

 private:
  std::string body_;
  uint32_t need_ = 0;
  uint8_t hdr_[4] = {};
  uint8_t hdr_len_ = 0;
};

// Frames waiting to be written to one connection. Idle it holds no heap memory.
class SendQueue {
 public:
  enum class Io { kDrained, kAgain, kError };
  size_t size() const { return items_.size() - head_; }
  bool empty() const { return head_ == items_.size(); }
  void push(Frame f);
  // Writes as much as the socket takes (never blocks).
  Io flush(int fd);
  // True while the first frame is partly written (it must be finished first).
  bool started() const { return off_ > 0; }
  void clear();

 private:
  std::vector<Frame> items_;
  size_t head_ = 0;
  size_t off_ = 0;  // bytes of items_[head_] written, counting its 4-byte header
};

// ---------------------------------------------------------------- outgoing links

// One outgoing connection that comes back by itself (Subscriber, each member
// of a SubscriberGroup, Client). A plain struct: its owner closes it (drop()).
struct Link {
  explicit Link(const SocketOptions& opts);
  int fd = -1;
  bool connecting = false;  // connect() in progress: wait for POLLOUT, then finish_connect()
  int hb_ivl_ms = 0;        // heartbeats, as ZMTP's: PING after hb_ivl_ms without traffic,
  int hb_timeout_ms = 0;    // drop when nothing came hb_timeout_ms after a PING
  Backoff backoff;
  FrameReader reader;
  Clock::time_point heard{};   // last bytes received (or connection made)
  Clock::time_point pinged{};  // last PING sent

  bool up() const { return fd >= 0 && !connecting; }
  // With heartbeats on: a PING is due now (the caller sends it and sets `pinged`).
  bool ping_due(Clock::time_point now) const {
    return hb_ivl_ms > 0 && up() && pinged <= heard &&
           now - heard >= std::chrono::milliseconds(hb_ivl_ms);
  }
  // With heartbeats on: a PING went unanswered; the caller drops the link.
  bool timed_out(Clock::time_point now) const {
    return hb_ivl_ms > 0 && up() && pinged > heard &&
           now - pinged >= std::chrono::milliseconds(hb_timeout_ms);
  }
  // When ping_due() or timed_out() may next become true (max() if never).
  Clock::time_point next_heartbeat() const;
  // For links that write nothing else (subscribers): sends a PING now.
  void send_ping(Clock::time_point now);

  // The first connect, at once, as zmq_connect() starts one in the
  // background: a refused or unresolved attempt only schedules the next one;
  // running out of descriptors is the only error.
  Status start(const Endpoint& ep, const SocketOptions& opts);
  // Starts a connect when none is up and the back-off allows; a failed
  // attempt only schedules the next one. True when fd is now valid.
  bool connect_if_due(const Endpoint& ep, const SocketOptions& opts, Clock::time_point now);
  // After poll() reported the connecting socket: false (and dropped) if it failed.
  bool finish_connect();
  void drop();
  // One recv() into buf: each complete frame goes to on_frame. Returns the
  // bytes read, 0 when nothing was there or the link dropped (EOF, error,
  // an oversize frame; fd is then -1).
  template <typename F>
  size_t read_once(char* buf, size_t cap, uint64_t limit, F&& on_frame) {
    if (fd < 0 || connecting) return 0;
    ssize_t n;
    do {
      n = ::recv(fd, buf, cap, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return 0;
    if (n <= 0 || !reader.feed(buf, static_cast<size_t>(n), limit, on_frame, [](uint32_t) {})) {
      drop();
      return 0;
    }
    heard = Clock::now();
    return static_cast<size_t>(n);
  }
};

// Milliseconds from now until `t`, rounded up, at least 0 (for poll/epoll).
int ms_until(Clock::time_point t, Clock::time_point now);

// ---------------------------------------------------------------- the five shapes

class TcpServer {
 public:
  virtual ~TcpServer() = default;
  virtual void stop() = 0;
};
Result<std::unique_ptr<TcpServer>> start_server(const std::vector<std::string>& endpoints,
                                                int workers, Server::Handler handler,
                                                const SocketOptions& opts,
                                                Server::InlineFilter run_inline);

class TcpPublisher {
 public:
  virtual ~TcpPublisher() = default;
  virtual void publish(std::string_view bytes) = 0;
};
Result<std::unique_ptr<TcpPublisher>> bind_publisher(const std::vector<std::string>& endpoints,
                                                     const SocketOptions& opts);

class TcpSubscriber {
 public:
  virtual ~TcpSubscriber() = default;
  virtual std::optional<std::string> receive(std::chrono::milliseconds timeout) = 0;
};
Result<std::unique_ptr<TcpSubscriber>> connect_subscriber(const std::string& endpoint,
                                                          const SocketOptions& opts,
                                                          std::string_view prefix);

class TcpSubscriberGroup {
 public:
  virtual ~TcpSubscriberGroup() = default;
  virtual size_t size() const = 0;
  virtual size_t receive(std::chrono::milliseconds timeout,
                         const std::function<void(size_t, std::string_view)>& on_message,
                         size_t max_messages) = 0;
};
Result<std::unique_ptr<TcpSubscriberGroup>> connect_group(const std::string& endpoint, int count,
                                                          const SocketOptions& opts,
                                                          std::string_view prefix);

class TcpClient {
 public:
  virtual ~TcpClient() = default;
  virtual Result<std::string> request(std::string_view request, std::chrono::milliseconds timeout,
                                      const std::function<bool(std::string_view)>& accept) = 0;
};
Result<std::unique_ptr<TcpClient>> connect_client(const std::string& endpoint,
                                                  const SocketOptions& opts);

}  // namespace brine::transport::tcp
