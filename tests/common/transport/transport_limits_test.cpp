// Running out of sockets (the context's ZMQ_MAX_SOCKETS) or of file
// descriptors (EMFILE): every factory returns an Error instead of throwing.
// Its own binary: the process-wide context is sized small before its first
// socket.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/transport/transport.h"

namespace brine::transport {
namespace {

constexpr int kMaxSockets = 24;

class SmallContext : public ::testing::Environment {
 public:
  void SetUp() override { ASSERT_TRUE(configure_context(1, kMaxSockets).has_value()); }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new SmallContext);

std::string ipc_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("brine-limits-" + std::to_string(::getpid()) + "-" + name + ".ipc"))
      .string();
}

// Clients to a port nobody listens on, until the factory refuses one; the
// refusal is returned through `error`. Sockets closed by an earlier test free
// their slot only once libzmq's reaper has run, so refusals are retried until
// nearly the whole limit is held.
std::vector<std::unique_ptr<Client>> fill_with_clients(Error* error) {
  std::vector<std::unique_ptr<Client>> held;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (held.size() < 4 * kMaxSockets) {
    auto c = Client::connect("tcp://127.0.0.1:9", {});
    if (c) {
      held.push_back(std::move(*c));
      continue;
    }
    *error = c.error();
    if (held.size() + 1 >= static_cast<size_t>(kMaxSockets) ||
        std::chrono::steady_clock::now() > deadline) {
      return held;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "no socket limit reached";
  return held;
}

// Closed sockets free their slot once libzmq's reaper has run: retry a while.
template <typename Make>
auto eventually(Make make) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  auto r = make();
  while (!r && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    r = make();
  }
  return r;
}

TEST(TransportLimits, ClientConnectFailsCleanlyPastTheSocketLimit) {
  Error error;
  auto held = fill_with_clients(&error);
  EXPECT_GE(held.size() + 1, static_cast<size_t>(kMaxSockets));
  EXPECT_LE(held.size(), static_cast<size_t>(kMaxSockets));
  EXPECT_EQ(error.code, Errc::kUnavailable);
  EXPECT_EQ(error.message, "cannot connect: Too many open files") << error.to_string();
  EXPECT_EQ(error.where, "tcp://127.0.0.1:9");
  held.clear();
  EXPECT_TRUE(eventually([] { return Client::connect("tcp://127.0.0.1:9", {}); }));
}

TEST(TransportLimits, EveryFactoryFailsCleanlyPastTheSocketLimit) {
  Error error;
  auto held = fill_with_clients(&error);
  std::string ep = ipc_endpoint(ipc_path("full"));
  auto server = Server::start({ep}, 2, [](std::string_view r) { return std::string(r); });
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().message, "cannot make the server socket: Too many open files");
  EXPECT_EQ(server.error().where, ep);
  auto pub = Publisher::bind({ep});
  ASSERT_FALSE(pub);
  EXPECT_EQ(pub.error().message, "cannot make the publisher socket: Too many open files");
  auto sub = Subscriber::connect(ep);
  ASSERT_FALSE(sub);
  EXPECT_EQ(sub.error().message, "cannot connect: Too many open files");
  auto group = SubscriberGroup::connect(ep, 3);
  ASSERT_FALSE(group);
  EXPECT_NE(group.error().message.find("Too many open files"), std::string::npos);
}

TEST(TransportLimits, ServerFailsCleanlyWhenItsWorkersDoNotFit) {
  Error error;
  auto held = fill_with_clients(&error);
  ASSERT_GE(held.size(), 6u);
  held.resize(held.size() - 4);  // room for the ROUTER, the reply PULL and two of eight workers
  std::string ep = ipc_endpoint(ipc_path("workers"));
  // The freed slots come back once libzmq's reaper has run; until then even
  // the ROUTER does not fit.
  Result<std::unique_ptr<Server>> server = make_error(Errc::kInternal, "not tried");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  do {
    server = Server::start({ep}, 8, [](std::string_view r) { return std::string(r); });
    if (server || server.error().message.starts_with("cannot make the server's worker")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (std::chrono::steady_clock::now() < deadline);
  ASSERT_FALSE(server);
  EXPECT_EQ(server.error().message, "cannot make the server's worker sockets: Too many open files");
  // Nothing leaked: with the clients gone a server with workers starts and answers.
  held.clear();
  std::string ep2 = ipc_endpoint(ipc_path("workers2"));
  auto ok_server = eventually([&] {
    return Server::start({ep2}, 2, [](std::string_view r) { return "re:" + std::string(r); });
  });
  ASSERT_TRUE(ok_server) << ok_server.error().to_string();
  auto client = Client::connect(ep2);
  ASSERT_TRUE(client);
  auto reply = (*client)->request("x", std::chrono::seconds(5));
  ASSERT_TRUE(reply) << reply.error().to_string();
  EXPECT_EQ(*reply, "re:x");
}

size_t open_fds() {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++n;
  }
  return n;
}

TEST(TransportLimits, FactoriesFailCleanlyWhenDescriptorsRunOut) {
  // Under UBSan the first check of a zmq::error_t's dynamic type probes memory
  // through a pipe(), which fails without descriptors and reads as a bogus
  // "invalid vptr": let one refusal happen while descriptors are available.
  EXPECT_FALSE(Client::connect("nosuchtransport://x", {}));
  rlimit saved{};
  ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
  rlimit low = saved;
  low.rlim_cur = open_fds() + 3;  // a few sockets' mailboxes, then EMFILE
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  std::vector<std::unique_ptr<Client>> held;
  Result<std::unique_ptr<Client>> c = make_error(Errc::kInternal, "not tried");
  for (int i = 0; i < kMaxSockets; ++i) {
    c = Client::connect("tcp://127.0.0.1:9", {});
    if (!c) break;
    held.push_back(std::move(*c));
  }
  auto server = Server::start({ipc_endpoint(ipc_path("fds"))}, 2,
                              [](std::string_view r) { return std::string(r); });
  ::setrlimit(RLIMIT_NOFILE, &saved);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.error().message, "cannot connect: Too many open files");
  EXPECT_FALSE(server);
}

}  // namespace
}  // namespace brine::transport
