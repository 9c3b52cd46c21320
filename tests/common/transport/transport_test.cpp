#include "common/transport/transport.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

namespace brine::transport {
namespace {

std::string ipc_path(const char* name) {
  return (std::filesystem::temp_directory_path() /
          ("brine-transport-" + std::to_string(::getpid()) + "-" + name + ".ipc"))
      .string();
}

TEST(Server, EchoesThroughWorkers) {
  auto ep = ipc_endpoint(ipc_path("echo"));
  auto server = Server::start({ep}, 3, [](std::string_view r) { return "re:" + std::string(r); });
  ASSERT_TRUE(server) << server.error().to_string();
  auto client = Client::connect(ep);
  ASSERT_TRUE(client);
  for (int i = 0; i < 50; ++i) {
    auto reply = (*client)->request("m" + std::to_string(i), std::chrono::seconds(5));
    ASSERT_TRUE(reply) << reply.error().to_string();
    EXPECT_EQ(*reply, "re:m" + std::to_string(i));
  }
}

TEST(Server, ConcurrentClientsGetTheirOwnReplies) {
  auto ep = ipc_path("conc");
  auto server =
      Server::start({ipc_endpoint(ep)}, 2, [](std::string_view r) { return std::string(r); });
  ASSERT_TRUE(server);
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto c = Client::connect(ipc_endpoint(ep));
      for (int i = 0; i < 25; ++i) {
        std::string msg = std::to_string(t) + ":" + std::to_string(i);
        auto r = (*c)->request(msg, std::chrono::seconds(5));
        if (r && *r == msg) ++good;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 100);
}

TEST(Client, TimesOutWithoutServerAndSkipsRejectedReplies) {
  auto c = Client::connect(ipc_endpoint(ipc_path("nobody")));
  ASSERT_TRUE(c);
  auto r = (*c)->request("x", std::chrono::milliseconds(100));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Errc::kTimeout);

  auto ep = ipc_endpoint(ipc_path("reject"));
  auto server = Server::start({ep}, 1, [](std::string_view r) { return std::string(r); });
  auto c2 = Client::connect(ep);
  auto r2 = (*c2)->request("a", std::chrono::milliseconds(300),
                           [](std::string_view rep) { return rep == "b"; });
  EXPECT_FALSE(r2);
}

TEST(Server, BindErrorNamesEndpoint) {
  auto s = Server::start({"tcp://256.1.1.1:1"}, 1, [](std::string_view) { return std::string(); });
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().to_string().find("tcp://256.1.1.1:1"), std::string::npos);
}

// Requests the filter picks run on the one I/O thread, the others on workers;
// a filter or inline handler that throws costs only that request.
TEST(Server, InlineFilterRunsPickedRequestsOnTheIoThread) {
  auto ep = ipc_endpoint(ipc_path("inline"));
  std::mutex mu;
  std::set<std::thread::id> inline_threads, worker_threads;
  auto server = Server::start(
      {ep}, 2,
      [&](std::string_view r) -> std::string {
        if (r == "i:throw") throw std::runtime_error("handler");
        std::lock_guard lock(mu);
        (r.starts_with("i:") ? inline_threads : worker_threads).insert(std::this_thread::get_id());
        return "re:" + std::string(r);
      },
      {},
      [](std::string_view r) {
        if (r == "w:throw-in-filter") throw std::runtime_error("filter");
        return r.starts_with("i:");
      });
  ASSERT_TRUE(server) << server.error().to_string();
  auto client = Client::connect(ep);
  ASSERT_TRUE(client);
  for (int i = 0; i < 40; ++i) {
    std::string req = (i % 2 ? "i:" : "w:") + std::to_string(i);
    auto reply = (*client)->request(req, std::chrono::seconds(5));
    ASSERT_TRUE(reply) << reply.error().to_string();
    EXPECT_EQ(*reply, "re:" + req);
  }
  auto thrown = (*client)->request("i:throw", std::chrono::seconds(5));
  ASSERT_TRUE(thrown);
  EXPECT_EQ(*thrown, "");
  auto filtered = (*client)->request("w:throw-in-filter", std::chrono::seconds(5));
  ASSERT_TRUE(filtered);
  EXPECT_EQ(*filtered, "re:w:throw-in-filter");
  std::lock_guard lock(mu);
  ASSERT_EQ(inline_threads.size(), 1u);
  EXPECT_FALSE(worker_threads.empty());
  EXPECT_FALSE(worker_threads.contains(*inline_threads.begin()));
}

TEST(Publisher, SubscriberReceivesPublications) {
  auto ep = ipc_endpoint(ipc_path("pub"));
  auto pub = Publisher::bind({ep});
  ASSERT_TRUE(pub);
  auto sub = Subscriber::connect(ep);
  ASSERT_TRUE(sub);
  // PUB/SUB joins asynchronously: publish until the subscriber sees one.
  std::optional<std::string> got;
  for (int i = 0; i < 100 && !got; ++i) {
    (*pub)->publish("hello");
    got = (*sub)->receive(std::chrono::milliseconds(20));
  }
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, "hello");
}

}  // namespace
}  // namespace brine::transport
