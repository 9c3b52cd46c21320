// brine::transport: the ZeroMQ layer. The only part of Brine that includes <zmq.hpp>.
//
// Everything here moves opaque byte strings; framing, crypto and meaning live in
// common/protocol. Four shapes cover the daemons:
//   Server      ROUTER bound on one or more endpoints, a pool of worker threads each
//               calling a Handler for one request and sending its reply.
//   Publisher   PUB bound on endpoints; publish() is thread-safe.
//   Subscriber  SUB connected to one endpoint; owned by one thread.
//   Client      DEALER connected to one endpoint; request() is thread-safe and
//               returns the first reply the caller's predicate accepts.
// Every socket caps inbound message size (ZMQ_MAXMSGSIZE) so a peer cannot make
// a daemon allocate without bound; malformed envelopes are dropped by libzmq or
// here, never surfaced as exceptions.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace brine::transport {

// Which implementation carries tcp:// endpoints; ipc:// endpoints always use
// ZeroMQ. The config key is Salt's `transport` (master and minion):
// `zeromq` (the default) or `tcp`, Brine's own length-prefixed framing over
// plain TCP sockets with one epoll loop per socket, a few KiB per idle
// connection instead of libzmq's 23-84 KiB (docs/protocol.md 1.1). A Server
// or Publisher given kTcp with both ipc:// and tcp:// endpoints is refused
// (kInvalidArgument): one socket cannot be both. kTcp sockets ignore
// ZeroMQ-only settings (recv_hwm, linger_ms, ipc_mode, configure_context()).
enum class Backend { kZeroMQ, kTcp };

// "zeromq" (also "zmq") or "tcp"; kInvalidArgument naming the accepted values.
Result<Backend> parse_backend(std::string_view name);
std::string_view backend_name(Backend b);

struct SocketOptions {
  Backend backend = Backend::kZeroMQ;
  int64_t max_message_bytes = 64ll << 20;
  int send_hwm = 1000;
  int recv_hwm = 1000;
  int backlog = 1000;
  int linger_ms = 0;
  int reconnect_ivl_ms = 1000;       // recon_default
  int reconnect_ivl_max_ms = 10000;  // recon_max (0 = no back-off)
  int heartbeat_ivl_ms = 0;          // ZMTP heartbeats; 0 = off
  int heartbeat_timeout_ms = 0;
  bool tcp_keepalive = true;
  int ipc_mode = 0600;  // file mode of ipc:// sockets this side binds
};

// Sizes the process-wide ZeroMQ context shared by every socket of this
// process: `io_threads` I/O threads (default 1) and at most `max_sockets`
// sockets (0 keeps libzmq's default of 1023). Must run before the first socket
// is made; later it succeeds only when it asks for the current values, else
// kInvalidArgument "the ZeroMQ context already exists ...". A process that
// simulates many peers (tests/bench/swarm) calls it first thing in main().
// Thread-safe.
Status configure_context(int io_threads, int max_sockets);

// "tcp://host:port", bracketing IPv6 literals.
std::string tcp_endpoint(std::string_view host, int port);
// "ipc://<path>".
std::string ipc_endpoint(std::string_view path);

class Server {
 public:
  // Called on a worker thread with one request body; the returned bytes are sent
  // back to the requester (an empty string sends an empty reply). Must not throw;
  // a throw is caught, logged by the caller's logger if any, and answered empty.
  using Handler = std::function<std::string(std::string_view request)>;
  // Optional. Called on the I/O thread with each request body: true runs the
  // handler right there, false hands the request to a worker. For requests
  // that are cheap and never block, running inline saves two thread
  // hand-offs (to a worker and back) per request; everything inline is
  // serialised on the one I/O thread, so slow requests must go to workers.
  using InlineFilter = std::function<bool(std::string_view request)>;

  // Binds every endpoint and starts `workers` threads. Error names the endpoint.
  static Result<std::unique_ptr<Server>> start(const std::vector<std::string>& endpoints,
                                               int workers, Handler handler,
                                               const SocketOptions& opts = {},
                                               InlineFilter run_inline = {});
  ~Server();
  // Stops the proxy and the workers; idempotent.
  void stop();

 private:
  struct Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Publisher {
 public:
  static Result<std::unique_ptr<Publisher>> bind(const std::vector<std::string>& endpoints,
                                                 const SocketOptions& opts = {});
  ~Publisher();
  // Sends one message (one frame) to every subscriber. Thread-safe. Never blocks:
  // subscribers over their high-water mark miss the message (PUB semantics).
  void publish(std::string_view bytes);

 private:
  struct Impl;
  explicit Publisher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Subscriber {
 public:
  // Subscribes to messages starting with `prefix` ("" = all).
  static Result<std::unique_ptr<Subscriber>> connect(const std::string& endpoint,
                                                     const SocketOptions& opts = {},
                                                     std::string_view prefix = "");
  ~Subscriber();
  // Waits up to `timeout` for one message; nullopt on timeout or shutdown.
  std::optional<std::string> receive(std::chrono::milliseconds timeout);

 private:
  struct Impl;
  explicit Subscriber(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Many SUB sockets to one endpoint, each with its own connection, owned by one
// thread. A process that simulates many minions (tests/bench/swarm) uses it so
// the publisher really sends one copy per connection, as it would to a fleet.
// Waiting uses one epoll set over the sockets' ZMQ_FD, so it costs O(ready
// sockets), not O(count). Needs count + a few file descriptors, and count may
// exceed libzmq's default socket limit only after configure_context().
class SubscriberGroup {
 public:
  // Error names the endpoint and the socket that failed (e.g. out of sockets).
  static Result<std::unique_ptr<SubscriberGroup>> connect(const std::string& endpoint, int count,
                                                          const SocketOptions& opts = {},
                                                          std::string_view prefix = "");
  ~SubscriberGroup();
  size_t size() const;
  // Waits up to `timeout` for messages, then calls on_message(socket index,
  // bytes) for each message available, at most `max_messages` per call (the
  // rest stay queued for the next call). Returns how many were delivered.
  size_t receive(std::chrono::milliseconds timeout,
                 const std::function<void(size_t, std::string_view)>& on_message,
                 size_t max_messages = 4096);

 private:
  struct Impl;
  explicit SubscriberGroup(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class Client {
 public:
  static Result<std::unique_ptr<Client>> connect(const std::string& endpoint,
                                                 const SocketOptions& opts = {});
  ~Client();
  // Sends `request` and waits up to `timeout` for a reply that `accept` returns
  // true for (stale replies to earlier timed-out requests are skipped). Serialised
  // by an internal mutex. Errc::kTimeout when nothing acceptable arrived.
  Result<std::string> request(std::string_view request, std::chrono::milliseconds timeout,
                              const std::function<bool(std::string_view)>& accept = {});

 private:
  struct Impl;
  explicit Client(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brine::transport
