// Remote execution end to end: a real master and three minions with different
// grains on 127.0.0.1, driven through the real brine, brine-run and brine-call.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "common/codec/json.h"
#include "tests/integration/harness.h"

namespace brine::testing {
namespace {

using std::chrono::seconds;

Cluster* RemoteExecCluster();

// One cluster for the whole suite: starting daemons is the slow part.
class RemoteExec : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    c_ = new Cluster();
    c_->start_master(
        "auto_accept: True\n"
        "gather_job_timeout: 2\n"
        "publisher_acl:\n"
        "  nobody: ['test.ping', {'web*': ['test.echo']}]\n"
        "nodegroups:\n"
        "  webs: 'G@role:web'\n"
        "  dbs: L@db1\n");
    // web1 carries both kinds of external module (docs/modules.md).
    fs::path ext = c_->root() / "ext";
    fs::create_directories(ext / "modules");
    fs::copy_file(BRINE_TEST_PYHELLO, ext / "modules" / "pyhello");
    fs::copy_file(BRINE_TEST_CHELLO_SO, ext / "modules" / "chello.so");
    fs::permissions(ext / "modules" / "pyhello", fs::perms(0755));
    c_->start_minion("web1", "grains:\n  role: web\n  tier: {level: front}\nmodule_dirs: [" +
                                 ext.string() + "]\n");
    c_->start_minion("web2", "grains:\n  role: web\n  tier: {level: back}\n");
    c_->start_minion("db1", "grains:\n  role: db\n  tier: {level: back}\n");
    for (auto id : {"web1", "web2", "db1"}) {
      ASSERT_TRUE(c_->wait_for_log(*c_->minion(id), "authenticated with the master")) << id;
    }
  }
  static void TearDownTestSuite() {
    delete c_;
    c_ = nullptr;
  }

  // Ids that returned for `brine <args> --out json --static`.
  static std::set<std::string> who(std::vector<std::string> args) {
    args.insert(args.end(), {"--out", "json", "--static", "-t", "3"});
    auto r = c_->brine(args);
    std::set<std::string> ids;
    auto v = codec::json_parse(r.out);
    if (!v || !v->is_map()) {
      ADD_FAILURE() << "not JSON: " << r.out << r.err;
      return ids;
    }
    for (auto& [id, _] : v->as_map()) ids.insert(id);
    return ids;
  }

  static Cluster* c_;

 public:
  static Cluster* cluster() { return c_; }
};
Cluster* RemoteExec::c_ = nullptr;
Cluster* RemoteExecCluster() { return RemoteExec::cluster(); }

using Ids = std::set<std::string>;

TEST_F(RemoteExec, PingAllPrintsNested) {
  auto r = c_->brine({"web1", "test.ping"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "web1:\n    True\n");
}

TEST_F(RemoteExec, EveryMatcherReturnsExactlyTheExpectedSet) {
  EXPECT_EQ(who({"*", "test.ping"}), (Ids{"db1", "web1", "web2"}));
  EXPECT_EQ(who({"web*", "test.ping"}), (Ids{"web1", "web2"}));
  EXPECT_EQ(who({"-E", "web[12]$", "test.ping"}), (Ids{"web1", "web2"}));
  EXPECT_EQ(who({"-L", "web1,db1", "test.ping"}), (Ids{"db1", "web1"}));
  EXPECT_EQ(who({"-G", "role:web", "test.ping"}), (Ids{"web1", "web2"}));
  EXPECT_EQ(who({"-G", "tier:level:back", "test.ping"}), (Ids{"db1", "web2"}));
  EXPECT_EQ(who({"-P", "role:^d.$|^db$", "test.ping"}), (Ids{"db1"}));
  EXPECT_EQ(who({"-S", "127.0.0.1", "test.ping"}), (Ids{"db1", "web1", "web2"}));
  EXPECT_EQ(who({"-N", "webs", "test.ping"}), (Ids{"web1", "web2"}));
  EXPECT_EQ(who({"-C", "G@role:web and not web2", "test.ping"}), (Ids{"web1"}));
  EXPECT_EQ(who({"-C", "( web1 or db1 ) and not G@role:db", "test.ping"}), (Ids{"web1"}));
  EXPECT_EQ(who({"-C", "N@dbs or L@web2", "test.ping"}), (Ids{"db1", "web2"}));
}

TEST_F(RemoteExec, NoMatchExitsTwo) {
  auto r = c_->brine({"nosuch*", "test.ping"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "No minions matched the target. No command was sent, no jid was assigned.\n");
  EXPECT_EQ(r.err, "ERROR: No return received\n");
}

TEST_F(RemoteExec, ArgumentsAreTypedLikeSalt) {
  auto v = json_of(c_->brine({"web1", "test.arg", "1", "yes", "2.5", "foo=bar", "--out", "json"}));
  const Value* args = v.traverse("web1:args");
  ASSERT_NE(args, nullptr);
  EXPECT_EQ(*args, Value::list({1, true, 2.5}));
  ASSERT_NE(v.traverse("web1:kwargs:foo"), nullptr);
  EXPECT_EQ(*v.traverse("web1:kwargs:foo"), Value("bar"));
  EXPECT_EQ(*v.traverse("web1:kwargs:__pub_fun"), Value("test.arg"));
}

TEST_F(RemoteExec, CmdRunAndRetcode) {
  auto r = c_->brine({"web1", "cmd.run", "echo hello; echo world"});
  EXPECT_EQ(r.out, "web1:\n    hello\n    world\n");
  EXPECT_EQ(r.exit_code, 0);
  auto rc = c_->brine({"web1", "cmd.retcode", "exit 3", "--out", "json"});
  EXPECT_EQ(*json_of(rc).find("web1"), Value(3));
  auto fail = c_->brine({"web1", "cmd.run", "exit 4"});
  EXPECT_EQ(fail.exit_code, 1);
  EXPECT_EQ(fail.err, "ERROR: Minions returned with non-zero exit code\n");
}

TEST_F(RemoteExec, ExternalModulesOfBothKindsRunLikeBuiltins) {
  auto py = c_->brine({"web1", "pyhello.greet", "World", "greeting=Hi"});
  EXPECT_EQ(py.out, "web1:\n    Hi, World!\n") << py.err;
  auto add = c_->brine({"web1", "pyhello.add", "2", "3", "--out", "json"});
  EXPECT_EQ(*json_of(add).find("web1"), Value(5));
  auto so = c_->brine({"web1", "chello.hello"});
  EXPECT_EQ(so.out, "web1:\n    hello from C\n") << so.err;
  auto list = json_of(c_->brine({"web1", "sys.list_functions", "--out", "json"}));
  const Value* funs = list.find("web1");
  ASSERT_TRUE(funs && funs->is_list());
  auto has = [&](const char* f) {
    return std::find(funs->as_list().begin(), funs->as_list().end(), Value(f)) !=
           funs->as_list().end();
  };
  EXPECT_TRUE(has("pyhello.greet"));
  EXPECT_TRUE(has("chello.hello"));
  EXPECT_TRUE(has("test.ping"));
  // Other minions do not have them.
  auto other = c_->brine({"web2", "pyhello.greet", "x", "--out", "json"});
  EXPECT_EQ(*json_of(other).find("web2"), Value("'pyhello.greet' is not available."));
}

TEST_F(RemoteExec, UnknownFunctionIsNotAvailable) {
  auto r = c_->brine({"web1", "foo.bar", "--out", "json"});
  EXPECT_EQ(*json_of(r).find("web1"), Value("'foo.bar' is not available."));
  EXPECT_EQ(r.exit_code, 1);
}

TEST_F(RemoteExec, AsyncThenLookupJid) {
  auto r = c_->brine({"web*", "test.echo", "hi", "--async"});
  ASSERT_EQ(r.exit_code, 0);
  const std::string prefix = "Executed command with job ID: ";
  ASSERT_EQ(r.out.rfind(prefix, 0), 0u) << r.out;
  std::string jid = r.out.substr(prefix.size(), 20);
  Value v;
  ASSERT_TRUE(wait_until([&] {
    auto l = c_->run({"jobs.lookup_jid", jid, "--out", "json"});
    auto p = codec::json_parse(l.out);
    if (!p || !p->is_map() || p->as_map().size() < 2) return false;
    v = *p;
    return true;
  }));
  EXPECT_EQ(v, Value::map({{"web1", "hi"}, {"web2", "hi"}}));
  auto jobs = json_of(c_->run({"jobs.list_jobs", "--out", "json"}));
  ASSERT_NE(jobs.find(jid), nullptr);
  EXPECT_EQ(*jobs.find(jid)->find("Function"), Value("test.echo"));
}

TEST_F(RemoteExec, JobLongerThanTimeoutIsStillWaitedFor) {
  auto start = std::chrono::steady_clock::now();
  auto r = c_->brine({"web1", "test.sleep", "3", "-t", "1"});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.out, "web1:\n    True\n");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_GE(took, seconds(3));
}

TEST_F(RemoteExec, BatchRunsInWaves) {
  auto r = c_->brine({"*", "test.ping", "-b", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\nExecuting run on ['db1', 'web1']\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nExecuting run on ['web2']\n"), std::string::npos) << r.out;
}

TEST_F(RemoteExec, FailhardStopsLaunchingBatches) {
  auto r = c_->brine({"*", "test.retcode", "3", "-b", "1", "--failhard"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.out.find("\nExecuting run on ['db1']\n"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Executing run on ['web1']"), std::string::npos) << r.out;
  auto all = c_->brine({"*", "test.retcode", "3", "-b", "1"});
  EXPECT_NE(all.out.find("Executing run on ['web2']"), std::string::npos) << all.out;
}

TEST_F(RemoteExec, DocPrintsEachFunctionOnceSorted) {
  auto one = c_->brine({"-d", "test.ping"});  // target defaults to '*'
  EXPECT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out.rfind("test.ping:\nUsed to make sure the minion is up", 0), 0u) << one.out;
  EXPECT_EQ(one.out.find("test.ping:", 1), std::string::npos) << "printed once: " << one.out;
  auto mod = c_->brine({"web1", "-d", "test"});
  EXPECT_LT(mod.out.find("\ntest.echo:\n"), mod.out.find("\ntest.ping:\n")) << mod.out;
  auto many = c_->brine({"-d", "*", "test.ping", "test.echo"});
  EXPECT_EQ(many.exit_code, 64);
  EXPECT_NE(many.err.find("You can only get documentation for one method at one time."),
            std::string::npos);
}

TEST_F(RemoteExec, SubsetPicksMinionsThatHaveTheFunction) {
  auto two = who({"--subset", "2", "*", "test.ping"});
  EXPECT_EQ(two.size(), 2u);
  for (const auto& id : two) EXPECT_TRUE(id == "web1" || id == "web2" || id == "db1") << id;
  // Only web1 carries the external module.
  EXPECT_EQ(who({"--subset", "2", "*", "pyhello.add", "1", "2"}), (Ids{"web1"}));
  auto bad = c_->brine({"--subset", "-1", "*", "test.ping"});
  EXPECT_EQ(bad.exit_code, 64);
}

TEST_F(RemoteExec, ForceColorColorsOutputThatIsNotATerminal) {
  auto plain = c_->brine({"web1", "test.ping"});
  EXPECT_EQ(plain.out.find('\033'), std::string::npos) << plain.out;
  auto colored = c_->brine({"web1", "test.ping", "--force-color"});
  EXPECT_EQ(colored.exit_code, 0) << colored.err;
  EXPECT_NE(colored.out.find("\033["), std::string::npos) << colored.out;
}

TEST_F(RemoteExec, MetadataTravelsWithTheJobIntoTheCache) {
  auto r = c_->brine({"web2", "test.ping", "--metadata", "{ticket: BR-17}", "--show-jid"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string jid = r.out.substr(r.out.find("jid: ") + 5, 20);
  auto jobs =
      json_of(c_->run({"jobs.list_jobs", "search_metadata={ticket: BR-17}", "--out", "json"}));
  ASSERT_TRUE(jobs.is_map());
  EXPECT_EQ(jobs.as_map().size(), 1u) << codec::json_dump(jobs);
  ASSERT_NE(jobs.find(jid), nullptr) << jid;
  EXPECT_EQ(*jobs.find(jid)->traverse("Metadata:ticket"), Value("BR-17"));
  auto bad = c_->brine({"web2", "test.ping", "--metadata", "{a: [}"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("--metadata"), std::string::npos) << bad.err;
}

TEST_F(RemoteExec, KillJobEndsALongCommand) {
  auto r = c_->brine({"web2", "cmd.run", "sleep 100", "--async"});
  std::string jid = r.out.substr(r.out.find(": ") + 2, 20);
  ASSERT_TRUE(wait_until([&] {
    auto f = json_of(c_->brine({"web2", "saltutil.find_job", jid, "--out", "json"}));
    const Value* d = f.find("web2");
    return d && d->is_map() && !d->as_map().empty();
  }));
  auto k = c_->brine({"web2", "saltutil.kill_job", jid});
  EXPECT_EQ(k.exit_code, 0) << k.out << k.err;
  EXPECT_TRUE(wait_until(
      [&] {
        auto f = json_of(c_->brine({"web2", "saltutil.find_job", jid, "--out", "json"}));
        const Value* d = f.find("web2");
        return d && d->is_map() && d->as_map().empty();
      },
      seconds(15)));
  auto ps = run_command({"/usr/bin/pgrep", "-f", "^sleep 100$"});
  EXPECT_NE(ps.exit_code, 0) << "sleep 100 still running: " << ps.out;
}

TEST_F(RemoteExec, MalformedCommandLines) {
  auto none = c_->brine({});
  EXPECT_EQ(none.exit_code, 42);
  EXPECT_NE(none.err.find("Cannot execute command without defining a target."), std::string::npos);
  auto nofun = c_->brine({"*"});
  EXPECT_EQ(nofun.exit_code, 42);
  EXPECT_NE(nofun.err.find("Incomplete options passed."), std::string::npos);
  auto two = c_->brine({"-E", "-G", "x", "test.ping"});
  EXPECT_EQ(two.exit_code, 64);
  auto bad = c_->brine({"--timeout", "abc", "*", "test.ping"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("brine: error:"), std::string::npos);
  auto badc = c_->brine({"-C", "( web1 or", "test.ping"});
  EXPECT_NE(badc.exit_code, 0);
}

CmdResult brine_as(const std::string& user, const std::vector<std::string>& args) {
  std::vector<std::string> argv{"/usr/bin/setpriv",
                                "--reuid=" + user,
                                "--regid=nogroup",
                                "--clear-groups",
                                Cluster::bin("brine").string(),
                                "-c",
                                RemoteExecCluster()->master_config_dir().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

TEST_F(RemoteExec, UserWithoutKeyIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
  auto r = brine_as("daemon", {"*", "test.ping"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("user 'daemon' is not allowed to publish"), std::string::npos)
      << r.out << r.err;
}

TEST_F(RemoteExec, PublisherAclUserMayRunOnlyWhatTheAclAllows) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to run as another user";
  auto ok = brine_as("nobody", {"web1", "test.ping"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.out, "web1:\n    True\n");
  auto echo = brine_as("nobody", {"web*", "test.echo", "hi", "--out", "json", "--static"});
  EXPECT_EQ(echo.exit_code, 0) << echo.err;
  // test.echo is allowed on web* only, cmd.run nowhere.
  auto db = brine_as("nobody", {"db1", "test.echo", "hi"});
  EXPECT_NE(db.exit_code, 0);
  EXPECT_NE(db.err.find("Authorization error occurred."), std::string::npos) << db.err;
  auto cmd = brine_as("nobody", {"web1", "cmd.run", "id"});
  EXPECT_NE(cmd.exit_code, 0);
  EXPECT_NE(cmd.err.find("Authorization error occurred."), std::string::npos) << cmd.err;
}

TEST_F(RemoteExec, VerboseSummaryAndOutFile) {
  auto v = c_->brine({"web1", "test.ping", "-v", "--summary"});
  EXPECT_EQ(v.out.rfind("Executing job with jid ", 0), 0u) << v.out;
  EXPECT_NE(v.out.find("\nweb1:\n    True\n"), std::string::npos) << v.out;
  EXPECT_NE(v.out.find("# of minions targeted: 1\n# of minions returned: 1\n# of minions that did "
                       "not return: 0\n# of minions with errors: 0\n"),
            std::string::npos)
      << v.out;
  fs::path file = c_->root() / "out.txt";
  auto f =
      c_->brine({"web*", "test.ping", "--out", "txt", "--out-file", file.string(), "--static"});
  EXPECT_EQ(f.out, "");
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  // --static keeps arrival order, as Salt does; txt does not sort.
  EXPECT_TRUE(text == "web1: True\nweb2: True\n" || text == "web2: True\nweb1: True\n") << text;
}

TEST_F(RemoteExec, RunnersManageAndJobs) {
  auto up = json_of(c_->run({"manage.up", "--out", "json"}));
  EXPECT_EQ(up, Value::list({"db1", "web1", "web2"}));
  auto present = json_of(c_->run({"manage.present", "--out", "json"}));
  EXPECT_EQ(present, Value::list({"db1", "web1", "web2"}));
  auto job = c_->brine({"web1", "test.echo", "listme", "--async"});
  std::string jid = job.out.substr(job.out.find(": ") + 2, 20);
  ASSERT_TRUE(wait_until([&] {
    auto l = json_of(c_->run({"jobs.list_job", jid, "--out", "json"}));
    return l.traverse("Result:web1:return") != nullptr;
  }));
  auto l = json_of(c_->run({"jobs.list_job", jid, "--out", "json"}));
  EXPECT_EQ(*l.find("Function"), Value("test.echo"));
  EXPECT_EQ(*l.traverse("Result:web1:return"), Value("listme"));
  auto bad = c_->run({"nosuch.runner"});
  EXPECT_NE(bad.exit_code, 0);
}

TEST_F(RemoteExec, StateEventStreamsJobEvents) {
  // Listen for two events while a job runs.
  std::string out;
  std::thread listener([&] { out = c_->run({"state.event", "salt/job/*", "count=2"}).out; });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  ASSERT_TRUE(wait_until(
      [&] {
        c_->brine({"web1", "test.ping"});
        return !out.empty();
      },
      seconds(20), std::chrono::milliseconds(300)));
  listener.join();
  EXPECT_NE(out.find("salt/job/"), std::string::npos) << out;
  EXPECT_NE(out.find("\t{"), std::string::npos) << out;
}

TEST_F(RemoteExec, GrainsSetvalIsSeenByLaterJobsAndTargeting) {
  auto set = c_->brine({"web2", "grains.setval", "deployed", "blue"});
  EXPECT_EQ(set.exit_code, 0) << set.out << set.err;
  auto get = c_->brine({"web2", "grains.get", "deployed", "--out", "json"});
  EXPECT_EQ(*json_of(get).find("web2"), Value("blue"));
  EXPECT_TRUE(wait_until([&] { return who({"-G", "deployed:blue", "test.ping"}) == Ids{"web2"}; }));
}

// Last: stops a minion.
TEST_F(RemoteExec, ZStoppedMinionIsReportedAndExitIsNonZero) {
  c_->minion("db1")->stop();
  auto r = c_->brine({"*", "test.ping", "-t", "1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("db1:\n    Minion did not return. [Not connected]"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("web1:\n    True"), std::string::npos);
}

}  // namespace
}  // namespace brine::testing
