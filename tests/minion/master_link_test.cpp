// MasterLink against a scripted request server on 127.0.0.1: a reply that
// answers an earlier, timed-out auth attempt is skipped, not refused.
#include "minion/master_link.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "common/crypto/keys.h"
#include "common/protocol/auth.h"
#include "common/transport/transport.h"
#include "tests/common/transport/tcp_test_util.h"

namespace brine::minion {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

using transport::testing::free_port;

TEST(MasterLink, StaleAuthReplyIsSkippedNotRefused) {
  std::string tmpl = (fs::temp_directory_path() / "brine-link-XXXXXX").string();
  const fs::path dir = ::mkdtemp(tmpl.data());
  const int port = free_port();
  const crypto::KeyPair master = crypto::generate_keypair();

  // The first attempt is answered after 400 ms, past the minion's 200 ms
  // timeout; the second after 300 ms, so the stale answer arrives first.
  std::atomic<int> calls{0};
  auto server = transport::Server::start(
      {"tcp://127.0.0.1:" + std::to_string(port)}, 2, [&](std::string_view bytes) -> std::string {
        const int n = calls++;
        auto req = protocol::open_auth_request(bytes, protocol::unix_now());
        if (!req) return "";
        std::this_thread::sleep_for(n == 0 ? 400ms : 300ms);
        return protocol::make_auth_reply(master, *req, protocol::AuthStatus::kPending, 4505,
                                         nullptr, nullptr);
      });
  ASSERT_TRUE(server) << server.error().to_string();

  const Value opts =
      Value::map({{"pki_dir", dir.string()}, {"master", "127.0.0.1"}, {"master_port", port}});
  MasterLink link(opts, "m1", protocol::AuthMode::kMinion);
  ASSERT_TRUE(link.load_keys());
  ASSERT_TRUE(link.connect({}));

  using O = AuthAttempt::Outcome;
  EXPECT_EQ(link.authenticate(200ms).outcome, O::kNoAnswer);
  AuthAttempt second = link.authenticate(2s);
  EXPECT_EQ(second.outcome, O::kPending) << second.detail;
  EXPECT_EQ(calls.load(), 2);

  (*server)->stop();
  fs::remove_all(dir);
}

TEST(MasterLink, UnknownTransportIsRefused) {
  // connect() refuses an unknown transport before making any socket.
  const Value opts =
      Value::map({{"master", "127.0.0.1"}, {"master_port", 4506}, {"transport", "ws"}});
  MasterLink link(opts, "m1", protocol::AuthMode::kMinion);
  auto st = link.connect({});
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, Errc::kInvalidArgument);
}

// `transport: tcp` makes the request connection a tcp one, whatever the
// caller's SocketOptions say: a tcp server answers it.
TEST(MasterLink, TcpTransportReachesATcpServer) {
  std::string tmpl = (fs::temp_directory_path() / "brine-link-XXXXXX").string();
  const fs::path dir = ::mkdtemp(tmpl.data());
  const int port = free_port();
  const crypto::KeyPair master = crypto::generate_keypair();
  transport::SocketOptions so;
  so.backend = transport::Backend::kTcp;
  auto server = transport::Server::start(
      {"tcp://127.0.0.1:" + std::to_string(port)}, 1,
      [&](std::string_view bytes) -> std::string {
        auto req = protocol::open_auth_request(bytes, protocol::unix_now());
        if (!req) return "";
        return protocol::make_auth_reply(master, *req, protocol::AuthStatus::kPending, 4505,
                                         nullptr, nullptr);
      },
      so);
  ASSERT_TRUE(server) << server.error().to_string();

  const Value opts = Value::map({{"pki_dir", dir.string()},
                                 {"master", "127.0.0.1"},
                                 {"master_port", port},
                                 {"transport", "tcp"}});
  MasterLink link(opts, "m1", protocol::AuthMode::kMinion);
  ASSERT_TRUE(link.load_keys());
  ASSERT_TRUE(link.connect({}));  // a ZeroMQ default, overridden by the key
  AuthAttempt a = link.authenticate(5s);
  EXPECT_EQ(a.outcome, AuthAttempt::Outcome::kPending) << a.detail;

  (*server)->stop();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace brine::minion
