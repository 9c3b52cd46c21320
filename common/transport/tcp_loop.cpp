#include "common/transport/tcp_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace brine::transport::tcp {
namespace {

// epoll data: a connection id has bit 63 clear (generations are 31 bits).
constexpr uint64_t kListenerTag = uint64_t{1} << 63;
constexpr uint64_t kWakeTag = ~uint64_t{0};
constexpr int kReadsPerTurn = 4;  // per readable event, so one busy peer cannot starve the rest
constexpr int kAcceptsPerTurn = 256;

uint32_t slot_of(uint64_t id) { return static_cast<uint32_t>(id); }

}  // namespace

EventLoop::EventLoop(const SocketOptions& opts, uint64_t in_limit)
    : opts_(opts), in_limit_(in_limit), scratch_(new char[kScratchBytes]) {}

EventLoop::~EventLoop() {
  for (auto& c : conns_) {
    if (c) ::close(c->fd);
  }
  for (int fd : listeners_) ::close(fd);
  if (wakefd_ >= 0) ::close(wakefd_);
  if (epfd_ >= 0) ::close(epfd_);
}

Status EventLoop::open(const std::vector<std::string>& endpoints) {
  std::string first = endpoints.empty() ? "" : endpoints.front();
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  wakefd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (epfd_ < 0 || wakefd_ < 0) {
    return make_error(Errc::kUnavailable,
                      "cannot make the event loop: " + std::system_category().message(errno),
                      first);
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeTag;
  ::epoll_ctl(epfd_, EPOLL_CTL_ADD, wakefd_, &ev);
  for (const auto& text : endpoints) {
    auto ep = parse_endpoint(text, true);
    if (!ep) return ep.error();
    auto fd = listen_on(*ep, opts_);
    if (!fd) return fd.error();
    ev.data.u64 = kListenerTag | listeners_.size();
    listeners_.push_back(*fd);
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, *fd, &ev) != 0) {
      return make_error(Errc::kUnavailable, "cannot watch the listening socket", text);
    }
  }
  return ok();
}

Status EventLoop::start_thread() {
  try {
    io_ = std::thread([this] { run(); });
  } catch (const std::system_error& e) {
    return make_error(Errc::kUnavailable, std::string("cannot start the I/O thread: ") + e.what());
  }
  return ok();
}

void EventLoop::stop_thread() {
  stopping_.store(true);
  if (wakefd_ >= 0) {
    uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wakefd_, &one, sizeof(one));
  }
  if (io_.joinable()) io_.join();
}

void EventLoop::wake() {
  // One eventfd write per burst: publishers and workers racing here cost one
  // syscall until the I/O thread has run on_wake().
  if (wake_pending_.exchange(true)) return;
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wakefd_, &one, sizeof(one));
}

void EventLoop::run() {
  epoll_event events[256];
  while (!stopping_.load()) {
    int wait_ms = 1000;
    if (paused_) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(resume_at_ - Clock::now());
      if (left.count() <= 0) {
        pause_listeners(false);
      } else {
        wait_ms = static_cast<int>(left.count()) + 1;
      }
    }
    int n = ::epoll_wait(epfd_, events, 256, wait_ms);
    for (int k = 0; k < n; ++k) {
      uint64_t tag = events[k].data.u64;
      if (tag == kWakeTag) {
        uint64_t count;
        [[maybe_unused]] ssize_t r = ::read(wakefd_, &count, sizeof(count));
        wake_pending_.store(false);
        if (!stopping_.load()) on_wake();
      } else if (tag & kListenerTag) {
        accept_from(static_cast<size_t>(tag & ~kListenerTag));
      } else if (Conn* c = find(tag)) {
        if (events[k].events & EPOLLOUT) flush(*c);
        if (!c->dead && (events[k].events & (EPOLLIN | EPOLLHUP | EPOLLERR))) read_from(*c);
      }
    }
    on_batch_end();
    reap();
  }
}

void EventLoop::accept_from(size_t listener) {
  for (int k = 0; k < kAcceptsPerTurn; ++k) {
    int fd = ::accept4(listeners_[listener], nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop accepting for a moment instead of spinning
        // on a listener that stays readable. Existing connections keep going.
        pause_listeners(true);
      }
      return;
    }
    tune(fd, opts_);
    uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = static_cast<uint32_t>(conns_.size());
      conns_.emplace_back();
      gens_.push_back(0);
    }
    gens_[slot] = (gens_[slot] + 1) & 0x7fffffffu;
    if (gens_[slot] == 0) gens_[slot] = 1;
    auto c = std::make_unique<Conn>();
    c->fd = fd;
    c->id = (uint64_t{gens_[slot]} << 32) | slot;
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = c->id;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
      ::close(fd);
      free_slots_.push_back(slot);
      continue;
    }
    conns_[slot] = std::move(c);
  }
}

void EventLoop::pause_listeners(bool pause) {
  paused_ = pause;
  if (pause) resume_at_ = Clock::now() + std::chrono::milliseconds(100);
  for (size_t i = 0; i < listeners_.size(); ++i) {
    epoll_event ev{};
    ev.events = pause ? 0u : uint32_t{EPOLLIN};
    ev.data.u64 = kListenerTag | i;
    ::epoll_ctl(epfd_, EPOLL_CTL_MOD, listeners_[i], &ev);
  }
}

void EventLoop::read_from(Conn& c) {
  for (int k = 0; k < kReadsPerTurn && !c.dead; ++k) {
    ssize_t n = ::recv(c.fd, scratch_.get(), kScratchBytes, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) {
      kill(c);  // closed by the peer or reset
      return;
    }
    const uint64_t id = c.id;
    if (!c.reader.feed(
            scratch_.get(), static_cast<size_t>(n), in_limit_,
            [&](std::string_view body) {
              if (!c.dead) on_frame(id, body);
            },
            [&](uint32_t control) {
              if (control == kPing) send(id, pong_frame());
            })) {
      kill(c);  // a frame over the size limit
      return;
    }
    if (static_cast<size_t>(n) < kScratchBytes) return;
  }
}

void EventLoop::flush(Conn& c) {
  switch (c.out.flush(c.fd)) {
    case SendQueue::Io::kError:
      kill(c);
      return;
    case SendQueue::Io::kAgain:
      if (c.watching_out) return;
      c.watching_out = true;
      break;
    case SendQueue::Io::kDrained:
      if (!c.watching_out) return;
      c.watching_out = false;
      break;
  }
  epoll_event ev{};
  ev.events = EPOLLIN | (c.watching_out ? uint32_t{EPOLLOUT} : 0u);
  ev.data.u64 = c.id;
  ::epoll_ctl(epfd_, EPOLL_CTL_MOD, c.fd, &ev);
}

// Deferred: the connection may be inside a callback right now (a frame being
// parsed, an inline reply being sent), so it is closed after the batch.
void EventLoop::kill(Conn& c) {
  if (c.dead) return;
  c.dead = true;
  dead_.push_back(slot_of(c.id));
}

void EventLoop::reap() {
  for (uint32_t slot : dead_) {
    ::close(conns_[slot]->fd);  // also leaves the epoll set
    conns_[slot].reset();
    free_slots_.push_back(slot);
  }
  dead_.clear();
}

EventLoop::Conn* EventLoop::find(uint64_t id) {
  uint32_t slot = slot_of(id);
  if (slot >= conns_.size() || !conns_[slot]) return nullptr;
  Conn* c = conns_[slot].get();
  return c->id == id && !c->dead ? c : nullptr;
}

bool EventLoop::send(uint64_t id, Frame f) {
  Conn* c = find(id);
  if (c == nullptr) return false;
  if (opts_.send_hwm > 0 && c->out.size() >= static_cast<size_t>(opts_.send_hwm)) return false;
  c->out.push(std::move(f));
  if (!c->watching_out) flush(*c);
  return true;
}

void EventLoop::send_all(const std::vector<Frame>& frames) {
  const size_t hwm = opts_.send_hwm > 0 ? static_cast<size_t>(opts_.send_hwm) : SIZE_MAX;
  for (auto& slot : conns_) {
    Conn* c = slot.get();
    if (c == nullptr || c->dead) continue;
    for (const Frame& f : frames) {
      if (c->out.size() >= hwm) break;  // PUB semantics: a slow subscriber misses messages
      c->out.push(f);
    }
    if (!c->watching_out) flush(*c);
  }
}

}  // namespace brine::transport::tcp
