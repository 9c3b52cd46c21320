// configure_context() (common/transport): sizing the process-wide ZeroMQ
// context before the first socket. Lives here because brine-swarm is its user;
// this binary makes its first socket in this test.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <memory>
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

}  // namespace
}  // namespace brine::transport
