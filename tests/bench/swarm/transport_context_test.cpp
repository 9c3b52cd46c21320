// configure_context() (common/transport): sizing the process-wide ZeroMQ
// context before the first socket. Lives here because brine-swarm is its user;
// this binary makes its first socket in this test.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/transport/transport.h"

namespace brine::transport {
namespace {

TEST(TransportContext, ConfiguresBeforeTheFirstSocketOnly) {
  EXPECT_FALSE(configure_context(0, 0).has_value());
  EXPECT_FALSE(configure_context(1, -1).has_value());
  ASSERT_TRUE(configure_context(2, 4096).has_value());
  ASSERT_TRUE(configure_context(2, 4096).has_value());  // may change until used
  rlimit rl{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &rl), 0);
  if (rl.rlim_cur < 4096 && rl.rlim_max >= 4096) {
    rl.rlim_cur = 4096;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &rl), 0);
  }
  // More sockets than libzmq's default limit of 1023.
  std::vector<std::unique_ptr<Client>> clients;
  size_t want = rl.rlim_cur >= 4096 ? 1100 : 10;
  for (size_t i = 0; i < want; ++i) {
    auto c = Client::connect("tcp://127.0.0.1:9", {});
    ASSERT_TRUE(c.has_value()) << i << ": " << c.error().to_string();
    clients.push_back(std::move(*c));
  }
  EXPECT_TRUE(configure_context(2, 4096).has_value());  // same values: fine
  auto late = configure_context(3, 4096);
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().message,
            "the ZeroMQ context already exists; configure it before the first socket");
}

// The request server queues bursts under one lock and wakes workers after
// unlocking: many concurrent clients must each get exactly their own replies.
TEST(TransportServer, AnswersBurstsFromManyClients) {
  std::string path = "/tmp/brine-burst-" + std::to_string(::getpid()) + ".ipc";
  std::atomic<int> handled{0};
  auto server = Server::start({ipc_endpoint(path)}, 3, [&](std::string_view req) {
    ++handled;
    return "re:" + std::string(req);
  });
  ASSERT_TRUE(server.has_value()) << server.error().to_string();
  constexpr int kClients = 48, kRequests = 40;
  std::atomic<int> good{0}, bad{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c) {
    threads.emplace_back([&, c] {
      auto client = Client::connect(ipc_endpoint(path), {});
      if (!client) {
        bad += kRequests;
        return;
      }
      for (int i = 0; i < kRequests; ++i) {
        std::string req = std::to_string(c) + "/" + std::to_string(i);
        auto r = (*client)->request(req, std::chrono::seconds(10));
        (r && *r == "re:" + req ? good : bad)++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kClients * kRequests);
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(handled.load(), kClients * kRequests);
  (*server)->stop();
  ::unlink(path.c_str());
}

// SubscriberGroup: one copy of every message per socket, in order, waiting on
// the ready sockets only.
TEST(TransportSubscriberGroup, EverySocketGetsEveryMessageInOrder) {
  std::string path = "/tmp/brine-subgroup-" + std::to_string(::getpid()) + ".ipc";
  auto pub = Publisher::bind({ipc_endpoint(path)});
  ASSERT_TRUE(pub.has_value()) << pub.error().to_string();
  constexpr int kSockets = 40;
  auto group = SubscriberGroup::connect(ipc_endpoint(path), kSockets, {}, "m");
  ASSERT_TRUE(group.has_value()) << group.error().to_string();
  EXPECT_EQ((*group)->size(), size_t(kSockets));
  // Subscriptions join asynchronously: publish warm-ups until every socket has one.
  std::vector<bool> joined(kSockets, false);
  int joined_count = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (joined_count < kSockets && std::chrono::steady_clock::now() < deadline) {
    (*pub)->publish("m-warmup");
    (void)(*group)->receive(std::chrono::milliseconds(20), [&](size_t i, std::string_view) {
      if (!joined[i]) {
        joined[i] = true;
        ++joined_count;
      }
    });
  }
  ASSERT_EQ(joined_count, kSockets);
  // Drain the warm-ups still queued.
  while ((*group)->receive(std::chrono::milliseconds(50), [](size_t, std::string_view) {}) > 0) {
  }
  (*pub)->publish("x-filtered");  // not subscribed
  for (int k = 0; k < 5; ++k) (*pub)->publish("m" + std::to_string(k));
  std::vector<std::vector<std::string>> got(kSockets);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  size_t total = 0;
  while (total < size_t(kSockets) * 5 && std::chrono::steady_clock::now() < deadline) {
    // A small cap exercises sockets left on the ready list between calls.
    total += (*group)->receive(
        std::chrono::milliseconds(50),
        [&](size_t i, std::string_view m) { got[i].emplace_back(m); }, 7);
  }
  for (int i = 0; i < kSockets; ++i) {
    EXPECT_EQ(got[i], (std::vector<std::string>{"m0", "m1", "m2", "m3", "m4"})) << "socket " << i;
  }
  EXPECT_EQ((*group)->receive(std::chrono::milliseconds(20), [](size_t, std::string_view) {}), 0u);
  ::unlink(path.c_str());
}

TEST(TransportSubscriberGroup, RefusesAnEmptyGroup) {
  auto g = SubscriberGroup::connect("tcp://127.0.0.1:9", 0);
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().to_string(), "tcp://127.0.0.1:9: count must be >= 1");
}

}  // namespace
}  // namespace brine::transport
