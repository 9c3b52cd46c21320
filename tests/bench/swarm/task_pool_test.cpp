#include "tests/bench/swarm/task_pool.h"

#include <gtest/gtest.h>

#include <set>

namespace brine::swarm {
namespace {

using std::chrono::milliseconds;

class NullPort : public RequestPort {
 public:
  Result<std::string> request(std::string_view, milliseconds,
                              const std::function<bool(std::string_view)>&) override {
    return make_error(Errc::kTimeout, "none");
  }
};

PortFactory null_ports(std::atomic<int>* made = nullptr) {
  return [made]() -> Result<std::unique_ptr<RequestPort>> {
    if (made) ++*made;
    return std::unique_ptr<RequestPort>(new NullPort);
  };
}

bool wait_for(const std::function<bool()>& cond) {
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!cond()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(2));
  }
  return true;
}

TEST(TaskPool, RunsDueTasksInTimeOrder) {
  TaskPool pool(1, null_ports());
  std::mutex mu;
  std::vector<int> order;
  auto add = [&](int v) {
    return [&, v](RequestPort&) {
      std::lock_guard lock(mu);
      order.push_back(v);
    };
  };
  auto now = Clock::now();
  pool.post_at(now + milliseconds(60), add(3));
  pool.post_at(now + milliseconds(30), add(2));
  pool.post_at(now + milliseconds(30), add(22));  // FIFO among equal times
  pool.post(add(1));
  ASSERT_TRUE(wait_for([&] {
    std::lock_guard lock(mu);
    return order.size() == 4;
  }));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 22, 3}));
}

TEST(TaskPool, DelayedTasksWaitAndEarlierOnesOvertake) {
  TaskPool pool(2, null_ports());
  std::atomic<int> late{0}, early{0};
  auto t0 = Clock::now();
  Clock::time_point late_at;
  pool.post_after(milliseconds(150), [&](RequestPort&) {
    late_at = Clock::now();
    late = 1;
  });
  pool.post_after(milliseconds(10), [&](RequestPort&) { early = late.load() == 0 ? 1 : 2; });
  ASSERT_TRUE(wait_for([&] { return late.load() == 1; }));
  EXPECT_EQ(early.load(), 1);
  EXPECT_GE(late_at - t0, milliseconds(150));
}

TEST(TaskPool, EachWorkerOwnsOnePort) {
  std::atomic<int> made{0};
  TaskPool pool(4, null_ports(&made));
  std::mutex mu;
  std::set<RequestPort*> ports;
  std::atomic<int> done{0};
  for (int i = 0; i < 200; ++i) {
    pool.post([&](RequestPort& p) {
      std::this_thread::sleep_for(milliseconds(1));
      std::lock_guard lock(mu);
      ports.insert(&p);
      ++done;
    });
  }
  ASSERT_TRUE(wait_for([&] { return done.load() == 200; }));
  EXPECT_EQ(made.load(), 4);
  EXPECT_LE(ports.size(), 4u);
  EXPECT_GE(ports.size(), 2u);
}

TEST(TaskPool, ATaskThatThrowsIsCountedAndThePoolGoesOn) {
  TaskPool pool(1, null_ports());
  std::atomic<bool> ran{false};
  pool.post([](RequestPort&) { throw std::runtime_error("boom"); });
  pool.post([&](RequestPort&) { ran = true; });
  ASSERT_TRUE(wait_for([&] { return ran.load(); }));
  EXPECT_EQ(pool.failures(), 1u);
}

TEST(TaskPool, StopDropsPendingTasks) {
  std::atomic<int> runs{0};
  {
    TaskPool pool(2, null_ports());
    pool.post_after(std::chrono::seconds(60), [&](RequestPort&) { ++runs; });
    EXPECT_EQ(pool.size(), 1u);
    pool.stop();
    pool.post([&](RequestPort&) { ++runs; });
    EXPECT_EQ(pool.size(), 0u);
  }
  EXPECT_EQ(runs.load(), 0);
}

TEST(TaskPool, RetriesAFailingPortFactory) {
  std::atomic<int> calls{0};
  TaskPool pool(1, [&]() -> Result<std::unique_ptr<RequestPort>> {
    if (++calls < 2) return make_error(Errc::kUnavailable, "not yet");
    return std::unique_ptr<RequestPort>(new NullPort);
  });
  std::atomic<bool> ran{false};
  pool.post([&](RequestPort&) { ran = true; });
  ASSERT_TRUE(wait_for([&] { return ran.load(); }));
  EXPECT_EQ(calls.load(), 2);
}

}  // namespace
}  // namespace brine::swarm
