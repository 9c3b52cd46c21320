// Endpoints, socket set-up, reconnect timing and the send queue of the tcp
// backend (tcp.h).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <random>

#include "common/transport/tcp.h"

namespace brine::transport::tcp {
namespace {

Error bad_endpoint(const std::string& ep, const std::string& why) {
  return make_error(Errc::kInvalidArgument, "bad tcp endpoint: " + why, ep);
}

std::string errno_text(int err) { return std::system_category().message(err); }

}  // namespace

bool is_tcp(std::string_view endpoint) { return endpoint.starts_with("tcp://"); }

Result<Endpoint> parse_endpoint(const std::string& endpoint, bool for_bind) {
  if (!is_tcp(endpoint)) return bad_endpoint(endpoint, "expected tcp://host:port");
  std::string_view rest = std::string_view(endpoint).substr(6);
  Endpoint ep;
  ep.text = endpoint;
  std::string_view port;
  if (rest.starts_with("[")) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos || close + 1 >= rest.size() || rest[close + 1] != ':') {
      return bad_endpoint(endpoint, "expected tcp://[ipv6]:port");
    }
    ep.host = std::string(rest.substr(1, close - 1));
    port = rest.substr(close + 2);
  } else {
    size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) return bad_endpoint(endpoint, "missing :port");
    ep.host = std::string(rest.substr(0, colon));
    port = rest.substr(colon + 1);
    if (ep.host.find(':') != std::string::npos) {
      return bad_endpoint(endpoint, "an IPv6 address needs brackets: tcp://[addr]:port");
    }
  }
  if (ep.host.empty()) return bad_endpoint(endpoint, "missing host");
  if (ep.host.find(';') != std::string::npos) {
    return bad_endpoint(endpoint, "source addresses are not supported");
  }
  if (ep.host == "*" && !for_bind) return bad_endpoint(endpoint, "cannot connect to '*'");
  unsigned value = 0;
  if (for_bind && port == "*") {
    value = 0;
  } else {
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value > 65535 ||
        (value == 0 && !for_bind)) {
      return bad_endpoint(endpoint, "bad port '" + std::string(port) + "'");
    }
  }
  ep.port = static_cast<uint16_t>(value);
  return ep;
}

Result<Address> resolve(const Endpoint& ep, bool for_bind) {
  Address out;
  if (ep.host == "*") {
    auto* in = reinterpret_cast<sockaddr_in*>(&out.addr);
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_ANY);
    in->sin_port = htons(ep.port);
    out.len = sizeof(sockaddr_in);
    return out;
  }
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | (for_bind ? AI_NUMERICHOST | AI_PASSIVE : 0);
  addrinfo* res = nullptr;
  std::string port = std::to_string(ep.port);
  int rc = ::getaddrinfo(ep.host.c_str(), port.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    return make_error(
        for_bind ? Errc::kInvalidArgument : Errc::kUnavailable,
        std::string(for_bind ? "cannot bind: " : "cannot resolve: ") + ::gai_strerror(rc), ep.text);
  }
  std::memcpy(&out.addr, res->ai_addr, res->ai_addrlen);
  out.len = res->ai_addrlen;
  ::freeaddrinfo(res);
  return out;
}

Result<int> listen_on(const Endpoint& ep, const SocketOptions& opts) {
  auto addr = resolve(ep, true);
  if (!addr) return addr.error();
  int fd = ::socket(addr->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return make_error(Errc::kUnavailable, "cannot bind: " + errno_text(errno), ep.text);
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&addr->addr), addr->len) != 0 ||
      ::listen(fd, std::max(1, opts.backlog)) != 0) {
    int err = errno;
    ::close(fd);
    return make_error(Errc::kUnavailable, "cannot bind: " + errno_text(err), ep.text);
  }
  return fd;
}

void tune(int fd, const SocketOptions& opts) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (opts.tcp_keepalive) {
    int idle = 60, intvl = 10;
    ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    ::setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
  }
}

Result<int> start_connect(const Endpoint& ep, const SocketOptions& opts) {
  auto addr = resolve(ep, false);
  if (!addr) return make_error(Errc::kIo, addr.error().message, ep.text);
  int fd = ::socket(addr->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return make_error(Errc::kUnavailable, "cannot connect: " + errno_text(errno), ep.text);
  }
  tune(fd, opts);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr->addr), addr->len) != 0 &&
      errno != EINPROGRESS) {
    int err = errno;
    ::close(fd);
    return make_error(Errc::kIo, "cannot connect: " + errno_text(err), ep.text);
  }
  return fd;
}

int socket_error(int fd) {
  int err = 0;
  socklen_t len = sizeof(err);
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
  return err;
}

Backoff::Backoff(const SocketOptions& opts)
    : ivl_ms_(std::max(1, opts.reconnect_ivl_ms)),
      max_ms_(opts.reconnect_ivl_max_ms),
      current_ms_(ivl_ms_) {}

void Backoff::attempted(Clock::time_point now) {
  thread_local std::minstd_rand rng(std::random_device{}());
  int jitter = static_cast<int>(rng() % static_cast<unsigned>(ivl_ms_));
  next_ = now + std::chrono::milliseconds(current_ms_ + jitter);
  if (max_ms_ > ivl_ms_) current_ms_ = std::min(max_ms_, current_ms_ * 2);
}

void Backoff::connected() { current_ms_ = ivl_ms_; }

Link::Link(const SocketOptions& opts)
    : hb_ivl_ms(std::max(0, opts.heartbeat_ivl_ms)),
      hb_timeout_ms(opts.heartbeat_timeout_ms > 0 ? opts.heartbeat_timeout_ms
                                                  : 3 * std::max(0, opts.heartbeat_ivl_ms)),
      backoff(opts) {}

Clock::time_point Link::next_heartbeat() const {
  if (hb_ivl_ms <= 0 || !up()) return Clock::time_point::max();
  if (pinged > heard) return pinged + std::chrono::milliseconds(hb_timeout_ms);
  return heard + std::chrono::milliseconds(hb_ivl_ms);
}

void Link::send_ping(Clock::time_point now) {
  uint8_t hdr[4];
  put_be32(hdr, kPing);
  pinged = now;
  // 4 bytes into an otherwise idle socket: all or nothing in practice; a
  // partial write would break the framing, so it drops the link.
  ssize_t n = ::send(fd, hdr, 4, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n == 4 || (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))) return;
  drop();
}

Status Link::start(const Endpoint& ep, const SocketOptions& opts) {
  auto r = start_connect(ep, opts);
  backoff.attempted(Clock::now());
  if (r) {
    fd = *r;
    connecting = true;
  } else if (r.error().code == Errc::kUnavailable) {
    return r.error();
  }
  return ok();
}

bool Link::connect_if_due(const Endpoint& ep, const SocketOptions& opts, Clock::time_point now) {
  if (fd >= 0) return true;
  if (!backoff.due(now)) return false;
  backoff.attempted(now);
  auto r = start_connect(ep, opts);
  if (!r) return false;
  fd = *r;
  connecting = true;
  return true;
}

bool Link::finish_connect() {
  if (socket_error(fd) != 0) {
    drop();
    return false;
  }
  connecting = false;
  backoff.connected();
  heard = Clock::now();
  pinged = {};
  return true;
}

void Link::drop() {
  if (fd >= 0) ::close(fd);
  fd = -1;
  connecting = false;
  reader.reset();
}

int ms_until(Clock::time_point t, Clock::time_point now) {
  if (t <= now) return 0;
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t - now).count();
  return static_cast<int>(std::min<int64_t>((ns + 999999) / 1000000, 1 << 30));
}

uint64_t frame_limit(const SocketOptions& opts) {
  constexpr uint64_t kWireMax = kMaxBody;
  if (opts.max_message_bytes < 0) return kWireMax;  // ZMQ_MAXMSGSIZE -1: no limit
  return std::min<uint64_t>(kWireMax, static_cast<uint64_t>(opts.max_message_bytes));
}

const Frame& ping_frame() {
  static const Frame f = std::make_shared<const std::string>();
  return f;
}

const Frame& pong_frame() {
  static const Frame f = std::make_shared<const std::string>();
  return f;
}

SendQueue::Io SendQueue::flush(int fd) {
  constexpr size_t kBatch = 32;
  while (!empty()) {
    iovec iov[2 * kBatch];
    uint8_t hdr[kBatch][4];
    size_t iovs = 0;
    size_t off = off_;
    for (size_t i = head_; i < items_.size() && i - head_ < kBatch; ++i) {
      const std::string& body = *items_[i];
      const Frame& f = items_[i];
      put_be32(hdr[i - head_], f == ping_frame()   ? kPing
                               : f == pong_frame() ? kPong
                                                   : static_cast<uint32_t>(body.size()));
      if (off < 4) iov[iovs++] = {hdr[i - head_] + off, 4 - off};
      size_t body_off = off > 4 ? off - 4 : 0;
      if (body.size() > body_off) {
        iov[iovs++] = {const_cast<char*>(body.data()) + body_off, body.size() - body_off};
      }
      off = 0;
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = iovs;
    ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? Io::kAgain : Io::kError;
    }
    size_t left = static_cast<size_t>(n);
    while (left > 0 && !empty()) {
      size_t frame = 4 + items_[head_]->size();
      size_t take = std::min(left, frame - off_);
      off_ += take;
      left -= take;
      if (off_ == frame) {
        items_[head_].reset();
        ++head_;
        off_ = 0;
      }
    }
  }
  clear();
  return Io::kDrained;
}

void SendQueue::push(Frame f) {
  if (head_ >= 64 && 2 * head_ >= items_.size()) {  // a queue that never drains stays compact
    items_.erase(items_.begin(), items_.begin() + static_cast<ptrdiff_t>(head_));
    head_ = 0;
  }
  items_.push_back(std::move(f));
}

void SendQueue::clear() {
  std::vector<Frame>().swap(items_);  // an idle connection keeps no buffer
  head_ = 0;
  off_ = 0;
}

}  // namespace brine::transport::tcp
