// The tcp Subscriber and SubscriberGroup: connections owned by the calling
// thread, reconnecting with back-off, filtering on the prefix locally (the
// publisher sends everything to everyone, as a ZeroMQ PUB does for a SUB
// subscribed to "").
#include <poll.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <deque>
#include <queue>
#include <system_error>

#include "common/transport/tcp.h"

namespace brine::transport::tcp {
namespace {

// ---------------------------------------------------------------- Subscriber

class SubscriberImpl final : public TcpSubscriber {
 public:
  SubscriberImpl(Endpoint ep, const SocketOptions& opts, std::string_view prefix)
      : ep_(std::move(ep)), opts_(opts), prefix_(prefix), limit_(frame_limit(opts)), link_(opts) {}
  ~SubscriberImpl() override { link_.drop(); }

  Status start() { return link_.start(ep_, opts_); }

  std::optional<std::string> receive(std::chrono::milliseconds timeout) override {
    const auto deadline = Clock::now() + timeout;
    auto buf = std::make_unique_for_overwrite<char[]>(kScratchBytes);
    while (true) {
      if (!queue_.empty()) {
        std::string m = std::move(queue_.front());
        queue_.pop_front();
        return m;
      }
      auto now = Clock::now();
      link_.connect_if_due(ep_, opts_, now);
      // Read what is there before waiting: one chunk may hold many frames.
      // Bounded, so a flood of filtered-out messages cannot hold us past the deadline.
      for (int reads = 0; reads < 64 && queue_.empty() &&
                          link_.read_once(buf.get(), kScratchBytes, limit_,
                                          [&](std::string_view m) {
                                            if (m.starts_with(prefix_)) queue_.emplace_back(m);
                                          }) > 0;
           ++reads) {
      }
      if (!queue_.empty()) continue;
      if (link_.timed_out(now)) {
        link_.drop();
      } else if (link_.ping_due(now)) {
        link_.send_ping(now);
      }
      if (now >= deadline) return std::nullopt;
      if (link_.fd < 0) {
        ::poll(nullptr, 0, ms_until(std::min(deadline, link_.backoff.next()), now));
        continue;
      }
      pollfd p{link_.fd, static_cast<short>(POLLIN | (link_.connecting ? POLLOUT : 0)), 0};
      auto until = std::min(deadline, link_.next_heartbeat());
      if (::poll(&p, 1, ms_until(until, now)) > 0 && link_.connecting) link_.finish_connect();
    }
  }

 private:
  const Endpoint ep_;
  const SocketOptions opts_;
  const std::string prefix_;
  const uint64_t limit_;
  Link link_;
  std::deque<std::string> queue_;  // frames of the last chunk read, not yet returned
};

// ---------------------------------------------------------------- SubscriberGroup
//
// One epoll set over every member's socket (level-triggered). A member with
// messages queued is on `ready_` and is not read again until they are
// delivered, so each member holds at most one read's worth of messages.

class GroupImpl final : public TcpSubscriberGroup {
 public:
  GroupImpl(Endpoint ep, const SocketOptions& opts, std::string_view prefix)
      : ep_(std::move(ep)),
        opts_(opts),
        prefix_(prefix),
        limit_(frame_limit(opts)),
        sweep_ms_(opts.heartbeat_ivl_ms > 0 ? std::max(10, opts.heartbeat_ivl_ms / 2) : 0) {}
  ~GroupImpl() override {
    for (auto& m : members_) m.link.drop();
    if (epfd_ >= 0) ::close(epfd_);
  }

  Status start(int count) {
    epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd_ < 0) {
      return make_error(Errc::kUnavailable,
                        "cannot make the epoll set: " + std::system_category().message(errno),
                        ep_.text);
    }
    members_.reserve(static_cast<size_t>(count));
    auto now = Clock::now();
    for (int i = 0; i < count; ++i) {
      members_.emplace_back(opts_);
      Member& m = members_.back();
      auto fd = start_connect(ep_, opts_);
      m.link.backoff.attempted(now);
      if (!fd && fd.error().code == Errc::kUnavailable) {
        return make_error(Errc::kUnavailable,
                          "cannot connect socket " + std::to_string(i) + ": " + fd.error().message,
                          ep_.text);
      }
      if (!fd || !watch(static_cast<uint32_t>(i), *fd)) timers_.push({m.link.backoff.next(), i});
    }
    scratch_ = std::make_unique_for_overwrite<char[]>(kScratchBytes);
    return ok();
  }

  size_t size() const override { return members_.size(); }

  size_t receive(std::chrono::milliseconds timeout,
                 const std::function<void(size_t, std::string_view)>& on_message,
                 size_t max_messages) override {
    const auto deadline = Clock::now() + timeout;
    epoll_event events[256];
    while (true) {
      auto now = Clock::now();
      reconnect_due(now);
      if (sweep_ms_ > 0 && now >= next_sweep_) sweep(now);
      auto until = deadline;
      if (!timers_.empty()) until = std::min(until, timers_.top().first);
      if (sweep_ms_ > 0) until = std::min(until, next_sweep_);
      int n = ::epoll_wait(epfd_, events, 256, ready_.empty() ? ms_until(until, now) : 0);
      for (int k = 0; k < n; ++k) handle(events[k].data.u32, events[k].events);
      size_t delivered = deliver(on_message, max_messages);
      if (delivered > 0 || Clock::now() >= deadline) return delivered;
    }
  }

 private:
  struct Member {
    explicit Member(const SocketOptions& opts) : link(opts) {}
    Link link;
    std::vector<std::string> queue;  // received, not yet delivered; empty = no heap
    uint32_t head = 0;
    bool listed = false;  // on ready_
  };
  using Timer = std::pair<Clock::time_point, int>;

  bool watch(uint32_t i, int fd) {
    Member& m = members_[i];
    m.link.fd = fd;
    m.link.connecting = true;
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT;
    ev.data.u32 = i;
    if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) == 0) return true;
    m.link.drop();
    return false;
  }

  // Heartbeats: one pass over the members every half interval (O(count)
  // every few seconds, rather than a timer per member).
  void sweep(Clock::time_point now) {
    next_sweep_ = now + std::chrono::milliseconds(sweep_ms_);
    for (size_t i = 0; i < members_.size(); ++i) {
      Link& l = members_[i].link;
      if (l.timed_out(now)) {
        lost(static_cast<uint32_t>(i));
      } else if (l.ping_due(now)) {
        l.send_ping(now);
        if (l.fd < 0) lost(static_cast<uint32_t>(i));
      }
    }
  }

  void lost(uint32_t i) {
    Member& m = members_[i];
    m.link.drop();  // closing the fd also leaves the epoll set
    timers_.push({m.link.backoff.next(), static_cast<int>(i)});
  }

  void reconnect_due(Clock::time_point now) {
    while (!timers_.empty() && timers_.top().first <= now) {
      auto i = static_cast<uint32_t>(timers_.top().second);
      timers_.pop();
      Member& m = members_[i];
      if (m.link.fd >= 0) continue;
      m.link.backoff.attempted(now);
      auto fd = start_connect(ep_, opts_);
      if (!fd || !watch(i, *fd)) timers_.push({m.link.backoff.next(), static_cast<int>(i)});
    }
  }

  void handle(uint32_t i, uint32_t events) {
    Member& m = members_[i];
    if (m.link.fd < 0) return;
    if (m.link.connecting) {
      if (!m.link.finish_connect()) {
        lost(i);
        return;
      }
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = i;
      ::epoll_ctl(epfd_, EPOLL_CTL_MOD, m.link.fd, &ev);
      if (!(events & EPOLLIN)) return;
    }
    if (m.listed) return;  // still delivering the last read
    m.link.read_once(scratch_.get(), kScratchBytes, limit_, [&](std::string_view msg) {
      if (msg.starts_with(prefix_)) m.queue.emplace_back(msg);
    });
    if (m.link.fd < 0) timers_.push({m.link.backoff.next(), static_cast<int>(i)});
    if (m.head < m.queue.size()) {
      m.listed = true;
      ready_.push_back(i);
    }
  }

  size_t deliver(const std::function<void(size_t, std::string_view)>& on_message,
                 size_t max_messages) {
    size_t delivered = 0;
    std::vector<uint32_t> still;
    for (uint32_t i : ready_) {
      Member& m = members_[i];
      // A few messages per member per round, so one busy member cannot
      // starve the others; it stays on the list.
      for (int k = 0; k < 16 && delivered < max_messages && m.head < m.queue.size(); ++k) {
        std::string msg = std::move(m.queue[m.head++]);
        ++delivered;
        on_message(i, msg);
      }
      if (m.head < m.queue.size()) {
        still.push_back(i);
      } else {
        std::vector<std::string>().swap(m.queue);
        m.head = 0;
        m.listed = false;
      }
    }
    ready_.swap(still);
    return delivered;
  }

  const Endpoint ep_;
  const SocketOptions opts_;
  const std::string prefix_;
  const uint64_t limit_;
  const int sweep_ms_;  // 0: no heartbeats
  Clock::time_point next_sweep_{};
  int epfd_ = -1;
  std::vector<Member> members_;  // reserved up front: never reallocated
  std::vector<uint32_t> ready_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<Timer>> timers_;
  std::unique_ptr<char[]> scratch_;
};

}  // namespace

Result<std::unique_ptr<TcpSubscriber>> connect_subscriber(const std::string& endpoint,
                                                          const SocketOptions& opts,
                                                          std::string_view prefix) {
  auto ep = parse_endpoint(endpoint, false);
  if (!ep) return ep.error();
  auto s = std::make_unique<SubscriberImpl>(std::move(*ep), opts, prefix);
  BRINE_TRY(s->start());
  return std::unique_ptr<TcpSubscriber>(std::move(s));
}

Result<std::unique_ptr<TcpSubscriberGroup>> connect_group(const std::string& endpoint, int count,
                                                          const SocketOptions& opts,
                                                          std::string_view prefix) {
  if (count < 1) return make_error(Errc::kInvalidArgument, "count must be >= 1", endpoint);
  auto ep = parse_endpoint(endpoint, false);
  if (!ep) return ep.error();
  auto g = std::make_unique<GroupImpl>(std::move(*ep), opts, prefix);
  BRINE_TRY(g->start(count));
  return std::unique_ptr<TcpSubscriberGroup>(std::move(g));
}

}  // namespace brine::transport::tcp
