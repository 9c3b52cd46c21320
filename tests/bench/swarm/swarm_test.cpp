// The swarm against an in-process fake master speaking the real protocol.
#include "tests/bench/swarm/swarm.h"

#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <random>
#include <thread>

#include "tests/bench/swarm/fake_master.h"

namespace brine::swarm {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using testing::FakeMaster;

bool wait_until(const std::function<bool()>& cond, milliseconds timeout = milliseconds(10000)) {
  auto deadline = Clock::now() + timeout;
  while (!cond()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(5));
  }
  return true;
}

class SwarmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("brine-swarm-test-" + std::to_string(::getpid()) + "-" +
                                         std::to_string(std::random_device{}()));
    opts_.root = root_.string();
    opts_.minions = 40;
    opts_.native_grains = false;
    opts_.heartbeat_s = 0.1;
    opts_.acceptance_wait_s = 0.05;
    opts_.auth_timeout_s = 0.2;
    opts_.random_reauth_delay_s = 0.05;
    opts_.reauth_spread_s = 0.05;
    opts_.workers = 4;
    opts_.auth_concurrency = 4;
  }
  void TearDown() override {
    if (swarm_) swarm_->stop(milliseconds(2000));
    swarm_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  Swarm& start(Value grains = Value::map({{"role", "web"}})) {
    std::vector<std::string> ids;
    for (int i = 0; i < opts_.minions; ++i) ids.push_back(minion_id(opts_, i));
    auto identities = load_identities(root_, ids);
    EXPECT_TRUE(identities.has_value());
    // No subscriber: tests feed publications to on_pub_frame themselves.
    SubscriberFactory none = [](uint16_t) -> Result<std::unique_ptr<FrameSource>> {
      return std::unique_ptr<FrameSource>();
    };
    swarm_ = std::make_unique<Swarm>(opts_, std::move(*identities), std::move(grains),
                                     testing::fake_ports(master_), none);
    EXPECT_TRUE(swarm_->start().has_value());
    return *swarm_;
  }

  bool all_authenticated() {
    return wait_until([&] { return swarm_->stats().authenticated == uint64_t(opts_.minions); });
  }

  Value job(std::string jid, std::string fun, Value tgt = "*", std::string tgt_type = "glob",
            Value arg = Value::list()) {
    return Value::map({{"jid", std::move(jid)},
                       {"fun", std::move(fun)},
                       {"arg", std::move(arg)},
                       {"tgt", std::move(tgt)},
                       {"tgt_type", std::move(tgt_type)},
                       {"user", "root"},
                       {"ret", ""}});
  }

  fs::path root_;
  SwarmOptions opts_;
  FakeMaster master_;
  std::unique_ptr<Swarm> swarm_;
};

TEST_F(SwarmTest, AuthenticatesEveryMinionAndReportsGrains) {
  auto& s = start();
  ASSERT_TRUE(all_authenticated());
  EXPECT_EQ(master_.channel_count(), 40u);
  auto grains = master_.grains();
  ASSERT_EQ(grains.size(), 40u);
  EXPECT_EQ(grains["swarm-7"].get_string("id"), "swarm-7");
  EXPECT_EQ(grains["swarm-7"].get_int("index"), 7);
  EXPECT_EQ(grains["swarm-7"].get_string("role"), "web");
  // The master key is pinned on disk for the next run.
  EXPECT_TRUE(fs::exists(root_ / "minion_master.pub"));
  EXPECT_EQ(s.stats().auth_accepts, 40u);
}

TEST_F(SwarmTest, RetriesWhilePendingThenAuthenticates) {
  master_.status = protocol::AuthStatus::kPending;
  auto& s = start();
  ASSERT_TRUE(wait_until([&] { return s.stats().pending == 40; }));
  ASSERT_TRUE(wait_until([&] { return master_.auth_requests() >= 80; }));
  EXPECT_EQ(s.stats().authenticated, 0u);
  master_.status = protocol::AuthStatus::kAccept;
  ASSERT_TRUE(all_authenticated());
  EXPECT_EQ(s.stats().pending, 0u);
}

TEST_F(SwarmTest, RejectedMinionsGiveUp) {
  master_.status = protocol::AuthStatus::kRejected;
  auto& s = start();
  ASSERT_TRUE(wait_until([&] { return s.stats().rejected == 40; }));
  size_t seen = master_.auth_requests();
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(master_.auth_requests(), seen);
}

TEST_F(SwarmTest, EveryMinionReturnsAPing) {
  auto& s = start();
  ASSERT_TRUE(all_authenticated());
  s.on_pub_frame(master_.publication(job("20250101000000000001", "test.ping")));
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000001").size() == 40; }));
  Value r = master_.returns("20250101000000000001")["swarm-3"];
  EXPECT_EQ(r.find("return")->as_bool(), true);
  EXPECT_EQ(r.get_int("retcode", -1), 0);
  EXPECT_EQ(r.find("success")->as_bool(), true);
  EXPECT_EQ(r.get_string("id"), "swarm-3");
  EXPECT_EQ(r.get_string("jid"), "20250101000000000001");
  EXPECT_EQ(r.get_string("fun"), "test.ping");
  EXPECT_TRUE(r.find("fun_args")->is_list());
  EXPECT_EQ(r.get_string("user"), "root");
  // The envelope keys in minion/jobs.cpp order.
  std::vector<std::string> keys;
  for (const auto& [k, _] : r.as_map()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"return", "retcode", "success", "id", "jid", "fun",
                                            "fun_args", "user"}));
  // The master stores a return before the swarm sees its acknowledgement.
  EXPECT_TRUE(wait_until([&] { return s.stats().returns_sent == 40; }));
  // A replayed publication is refused by every minion's serial check.
  auto again = master_.publication(job("20250101000000000002", "test.ping"));
  s.on_pub_frame(again);
  s.on_pub_frame(again);
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000002").size() == 40; }));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(master_.duplicate_returns(), 0u);
}

TEST_F(SwarmTest, EachConnectionServesItsShareOfTheMinions) {
  auto& s = start();
  ASSERT_TRUE(all_authenticated());
  // Four connections, each a copy of the publication: every minion runs it once.
  auto pub = master_.publication(job("20250101000000000080", "test.ping"));
  for (size_t c = 0; c < 4; ++c) s.on_pub_frame(c, 4, pub);
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000080").size() == 40; }));
  // Only connection 1's copy arrives: minions 10..19 run it.
  s.on_pub_frame(1, 4, master_.publication(job("20250101000000000081", "test.ping")));
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000081").size() == 10; }));
  std::this_thread::sleep_for(milliseconds(100));
  auto r = master_.returns("20250101000000000081");
  EXPECT_EQ(r.size(), 10u);
  EXPECT_TRUE(r.count("swarm-10") && r.count("swarm-19") && !r.count("swarm-20"));
  EXPECT_EQ(master_.duplicate_returns(), 0u);
  EXPECT_EQ(s.stats().refused, 0u);
}

// One connection per minion (--sub-connections N): a burst of publications
// puts 40 copies of each on the strand, but every minion has only the burst
// waiting, far under its own SUB high-water mark of 1,000: nothing is dropped.
TEST_F(SwarmTest, ABurstOnPerMinionConnectionsIsNotDropped) {
  auto& s = start();
  ASSERT_TRUE(all_authenticated());
  constexpr int kBurst = 150;  // 150 x 40 = 6,000 copies on one strand
  std::vector<std::string> pubs;
  for (int j = 0; j < kBurst; ++j) {
    pubs.push_back(
        master_.publication(job("2025010100000001" + std::to_string(1000 + j), "test.ping")));
  }
  for (const auto& pub : pubs) {
    for (size_t c = 0; c < 40; ++c) s.on_pub_frame(c, 40, pub);
  }
  for (int j = 0; j < kBurst; ++j) {
    const std::string jid = "2025010100000001" + std::to_string(1000 + j);
    ASSERT_TRUE(wait_until([&] { return master_.returns(jid).size() == 40; }, milliseconds(20000)))
        << jid << ": " << master_.returns(jid).size() << " returns, overflow "
        << s.stats().overflow;
  }
  EXPECT_EQ(s.stats().overflow, 0u);
  EXPECT_EQ(s.stats().refused, 0u);
  EXPECT_EQ(master_.duplicate_returns(), 0u);
}

// A fake port that counts the requests it carried.
class CountingPort : public RequestPort {
 public:
  CountingPort(FakeMaster& m, std::atomic<int>& count) : inner_(m), count_(count) {}
  Result<std::string> request(std::string_view request, milliseconds timeout,
                              const std::function<bool(std::string_view)>& accept) override {
    ++count_;
    return inner_.request(request, timeout, accept);
  }

 private:
  testing::FakePort inner_;
  std::atomic<int>& count_;
};

// --req-connections N: N ports made at start, each carrying the requests of
// its share of the minions; the workers make none.
TEST_F(SwarmTest, RequestConnectionsCarryTheirShareOfTheMinions) {
  for (int n : {40, 3}) {
    SCOPED_TRACE(n);
    opts_.req_connections = n;
    std::vector<std::string> ids;
    for (int i = 0; i < opts_.minions; ++i) ids.push_back(minion_id(opts_, i));
    auto identities = load_identities(root_, ids);
    ASSERT_TRUE(identities.has_value());
    auto counts = std::make_shared<std::deque<std::atomic<int>>>();
    PortFactory factory = [&, counts]() -> Result<std::unique_ptr<RequestPort>> {
      auto& c = counts->emplace_back(0);
      return std::unique_ptr<RequestPort>(new CountingPort(master_, c));
    };
    SubscriberFactory none = [](uint16_t) -> Result<std::unique_ptr<FrameSource>> {
      return std::unique_ptr<FrameSource>();
    };
    swarm_ = std::make_unique<Swarm>(opts_, std::move(*identities), Value::map(), factory, none);
    ASSERT_TRUE(swarm_->start().has_value());
    ASSERT_TRUE(all_authenticated());
    const std::string jid = "2025010100000000010" + std::to_string(n % 10);
    swarm_->on_pub_frame(master_.publication(job(jid, "test.ping")));
    ASSERT_TRUE(wait_until([&] { return master_.returns(jid).size() == 40; }));
    swarm_->stop(milliseconds(2000));
    ASSERT_EQ(counts->size(), size_t(n));  // made at start, none by the workers
    // Each carried its minions' auth, minion_start and return at least
    // (with 40, connection c is minion c's alone).
    const int per = 40 / n;
    for (auto& c : *counts) EXPECT_GE(c.load(), 3 * per);
    swarm_.reset();
  }
}

TEST_F(SwarmTest, ARequestConnectionThatCannotBeMadeFailsTheStart) {
  opts_.req_connections = 5;
  std::vector<std::string> ids;
  for (int i = 0; i < opts_.minions; ++i) ids.push_back(minion_id(opts_, i));
  auto identities = load_identities(root_, ids);
  ASSERT_TRUE(identities.has_value());
  int made = 0;
  PortFactory factory = [&]() -> Result<std::unique_ptr<RequestPort>> {
    if (++made == 3) return make_error(Errc::kIo, "Too many open files", "tcp://127.0.0.1:1");
    return std::unique_ptr<RequestPort>(new testing::FakePort(master_));
  };
  SubscriberFactory none = [](uint16_t) -> Result<std::unique_ptr<FrameSource>> {
    return std::unique_ptr<FrameSource>();
  };
  swarm_ = std::make_unique<Swarm>(opts_, std::move(*identities), Value::map(), factory, none);
  auto st = swarm_->start();
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().to_string(),
            "--req-connections: request connection 3 of 5: tcp://127.0.0.1:1: Too many open files");
  EXPECT_EQ(master_.auth_requests(), 0u);
}

// A subscriber with several connections, fed by the test through the swarm's
// own subscriber thread.
class QueueSource : public FrameSource {
 public:
  struct Shared {
    std::mutex mu;
    std::deque<std::pair<size_t, std::string>> frames;
  };
  QueueSource(std::shared_ptr<Shared> q, size_t n) : q_(std::move(q)), n_(n) {}
  size_t connections() const override { return n_; }
  void receive(milliseconds timeout,
               const std::function<void(size_t, std::string_view)>& on_frame) override {
    std::deque<std::pair<size_t, std::string>> batch;
    {
      std::lock_guard lock(q_->mu);
      batch.swap(q_->frames);
    }
    if (batch.empty()) std::this_thread::sleep_for(std::min(timeout, milliseconds(5)));
    for (auto& [c, f] : batch) on_frame(c, f);
  }

 private:
  std::shared_ptr<Shared> q_;
  size_t n_;
};

TEST_F(SwarmTest, SubscriberThreadDeliversEveryConnectionsFrames) {
  std::vector<std::string> ids;
  for (int i = 0; i < opts_.minions; ++i) ids.push_back(minion_id(opts_, i));
  auto identities = load_identities(root_, ids);
  ASSERT_TRUE(identities.has_value());
  auto q = std::make_shared<QueueSource::Shared>();
  std::atomic<int> subscribed_port{0};
  SubscriberFactory factory = [&, q](uint16_t port) -> Result<std::unique_ptr<FrameSource>> {
    subscribed_port = port;
    return std::unique_ptr<FrameSource>(new QueueSource(q, 40));
  };
  swarm_ = std::make_unique<Swarm>(opts_, std::move(*identities), Value::map(),
                                   testing::fake_ports(master_), factory);
  ASSERT_TRUE(swarm_->start().has_value());
  ASSERT_TRUE(all_authenticated());
  EXPECT_EQ(subscribed_port.load(), 4505);  // the port the auth reply named
  auto pub = master_.publication(job("20250101000000000090", "test.ping"));
  {
    std::lock_guard lock(q->mu);
    for (size_t c = 0; c < 40; ++c) q->frames.emplace_back(c, pub);
    q->frames.emplace_back(99, pub);  // a connection the source does not have: ignored
  }
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000090").size() == 40; }));
  EXPECT_EQ(swarm_->stats().publications, 40u);
}

TEST_F(SwarmTest, MatchesTargetsPerMinion) {
  auto& s = start(Value::map({{"role", "web"}, {"os", "Debian"}}));
  ASSERT_TRUE(all_authenticated());
  s.on_pub_frame(master_.publication(job("20250101000000000003", "test.ping", "swarm-1?")));
  s.on_pub_frame(master_.publication(
      job("20250101000000000004", "test.ping", Value::list({"swarm-0", "swarm-39"}), "list")));
  s.on_pub_frame(master_.publication(
      job("20250101000000000005", "test.ping", "G@os:Debian and not swarm-2*", "compound")));
  s.on_pub_frame(master_.publication(job("20250101000000000006", "test.ping", "role:db", "grain")));
  s.on_pub_frame(
      master_.publication(job("20250101000000000007", "test.ping", "(((bad", "compound")));
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000003").size() == 10; }));
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000004").size() == 2; }));
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000005").size() == 29; }));
  std::this_thread::sleep_for(milliseconds(100));
  EXPECT_EQ(master_.returns("20250101000000000003").size(), 10u);
  EXPECT_EQ(master_.returns("20250101000000000006").size(), 0u);
  EXPECT_EQ(master_.returns("20250101000000000007").size(), 0u);
  EXPECT_TRUE(master_.returns("20250101000000000004").count("swarm-39"));
}

TEST_F(SwarmTest, RunsTestFunctionsThroughTheRegistry) {
  auto& s = start();
  ASSERT_TRUE(all_authenticated());
  s.on_pub_frame(master_.publication(
      job("20250101000000000010", "test.echo", "swarm-1", "glob", Value::list({"hello"}))));
  s.on_pub_frame(master_.publication(
      job("20250101000000000011", "test.arg", "swarm-1", "glob", Value::list({1, "foo=bar"}))));
  s.on_pub_frame(master_.publication(job("20250101000000000012", "nope.nothing", "swarm-1")));
  s.on_pub_frame(master_.publication(job("20250101000000000013", "test.echo", "swarm-1")));
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000013").size() == 1; }));
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000012").size() == 1; }));
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000011").size() == 1; }));
  EXPECT_EQ(master_.returns("20250101000000000010")["swarm-1"].get_string("return"), "hello");
  Value arg = *master_.returns("20250101000000000011")["swarm-1"].find("return");
  EXPECT_EQ(arg.find("args")->as_list()[0].as_int(), 1);
  EXPECT_EQ(arg.find("kwargs")->get_string("foo"), "bar");
  Value missing = master_.returns("20250101000000000012")["swarm-1"];
  EXPECT_EQ(missing.get_string("return"), "'nope.nothing' is not available.");
  EXPECT_EQ(missing.get_int("retcode"), 1);
  Value bad = master_.returns("20250101000000000013")["swarm-1"];
  EXPECT_NE(bad.get_string("return").find("Passed invalid arguments to test.echo"),
            std::string::npos);
}

TEST_F(SwarmTest, SleepingJobsRunWithoutBlockingAndCanBeFoundAndKilled) {
  opts_.workers = 2;
  auto& s = start();
  ASSERT_TRUE(all_authenticated());
  auto t0 = Clock::now();
  s.on_pub_frame(master_.publication(
      job("20250101000000000020", "test.sleep", "*", "glob", Value::list({1}))));
  // Two workers, 40 sleeping minions: a ping still answers at once.
  s.on_pub_frame(master_.publication(job("20250101000000000021", "test.ping")));
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000021").size() == 40; }));
  EXPECT_LT(Clock::now() - t0, milliseconds(900));
  s.on_pub_frame(master_.publication(job("20250101000000000022", "saltutil.find_job", "swarm-4",
                                         "glob", Value::list({"20250101000000000020"}))));
  s.on_pub_frame(master_.publication(job("20250101000000000023", "saltutil.kill_job", "swarm-5",
                                         "glob", Value::list({"20250101000000000020"}))));
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000022").size() == 1; }));
  Value found = *master_.returns("20250101000000000022")["swarm-4"].find("return");
  EXPECT_EQ(found.get_string("jid"), "20250101000000000020");
  EXPECT_EQ(found.get_string("fun"), "test.sleep");
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000020").size() == 40; }));
  EXPECT_GE(Clock::now() - t0, milliseconds(950));
  Value killed = master_.returns("20250101000000000020")["swarm-5"];
  EXPECT_EQ(killed.get_int("retcode"), 1);
  EXPECT_EQ(master_.returns("20250101000000000020")["swarm-6"].find("return")->as_bool(), true);
}

TEST_F(SwarmTest, SlowMinionsReturnLate) {
  opts_.slow_ms = 400;
  opts_.slow_fraction = 0.5;
  auto& s = start();
  ASSERT_TRUE(all_authenticated());
  s.on_pub_frame(master_.publication(job("20250101000000000030", "test.ping")));
  std::this_thread::sleep_for(milliseconds(200));
  size_t early = master_.returns("20250101000000000030").size();
  EXPECT_GT(early, 5u);
  EXPECT_LT(early, 35u);
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000030").size() == 40; }));
}

TEST_F(SwarmTest, ReauthenticatesAfterAMasterRestart) {
  auto& s = start();
  ASSERT_TRUE(all_authenticated());
  master_.restart();
  // Heartbeats meet unknown_channel and every minion authenticates again.
  ASSERT_TRUE(wait_until([&] { return s.stats().auth_accepts >= 80; }));
  ASSERT_TRUE(all_authenticated());
  EXPECT_EQ(master_.channel_count(), 40u);
  EXPECT_GE(s.stats().reauths, 40u);
  s.on_pub_frame(master_.publication(job("20250101000000000040", "test.ping")));
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000040").size() == 40; }));
}

TEST_F(SwarmTest, FetchesTheSessionKeyAfterARotation) {
  auto& s = start();
  ASSERT_TRUE(all_authenticated());
  // A publication under the new key before the notice: held, then delivered.
  std::string notice = master_.rotate();
  s.on_pub_frame(master_.publication(job("20250101000000000050", "test.ping")));
  s.on_pub_frame(notice);
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000050").size() == 40; }));
  EXPECT_GE(master_.key_fetches(), 40u);
  EXPECT_EQ(s.stats().rotations, 1u);
  EXPECT_EQ(s.stats().reauths, 0u);
}

TEST_F(SwarmTest, DroppedMinionsStopOrFallSilent) {
  opts_.drop_fraction = 1.0;
  opts_.drop_after_s = 0;
  auto& s = start();
  ASSERT_TRUE(wait_until([&] { return s.stats().gone == 40; }));
  EXPECT_EQ(master_.stops(), 20u);  // even indexes say goodbye
  s.on_pub_frame(master_.publication(job("20250101000000000060", "test.ping")));
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(master_.returns("20250101000000000060").size(), 0u);
}

TEST_F(SwarmTest, SurvivesHostileFramesAndReplies) {
  master_.junk_before_reply = 4;
  auto& s = start();
  ASSERT_TRUE(all_authenticated());
  std::mt19937_64 rng(42);
  auto good = master_.publication(job("20250101000000000070", "test.ping"));
  for (int i = 0; i < 3000; ++i) {
    std::string f;
    switch (i % 3) {
      case 0:
        f = crypto::random_bytes(rng() % 400);
        break;
      case 1:  // mutate a valid publication
        f = good;
        for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k) {
          f[rng() % f.size()] = static_cast<char>(rng());
        }
        break;
      default:  // truncate it
        f = good.substr(0, rng() % good.size());
    }
    s.on_pub_frame(f);
  }
  // A publication signed by another key is dropped.
  FakeMaster impostor;
  s.on_pub_frame(impostor.publication(job("20250101000000000071", "test.ping")));
  s.on_pub_frame(good);
  ASSERT_TRUE(wait_until([&] { return master_.returns("20250101000000000070").size() == 40; }));
  EXPECT_EQ(master_.returns("20250101000000000071").size(), 0u);
  EXPECT_GE(s.stats().bad_frames, 2000u);
  EXPECT_EQ(s.stats().task_failures, 0u);
}

TEST_F(SwarmTest, KeepsTryingWhileTheMasterIsSilent) {
  master_.silent = true;
  auto& s = start();
  ASSERT_TRUE(wait_until([&] { return s.stats().auth_failures >= 40; }));
  EXPECT_EQ(s.stats().authenticated, 0u);
  master_.silent = false;
  ASSERT_TRUE(all_authenticated());
}

TEST_F(SwarmTest, RefusesAMasterWithAnotherKeyOnceOneIsPinned) {
  opts_.minions = 4;
  {
    FakeMaster other;
    fs::create_directories(root_);
    ASSERT_TRUE(write_pinned_master(root_, other.public_key()).has_value());
  }
  auto& s = start();
  ASSERT_TRUE(wait_until([&] { return s.stats().auth_failures >= 8; }));
  EXPECT_EQ(s.stats().authenticated, 0u);
  EXPECT_EQ(s.stats().auth_accepts, 0u);
}

TEST_F(SwarmTest, StopSaysGoodbye) {
  auto& s = start();
  ASSERT_TRUE(all_authenticated());
  s.stop(milliseconds(5000));
  EXPECT_EQ(master_.stops(), 40u);
  EXPECT_EQ(master_.channel_count(), 0u);
}

}  // namespace
}  // namespace brine::swarm
