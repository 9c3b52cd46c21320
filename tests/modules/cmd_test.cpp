// The cmd module: shell handling, streams, retcodes, cwd/env/stdin, timeouts
// and killing a job's children.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "modules/cancel.h"
#include "modules/util/process.h"
#include "tests/modules/fixture.h"

namespace brine::modules {
namespace {

using Clock = std::chrono::steady_clock;

class CmdModule : public testing::ModuleTest {};

TEST_F(CmdModule, JobCallsUseTheShell) {
  auto r = run("cmd.run", {Value("echo hello | tr a-z A-Z")});
  EXPECT_EQ(r.ret, Value("HELLO"));
  EXPECT_EQ(r.retcode, 0);
}

TEST_F(CmdModule, ModuleCallsSplitTheCommandInstead) {
  EXPECT_EQ(call("cmd.run", {Value("echo a | cat")}), Value("a | cat"));
  EXPECT_EQ(call("cmd.run", {Value("echo 'a  b' \"c d\"")}), Value("a  b c d"));
  EXPECT_EQ(call("cmd.run", {Value("echo a | cat")}, Map{{"python_shell", Value(true)}}),
            Value("a"));
  EXPECT_EQ(call("cmd.shell", {Value("echo a | cat")}), Value("a"));
  EXPECT_EQ(
      call("cmd.run", {Value::list({Value("printf"), Value("%s-%s"), Value("a b"), Value("c")})}),
      Value("a b-c"));
}

TEST_F(CmdModule, RunMergesStderrAndRunAllSeparatesIt) {
  EXPECT_EQ(run("cmd.run", {Value("echo out; echo err >&2")}).ret, Value("out\nerr"));
  auto all = run("cmd.run_all", {Value("echo out; echo err >&2; exit 3")});
  ASSERT_TRUE(all.ret.is_map());
  EXPECT_EQ(all.ret.get_string("stdout"), "out");
  EXPECT_EQ(all.ret.get_string("stderr"), "err");
  EXPECT_EQ(all.ret.get_int("retcode"), 3);
  EXPECT_GT(all.ret.get_int("pid"), 0);
  EXPECT_EQ(all.retcode, 3);  // the command's status is the job's
  std::vector<std::string> keys;
  for (const auto& [k, v] : all.ret.as_map()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"pid", "retcode", "stdout", "stderr"}));
  EXPECT_EQ(run("cmd.run_stdout", {Value("echo out; echo err >&2")}).ret, Value("out"));
  EXPECT_EQ(run("cmd.run_stderr", {Value("echo out; echo err >&2")}).ret, Value("err"));
  auto merged =
      run("cmd.run_all", {Value("echo out; echo err >&2")}, Map{{"redirect_stderr", Value(true)}});
  EXPECT_EQ(merged.ret.get_string("stdout"), "out\nerr");
}

TEST_F(CmdModule, RetcodeAndIgnoreRetcode) {
  auto r = run("cmd.retcode", {Value("exit 5")});
  EXPECT_EQ(r.ret, Value(5));
  EXPECT_EQ(r.retcode, 5);
  auto failed = run("cmd.run", {Value("echo no; exit 2")});
  EXPECT_EQ(failed.ret, Value("no"));
  EXPECT_EQ(failed.retcode, 2);
  EXPECT_NE(logs().find("Command 'echo' failed with return code: 2"), std::string::npos);
  auto ignored = run("cmd.run", {Value("exit 2")}, Map{{"ignore_retcode", Value(true)}});
  EXPECT_EQ(ignored.retcode, 0);
  auto ok = run("cmd.run", {Value("exit 3")}, Map{{"success_retcodes", Value::list({Value(3)})}});
  EXPECT_EQ(ok.retcode, 0);
  auto ok2 = run("cmd.run", {Value("echo fine; exit 4")}, Map{{"success_stdout", Value("fine")}});
  EXPECT_EQ(ok2.retcode, 0);
  EXPECT_EQ(run("cmd.run", {Value("exit 3")}, Map{{"success_retcodes", Value("x")}}).ret,
            Value("ERROR executing 'cmd.run': success_retcodes must be a list of integers"));
}

TEST_F(CmdModule, CwdEnvAndStdin) {
  EXPECT_EQ(run("cmd.run", {Value("pwd")}, Map{{"cwd", Value(tmp_.path())}}).ret,
            Value(tmp_.path()));
  EXPECT_EQ(run("cmd.run", {Value("pwd")}, Map{{"cwd", Value("/nonexistent")}}).ret,
            Value("ERROR: Specified cwd '/nonexistent' either not absolute or does not exist"));
  EXPECT_EQ(run("cmd.run", {Value("pwd")}, Map{{"cwd", Value("relative")}}).ret,
            Value("ERROR: Specified cwd 'relative' either not absolute or does not exist"));
  // Values are passed literally, never expanded.
  EXPECT_EQ(run("cmd.run", {Value("echo \"$FOO\"")},
                Map{{"env", Value::map({{"FOO", Value("$HOME bar")}})}})
                .ret,
            Value("$HOME bar"));
  EXPECT_EQ(run("cmd.run", {Value("echo $A$B")},
                Map{{"env", Value::list(
                                {Value::map({{"A", Value("1")}}), Value::map({{"B", Value(2)}})})}})
                .ret,
            Value("12"));
  ::setenv("BRINE_TEST_VAR", "inherited", 1);
  EXPECT_EQ(run("cmd.run", {Value("echo ${BRINE_TEST_VAR:-none}")}).ret, Value("inherited"));
  EXPECT_EQ(run("cmd.run", {Value("echo ${BRINE_TEST_VAR:-none} $LC_CTYPE")},
                Map{{"clean_env", Value(true)}})
                .ret,
            Value("none C"));
  EXPECT_EQ(run("cmd.run", {Value("cat")}, Map{{"stdin", Value("one\\ntwo")}}).ret,
            Value("one\ntwo"));
  EXPECT_EQ(run("cmd.run", {Value("wc -l")}, Map{{"stdin", Value(std::string(1 << 20, '\n'))}}).ret,
            Value("1048576"));
}

TEST_F(CmdModule, OutputOptions) {
  EXPECT_EQ(run("cmd.run", {Value("printf 'a\\n\\n'")}, Map{{"rstrip", Value(false)}}).ret,
            Value("a\n\n"));
  EXPECT_EQ(run("cmd.run", {Value("echo secret")}, Map{{"hide_output", Value(true)}}).ret,
            Value(""));
  EXPECT_EQ(run("cmd.run", {Value("umask")}, Map{{"umask", Value(77)}}).ret, Value("0077"));
  EXPECT_EQ(run("cmd.run", {Value("umask")}, Map{{"umask", Value("0")}}).ret,
            Value("ERROR: Zero umask is not allowed."));
  EXPECT_EQ(run("cmd.run", {Value("printf '\\377ok'")}).ret, Value("\xEF\xBF\xBDok"));
}

TEST_F(CmdModule, MissingProgram) {
  auto r = try_call("cmd.run", {Value("definitely-not-a-program-xyz --flag")});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "Unable to run command '['definitely-not-a-program-xyz', '--flag']' with the context "
            "'{'cwd': '" +
                std::string(::getenv("HOME") ? ::getenv("HOME") : "/") +
                "', 'shell': False}', reason: [Errno 2] No such file or directory: "
                "'definitely-not-a-program-xyz'");
  EXPECT_EQ(run("cmd.run", {Value("x")}, Map{{"shell", Value("/no/shell")}}).ret,
            Value("ERROR: The shell /no/shell is not available"));
}

TEST_F(CmdModule, TimeoutKillsTheProcessGroup) {
  std::string pidfile = tmp_.file("pid");
  auto start = Clock::now();
  auto r = run("cmd.run_all", {Value("sleep 30 & echo $! > " + pidfile + "; wait")},
               Map{{"timeout", Value(1)}});
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(r.ret.get_string("stdout"),
            "sleep 30 & echo $! > " + pidfile + "; wait : Timed out after 1 seconds");
  EXPECT_EQ(r.ret.get_string("stderr"), "");
  EXPECT_EQ(r.ret.get_int("retcode"), 1);
  EXPECT_EQ(r.retcode, 1);
  // The background child was in the command's process group and died too.
  pid_t child = std::atoi(tmp_.read("pid").c_str());
  ASSERT_GT(child, 0);
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    std::ifstream stat("/proc/" + std::to_string(child) + "/stat");
    std::string line;
    gone = !std::getline(stat, line) || line.find(") Z ") != std::string::npos;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(gone);
  auto listed = run("cmd.run", {Value("sleep 5")}, Map{{"timeout", Value(0.5)}});
  EXPECT_EQ(listed.ret, Value("sleep 5 : Timed out after 0.5 seconds"));
  auto split = try_call("cmd.run", {Value("sleep 5")}, Map{{"timeout", Value(1)}});
  ASSERT_TRUE(split);
  EXPECT_EQ(*split, Value("['sleep', '5'] : Timed out after 1 seconds"));
}

TEST_F(CmdModule, KillingTheJobStopsTheCommand) {
  CancelToken token;
  ctx_->cancel = &token;
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    token.request(SIGTERM);
  });
  auto start = Clock::now();
  auto r = run("cmd.run", {Value("sleep 30")});
  killer.join();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(r.retcode, 1);
  EXPECT_EQ(r.ret, Value("ERROR: Command 'sleep' was stopped: job killed by signal 15"));
}

TEST_F(CmdModule, CommandThatIgnoresTermIsKilledAfterTheGrace) {
  CancelToken token;
  process::Options o;
  o.argv = {"/bin/sh", "-c", "trap '' TERM; sleep 30"};
  o.cancel = &token;
  o.kill_grace = std::chrono::milliseconds(300);
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    token.request(SIGTERM);
  });
  auto start = Clock::now();
  auto r = process::run(o);
  killer.join();
  ASSERT_TRUE(r);
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(r->cancelled, SIGTERM);
  EXPECT_EQ(r->exit_code, -SIGKILL);
}

TEST_F(CmdModule, Runas) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  auto r = run("cmd.run", {Value("id -un; echo $HOME")}, Map{{"runas", Value("nobody")}});
  EXPECT_EQ(r.ret.as_string().substr(0, r.ret.as_string().find('\n')), "nobody");
  EXPECT_EQ(run("cmd.run", {Value("id")}, Map{{"runas", Value("no-such-user-xyz")}}).ret,
            Value("ERROR: User 'no-such-user-xyz' is not available"));
}

TEST_F(CmdModule, JinjaTemplate) {
  grains_ = Value::map({{"os", Value("Debian")}});
  pillar_ = Value::map({{"who", Value("world")}});
  EXPECT_EQ(run("cmd.run",
                {Value("echo {{ grains['os'] }} {{ pillar.who }} "
                       "{{ salt['test.echo']('x') }}")},
                Map{{"template", Value("jinja")}})
                .ret,
            Value("Debian world x"));
  EXPECT_EQ(run("cmd.run", {Value("pwd")},
                Map{{"template", Value("jinja")}, {"cwd", Value("{{ '/' }}tmp")}})
                .ret,
            Value("/tmp"));
  EXPECT_EQ(run("cmd.run", {Value("echo")}, Map{{"template", Value("mako")}}).ret,
            Value("ERROR: Attempted to render file paths with unavailable engine mako"));
  auto bad = run("cmd.run", {Value("echo {{ nope }}")}, Map{{"template", Value("jinja")}});
  EXPECT_EQ(bad.retcode, 1);
  EXPECT_TRUE(bad.ret.as_string().starts_with("ERROR: Failed to execute cmd with error: "))
      << bad.ret.as_string();
}

TEST_F(CmdModule, BackgroundCommands) {
  std::string marker = tmp_.file("done");
  auto start = Clock::now();
  auto r = run("cmd.run_bg", {Value("sleep 0.3; echo $$ > " + marker)});
  EXPECT_LT(Clock::now() - start, std::chrono::milliseconds(250));
  ASSERT_TRUE(r.ret.is_map());
  int64_t pid = r.ret.get_int("pid");
  EXPECT_GT(pid, 0);
  for (int i = 0; i < 200 && tmp_.read("done").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(std::atoll(tmp_.read("done").c_str()), pid);
  EXPECT_EQ(run("cmd.run", {Value("sleep 5")}, Map{{"bg", Value(true)}}).ret, Value(""));
  EXPECT_EQ(try_call("cmd.run_bg", {Value("no-such-program-xyz")}).error().message.substr(0, 24),
            "Unable to run command '[");
}

TEST_F(CmdModule, WhichAndHasExec) {
  EXPECT_EQ(run("cmd.which", {Value("sh")}).ret.as_string().substr(0, 1), "/");
  EXPECT_EQ(run("cmd.which", {Value("no-such-binary-xyz")}).ret, Value());
  EXPECT_EQ(run("cmd.has_exec", {Value("sh")}).ret, Value(true));
  EXPECT_EQ(run("cmd.has_exec", {Value("no-such-binary-xyz")}).ret, Value(false));
}

TEST_F(CmdModule, BlacklistGlob) {
  opts_.as_map().set("cmd_blacklist_glob", Value::list({Value("rm *")}));
  rebuild();
  EXPECT_EQ(run("cmd.run", {Value("rm -rf /nothing")}).ret,
            Value("ERROR: The shell command \"rm -rf /nothing\" is not permitted"));
  EXPECT_EQ(run("cmd.run", {Value("echo ok")}).ret, Value("ok"));
}

TEST(Process, CapturesLargeOutputAndHandlesClosedStdin) {
  process::Options o;
  o.argv = {"/bin/sh", "-c", "head -c 3000000 /dev/zero; exit 7"};
  o.input = std::string(10 << 20, 'x');  // the child never reads it
  auto r = process::run(o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->out.size(), 3000000u);
  EXPECT_EQ(r->exit_code, 7);
  process::Options small;
  small.argv = {"/bin/sh", "-c", "head -c 100 /dev/zero"};
  small.max_output = 10;
  auto t = process::run(small);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->out.size(), 10u);
  EXPECT_TRUE(t->truncated);
}

}  // namespace
}  // namespace brine::modules
