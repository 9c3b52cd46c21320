// Salt's `transport: tcp` end to end: a real brine-master and brine-minion
// that both set it, driven through brine-key, brine and brine-call; then what
// a mismatch (master tcp, minion zeromq) and a bad value look like.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "common/codec/json.h"
#include "tests/integration/harness.h"

namespace brine::testing {
namespace {

using std::chrono::seconds;

constexpr const char* kTcp = "transport: tcp\n";

// One cluster for the ordered cases below (starting daemons is the slow part):
// the key is accepted by hand, jobs run, then the master restarts.
class TcpTransport : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    c_ = new Cluster();
    c_->start_master(std::string(kTcp) + "gather_job_timeout: 2\n");
    c_->start_minion("web1", kTcp);
    // CTest runs every case in a process of its own, so each one needs the
    // accepted key: the suite accepts it here, by hand, and case A checks
    // what that looked like.
    if (c_->wait_for_key("minions_pre", "web1")) {
      accept_ = c_->key({"-a", "web1", "-y"});
      c_->wait_for_log(*c_->minion("web1"), "authenticated with the master as 'web1'", seconds(30));
    }
  }
  static void TearDownTestSuite() {
    delete c_;
    c_ = nullptr;
  }
  static Cluster* c_;
  static CmdResult accept_;
};
Cluster* TcpTransport::c_ = nullptr;
CmdResult TcpTransport::accept_;

TEST_F(TcpTransport, AKeyIsPendingUntilAcceptedThenTheMinionAuthenticates) {
  ASSERT_TRUE(c_->master()->alive()) << read_file(c_->master_root() / "stdout.log");
  EXPECT_TRUE(c_->wait_for_log(*c_->master(), "minion ports on 127.0.0.1 use the tcp transport"));
  // Before the key was accepted the master answered "pend".
  EXPECT_TRUE(c_->wait_for_log(*c_->master(), "authentication of 'web1': pend"));
  EXPECT_EQ(accept_.exit_code, 0) << accept_.err;
  EXPECT_EQ(accept_.out, "Key for minion web1 accepted.\n");
  ASSERT_TRUE(c_->wait_for_log(*c_->minion("web1"), "authenticated with the master as 'web1'",
                               seconds(30)));
}

TEST_F(TcpTransport, BPing) {
  // The subscription joins asynchronously after authentication: retry.
  CmdResult r;
  EXPECT_TRUE(wait_until(
      [&] {
        r = c_->brine({"web1", "test.ping", "-t", "2"});
        return r.exit_code == 0;
      },
      seconds(20), std::chrono::milliseconds(200)));
  EXPECT_EQ(r.out, "web1:\n    True\n") << r.err;
}

TEST_F(TcpTransport, CCmdRunAndRetcode) {
  auto r = c_->brine({"web1", "cmd.run", "echo hello; echo world"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "web1:\n    hello\n    world\n");
  auto rc = c_->brine({"web1", "cmd.retcode", "exit 3", "--out", "json"});
  ASSERT_NE(json_of(rc).find("web1"), nullptr);
  EXPECT_EQ(*json_of(rc).find("web1"), Value(3));
}

// A return far over one read buffer and over the master's inline limit
// (16 KB): it goes to a worker and arrives whole.
TEST_F(TcpTransport, DBigReturnArrivesWhole) {
  constexpr size_t kBytes = 3 * 1024 * 1024;
  auto r =
      c_->brine({"web1", "cmd.run", "head -c " + std::to_string(kBytes) + " /dev/zero | tr '\\0' x",
                 "--out", "json", "-t", "20"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  Value v = json_of(r);
  const Value* out = v.find("web1");
  ASSERT_NE(out, nullptr) << r.out.substr(0, 200);
  ASSERT_TRUE(out->is_string());
  EXPECT_EQ(out->as_string(), std::string(kBytes, 'x'));
}

TEST_F(TcpTransport, EBrineCallGoesThroughTheMasterOnTcp) {
  auto r = c_->call("web1", {"test.echo", "over tcp", "--out", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json_of(r), Value::map({{"local", "over tcp"}}));
}

TEST_F(TcpTransport, EBrineCallRefusesAnUnknownTransport) {
  fs::create_directories(c_->minion_config_dir("bad"));
  std::ofstream(c_->minion_config_dir("bad") / "minion")
      << "id: bad\nroot_dir: " << c_->minion_root("bad").string()
      << "\nmaster: 127.0.0.1\nmaster_port: " << c_->ret_port() << "\ntransport: ws\n";
  auto r = c_->call("bad", {"test.ping"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("brine-call: error: transport: expected 'zeromq' or 'tcp', got 'ws'"),
            std::string::npos)
      << r.err;
}

TEST_F(TcpTransport, FMinionReconnectsAfterMasterRestart) {
  Process& m = *c_->minion("web1");
  c_->stop_master();
  c_->start_master(std::string(kTcp) + "gather_job_timeout: 2\n");
  ASSERT_TRUE(c_->master()->alive());
  EXPECT_TRUE(c_->wait_for_log(m, "authenticated with the master as 'web1'", seconds(40), 2));
  CmdResult r;
  EXPECT_TRUE(wait_until(
      [&] {
        r = c_->brine({"web1", "test.ping", "-t", "2"});
        return r.exit_code == 0;
      },
      seconds(30), std::chrono::milliseconds(200)));
  EXPECT_EQ(r.out, "web1:\n    True\n") << r.err;
}

// As in Salt, both sides must agree: a zeromq minion speaking to a tcp master
// gets no answer at all, so its key never even reaches the master, and the
// master keeps serving.
TEST(TcpTransportMismatch, ZeromqMinionNeverReachesATcpMaster) {
  Cluster c;
  c.start_master(std::string(kTcp) + "auto_accept: True\n");
  ASSERT_TRUE(c.master()->alive());
  auto& zmq_minion = c.start_minion("m0", "transport: zeromq\n");
  EXPECT_FALSE(c.wait_for_log(zmq_minion, "authenticated with the master", seconds(5)));
  EXPECT_TRUE(c.wait_for_log(zmq_minion, "no answer from the master", seconds(5)));
  EXPECT_TRUE(c.keys()["minions_pre"].empty());
  EXPECT_TRUE(c.keys()["minions"].empty());
  ASSERT_TRUE(c.master()->alive());
  // A tcp minion on the same master is served.
  auto& tcp_minion = c.start_minion("m1", kTcp);
  EXPECT_TRUE(c.wait_for_log(tcp_minion, "authenticated with the master as 'm1'", seconds(20)));
}

// And the other way round: a tcp minion's frames mean nothing to a ZeroMQ
// master, which keeps serving.
TEST(TcpTransportMismatch, TcpMinionNeverReachesAZeromqMaster) {
  Cluster c;
  c.start_master("auto_accept: True\n");
  ASSERT_TRUE(c.master()->alive());
  auto& tcp_minion = c.start_minion("m0", kTcp);
  EXPECT_FALSE(c.wait_for_log(tcp_minion, "authenticated with the master", seconds(5)));
  EXPECT_TRUE(c.keys()["minions"].empty());
  EXPECT_TRUE(c.keys()["minions_pre"].empty());
  ASSERT_TRUE(c.master()->alive());
  auto& zmq_minion = c.start_minion("m1");
  EXPECT_TRUE(c.wait_for_log(zmq_minion, "authenticated with the master as 'm1'", seconds(20)));
}

TEST(TcpTransportConfig, UnknownValueStopsTheMasterNamingFileAndKey) {
  Cluster c;
  Process& m = c.start_master("transport: ws\n");
  EXPECT_NE(m.wait_exit(seconds(10)), -1000);
  const std::string err = read_file(c.master_root() / "stdout.log");
  EXPECT_NE(err.find((c.master_config_dir() / "master").string() +
                     ":10:1: transport: expected 'zeromq' or 'tcp', got 'ws'"),
            std::string::npos)
      << err;
}

}  // namespace
}  // namespace brine::testing
