// The test and sys modules.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <thread>

#include "modules/cancel.h"
#include "tests/modules/fixture.h"

namespace brine::modules {
namespace {

using testing::ModuleTest;

class TestModule : public ModuleTest {};

TEST_F(TestModule, PingEchoTrueFalse) {
  EXPECT_EQ(run("test.ping").ret, Value(true));
  EXPECT_EQ(run("test.echo", {Value("foo bar")}).ret, Value("foo bar"));
  auto f = run("test.false");
  EXPECT_EQ(f.ret, Value(false));
  EXPECT_EQ(f.retcode, 0);  // a function merely returning False is not a failure
  EXPECT_EQ(run("test.true").ret, Value(true));
  EXPECT_EQ(run("test.outputter", {Value::list({Value(1)})}).ret, Value::list({Value(1)}));
}

TEST_F(TestModule, ArgReturnsArgsAndKwargsWithPubFields) {
  auto r = run("test.arg", {Value(1), Value(true)}, Map{{"foo", Value("bar")}});
  ASSERT_EQ(r.retcode, 0);
  EXPECT_EQ(*r.ret.find("args"), Value::list({Value(1), Value(true)}));
  const Value& kw = *r.ret.find("kwargs");
  EXPECT_EQ(kw.get_string("foo"), "bar");
  EXPECT_EQ(kw.get_string("__pub_fun"), "test.arg");
  EXPECT_EQ(kw.get_string("__pub_jid"), "20240301120000123456");
  EXPECT_EQ(kw.get_string("__pub_tgt"), "*");
  EXPECT_EQ(kw.get_string("__pub_tgt_type"), "glob");

  auto clean = run("test.arg_clean", {Value(1)}, Map{{"foo", Value("bar")}});
  EXPECT_EQ(*clean.ret.find("kwargs"), Value::map({{"foo", Value("bar")}}));
  auto kwarg = run("test.kwarg", {}, Map{{"n", Value(1)}});
  EXPECT_EQ(kwarg.ret.get_int("n"), 1);
  EXPECT_TRUE(kwarg.ret.find("__pub_jid"));
}

TEST_F(TestModule, ArgTypeAndRepr) {
  auto t = run("test.arg_type", {Value(1), Value("s"), Value(1.5), Value(), Value(true)},
               Map{{"d", Value(Map{})}});
  EXPECT_EQ(*t.ret.find("args"),
            Value::list({Value("<class 'int'>"), Value("<class 'str'>"), Value("<class 'float'>"),
                         Value("<class 'NoneType'>"), Value("<class 'bool'>")}));
  EXPECT_EQ(t.ret.find("kwargs")->get_string("d"), "<class 'dict'>");
  auto r = run("test.arg_repr", {Value(1), Value("a")});
  EXPECT_EQ(r.ret.get_string("args"), "(1, 'a')");
  EXPECT_EQ(run("test.arg_repr", {Value(1)}).ret.get_string("args"), "(1,)");
}

TEST_F(TestModule, VersionAndVersionsReport) {
  EXPECT_EQ(run("test.version").ret, Value(BRINE_VERSION));
  auto report = run("test.versions_report").ret.as_string();
  EXPECT_TRUE(report.starts_with("Brine Version:\n")) << report;
  EXPECT_NE(report.find("Brine: " BRINE_VERSION), std::string::npos);
  EXPECT_NE(report.find("System Versions:"), std::string::npos);
  auto info = run("test.versions_information").ret;
  EXPECT_EQ(info.find("Brine Version")->get_string("Brine"), BRINE_VERSION);
}

TEST_F(TestModule, RetcodeSetsTheJobRetcode) {
  auto r = run("test.retcode");
  EXPECT_EQ(r.ret, Value(true));
  EXPECT_EQ(r.retcode, 42);
  EXPECT_EQ(run("test.retcode", {Value(3)}).retcode, 3);
  EXPECT_EQ(run("test.retcode", {Value("7")}).retcode, 7);
}

TEST_F(TestModule, ExceptionAndFib) {
  EXPECT_EQ(run("test.exception").ret.as_string(),
            "The minion function caused an exception: Exception: Test Exception");
  EXPECT_EQ(run("test.exception", {Value("Oh noes!")}).ret.as_string(),
            "The minion function caused an exception: Exception: Oh noes!");
  auto fib = run("test.fib", {Value(10)});
  ASSERT_TRUE(fib.ret.is_list());
  EXPECT_EQ(fib.ret.as_list()[0], Value(55));
  EXPECT_TRUE(fib.ret.as_list()[1].is_float());
  EXPECT_EQ(run("test.fib", {Value(-1)}).ret.as_string(),
            "The minion function caused an exception: ValueError: Negative number is not "
            "allowed!");
  auto collatz = run("test.collatz", {Value(3)});
  EXPECT_EQ(collatz.ret.as_list()[0],
            Value::list({Value(3), Value(10), Value(5), Value(16), Value(8), Value(4), Value(2)}));
}

TEST_F(TestModule, SleepStopsWhenTheJobIsKilled) {
  CancelToken token;
  ctx_->cancel = &token;
  std::thread killer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    token.request(SIGTERM);
  });
  auto start = std::chrono::steady_clock::now();
  auto r = run("test.sleep", {Value(30)});
  killer.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(r.retcode, 1);
  EXPECT_EQ(r.ret.as_string(), "ERROR: sleep interrupted: job killed by signal 15");
  ctx_->cancel = nullptr;
  EXPECT_EQ(run("test.sleep", {Value(0)}).ret, Value(true));
}

TEST_F(TestModule, RandomHash) {
  auto a = run("test.random_hash").ret.as_string();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(
      run("test.rand_str", {Value(0)}).ret,
      Value("5feceb66ffc86f38d952786c6d696c79c2dbc239dd4e91b46729d73a27fb57e9"));  // sha256("0")
  EXPECT_EQ(run("test.rand_str", {Value(5), Value("md5")}).retcode, 1);
}

TEST_F(TestModule, GetOptsAndCrossTest) {
  EXPECT_EQ(run("test.get_opts").ret.get_string("id"), "web1");
  EXPECT_EQ(run("test.cross_test", {Value("test.echo"), Value::list({Value("hi")})}).ret,
            Value("hi"));
}

class SysModule : public ModuleTest {};

TEST_F(SysModule, ListModulesAndFunctions) {
  auto mods = run("sys.list_modules").ret.as_list();
  for (const char* m : {"cmd", "grains", "sys", "test", "saltutil", "pillar", "config"}) {
    EXPECT_NE(std::find(mods.begin(), mods.end(), Value(m)), mods.end()) << m;
  }
  EXPECT_EQ(run("sys.list_modules", {Value("te*")}).ret, Value::list({Value("test")}));
  EXPECT_EQ(run("sys.list_modules", {Value("sys")}).ret, Value::list({Value("sys")}));
  auto fns = run("sys.list_functions", {Value("sys")}).ret.as_list();
  EXPECT_EQ(fns.front(), Value("sys.argspec"));
  auto globbed = run("sys.list_functions", {Value("sys.list_*")}).ret;
  EXPECT_EQ(globbed, Value::list({Value("sys.list_functions"), Value("sys.list_modules")}));
  auto all = run("sys.list_functions").ret.as_list();
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(), [](const Value& a, const Value& b) {
    return a.as_string() < b.as_string();
  }));
}

TEST_F(SysModule, Doc) {
  auto d = run("sys.doc", {Value("test.ping")}).ret;
  ASSERT_EQ(d.as_map().size(), 1u);
  EXPECT_NE(d.get_string("test.ping").find("Not an ICMP ping"), std::string::npos);
  auto mod = run("sys.doc", {Value("sys")}).ret;
  EXPECT_TRUE(mod.find("sys.doc"));
  EXPECT_FALSE(mod.find("test.ping"));
  EXPECT_TRUE(run("sys.doc", {Value("test.*")}).ret.find("test.echo"));
}

TEST_F(SysModule, Argspec) {
  auto echo = run("sys.argspec", {Value("test.echo")}).ret;
  EXPECT_EQ(*echo.find("test.echo"), Value::map({{"args", Value::list({Value("text")})},
                                                 {"defaults", Value()},
                                                 {"varargs", Value()},
                                                 {"kwargs", Value()}}));
  auto arg = run("sys.argspec", {Value("test.arg")}).ret;
  EXPECT_EQ(*arg.find("test.arg"), Value::map({{"args", Value()},
                                               {"defaults", Value()},
                                               {"varargs", Value(true)},
                                               {"kwargs", Value(true)}}));
  auto rc = run("sys.argspec", {Value("test.retcode")}).ret;
  EXPECT_EQ(*rc.find("test.retcode")->find("defaults"), Value::list({Value(42)}));
  auto all = run("sys.argspec", {Value("test")}).ret;
  EXPECT_TRUE(all.find("test.ping"));
  EXPECT_FALSE(all.find("sys.doc"));
}

TEST_F(SysModule, EveryBuiltinHasDocsAndASummary) {
  for (const ModuleSpec* spec : builtin_modules()) {
    for (const FunctionSpec& f : spec->functions) {
      EXPECT_FALSE(f.doc.empty()) << spec->name << "." << f.name;
      EXPECT_FALSE(f.summary.empty()) << spec->name << "." << f.name;
    }
  }
}

}  // namespace
}  // namespace brine::modules
