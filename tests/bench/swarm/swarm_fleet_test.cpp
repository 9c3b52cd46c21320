// A swarm of 200 virtual minions against a real brine-master, driven through
// the real brine-key and brine CLIs (the CI guard for the fleet path; timings
// are measured by scripts/bench, not asserted here).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "common/codec/json.h"
#include "tests/integration/harness.h"

namespace brine::swarm {
namespace {

using brine::testing::Cluster;
using brine::testing::Process;
using std::chrono::seconds;
namespace fs = std::filesystem;

constexpr int kMinions = 200;

std::unique_ptr<Process> spawn_swarm(Cluster& c, const fs::path& stats,
                                     const std::vector<std::string>& extra) {
  fs::path out = c.root() / "swarm.out";
  std::vector<std::string> argv = {Cluster::bin("brine-swarm").string(),
                                   "--root",
                                   (c.root() / "swarm").string(),
                                   "--minions",
                                   std::to_string(kMinions),
                                   "--ret-port",
                                   std::to_string(c.ret_port()),
                                   "--acceptance-wait",
                                   "1",
                                   "--heartbeat",
                                   "2",
                                   "--workers",
                                   "8",
                                   "--no-native-grains",
                                   "--grains",
                                   "{role: web, tier: swarm}",
                                   "--stats-interval",
                                   "100",
                                   "--stats-file",
                                   stats.string()};
  argv.insert(argv.end(), extra.begin(), extra.end());
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return std::make_unique<Process>(pid, out);
}

// The latest value of `field` in the swarm's stats line (-1 when unreadable).
int64_t stat(const fs::path& stats, const std::string& field) {
  std::ifstream in(stats);
  std::stringstream ss;
  ss << in.rdbuf();
  auto v = codec::json_parse(ss.str());
  if (!v || !v->is_map()) return -1;
  return v->get_int(field, -1);
}

Value brine_json(Cluster& c, const std::vector<std::string>& args, int* exit_code) {
  auto r = c.brine(args);
  *exit_code = r.exit_code;
  auto v = codec::json_parse(r.out);
  EXPECT_TRUE(v.has_value()) << r.out << r.err;
  return v ? *v : Value();
}

// The whole scenario, with `master_extra` in the master config and
// `swarm_extra` on the swarm's command line.
void run_fleet(const std::string& master_extra, const std::vector<std::string>& swarm_extra) {
  Cluster c;
  c.start_master(master_extra);
  ASSERT_TRUE(c.master()->alive()) << c.master()->log_text();
  fs::path stats = c.root() / "swarm.stats";
  auto swarm = spawn_swarm(c, stats, swarm_extra);

  // Every key arrives pending; accept them all at once, as an operator would.
  ASSERT_TRUE(
      brine::testing::wait_until([&] { return c.keys()["minions_pre"].size() == size_t(kMinions); },
                                 seconds(40), std::chrono::milliseconds(200)))
      << swarm->log_text();
  auto accepted = c.key({"-A", "-y"});
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  ASSERT_TRUE(brine::testing::wait_until([&] { return stat(stats, "authenticated") == kMinions; },
                                         seconds(30)))
      << swarm->log_text();

  int rc = -1;
  Value all = brine_json(c, {"*", "test.ping", "--static", "--out", "json"}, &rc);
  EXPECT_EQ(rc, 0);
  ASSERT_TRUE(all.is_map());
  EXPECT_EQ(all.as_map().size(), size_t(kMinions));
  for (const auto& [id, ret] : all.as_map()) {
    EXPECT_TRUE(ret.is_bool() && ret.as_bool()) << id;
  }
  EXPECT_TRUE(all.find("swarm-0") && all.find("swarm-199"));

  // Grain targeting uses the grains each virtual minion reported at start.
  Value some =
      brine_json(c, {"-G", "index:19*", "test.echo", "hi", "--static", "--out", "json"}, &rc);
  EXPECT_EQ(rc, 0);
  ASSERT_TRUE(some.is_map());
  EXPECT_EQ(some.as_map().size(), 11u);  // 19, 190..199
  EXPECT_EQ(some.get_string("swarm-195"), "hi");
  auto none = c.brine({"-G", "role:db", "test.ping", "--static", "--out", "json"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE((none.out + none.err).find("No minions matched the target."), std::string::npos);

  // A clean stop: every minion says goodbye, nothing crashed.
  EXPECT_EQ(swarm->stop(seconds(20)), 0) << swarm->log_text();
  EXPECT_EQ(stat(stats, "task_failures"), 0);
  EXPECT_GE(stat(stats, "returns_sent"), kMinions + 11);
}

TEST(SwarmFleet, TwoHundredMinionsAuthenticateAndAnswer) { run_fleet("", {}); }

// Salt's transport: tcp, with a connection of each kind per minion: the master
// holds 400 connections, as with a real fleet of 200.
TEST(SwarmFleet, TwoHundredMinionsOnTcpEachWithItsOwnConnections) {
  run_fleet("transport: tcp\n", {"--transport", "tcp", "--sub-connections",
                                 std::to_string(kMinions), "--req-connections", "all"});
}

}  // namespace
}  // namespace brine::swarm
