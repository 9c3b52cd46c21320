// transport: tcp, request/reply: Server and Client, and hostile raw peers.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <mutex>
#include <random>
#include <set>
#include <stdexcept>
#include <thread>

#include "common/transport/tcp.h"
#include "common/transport/transport.h"
#include "tests/common/transport/tcp_test_util.h"

namespace brine::transport {
namespace {

using namespace std::chrono_literals;
using testing::closed_by_peer;
using testing::ep;
using testing::frame;
using testing::free_port;
using testing::raw_connect;
using testing::read_frame;
using testing::tcp_opts;
using testing::write_all;

std::string echo(std::string_view r) { return "re:" + std::string(r); }

TEST(TcpServer, RoundTrip) {
  int port = free_port();
  auto server = Server::start({ep(port)}, 2, echo, tcp_opts());
  ASSERT_TRUE(server) << server.error().to_string();
  auto client = Client::connect(ep(port), tcp_opts());
  ASSERT_TRUE(client) << client.error().to_string();
  for (int i = 0; i < 50; ++i) {
    auto reply = (*client)->request("m" + std::to_string(i), 5s);
    ASSERT_TRUE(reply) << reply.error().to_string();
    EXPECT_EQ(*reply, "re:m" + std::to_string(i));
  }
  // Large messages cross in many partial reads and writes.
  std::string big(5 << 20, 'x');
  big[12345] = 'y';
  auto reply = (*client)->request(big, 10s);
  ASSERT_TRUE(reply) << reply.error().to_string();
  EXPECT_EQ(*reply, "re:" + big);
}

TEST(TcpServer, RepliesGoToTheirOwnConnection) {
  int port = free_port();
  auto server = Server::start(
      {ep(port)}, 4,
      [](std::string_view r) {
        thread_local std::minstd_rand rng(std::random_device{}());
        std::this_thread::sleep_for(std::chrono::microseconds(rng() % 500));
        return std::string(r);
      },
      tcp_opts());
  ASSERT_TRUE(server);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto c = Client::connect(ep(port), tcp_opts());
      if (!c) return;
      for (int i = 0; i < 40; ++i) {
        std::string msg = std::to_string(t) + ":" + std::to_string(i);
        auto r = (*c)->request(msg, 5s);
        if (r && *r == msg) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 8 * 40);
}

// Several requests in flight on one connection; replies in any order.
TEST(TcpServer, SeveralRequestsInFlightOnOneConnection) {
  int port = free_port();
  auto server = Server::start(
      {ep(port)}, 3,
      [](std::string_view r) {
        if (r == "slow") std::this_thread::sleep_for(200ms);
        return "re:" + std::string(r);
      },
      tcp_opts());
  ASSERT_TRUE(server);
  int fd = raw_connect(port);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(write_all(fd, frame("slow") + frame("a") + frame("b")));
  std::vector<std::string> got;
  for (int i = 0; i < 3; ++i) {
    auto f = read_frame(fd, 5s);
    ASSERT_TRUE(f);
    got.push_back(*f);
  }
  EXPECT_EQ(got.back(), "re:slow");  // the quick ones overtook it
  EXPECT_EQ(std::set<std::string>(got.begin(), got.end()),
            (std::set<std::string>{"re:slow", "re:a", "re:b"}));
  ::close(fd);
}

// A reply computed for a connection that closed meanwhile is dropped, even
// though the next peer gets the same descriptor and slot.
TEST(TcpServer, AReplyNeverReachesALaterPeerOnAReusedSlot) {
  int port = free_port();
  std::atomic<int> slow_done{0};
  auto server = Server::start(
      {ep(port)}, 2,
      [&](std::string_view r) {
        if (r == "slow") {
          std::this_thread::sleep_for(300ms);
          ++slow_done;
        }
        return "re:" + std::string(r);
      },
      tcp_opts());
  ASSERT_TRUE(server);
  int a = raw_connect(port);
  ASSERT_TRUE(write_all(a, frame("slow")));
  std::this_thread::sleep_for(50ms);
  ::close(a);
  std::this_thread::sleep_for(50ms);
  int b = raw_connect(port);
  ASSERT_TRUE(write_all(b, frame("b")));
  auto first = read_frame(b, 5s);
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, "re:b");
  while (slow_done.load() == 0) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(read_frame(b, 300ms));  // not "re:slow"
  ::close(b);
}

TEST(TcpServer, InlineFilterRunsPickedRequestsOnTheIoThread) {
  int port = free_port();
  std::mutex mu;
  std::set<std::thread::id> inline_threads, worker_threads;
  auto server = Server::start(
      {ep(port)}, 2,
      [&](std::string_view r) -> std::string {
        if (r == "i:throw") throw std::runtime_error("handler");
        std::lock_guard lock(mu);
        (r.starts_with("i:") ? inline_threads : worker_threads).insert(std::this_thread::get_id());
        return "re:" + std::string(r);
      },
      tcp_opts(),
      [](std::string_view r) {
        if (r == "w:throw-in-filter") throw std::runtime_error("filter");
        return r.starts_with("i:");
      });
  ASSERT_TRUE(server);
  auto client = Client::connect(ep(port), tcp_opts());
  ASSERT_TRUE(client);
  for (int i = 0; i < 40; ++i) {
    std::string req = (i % 2 ? "i:" : "w:") + std::to_string(i);
    auto reply = (*client)->request(req, 5s);
    ASSERT_TRUE(reply) << reply.error().to_string();
    EXPECT_EQ(*reply, "re:" + req);
  }
  auto thrown = (*client)->request("i:throw", 5s);
  ASSERT_TRUE(thrown);
  EXPECT_EQ(*thrown, "");
  auto filtered = (*client)->request("w:throw-in-filter", 5s);
  ASSERT_TRUE(filtered);
  EXPECT_EQ(*filtered, "re:w:throw-in-filter");
  std::lock_guard lock(mu);
  ASSERT_EQ(inline_threads.size(), 1u);
  EXPECT_FALSE(worker_threads.empty());
  EXPECT_FALSE(worker_threads.contains(*inline_threads.begin()));
}

// As the ZeroMQ server sends an empty message part: a zero-length frame.
TEST(TcpServer, EmptyReplyIsAnEmptyFrame) {
  int port = free_port();
  auto server = Server::start(
      {ep(port)}, 1, [](std::string_view) { return std::string(); }, tcp_opts());
  ASSERT_TRUE(server);
  auto client = Client::connect(ep(port), tcp_opts());
  auto reply = (*client)->request("x", 5s);
  ASSERT_TRUE(reply) << reply.error().to_string();
  EXPECT_EQ(*reply, "");
  int fd = raw_connect(port);
  ASSERT_TRUE(write_all(fd, frame("")));  // an empty request is a request too
  auto f = read_frame(fd, 5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f, "");
  ::close(fd);
}

TEST(TcpServer, OversizeFrameClosesOnlyThatConnection) {
  int port = free_port();
  auto opts = tcp_opts();
  opts.max_message_bytes = 1024;
  auto server = Server::start({ep(port)}, 1, echo, opts);
  ASSERT_TRUE(server);
  auto client = Client::connect(ep(port), opts);
  ASSERT_TRUE((*client)->request("before", 5s));
  int fd = raw_connect(port);
  ASSERT_TRUE(write_all(fd, frame(std::string(1024, 'a'))));  // exactly the limit: fine
  auto ok_reply = read_frame(fd, 5s);
  ASSERT_TRUE(ok_reply);
  EXPECT_EQ(ok_reply->size(), 1027u);
  ASSERT_TRUE(write_all(fd, std::string("\x00\x00\x04\x01", 4)));  // 1025: only the header
  EXPECT_TRUE(closed_by_peer(fd, 5s));
  ::close(fd);
  auto after = (*client)->request("after", 5s);
  ASSERT_TRUE(after) << after.error().to_string();
  EXPECT_EQ(*after, "re:after");
}

TEST(TcpServer, GarbagePeersDoNotDisturbOthers) {
  int port = free_port();
  auto server = Server::start({ep(port)}, 2, echo, tcp_opts());
  ASSERT_TRUE(server);
  int junk = raw_connect(port);  // a length of 2 GiB: over the limit
  ASSERT_TRUE(write_all(junk, std::string(64, '\x7f')));
  int half = raw_connect(port);  // announces 1000 bytes, sends 3, then waits
  ASSERT_TRUE(write_all(half, std::string("\x00\x00\x03\xe8"
                                          "abc",
                                          7)));
  int silent = raw_connect(port);  // connects and says nothing
  ASSERT_GE(silent, 0);
  auto client = Client::connect(ep(port), tcp_opts());
  for (int i = 0; i < 20; ++i) {
    auto r = (*client)->request("ok" + std::to_string(i), 5s);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(*r, "re:ok" + std::to_string(i));
  }
  EXPECT_TRUE(closed_by_peer(junk, 5s));
  EXPECT_FALSE(closed_by_peer(half, 100ms));
  // The half frame, finished later, is served normally.
  ASSERT_TRUE(write_all(half, std::string(997, 'd')));
  auto f = read_frame(half, 5s);
  ASSERT_TRUE(f);
  EXPECT_EQ(*f, "re:abc" + std::string(997, 'd'));
  for (int fd : {junk, half, silent}) ::close(fd);
}

TEST(TcpClient, RequestWaitsForAServerStartedLater) {
  int port = free_port();
  auto client = Client::connect(ep(port), tcp_opts());
  ASSERT_TRUE(client);
  std::unique_ptr<Server> server;
  std::thread later([&] {
    std::this_thread::sleep_for(300ms);
    auto s = Server::start({ep(port)}, 1, echo, tcp_opts());
    if (s) server = std::move(*s);
  });
  auto reply = (*client)->request("early", 10s);
  later.join();
  ASSERT_TRUE(server);
  ASSERT_TRUE(reply) << reply.error().to_string();
  EXPECT_EQ(*reply, "re:early");
  // The server restarts: the next requests reconnect.
  server->stop();
  auto s2 = Server::start({ep(port)}, 1, echo, tcp_opts());
  ASSERT_TRUE(s2) << s2.error().to_string();
  Result<std::string> again = make_error(Errc::kTimeout, "");
  for (int i = 0; i < 10 && !again; ++i) again = (*client)->request("again", 1s);
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(*again, "re:again");
}

// With heartbeats the I/O thread answers PINGs while a worker is busy, so a
// slow reply is not mistaken for a dead server; a peer that never answers is.
TEST(TcpClient, HeartbeatsKeepALiveLinkAndDropADeadOne) {
  auto opts = tcp_opts();
  opts.heartbeat_ivl_ms = 30;
  opts.heartbeat_timeout_ms = 100;
  int port = free_port();
  auto server = Server::start(
      {ep(port)}, 1,
      [](std::string_view r) {
        std::this_thread::sleep_for(500ms);
        return std::string(r);
      },
      opts);
  ASSERT_TRUE(server);
  auto client = Client::connect(ep(port), opts);
  auto r = (*client)->request("slow", 5s);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "slow");

  int hole = testing::raw_listen(&port);  // accepts (in the kernel), never answers
  ASSERT_GE(hole, 0);
  auto c2 = Client::connect(ep(port), opts);
  auto lost = (*c2)->request("x", 1s);
  EXPECT_FALSE(lost);
  int first = testing::accept_within(hole, 1s);
  ASSERT_GE(first, 0);
  auto ping = testing::read_bytes(first, 8, 1s);  // the request's frame, then a PING
  EXPECT_EQ(ping, testing::frame("x").substr(0, 5) + std::string(3, '\xff'));
  int second = testing::accept_within(hole, 1s);  // it gave up on the first and reconnected
  EXPECT_GE(second, 0);
  for (int fd : {first, second, hole}) ::close(fd);
}

TEST(TcpClient, TimesOutAndSkipsRejectedReplies) {
  auto c = Client::connect(ep(free_port()), tcp_opts());
  ASSERT_TRUE(c);
  auto t0 = std::chrono::steady_clock::now();
  auto r = (*c)->request("x", 150ms);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kTimeout);
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 140ms);

  int port = free_port();
  auto server = Server::start({ep(port)}, 1, echo, tcp_opts());
  auto c2 = Client::connect(ep(port), tcp_opts());
  auto r2 = (*c2)->request("a", 300ms, [](std::string_view rep) { return rep == "b"; });
  EXPECT_FALSE(r2);
  // The stale reply to "a" is not taken for the reply to "b".
  auto r3 = (*c2)->request("b", 5s);
  ASSERT_TRUE(r3);
  EXPECT_EQ(*r3, "re:b");
}

TEST(TcpServer, StopIsIdempotentAndFreesThePort) {
  int port = free_port();
  auto server = Server::start({ep(port)}, 2, echo, tcp_opts());
  ASSERT_TRUE(server);
  int fd = raw_connect(port);
  (*server)->stop();
  (*server)->stop();
  EXPECT_TRUE(closed_by_peer(fd, 5s));
  ::close(fd);
  auto again = Server::start({ep(port)}, 1, echo, tcp_opts());
  ASSERT_TRUE(again) << again.error().to_string();
}

TEST(TcpEndpoints, ErrorsNameTheEndpoint) {
  int port = free_port();
  auto first = Server::start({ep(port)}, 1, echo, tcp_opts());
  ASSERT_TRUE(first);
  auto second = Server::start({ep(port)}, 1, echo, tcp_opts());
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Errc::kUnavailable);
  EXPECT_EQ(second.error().to_string(), ep(port) + ": cannot bind: Address already in use");

  for (std::string bad : {"tcp://127.0.0.1", "tcp://127.0.0.1:99999", "tcp://:5", "tcp://[::1:5",
                          "tcp://::1:5", "tcp://1.2.3.4:x"}) {
    auto s = Server::start({bad}, 1, echo, tcp_opts());
    ASSERT_FALSE(s) << bad;
    EXPECT_EQ(s.error().code, Errc::kInvalidArgument) << bad;
    EXPECT_EQ(s.error().where, bad);
  }
  auto name = Server::start({"tcp://256.1.1.1:1"}, 1, echo, tcp_opts());
  ASSERT_FALSE(name);
  EXPECT_NE(name.error().to_string().find("tcp://256.1.1.1:1"), std::string::npos);
  auto mixed = Publisher::bind({"ipc:///tmp/brine-tcp-mixed.ipc", ep(free_port())}, tcp_opts());
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().code, Errc::kInvalidArgument);
  auto star = Client::connect("tcp://*:5", tcp_opts());
  ASSERT_FALSE(star);
  EXPECT_EQ(star.error().code, Errc::kInvalidArgument);
}

// Out of descriptors: factories return an Error, they do not throw or abort.
TEST(TcpEndpoints, OutOfDescriptorsIsAnError) {
#ifdef __SANITIZE_ADDRESS__
  // UBSan's vptr check probes memory through a pipe(): with no descriptor
  // left it reports every virtual call as invalid.
  GTEST_SKIP() << "needs free descriptors under the sanitizers";
#endif
  int port = free_port();
  auto server = Server::start({ep(port)}, 1, echo, tcp_opts());
  ASSERT_TRUE(server);
  rlimit old{};
  ::getrlimit(RLIMIT_NOFILE, &old);
  rlimit low = old;
  low.rlim_cur = 64;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<std::unique_ptr<Client>> clients;
  std::optional<Error> error;
  for (int i = 0; i < 100 && !error; ++i) {
    auto c = Client::connect(ep(port), tcp_opts());
    if (c) {
      clients.push_back(std::move(*c));
    } else {
      error = c.error();
    }
  }
  auto pub = Publisher::bind({ep(free_port())}, tcp_opts());
  auto group = SubscriberGroup::connect(ep(port), 10, tcp_opts());
  ::setrlimit(RLIMIT_NOFILE, &old);
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, Errc::kUnavailable);
  EXPECT_EQ(error->to_string(), ep(port) + ": cannot connect: Too many open files");
  EXPECT_FALSE(pub);
  ASSERT_FALSE(group);
  EXPECT_NE(group.error().to_string().find("Too many open files"), std::string::npos);
  clients.clear();
  auto c = Client::connect(ep(port), tcp_opts());
  ASSERT_TRUE(c);
  EXPECT_TRUE((*c)->request("after", 5s));
}

// ipc:// sockets stay ZeroMQ whatever the backend (the master's local socket).
TEST(TcpEndpoints, IpcStaysZeroMq) {
  std::string path = "ipc:///tmp/brine-tcp-test-" + std::to_string(::getpid()) + ".ipc";
  auto server = Server::start({path}, 1, echo, tcp_opts());
  ASSERT_TRUE(server) << server.error().to_string();
  auto client = Client::connect(path, tcp_opts());
  ASSERT_TRUE(client);
  auto r = (*client)->request("local", 5s);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, "re:local");
  (*server)->stop();
  ::unlink(path.c_str() + 6);
}

TEST(TcpEndpoints, AnyAddressAndIpv6) {
  int port = free_port();
  auto server = Server::start({"tcp://*:" + std::to_string(port)}, 1, echo, tcp_opts());
  ASSERT_TRUE(server) << server.error().to_string();
  auto c = Client::connect(ep(port), tcp_opts());
  auto r = (*c)->request("any", 5s);
  ASSERT_TRUE(r);
  int port6 = free_port();
  auto server6 = Server::start({tcp_endpoint("::1", port6)}, 1, echo, tcp_opts());
  if (!server6) GTEST_SKIP() << "no IPv6 loopback: " << server6.error().to_string();
  auto c6 = Client::connect(tcp_endpoint("::1", port6), tcp_opts());
  ASSERT_TRUE(c6);
  auto r6 = (*c6)->request("six", 5s);
  ASSERT_TRUE(r6) << r6.error().to_string();
  EXPECT_EQ(*r6, "re:six");
}

}  // namespace
}  // namespace brine::transport

namespace brine::transport::tcp {
namespace {

// The parser sees frames split at every possible point, and control frames.
TEST(TcpFrameReader, AnySplitGivesTheSameFrames) {
  std::string wire = testing::frame("hello") + testing::frame("") + std::string(4, '\xff') +
                     testing::frame(std::string(300, 'b')) + std::string(3, '\xff') + '\xfe' +
                     testing::frame("end");
  std::vector<std::string> want = {"hello", "", "<ping>", std::string(300, 'b'), "<pong>", "end"};
  std::minstd_rand rng(7);
  for (int round = 0; round < 200; ++round) {
    FrameReader r;
    std::vector<std::string> got;
    size_t at = 0;
    while (at < wire.size()) {
      size_t n = round == 0 ? 1 : 1 + rng() % 40;
      n = std::min(n, wire.size() - at);
      ASSERT_TRUE(r.feed(
          wire.data() + at, n, 1000, [&](std::string_view f) { got.emplace_back(f); },
          [&](uint32_t c) { got.push_back(c == kPing ? "<ping>" : "<pong>"); }));
      at += n;
    }
    EXPECT_EQ(got, want);
    EXPECT_TRUE(r.idle());
  }
  FrameReader r;
  auto none = [](std::string_view) {};
  auto no_control = [](uint32_t) {};
  EXPECT_TRUE(r.feed("\x00\x00\x03\xe8", 4, 1000, none, no_control));  // exactly the limit
  FrameReader r2;
  EXPECT_FALSE(r2.feed("\x00\x00\x03\xe9", 4, 1000, none, no_control));  // one over
}

}  // namespace
}  // namespace brine::transport::tcp
