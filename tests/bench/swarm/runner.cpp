#include "tests/bench/swarm/runner.h"

#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>

#include "common/crypto/core.h"
#include "common/daemon/daemon.h"
#include "common/log/log.h"
#include "common/transport/transport.h"
#include "modules/grains/gather.h"
#include "tests/bench/swarm/identities.h"

namespace brine::swarm {
namespace fs = std::filesystem;

namespace {

class ClientPort : public RequestPort {
 public:
  explicit ClientPort(std::unique_ptr<transport::Client> c) : client_(std::move(c)) {}
  Result<std::string> request(std::string_view request, std::chrono::milliseconds timeout,
                              const std::function<bool(std::string_view)>& accept) override {
    return client_->request(request, timeout, accept);
  }

 private:
  std::unique_ptr<transport::Client> client_;
};

class SubSource : public FrameSource {
 public:
  explicit SubSource(std::unique_ptr<transport::SubscriberGroup> g) : group_(std::move(g)) {}
  size_t connections() const override { return group_->size(); }
  void receive(std::chrono::milliseconds timeout,
               const std::function<void(size_t, std::string_view)>& on_frame) override {
    (void)group_->receive(timeout, on_frame);
  }

 private:
  std::unique_ptr<transport::SubscriberGroup> group_;
};

// A real minion's socket options (minion.cpp socket_options()).
transport::SocketOptions minion_socket_options(const SwarmOptions& o) {
  transport::SocketOptions so;
  so.backend = o.transport;
  int recon = o.recon_default_ms;
  if (o.recon_randomize && o.recon_max_ms > 0) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    recon += static_cast<int>(rng() % static_cast<uint64_t>(o.recon_max_ms));
  }
  so.reconnect_ivl_ms = recon;
  so.reconnect_ivl_max_ms = std::max(recon, o.recon_max_ms);
  int hb = static_cast<int>(o.heartbeat_s * 1000);
  so.heartbeat_ivl_ms = hb;
  so.heartbeat_timeout_ms = 3 * hb;
  return so;
}

// Connections to the master: SUB ones, and request ones (per worker, or
// --req-connections of them).
int connections(const SwarmOptions& o) {
  return o.sub_connections + (o.req_connections > 0 ? o.req_connections : o.workers);
}

// Each ZeroMQ socket holds a mailbox descriptor and its connection one more; a
// tcp one just its connection.
rlim_t fds_needed(const SwarmOptions& o) {
  const int per = o.transport == transport::Backend::kTcp ? 1 : 2;
  return static_cast<rlim_t>(per * connections(o) + 256);
}

// Raises the soft RLIMIT_NOFILE to the hard limit (and the hard one when it is
// too low and we may). Error when the swarm still cannot have its sockets.
Status raise_fd_limit(const SwarmOptions& o) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) return ok();
  rlim_t want = fds_needed(o);
  if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want) {
    rlimit more{want, want};
    if (::setrlimit(RLIMIT_NOFILE, &more) == 0) rl = more;
  }
  if (rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)::setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
    return make_error(Errc::kInvalidArgument,
                      std::to_string(connections(o)) + " connections need about " +
                          std::to_string(want) + " file descriptors; the limit is " +
                          std::to_string(rl.rlim_cur),
                      "--sub-connections/--req-connections");
  }
  return ok();
}

void write_stats_file(const std::string& path, const std::string& line) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << line << "\n";
    if (!out) return;
  }
  std::error_code ec;
  fs::rename(tmp, path, ec);
}

}  // namespace

PortFactory tcp_ports(const SwarmOptions& opts) {
  return [opts]() -> Result<std::unique_ptr<RequestPort>> {
    auto c = transport::Client::connect(transport::tcp_endpoint(opts.master, opts.ret_port),
                                        minion_socket_options(opts));
    if (!c) return c.error();
    return std::unique_ptr<RequestPort>(new ClientPort(std::move(*c)));
  };
}

SubscriberFactory tcp_subscriber(const SwarmOptions& opts) {
  return [opts](uint16_t port) -> Result<std::unique_ptr<FrameSource>> {
    auto g = transport::SubscriberGroup::connect(transport::tcp_endpoint(opts.master, port),
                                                 opts.sub_connections, minion_socket_options(opts));
    if (!g) return g.error();
    return std::unique_ptr<FrameSource>(new SubSource(std::move(*g)));
  };
}

Value base_grains(const SwarmOptions& opts) {
  Value g = Value::map();
  if (opts.native_grains) {
    g = modules::grains::core(Value::map({{"id", opts.prefix}}));
    if (!g.is_map()) g = Value::map();
  }
  if (opts.grains.is_map()) {
    for (const auto& [k, v] : opts.grains.as_map()) g[k] = v;
  }
  return g;
}

int run(const SwarmOptions& opts) {
  auto lvl = log::parse_level(opts.log_level);
  if (!lvl) {
    std::cerr << "brine-swarm: --log-level: " << lvl.error().message << "\n";
    return 2;
  }
  log::Options lo;
  lo.console = *lvl;
  if (auto s = log::setup(lo); !s) {
    std::cerr << "brine-swarm: " << s.error().to_string() << "\n";
    return 1;
  }
  auto logger = log::get("swarm");
  if (auto s = crypto::init(); !s) {
    std::cerr << "brine-swarm: " << s.error().to_string() << "\n";
    return 1;
  }
  if (auto s = raise_fd_limit(opts); !s) {
    std::cerr << "brine-swarm: " << s.error().to_string() << "\n";
    return 2;
  }
  // libzmq allows 1023 sockets per process unless told otherwise (tcp
  // connections are no ZeroMQ sockets).
  int sockets = (opts.transport == transport::Backend::kTcp ? 0 : connections(opts)) + 64;
  if (auto s = transport::configure_context(opts.io_threads, sockets > 1000 ? sockets : 0); !s) {
    std::cerr << "brine-swarm: " << s.error().to_string() << "\n";
    return 1;
  }

  std::vector<std::string> ids;
  ids.reserve(static_cast<size_t>(opts.minions));
  for (int i = 0; i < opts.minions; ++i) ids.push_back(minion_id(opts, opts.first_index + i));
  auto t0 = Clock::now();
  auto identities = load_identities(opts.root, ids);
  if (!identities) {
    std::cerr << "brine-swarm: " << identities.error().to_string() << "\n";
    return 1;
  }
  logger->info("{} identities ready in {} ms", identities->size(),
               std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
  if (opts.keys_only) return 0;

  // Block SIGTERM/SIGINT before any thread starts, so only wait() sees them.
  daemon::SignalWaiter signals;
  Swarm swarm(opts, std::move(*identities), base_grains(opts), tcp_ports(opts),
              tcp_subscriber(opts));
  if (auto s = swarm.start(); !s) {
    std::cerr << "brine-swarm: " << s.error().to_string() << "\n";
    return 1;
  }
  auto started = Clock::now();
  auto report = [&] {
    double t = std::chrono::duration<double>(Clock::now() - started).count();
    std::string line = swarm.stats().to_json(t);
    if (opts.stats_interval_ms > 0) {
      std::fputs((line + "\n").c_str(), stdout);
      std::fflush(stdout);
    }
    if (!opts.stats_file.empty()) write_stats_file(opts.stats_file, line);
  };
  auto every =
      std::chrono::milliseconds(opts.stats_interval_ms > 0 ? opts.stats_interval_ms : 1000);
  while (signals.wait(every) == 0) report();
  swarm.stop(std::chrono::seconds(5));
  report();
  return 0;
}

int main_with_args(const std::vector<std::string>& argv) {
  auto parsed = parse_options(argv);
  if (!parsed) {
    std::cerr << "brine-swarm: " << parsed.error().to_string() << "\n"
              << "Try 'brine-swarm --help'.\n";
    return 2;
  }
  if (parsed->help) {
    std::cout << parsed->usage;
    return 0;
  }
  return run(parsed->opts);
}

}  // namespace brine::swarm
