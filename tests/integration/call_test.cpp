// brine-call without --local (Salt's salt-call with a master): a real master,
// a real running minion daemon and the real brine-call, brine and brine-run.
// The call authenticates over an ephemeral channel (the daemon keeps its
// own), runs the function locally and sends the return with jid "req"; the
// master records it as a job of its own.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <regex>
#include <thread>

#include "common/codec/json.h"
#include "tests/integration/harness.h"

namespace brine::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kNotAccepted =
    "Minion failed to authenticate with the master, has the minion key been accepted?\n";

class RemoteCall : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    c_ = new Cluster();
    c_->start_master("gather_job_timeout: 2\n");
    c_->start_minion("web1");
    ASSERT_TRUE(c_->wait_for_key("minions_pre", "web1"));
    ASSERT_EQ(c_->key({"-a", "web1", "-y"}).exit_code, 0);
    ASSERT_TRUE(c_->wait_for_log(*c_->minion("web1"), "authenticated with the master"));
    // Keys the master knows but does not accept: pending, rejected, and one
    // to delete later (a key change rotates the session key).
    for (const char* id : {"stranger", "outcast", "spare"}) {
      c_->start_minion(id);
      ASSERT_TRUE(c_->wait_for_key("minions_pre", id)) << id;
      c_->minion(id)->stop();
    }
    ASSERT_EQ(c_->key({"-r", "outcast", "-y"}).exit_code, 0);
  }
  static void TearDownTestSuite() {
    delete c_;
    c_ = nullptr;
  }

  // The jobs of jobs.list_jobs whose Function is `fun` and Target `tgt`.
  static std::vector<std::string> jobs_of(const std::string& fun, const std::string& tgt) {
    std::vector<std::string> out;
    auto jobs = json_of(c_->run({"jobs.list_jobs", "--out", "json"}));
    if (!jobs.is_map()) return out;
    for (const auto& [jid, job] : jobs.as_map()) {
      if (job.get_string("Function") == fun && job.find("Target") &&
          *job.find("Target") == Value(tgt)) {
        out.push_back(jid);
      }
    }
    return out;
  }

  static size_t master_log_count(const std::string& needle) {
    return count_occurrences(c_->master()->log_text(), needle);
  }

  static Cluster* c_;
};
Cluster* RemoteCall::c_ = nullptr;

bool is_salt_jid(const std::string& jid) { return std::regex_match(jid, std::regex("[0-9]{20}")); }

TEST_F(RemoteCall, PingPrintsLocalAndTheMasterRecordsTheJob) {
  auto r = c_->call("web1", {"test.ping"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "local:\n    True\n");

  std::vector<std::string> jids;
  ASSERT_TRUE(wait_until([&] {
    jids = jobs_of("test.ping", "web1");
    return !jids.empty();
  }));
  const std::string& jid = jids.back();
  EXPECT_TRUE(is_salt_jid(jid)) << jid;

  auto jobs = json_of(c_->run({"jobs.list_jobs", "--out", "json"}));
  const Value* job = jobs.find(jid);
  ASSERT_NE(job, nullptr);
  EXPECT_EQ(*job->find("Target-type"), Value("glob"));  // Salt's store_job for "req"
  EXPECT_EQ(*job->find("Arguments"), Value::list());
  EXPECT_EQ(*job->find("User"), Value("root"));

  Value ret;
  ASSERT_TRUE(wait_until([&] {
    ret = json_of(c_->run({"jobs.lookup_jid", jid, "--out", "json"}));
    return ret.is_map() && ret.find("web1");
  }));
  EXPECT_EQ(ret, Value::map({{"web1", true}}));
  auto listed = json_of(c_->run({"jobs.list_job", jid, "--out", "json"}));
  ASSERT_NE(listed.find("Minions"), nullptr);
  EXPECT_EQ(*listed.find("Minions"), Value::list({"web1"}));
}

TEST_F(RemoteCall, ArgumentsAreRecordedAsTheCallGaveThem) {
  auto r = c_->call("web1", {"test.echo", "hello world"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "local:\n    hello world\n");
  std::vector<std::string> jids;
  ASSERT_TRUE(wait_until([&] {
    jids = jobs_of("test.echo", "web1");
    return !jids.empty();
  }));
  auto jobs = json_of(c_->run({"jobs.list_jobs", "search_function=test.echo", "--out", "json"}));
  ASSERT_NE(jobs.find(jids.back()), nullptr);
  EXPECT_EQ(*jobs.find(jids.back())->find("Arguments"), Value::list({"hello world"}));
}

TEST_F(RemoteCall, TheReturnIsFiredOnTheEventBus) {
  std::mutex mu;
  std::string out;
  std::atomic<bool> done{false};
  std::thread listener([&] {
    auto r = c_->run({"state.event", "salt/job/*/ret/web1", "count=1"});
    std::lock_guard lock(mu);
    out = r.out;
    done = true;
  });
  // The listener subscribes asynchronously: call until it has seen one.
  bool seen = wait_until(
      [&] {
        EXPECT_EQ(c_->call("web1", {"test.ping"}).exit_code, 0);
        return done.load();
      },
      seconds(30), milliseconds(100));
  if (!seen) c_->call("web1", {"test.ping"});
  listener.join();
  ASSERT_TRUE(seen);
  std::lock_guard lock(mu);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      out, m, std::regex("^salt/job/([0-9]{20})/ret/web1\t(.*)$", std::regex::multiline)))
      << out;
  auto data = codec::json_parse(m[2].str());
  ASSERT_TRUE(data && data->is_map()) << out;
  EXPECT_EQ(data->get_string("jid"), m[1].str());
  EXPECT_EQ(data->get_string("id"), "web1");
  EXPECT_EQ(data->get_string("fun"), "test.ping");
  EXPECT_EQ(data->get_string("tgt"), "web1");
  EXPECT_EQ(data->get_string("tgt_type"), "glob");
  EXPECT_EQ(*data->find("return"), Value(true));
}

TEST_F(RemoteCall, TheDaemonKeepsItsChannel) {
  size_t daemon_auths = master_log_count("authenticated minion 'web1'");
  size_t caller_auths = master_log_count("authenticated a caller for minion 'web1'");
  for (int i = 0; i < 3; ++i) EXPECT_EQ(c_->call("web1", {"test.ping"}).exit_code, 0);
  EXPECT_TRUE(wait_until([&] {
    return master_log_count("authenticated a caller for minion 'web1'") >= caller_auths + 3;
  }));

  auto r = c_->brine({"*", "test.ping", "--out", "json", "--static", "-t", "5"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json_of(r), Value::map({{"web1", true}}));
  EXPECT_EQ(json_of(c_->run({"manage.present", "--out", "json"})), Value::list({"web1"}));
  // Displaced, the daemon would find out at its next heartbeat (every second)
  // and authenticate again.
  EXPECT_FALSE(
      wait_until([&] { return master_log_count("authenticated minion 'web1'") > daemon_auths; },
                 milliseconds(2500)));
  EXPECT_EQ(count_occurrences(c_->minion("web1")->log_text(), "authenticated with the master"), 1u);
}

TEST_F(RemoteCall, PendingKeyFailsClearlyAndRunsNothing) {
  fs::path marker = c_->root() / "stranger-ran";
  auto r = c_->call("stranger", {"cmd.run", "touch " + marker.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(kNotAccepted), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_TRUE(jobs_of("cmd.run", "stranger").empty());
  auto keys = c_->keys();
  auto& pending = keys["minions_pre"];
  EXPECT_NE(std::find(pending.begin(), pending.end(), "stranger"), pending.end());
  EXPECT_EQ(keys["minions"], std::vector<std::string>{"web1"});
}

TEST_F(RemoteCall, RejectedKeyFailsWithSaltsExitCode) {
  fs::path marker = c_->root() / "outcast-ran";
  auto r = c_->call("outcast", {"cmd.run", "touch " + marker.string()});
  EXPECT_EQ(r.exit_code, 77);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("The Brine master has rejected this minion's public key!"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(marker));
  EXPECT_TRUE(jobs_of("cmd.run", "outcast").empty());
}

TEST_F(RemoteCall, RetcodePassthrough) {
  auto plain = c_->call("web1", {"cmd.retcode", "exit 3"});
  EXPECT_EQ(plain.exit_code, 1);
  EXPECT_EQ(plain.out, "local:\n    3\n");
  auto through = c_->call("web1", {"--retcode-passthrough", "cmd.retcode", "exit 3"});
  EXPECT_EQ(through.exit_code, 3);
  std::vector<std::string> jids;
  ASSERT_TRUE(wait_until([&] {
    jids = jobs_of("cmd.retcode", "web1");
    return jids.size() >= 2;
  }));
  Value listed;
  ASSERT_TRUE(wait_until([&] {
    listed = json_of(c_->run({"jobs.list_job", jids.back(), "--out", "json"}));
    return listed.traverse("Result:web1:retcode") != nullptr;
  }));
  EXPECT_EQ(*listed.traverse("Result:web1:return"), Value(3));
  EXPECT_EQ(*listed.traverse("Result:web1:retcode"), Value(3));
}

TEST_F(RemoteCall, OutJson) {
  auto r = c_->call("web1", {"--out", "json", "test.echo", "hi"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(json_of(r), Value::map({{"local", "hi"}}));
  auto grains = c_->call("web1", {"--out", "json", "grains.get", "id"});
  EXPECT_EQ(json_of(grains), Value::map({{"local", "web1"}}));
}

TEST_F(RemoteCall, UnreachableMasterFailsWithinTheAuthBudget) {
  // A config of web1's with a port nobody serves, one-second answers, two tries.
  fs::path conf = c_->root() / "nomaster";
  fs::create_directories(conf);
  std::string text;
  {
    std::ifstream in(c_->minion_config_dir("web1") / "minion");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text = std::regex_replace(text, std::regex("master_port: [0-9]+"),
                            "master_port: " + std::to_string(free_tcp_port()));
  text = std::regex_replace(text, std::regex("auth_timeout: [0-9]+"), "auth_timeout: 1");
  std::ofstream(conf / "minion") << text << "auth_tries: 2\n";
  auto start = std::chrono::steady_clock::now();
  auto r = run_command({Cluster::bin("brine-call").string(), "-c", conf.string(), "test.ping"});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(kNotAccepted), std::string::npos) << r.err;
  EXPECT_LT(took, seconds(15));
}

TEST_F(RemoteCall, ACallWhoseChannelWasDroppedAuthenticatesAgainToReturn) {
  size_t caller_auths = master_log_count("authenticated a caller for minion 'web1'");
  size_t rotations = master_log_count("rotated the session key");
  CmdResult r;
  std::thread call([&] { r = c_->call("web1", {"test.sleep", "3"}); });
  bool started = wait_until(
      [&] { return master_log_count("authenticated a caller for minion 'web1'") > caller_auths; });
  // Deleting a key rotates the session key, which drops every caller's channel.
  if (started) {
    EXPECT_EQ(c_->key({"-d", "spare", "-y"}).exit_code, 0);
  }
  call.join();
  ASSERT_TRUE(started);
  EXPECT_GT(master_log_count("rotated the session key"), rotations);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "local:\n    True\n");
  EXPECT_EQ(master_log_count("authenticated a caller for minion 'web1'"), caller_auths + 2);
  EXPECT_TRUE(wait_until([&] { return !jobs_of("test.sleep", "web1").empty(); }));
}

TEST_F(RemoteCall, LocalStillNeedsNoMaster) {
  auto r = c_->call("stranger", {"--local", "test.ping"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "local:\n    True\n");
}

}  // namespace
}  // namespace brine::testing
