#include "tests/bench/swarm/executor.h"

#include <gtest/gtest.h>

#include "common/codec/json.h"

namespace brine::swarm {
namespace {

Value load(Value fun, Value arg = Value::list()) {
  return Value::map({{"jid", "20250101000000000001"},
                     {"fun", std::move(fun)},
                     {"arg", std::move(arg)},
                     {"tgt", "*"},
                     {"tgt_type", "glob"},
                     {"user", "root"},
                     {"ret", ""}});
}

class ExecutorTest : public ::testing::Test {
 protected:
  Executor ex{Value::map()};
  Value stored = Value::map({{"id", "m1"}, {"os", "Debian"}});
  Executor::GrainsFn grains = [this] { return stored; };
};

TEST_F(ExecutorTest, PingEnvelopeIsTheRealMinions) {
  auto out = ex.run(load("test.ping"), "m1", grains, nullptr);
  EXPECT_EQ(out.delay.count(), 0);
  EXPECT_EQ(codec::json_dump(out.envelope),
            R"({"return": true, "retcode": 0, "success": true, "id": "m1", )"
            R"("jid": "20250101000000000001", "fun": "test.ping", "fun_args": [], )"
            R"("user": "root"})");
}

TEST_F(ExecutorTest, EchoAndArgBindLikeSalt) {
  auto echo = ex.run(load("test.echo", Value::list({"hi"})), "m1", grains, nullptr);
  EXPECT_EQ(echo.envelope.get_string("return"), "hi");
  auto arg = ex.run(load("test.arg", Value::list({1, "yes", "a=b"})), "m1", grains, nullptr);
  const Value& r = *arg.envelope.find("return");
  EXPECT_EQ(r.find("args")->as_list().size(), 2u);
  EXPECT_EQ(r.find("kwargs")->get_string("a"), "b");
  EXPECT_EQ(r.find("kwargs")->get_string("__pub_jid"), "20250101000000000001");
}

TEST_F(ExecutorTest, ErrorsAreSaltStrings) {
  auto missing = ex.run(load("cmd.run", Value::list({"uptime"})), "m1", grains, nullptr);
  EXPECT_EQ(missing.envelope.get_string("return"), "'cmd.run' is not available.");
  EXPECT_EQ(missing.envelope.get_int("retcode"), 1);
  EXPECT_FALSE(missing.envelope.find("success")->as_bool());
  auto rc = ex.run(load("test.retcode", Value::list({3})), "m1", grains, nullptr);
  EXPECT_EQ(rc.envelope.get_int("retcode"), 3);
  auto not_a_string = ex.run(load(Value(5)), "m1", grains, nullptr);
  EXPECT_EQ(not_a_string.envelope.get_int("retcode"), 1);
}

TEST_F(ExecutorTest, SleepsBecomeDelaysWithoutBlocking) {
  auto t0 = std::chrono::steady_clock::now();
  auto s = ex.run(load("test.sleep", Value::list({5})), "m1", grains, nullptr);
  EXPECT_EQ(s.delay, std::chrono::seconds(5));
  EXPECT_TRUE(s.envelope.find("return")->as_bool());
  auto kw = ex.run(load("test.sleep", Value::list({"length=2"})), "m1", grains, nullptr);
  EXPECT_EQ(kw.delay, std::chrono::seconds(2));
  auto r = ex.run(load("test.rand_sleep", Value::list({"max=3"})), "m1", grains, nullptr);
  EXPECT_LE(r.delay, std::chrono::seconds(3));
  // Bad arguments get the registry's error, at once.
  auto bad = ex.run(load("test.sleep", Value::list({"x"})), "m1", grains, nullptr);
  EXPECT_EQ(bad.delay.count(), 0);
  EXPECT_EQ(bad.envelope.get_int("retcode"), 1);
  auto none = ex.run(load("test.sleep"), "m1", grains, nullptr);
  EXPECT_EQ(none.envelope.get_int("retcode"), 1);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

TEST_F(ExecutorTest, KilledSleepReturnsTheInterruptedError) {
  Value v = ex.killed(load("test.sleep", Value::list({30})), "m1", grains, 9);
  EXPECT_EQ(v.get_int("retcode"), 1);
  EXPECT_NE(v.get_string("return").find("sleep interrupted"), std::string::npos);
  EXPECT_EQ(v.get_string("id"), "m1");
}

TEST_F(ExecutorTest, MultiFunctionJobs) {
  auto out = ex.run(load(Value::list({"test.ping", "test.echo", "test.sleep"}),
                         Value::list({Value::list(), Value::list({"x"}), Value::list({1})})),
                    "m1", grains, nullptr);
  EXPECT_EQ(out.delay, std::chrono::seconds(1));
  EXPECT_EQ(out.envelope.find("return")->get_string("test.echo"), "x");
  EXPECT_EQ(out.envelope.find("retcode")->get_int("test.ping", -1), 0);
}

TEST_F(ExecutorTest, SaltutilWithoutAJobTable) {
  auto out = ex.run(load("saltutil.running"), "m1", grains, nullptr);
  EXPECT_EQ(out.envelope.get_int("retcode"), 1);
  EXPECT_EQ(stored.get_string("id"), "m1");  // refresh paths never touch the minion's grains
}

}  // namespace
}  // namespace brine::swarm
