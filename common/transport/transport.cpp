#include "common/transport/transport.h"

#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <system_error>
#include <thread>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "common/transport/tcp.h"
#include "common/transport/work_queue.h"

namespace brine::transport {
namespace {

// One context per process: sockets of all components share its I/O threads.
// configure_context() may size it before it is first made.
std::mutex g_context_mu;
int g_io_threads = 1;
int g_max_sockets = 0;  // 0 = libzmq's default
bool g_context_made = false;

zmq::context_t make_context() {
  std::lock_guard lock(g_context_mu);
  g_context_made = true;
  zmq::context_t ctx(g_io_threads);
  if (g_max_sockets > 0) zmq_ctx_set(ctx.handle(), ZMQ_MAX_SOCKETS, g_max_sockets);
  return ctx;
}

zmq::context_t& context() {
  static zmq::context_t ctx = make_context();
  return ctx;
}

std::atomic<uint64_t> g_inproc_counter{0};

void apply(zmq::socket_t& s, const SocketOptions& o) {
  s.set(zmq::sockopt::linger, o.linger_ms);
  s.set(zmq::sockopt::maxmsgsize, o.max_message_bytes);
  s.set(zmq::sockopt::sndhwm, o.send_hwm);
  s.set(zmq::sockopt::rcvhwm, o.recv_hwm);
  s.set(zmq::sockopt::backlog, o.backlog);
  s.set(zmq::sockopt::reconnect_ivl, o.reconnect_ivl_ms);
  s.set(zmq::sockopt::reconnect_ivl_max, o.reconnect_ivl_max_ms);
  if (o.tcp_keepalive) {
    s.set(zmq::sockopt::tcp_keepalive, 1);
    s.set(zmq::sockopt::tcp_keepalive_idle, 60);
    s.set(zmq::sockopt::tcp_keepalive_intvl, 10);
  }
  if (o.heartbeat_ivl_ms > 0) {
    s.set(zmq::sockopt::heartbeat_ivl, o.heartbeat_ivl_ms);
    s.set(zmq::sockopt::heartbeat_timeout,
          o.heartbeat_timeout_ms > 0 ? o.heartbeat_timeout_ms : 3 * o.heartbeat_ivl_ms);
    s.set(zmq::sockopt::heartbeat_ttl,
          o.heartbeat_timeout_ms > 0 ? o.heartbeat_timeout_ms : 3 * o.heartbeat_ivl_ms);
  }
}

Status bind_all(zmq::socket_t& s, const std::vector<std::string>& endpoints,
                const SocketOptions& o) {
  for (const auto& ep : endpoints) {
    try {
      s.bind(ep);
    } catch (const zmq::error_t& e) {
      return make_error(Errc::kUnavailable, std::string("cannot bind: ") + e.what(), ep);
    }
    if (ep.starts_with("ipc://")) ::chmod(ep.c_str() + 6, static_cast<mode_t>(o.ipc_mode));
  }
  return ok();
}

// True when `opts` picks the tcp backend for these endpoints: Backend::kTcp
// and every endpoint tcp://. ipc:// endpoints always stay ZeroMQ, and one
// socket cannot be both, so kTcp with a mix of ipc:// and tcp:// is refused.
Result<bool> use_tcp(const std::vector<std::string>& endpoints, const SocketOptions& o) {
  if (o.backend != Backend::kTcp || endpoints.empty()) return false;
  size_t tcp = 0;
  for (const auto& ep : endpoints) tcp += tcp::is_tcp(ep) ? 1 : 0;
  if (tcp == 0) return false;
  if (tcp == endpoints.size()) return true;
  return make_error(Errc::kInvalidArgument,
                    "transport tcp cannot serve ipc:// and tcp:// endpoints on one socket",
                    endpoints.front());
}

}  // namespace

Status configure_context(int io_threads, int max_sockets) {
  if (io_threads < 1 || max_sockets < 0) {
    return make_error(Errc::kInvalidArgument,
                      "configure_context: io_threads must be >= 1 and max_sockets >= 0");
  }
  std::lock_guard lock(g_context_mu);
  if (g_context_made) {
    if (io_threads == g_io_threads && max_sockets == g_max_sockets) return ok();
    return make_error(Errc::kInvalidArgument,
                      "the ZeroMQ context already exists; configure it before the first socket");
  }
  g_io_threads = io_threads;
  g_max_sockets = max_sockets;
  return ok();
}

std::string tcp_endpoint(std::string_view host, int port) {
  std::string h(host);
  if (h.find(':') != std::string::npos && !h.starts_with("[")) h = "[" + h + "]";
  return "tcp://" + h + ":" + std::to_string(port);
}

Result<Backend> parse_backend(std::string_view name) {
  if (name == "zeromq" || name == "zmq") return Backend::kZeroMQ;
  if (name == "tcp") return Backend::kTcp;
  return make_error(Errc::kInvalidArgument,
                    "expected 'zeromq' or 'tcp', got '" + std::string(name) + "'");
}

std::string_view backend_name(Backend b) { return b == Backend::kTcp ? "tcp" : "zeromq"; }

std::string ipc_endpoint(std::string_view path) { return "ipc://" + std::string(path); }

// ---------------------------------------------------------------- Server
//
// One I/O thread owns the ROUTER. It queues requests for the workers (so the
// next free worker takes the next request, unlike DEALER round-robin), and
// forwards worker replies, which arrive on an inproc PULL socket, back out.

struct Server::Impl {
  std::unique_ptr<WorkQueue<std::string>> work;  // keyed by routing id; set before any thread
  SocketOptions opts;
  zmq::socket_t router;  // made by start(), inside its try
  std::string reply_endpoint;
  std::atomic<bool> stopping{false};
  std::thread io;
  std::vector<std::thread> workers;
  std::unique_ptr<tcp::TcpServer> tcp;  // transport: tcp; then nothing above is used

  void io_loop(zmq::socket_t pull) {
    zmq::pollitem_t items[] = {{router.handle(), 0, ZMQ_POLLIN, 0},
                               {pull.handle(), 0, ZMQ_POLLIN, 0}};
    std::vector<zmq::message_t> parts;
    while (!stopping.load()) {
      try {
        zmq::poll(items, 2, std::chrono::milliseconds(100));
        if (items[0].revents & ZMQ_POLLIN) {
          // Drain a burst before going back to poll, then queue it under one
          // lock and wake workers after unlocking (a worker woken while the
          // lock is held would only block on it again: two context switches
          // per request instead of one).
          for (int n = 0; n < 256; ++n) {
            parts.clear();
            if (!zmq::recv_multipart(router, std::back_inserter(parts), zmq::recv_flags::dontwait))
              break;
            // [routing id, (empty delimiter), body, ...extra frames ignored]
            size_t i = 1;
            if (i < parts.size() && parts[i].size() == 0) ++i;
            if (parts.size() < 2 || i >= parts.size()) continue;
            std::string_view body(static_cast<const char*>(parts[i].data()), parts[i].size());
            if (work->inline_ok(body)) {
              send_reply(parts[0], work->call(body));
            } else {
              work->add(parts[0].to_string(), body);
            }
          }
          work->flush();
        }
        if (items[1].revents & ZMQ_POLLIN) {
          for (int n = 0; n < 256; ++n) {
            parts.clear();
            if (!zmq::recv_multipart(pull, std::back_inserter(parts), zmq::recv_flags::dontwait))
              break;
            if (parts.size() != 2) continue;
            send_reply(parts[0], std::move(parts[1]));
          }
        }
      } catch (const zmq::error_t&) {
        // EINTR or a vanished peer: keep serving.
      }
    }
    pull.close();
  }

  // [routing id, empty delimiter, reply] on the ROUTER; I/O thread only.
  // Never blocks: a peer over its high-water mark (or gone) loses the reply.
  void send_reply(zmq::message_t& routing_id, zmq::message_t reply) {
    router.send(routing_id, zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    router.send(zmq::message_t(), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    router.send(reply, zmq::send_flags::dontwait);
  }
  void send_reply(zmq::message_t& routing_id, const std::string& reply) {
    send_reply(routing_id, zmq::message_t(reply.data(), reply.size()));
  }

  // `push` is connected to the reply endpoint by start().
  void worker_loop(zmq::socket_t push) {
    while (auto req = work->take()) {
      std::string reply = work->call(req->body);
      try {
        push.send(zmq::buffer(req->key), zmq::send_flags::sndmore);
        push.send(zmq::buffer(reply), zmq::send_flags::none);
      } catch (const zmq::error_t&) {
      }
    }
    push.close();
  }
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { stop(); }

Result<std::unique_ptr<Server>> Server::start(const std::vector<std::string>& endpoints,
                                              int workers, Handler handler,
                                              const SocketOptions& opts, InlineFilter run_inline) {
  auto impl = std::make_unique<Impl>();
  auto tcp_backend = use_tcp(endpoints, opts);
  if (!tcp_backend) return tcp_backend.error();
  if (*tcp_backend) {
    auto s = tcp::start_server(endpoints, workers, std::move(handler), opts, std::move(run_inline));
    if (!s) return s.error();
    impl->tcp = std::move(*s);
    return std::unique_ptr<Server>(new Server(std::move(impl)));
  }
  impl->work =
      std::make_unique<WorkQueue<std::string>>(std::move(handler), std::move(run_inline), workers);
  impl->opts = opts;
  impl->reply_endpoint = "inproc://brine-server-replies-" + std::to_string(g_inproc_counter++);
  // Every socket is made here, before any thread starts, so running out of
  // sockets or descriptors (EMFILE) is an error for the caller, not an
  // exception on a worker thread.
  zmq::socket_t pull;
  std::vector<zmq::socket_t> pushes;
  try {
    impl->router = zmq::socket_t(context(), zmq::socket_type::router);
    apply(impl->router, opts);
    impl->router.set(zmq::sockopt::router_mandatory, 0);
  } catch (const zmq::error_t& e) {
    return make_error(Errc::kUnavailable, std::string("cannot make the server socket: ") + e.what(),
                      endpoints.empty() ? "" : endpoints.front());
  }
  BRINE_TRY(bind_all(impl->router, endpoints, opts));
  try {
    pull = zmq::socket_t(context(), zmq::socket_type::pull);
    pull.set(zmq::sockopt::rcvhwm, 0);
    pull.bind(impl->reply_endpoint);
    for (size_t i = 0; i < impl->work->workers(); ++i) {
      zmq::socket_t push(context(), zmq::socket_type::push);
      push.set(zmq::sockopt::linger, 0);
      push.set(zmq::sockopt::sndhwm, 0);
      push.connect(impl->reply_endpoint);
      pushes.push_back(std::move(push));
    }
  } catch (const zmq::error_t& e) {
    return make_error(Errc::kUnavailable,
                      std::string("cannot make the server's worker sockets: ") + e.what(),
                      endpoints.empty() ? "" : endpoints.front());
  }
  Impl* raw = impl.get();
  std::unique_ptr<Server> server(new Server(std::move(impl)));
  try {
    raw->io = std::thread([raw, p = std::move(pull)]() mutable { raw->io_loop(std::move(p)); });
    for (auto& push : pushes) {
      raw->workers.emplace_back(
          [raw, s = std::move(push)]() mutable { raw->worker_loop(std::move(s)); });
    }
  } catch (const std::system_error& e) {
    server->stop();  // joins whatever started
    return make_error(Errc::kUnavailable, std::string("cannot start server threads: ") + e.what(),
                      endpoints.empty() ? "" : endpoints.front());
  }
  return server;
}

void Server::stop() {
  if (!impl_ || impl_->stopping.exchange(true)) return;
  if (impl_->tcp) {
    impl_->tcp.reset();  // joins its threads, closes every descriptor
    return;
  }
  impl_->work->stop();
  for (auto& t : impl_->workers) {
    if (t.joinable()) t.join();
  }
  if (impl_->io.joinable()) impl_->io.join();
  impl_->router.close();
}

// ---------------------------------------------------------------- Publisher

struct Publisher::Impl {
  std::mutex mu;
  zmq::socket_t pub;                       // made by bind(), inside its try
  std::unique_ptr<tcp::TcpPublisher> tcp;  // transport: tcp instead
};

Publisher::Publisher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Publisher::~Publisher() {
  if (impl_) impl_->pub.close();
}

Result<std::unique_ptr<Publisher>> Publisher::bind(const std::vector<std::string>& endpoints,
                                                   const SocketOptions& opts) {
  auto impl = std::make_unique<Impl>();
  auto tcp_backend = use_tcp(endpoints, opts);
  if (!tcp_backend) return tcp_backend.error();
  if (*tcp_backend) {
    auto p = tcp::bind_publisher(endpoints, opts);
    if (!p) return p.error();
    impl->tcp = std::move(*p);
    return std::unique_ptr<Publisher>(new Publisher(std::move(impl)));
  }
  try {
    impl->pub = zmq::socket_t(context(), zmq::socket_type::pub);
    apply(impl->pub, opts);
  } catch (const zmq::error_t& e) {
    return make_error(Errc::kUnavailable,
                      std::string("cannot make the publisher socket: ") + e.what(),
                      endpoints.empty() ? "" : endpoints.front());
  }
  BRINE_TRY(bind_all(impl->pub, endpoints, opts));
  return std::unique_ptr<Publisher>(new Publisher(std::move(impl)));
}

void Publisher::publish(std::string_view bytes) {
  if (impl_->tcp) return impl_->tcp->publish(bytes);
  std::lock_guard lock(impl_->mu);
  try {
    impl_->pub.send(zmq::buffer(bytes.data(), bytes.size()), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
  }
}

// ---------------------------------------------------------------- Subscriber

struct Subscriber::Impl {
  zmq::socket_t sub;                        // made by connect(), inside its try
  std::unique_ptr<tcp::TcpSubscriber> tcp;  // transport: tcp instead
};

Subscriber::Subscriber(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Subscriber::~Subscriber() {
  if (impl_) impl_->sub.close();
}

Result<std::unique_ptr<Subscriber>> Subscriber::connect(const std::string& endpoint,
                                                        const SocketOptions& opts,
                                                        std::string_view prefix) {
  auto impl = std::make_unique<Impl>();
  if (opts.backend == Backend::kTcp && tcp::is_tcp(endpoint)) {
    auto s = tcp::connect_subscriber(endpoint, opts, prefix);
    if (!s) return s.error();
    impl->tcp = std::move(*s);
    return std::unique_ptr<Subscriber>(new Subscriber(std::move(impl)));
  }
  try {
    impl->sub = zmq::socket_t(context(), zmq::socket_type::sub);
    apply(impl->sub, opts);
    impl->sub.set(zmq::sockopt::subscribe, prefix);
    impl->sub.connect(endpoint);
  } catch (const zmq::error_t& e) {
    return make_error(Errc::kUnavailable, std::string("cannot connect: ") + e.what(), endpoint);
  }
  return std::unique_ptr<Subscriber>(new Subscriber(std::move(impl)));
}

std::optional<std::string> Subscriber::receive(std::chrono::milliseconds timeout) {
  if (impl_->tcp) return impl_->tcp->receive(timeout);
  try {
    zmq::pollitem_t item{impl_->sub.handle(), 0, ZMQ_POLLIN, 0};
    zmq::poll(&item, 1, timeout);
    if (!(item.revents & ZMQ_POLLIN)) return std::nullopt;
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(impl_->sub, std::back_inserter(parts), zmq::recv_flags::dontwait) ||
        parts.empty()) {
      return std::nullopt;
    }
    return parts[0].to_string();
  } catch (const zmq::error_t&) {
    return std::nullopt;
  }
}

// ---------------------------------------------------------------- SubscriberGroup
//
// ZMQ_FD is edge-triggered: it signals that the socket's state may have
// changed, and only ZMQ_EVENTS tells whether a message is there. So a socket
// whose fd fired goes on a `ready` list and stays there until ZMQ_EVENTS shows
// no message (after which the fd will fire again on the next one).

struct SubscriberGroup::Impl {
  std::unique_ptr<tcp::TcpSubscriberGroup> tcp;  // transport: tcp; then nothing below is used
  std::vector<zmq::socket_t> subs;
  int epfd = -1;
  std::vector<uint32_t> ready;
  std::vector<bool> listed;  // in `ready`

  ~Impl() {
    if (epfd >= 0) ::close(epfd);
  }
  void mark(uint32_t i) {
    if (!listed[i]) {
      listed[i] = true;
      ready.push_back(i);
    }
  }
};

SubscriberGroup::SubscriberGroup(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SubscriberGroup::~SubscriberGroup() {
  if (!impl_) return;
  for (auto& s : impl_->subs) s.close();
}

size_t SubscriberGroup::size() const {
  return impl_->tcp ? impl_->tcp->size() : impl_->subs.size();
}

Result<std::unique_ptr<SubscriberGroup>> SubscriberGroup::connect(const std::string& endpoint,
                                                                  int count,
                                                                  const SocketOptions& opts,
                                                                  std::string_view prefix) {
  if (count < 1) return make_error(Errc::kInvalidArgument, "count must be >= 1", endpoint);
  auto impl = std::make_unique<Impl>();
  if (opts.backend == Backend::kTcp && tcp::is_tcp(endpoint)) {
    auto g = tcp::connect_group(endpoint, count, opts, prefix);
    if (!g) return g.error();
    impl->tcp = std::move(*g);
    return std::unique_ptr<SubscriberGroup>(new SubscriberGroup(std::move(impl)));
  }
  impl->epfd = ::epoll_create1(EPOLL_CLOEXEC);
  if (impl->epfd < 0) return make_error(Errc::kUnavailable, "epoll_create1 failed", endpoint);
  impl->subs.reserve(static_cast<size_t>(count));
  impl->listed.assign(static_cast<size_t>(count), false);
  for (int i = 0; i < count; ++i) {
    try {
      zmq::socket_t s(context(), zmq::socket_type::sub);
      apply(s, opts);
      s.set(zmq::sockopt::subscribe, prefix);
      s.connect(endpoint);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u32 = static_cast<uint32_t>(i);
      if (::epoll_ctl(impl->epfd, EPOLL_CTL_ADD, s.get(zmq::sockopt::fd), &ev) != 0) {
        return make_error(Errc::kUnavailable,
                          "cannot watch socket " + std::to_string(i) + ": epoll_ctl failed",
                          endpoint);
      }
      impl->subs.push_back(std::move(s));
    } catch (const zmq::error_t& e) {
      return make_error(Errc::kUnavailable,
                        "cannot connect socket " + std::to_string(i) + ": " + e.what(), endpoint);
    }
    impl->mark(static_cast<uint32_t>(i));
  }
  return std::unique_ptr<SubscriberGroup>(new SubscriberGroup(std::move(impl)));
}

size_t SubscriberGroup::receive(std::chrono::milliseconds timeout,
                                const std::function<void(size_t, std::string_view)>& on_message,
                                size_t max_messages) {
  if (impl_->tcp) return impl_->tcp->receive(timeout, on_message, max_messages);
  Impl& g = *impl_;
  epoll_event events[256];
  // Sockets already known to hold messages need no waiting.
  int wait_ms = g.ready.empty() ? static_cast<int>(std::max<int64_t>(0, timeout.count())) : 0;
  int n = ::epoll_wait(g.epfd, events, 256, wait_ms);
  for (int k = 0; k < n; ++k) g.mark(events[k].data.u32);
  size_t delivered = 0;
  std::vector<uint32_t> still;
  zmq::message_t msg;
  try {
    for (uint32_t i : g.ready) {
      auto& s = g.subs[i];
      bool more = false;
      // A few messages per socket per round, so one busy socket cannot starve
      // the others; it stays on the list.
      for (int m = 0; m < 16; ++m) {
        if (delivered >= max_messages) {
          more = true;
          break;
        }
        if (!(s.get(zmq::sockopt::events) & ZMQ_POLLIN)) break;
        if (!s.recv(msg, zmq::recv_flags::dontwait)) break;
        ++delivered;
        on_message(i, std::string_view(static_cast<const char*>(msg.data()), msg.size()));
        if (m == 15) more = true;
      }
      if (more) {
        still.push_back(i);
      } else {
        g.listed[i] = false;
      }
    }
  } catch (const zmq::error_t&) {
    // A socket in a bad state (shutdown): drop the round, keep the group.
    for (uint32_t i : g.ready) g.listed[i] = false;
    still.clear();
  }
  g.ready.swap(still);
  return delivered;
}

// ---------------------------------------------------------------- Client

struct Client::Impl {
  std::mutex mu;
  zmq::socket_t dealer;                 // made by connect(), inside its try
  std::unique_ptr<tcp::TcpClient> tcp;  // transport: tcp instead
};

Client::Client(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Client::~Client() {
  if (impl_) impl_->dealer.close();
}

Result<std::unique_ptr<Client>> Client::connect(const std::string& endpoint,
                                                const SocketOptions& opts) {
  auto impl = std::make_unique<Impl>();
  if (opts.backend == Backend::kTcp && tcp::is_tcp(endpoint)) {
    auto c = tcp::connect_client(endpoint, opts);
    if (!c) return c.error();
    impl->tcp = std::move(*c);
    return std::unique_ptr<Client>(new Client(std::move(impl)));
  }
  try {
    impl->dealer = zmq::socket_t(context(), zmq::socket_type::dealer);
    apply(impl->dealer, opts);
    impl->dealer.connect(endpoint);
  } catch (const zmq::error_t& e) {
    return make_error(Errc::kUnavailable, std::string("cannot connect: ") + e.what(), endpoint);
  }
  return std::unique_ptr<Client>(new Client(std::move(impl)));
}

Result<std::string> Client::request(std::string_view request, std::chrono::milliseconds timeout,
                                    const std::function<bool(std::string_view)>& accept) {
  if (impl_->tcp) return impl_->tcp->request(request, timeout, accept);
  std::lock_guard lock(impl_->mu);
  auto& s = impl_->dealer;
  try {
    // Drop anything left over from earlier timed-out requests.
    std::vector<zmq::message_t> parts;
    while (zmq::recv_multipart(s, std::back_inserter(parts), zmq::recv_flags::dontwait)) {
      parts.clear();
    }
    s.send(zmq::message_t(), zmq::send_flags::sndmore);
    s.send(zmq::buffer(request.data(), request.size()), zmq::send_flags::none);
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, left);
      if (!(item.revents & ZMQ_POLLIN)) continue;
      parts.clear();
      if (!zmq::recv_multipart(s, std::back_inserter(parts), zmq::recv_flags::dontwait)) continue;
      size_t i = (!parts.empty() && parts[0].size() == 0) ? 1 : 0;
      if (i >= parts.size()) continue;
      std::string reply = parts[i].to_string();
      if (!accept || accept(reply)) return reply;
    }
  } catch (const zmq::error_t& e) {
    return make_error(Errc::kUnavailable, std::string("request failed: ") + e.what());
  }
  return make_error(Errc::kTimeout, "no reply within " + std::to_string(timeout.count()) + " ms");
}

}  // namespace brine::transport
