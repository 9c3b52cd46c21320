#include "tests/bench/swarm/options.h"

#include <gtest/gtest.h>

#include <fstream>

namespace brine::swarm {
namespace {

Result<ParsedOptions> parse(std::vector<std::string> args) {
  args.insert(args.begin(), "brine-swarm");
  return parse_options(args);
}

TEST(SwarmOptions, DefaultsNeedOnlyARoot) {
  auto p = parse({"--root", "/tmp/x"});
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  EXPECT_EQ(p->opts.minions, 100);
  EXPECT_EQ(p->opts.master, "127.0.0.1");
  EXPECT_EQ(p->opts.ret_port, 4506);
  EXPECT_EQ(p->opts.auth_concurrency, p->opts.workers);
  EXPECT_TRUE(p->opts.native_grains);
  EXPECT_EQ(minion_id(p->opts, 42), "swarm-42");
}

TEST(SwarmOptions, ParsesEveryOption) {
  auto p = parse({"--root",
                  "/r",
                  "--minions",
                  "5000",
                  "--prefix",
                  "m",
                  "--first-index",
                  "10",
                  "--master",
                  "127.0.0.2",
                  "--ret-port",
                  "5506",
                  "--publish-port",
                  "5505",
                  "--slow-ms",
                  "300",
                  "--slow-fraction",
                  "0.1",
                  "--drop-fraction",
                  "0.05",
                  "--drop-after",
                  "2",
                  "--heartbeat",
                  "5",
                  "--acceptance-wait",
                  "1",
                  "--auth-concurrency",
                  "64",
                  "--workers",
                  "8",
                  "--grains",
                  "{role: web, n: 3}",
                  "--no-native-grains",
                  "--rejected-retry",
                  "--stats-file",
                  "/tmp/s.json"});
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  const auto& o = p->opts;
  EXPECT_EQ(o.minions, 5000);
  EXPECT_EQ(minion_id(o, o.first_index), "m10");
  EXPECT_EQ(o.ret_port, 5506);
  EXPECT_EQ(o.publish_port, 5505);
  EXPECT_EQ(o.slow_ms, 300);
  EXPECT_DOUBLE_EQ(o.slow_fraction, 0.1);
  EXPECT_DOUBLE_EQ(o.drop_fraction, 0.05);
  EXPECT_DOUBLE_EQ(o.heartbeat_s, 5);
  EXPECT_EQ(o.auth_concurrency, 64);
  EXPECT_EQ(o.workers, 8);
  EXPECT_EQ(o.grains.get_string("role"), "web");
  EXPECT_EQ(o.grains.get_int("n"), 3);
  EXPECT_FALSE(o.native_grains);
  EXPECT_TRUE(o.rejected_retry);
  EXPECT_EQ(o.stats_file, "/tmp/s.json");
}

TEST(SwarmOptions, HelpIsNotAnError) {
  auto p = parse({"--help"});
  ASSERT_TRUE(p.has_value());
  EXPECT_TRUE(p->help);
  EXPECT_NE(p->usage.find("--minions"), std::string::npos);
}

TEST(SwarmOptions, RejectsBadValuesNamingTheOption) {
  auto p = parse({"--minions", "10"});
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().to_string(), "--root: is required");
  p = parse({"--root", "/r", "--slow-fraction", "2"});
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().to_string(), "--slow-fraction: expected a number between 0 and 1, got '2'");
  p = parse({"--root", "/r", "--minions", "0"});
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().to_string(), "--minions: expected 1 to 1000000, got '0'");
  p = parse({"--root", "/r", "--ret-port", "70000"});
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().to_string(), "--ret-port: expected a TCP port, got '70000'");
  p = parse({"--root", "/r", "--minions", "abc"});
  ASSERT_FALSE(p.has_value());
  EXPECT_NE(p.error().message.find("minions"), std::string::npos);
  p = parse({"--root", "/r", "--minions", "10", "--sub-connections", "11"});
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().to_string(),
            "--sub-connections: expected a number between 1 and 10, got '11'");
  p = parse({"--root", "/r", "--bogus"});
  ASSERT_FALSE(p.has_value());
}

TEST(SwarmOptions, TransportAndRequestConnections) {
  auto p = parse({"--root", "/r", "--minions", "50"});
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  EXPECT_EQ(p->opts.transport, transport::Backend::kZeroMQ);
  EXPECT_EQ(p->opts.req_connections, 0);  // one per worker
  p = parse({"--root", "/r", "--minions", "50", "--transport", "tcp", "--req-connections", "all"});
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  EXPECT_EQ(p->opts.transport, transport::Backend::kTcp);
  EXPECT_EQ(p->opts.req_connections, 50);
  p = parse({"--root", "/r", "--minions", "50", "--transport", "zeromq", "--req-connections", "7"});
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  EXPECT_EQ(p->opts.transport, transport::Backend::kZeroMQ);
  EXPECT_EQ(p->opts.req_connections, 7);
  EXPECT_EQ(parse({"--root", "/r", "--transport", "zmq"})->opts.transport,
            transport::Backend::kZeroMQ);

  p = parse({"--root", "/r", "--transport", "ws"});
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().to_string(), "--transport: expected 'zeromq' or 'tcp', got 'ws'");
  for (const char* bad : {"0", "51", "-1", "x", "3x", "", "ALL"}) {
    p = parse({"--root", "/r", "--minions", "50", "--req-connections", bad});
    ASSERT_FALSE(p.has_value()) << bad;
    EXPECT_EQ(p.error().to_string(),
              std::string("--req-connections: expected 1 to 50 or all, got '") + bad + "'");
  }
  auto help = parse({"--help"});
  EXPECT_NE(help->usage.find("--req-connections"), std::string::npos);
  EXPECT_NE(help->usage.find("--transport"), std::string::npos);
}

TEST(SwarmOptions, GrainsMustBeAMap) {
  auto g = parse_grains("[1, 2]");
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().to_string(), "--grains: expected a map of grains, got a list");
  g = parse_grains("{a: [1");
  ASSERT_FALSE(g.has_value());
  EXPECT_EQ(g.error().code, Errc::kParse);
  EXPECT_EQ(g.error().where.rfind("--grains:", 0), 0u);
  g = parse_grains("{\"os\": \"Debian\", \"roles\": [\"web\"]}");
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->get_string("os"), "Debian");
}

TEST(SwarmOptions, GrainsFromAFile) {
  std::string path = ::testing::TempDir() + "/swarm-grains.yaml";
  std::ofstream(path) << "role: db\nzone: 3\n";
  auto g = parse_grains("@" + path);
  ASSERT_TRUE(g.has_value()) << g.error().to_string();
  EXPECT_EQ(g->get_string("role"), "db");
  auto missing = parse_grains("@/nonexistent/grains.yaml");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().to_string(), "/nonexistent/grains.yaml: cannot read the grains file");
}

TEST(SwarmOptions, FractionsAreDeterministicAndIndependent) {
  int slow = 0, both = 0;
  for (int n = 0; n < 10000; ++n) {
    bool s = in_fraction(1, 1, n, 0.2), d = in_fraction(1, 2, n, 0.5);
    EXPECT_EQ(s, in_fraction(1, 1, n, 0.2));
    slow += s;
    both += s && d;
  }
  EXPECT_NEAR(slow, 2000, 200);
  EXPECT_NEAR(both, 1000, 150);
  EXPECT_FALSE(in_fraction(1, 1, 5, 0));
  EXPECT_TRUE(in_fraction(1, 1, 5, 1));
}

}  // namespace
}  // namespace brine::swarm
