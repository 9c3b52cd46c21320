// Memory per ZeroMQ connection on the bound side, as the master holds them:
// a ROUTER (ret_port) with N request peers and a PUB (publish_port) with N
// subscribers, through common/transport with the master's socket options.
// The peers live in a forked child, so the parent's RSS is the master side
// only; RSS is read after malloc_trim(0), as the master trims every 10 s.
//
// Usage: conn_memory [--transport zeromq|tcp] [connections=2000] [publications=20]
//                    [publication_bytes=1024] [requests=1]
// Prints one JSON line: KB per connection for the ROUTER idle after
// `requests` requests from each peer, and for the PUB after subscribing and
// after `publications` publications to everyone. `--transport tcp` measures
// Brine's own tcp backend (SocketOptions::backend) instead of libzmq. A pipe holds messages in
// chunks of 256 and keeps one spare, so past 256 messages over a connection's
// life its memory steps up once (docs/performance.md, "Memory at 10,000").
#include <malloc.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "common/transport/transport.h"
#include "tests/common/transport/tcp_test_util.h"

using namespace brine;
using namespace std::chrono_literals;

namespace {

transport::Backend g_backend = transport::Backend::kZeroMQ;

using transport::testing::free_port;
using transport::testing::rss_kb;

void raise_nofile() {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  rl.rlim_cur = rl.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &rl);
}

// One-byte commands over pipes between parent and child.
void put(int fd, char c) {
  if (::write(fd, &c, 1) != 1) std::_Exit(3);
}
char get(int fd) {
  char c = 0;
  if (::read(fd, &c, 1) != 1) std::_Exit(3);
  return c;
}

// The peers: N DEALERs that each make one request, then N SUBs that wait for
// the publications.
int child(int n, int publications, int requests, int port_r, int port_p, int in, int out) {
  if (!transport::configure_context(1, 3 * n + 64)) return 2;
  raise_nofile();
  transport::SocketOptions so;  // a minion's: defaults
  so.backend = g_backend;
  if (get(in) != 'R') return 2;
  std::vector<std::unique_ptr<transport::Client>> clients;
  for (int i = 0; i < n; ++i) {
    auto c = transport::Client::connect(transport::tcp_endpoint("127.0.0.1", port_r), so);
    if (!c) {
      std::fprintf(stderr, "client %d: %s\n", i, c.error().to_string().c_str());
      return 1;
    }
    clients.push_back(std::move(*c));
  }
  // Round-robin, so every connection sees traffic over the whole run.
  for (int r = 0; r < requests; ++r) {
    for (auto& c : clients) {
      if (!c->request("ping", 10s)) return 1;
    }
  }
  put(out, 'r');
  if (get(in) != 'S') return 2;
  auto group =
      transport::SubscriberGroup::connect(transport::tcp_endpoint("127.0.0.1", port_p), n, so);
  if (!group) {
    std::fprintf(stderr, "%s\n", group.error().to_string().c_str());
    return 1;
  }
  std::vector<int> got(static_cast<size_t>(n), 0);
  auto wait_for = [&](int want, size_t min_bytes) {
    auto deadline = std::chrono::steady_clock::now() + 120s;
    int done = 0;
    for (int c : got) done += c >= want;
    while (done < n && std::chrono::steady_clock::now() < deadline) {
      (*group)->receive(50ms, [&](size_t i, std::string_view m) {
        if (m.size() >= min_bytes && ++got[i] == want) ++done;
      });
    }
    return done == n;
  };
  if (!wait_for(1, 0)) return 1;
  put(out, 's');
  if (get(in) != 'T') return 2;
  std::fill(got.begin(), got.end(), 0);
  put(out, 'g');
  if (!wait_for(publications, 2)) return 1;
  put(out, 't');
  get(in);  // 'Q'
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<char*> args(argv, argv + argc);
  for (size_t i = 1; i + 1 < args.size(); ++i) {
    if (std::string_view(args[i]) != "--transport") continue;
    auto b = transport::parse_backend(args[i + 1]);
    if (!b) {
      std::fprintf(stderr, "--transport: %s\n", b.error().to_string().c_str());
      return 2;
    }
    g_backend = *b;
    args.erase(args.begin() + static_cast<ptrdiff_t>(i),
               args.begin() + static_cast<ptrdiff_t>(i) + 2);
    break;
  }
  argc = static_cast<int>(args.size());
  argv = args.data();
  const int n = argc > 1 ? std::atoi(argv[1]) : 2000;
  const int publications = argc > 2 ? std::atoi(argv[2]) : 20;
  const int bytes = argc > 3 ? std::atoi(argv[3]) : 1024;
  const int requests = argc > 4 ? std::atoi(argv[4]) : 1;
  if (n < 1 || publications < 1 || bytes < 2 || requests < 1) {
    std::fprintf(stderr,
                 "usage: conn_memory [--transport zeromq|tcp] [connections] [publications] "
                 "[publication_bytes] [requests]\n");
    return 2;
  }
  const int port_r = free_port();
  int port_p = free_port();
  while (port_p == port_r) port_p = free_port();
  int to_child[2], to_parent[2];
  if (::pipe(to_child) != 0 || ::pipe(to_parent) != 0) return 1;
  // Fork before any ZeroMQ context exists in either process.
  pid_t pid = ::fork();
  if (pid < 0) return 1;
  if (pid == 0)
    std::_Exit(child(n, publications, requests, port_r, port_p, to_child[0], to_parent[1]));

  raise_nofile();
  // The master's settings (master/master.cpp bind_sockets).
  std::atomic<int> handled{0};
  transport::SocketOptions ro;
  ro.recv_hwm = 100000;
  ro.send_hwm = 100000;
  ro.backend = g_backend;
  auto server = transport::Server::start(
      {transport::tcp_endpoint("127.0.0.1", port_r)}, 1,
      [&](std::string_view) {
        handled++;
        return std::string("pong");
      },
      ro, [](std::string_view) { return true; });
  transport::SocketOptions po;  // pub_hwm 1000, as the master's default
  po.backend = g_backend;
  auto pub = transport::Publisher::bind({transport::tcp_endpoint("127.0.0.1", port_p)}, po);
  if (!server || !pub) {
    std::fprintf(stderr, "cannot bind\n");
    ::kill(pid, SIGKILL);
    return 1;
  }
  std::this_thread::sleep_for(200ms);
  const long base = rss_kb();

  put(to_child[1], 'R');
  if (get(to_parent[0]) != 'r') return 1;
  std::this_thread::sleep_for(200ms);
  const long router = rss_kb();

  put(to_child[1], 'S');
  std::atomic<bool> joined{false};
  std::thread hello([&] {
    while (!joined) {
      (*pub)->publish("h");
      std::this_thread::sleep_for(20ms);
    }
  });
  bool ok = get(to_parent[0]) == 's';
  joined = true;
  hello.join();
  if (!ok) return 1;
  std::this_thread::sleep_for(200ms);
  const long subscribed = rss_kb();

  put(to_child[1], 'T');
  if (get(to_parent[0]) != 'g') return 1;
  std::string payload(static_cast<size_t>(bytes), 'p');
  for (int i = 0; i < publications; ++i) {
    (*pub)->publish(payload);
    std::this_thread::sleep_for(5ms);
  }
  if (get(to_parent[0]) != 't') return 1;
  std::this_thread::sleep_for(200ms);
  const long traffic = rss_kb();
  put(to_child[1], 'Q');
  int status = 0;
  ::waitpid(pid, &status, 0);

  auto per = [&](long a, long b) { return static_cast<double>(b - a) / n; };
  std::printf(
      "{\"connections\": %d, \"base_kb\": %ld, \"router_kb_per_conn\": %.1f, "
      "\"pub_kb_per_conn_subscribed\": %.1f, \"pub_kb_per_conn_after_traffic\": %.1f, "
      "\"publications\": %d, \"publication_bytes\": %d, \"requests\": %d, "
      "\"transport\": \"%s\"}\n",
      n, base, per(base, router), per(router, subscribed), per(router, traffic), publications,
      bytes, requests, std::string(transport::backend_name(g_backend)).c_str());
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}
