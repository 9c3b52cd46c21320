// transport: tcp, broadcast: Publisher, Subscriber, SubscriberGroup, and the
// memory an idle connection costs the publisher.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <atomic>
#include <thread>

#include "common/transport/transport.h"
#include "tests/common/transport/tcp_test_util.h"

namespace brine::transport {
namespace {

using namespace std::chrono_literals;
using testing::ep;
using testing::free_port;
using testing::raw_connect;
using testing::read_frame;
using testing::tcp_opts;

// Publishes `hello` until every subscriber has seen it (joining is asynchronous).
bool join_all(Publisher& pub, std::vector<std::unique_ptr<Subscriber>>& subs) {
  std::vector<bool> seen(subs.size(), false);
  size_t n = 0;
  for (int round = 0; round < 500 && n < subs.size(); ++round) {
    pub.publish("hello");
    for (size_t i = 0; i < subs.size(); ++i) {
      while (auto m = subs[i]->receive(seen[i] ? 0ms : 5ms)) {
        if (*m == "hello" && !seen[i]) {
          seen[i] = true;
          ++n;
        }
      }
    }
  }
  // Drain the extra hellos.
  for (auto& s : subs) {
    while (s->receive(20ms)) {
    }
  }
  return n == subs.size();
}

TEST(TcpPublisher, EverySubscriberGetsEveryMessageInOrder) {
  int port = free_port();
  auto pub = Publisher::bind({ep(port)}, tcp_opts());
  ASSERT_TRUE(pub) << pub.error().to_string();
  std::vector<std::unique_ptr<Subscriber>> subs;
  for (int i = 0; i < 5; ++i) {
    auto s = Subscriber::connect(ep(port), tcp_opts());
    ASSERT_TRUE(s);
    subs.push_back(std::move(*s));
  }
  ASSERT_TRUE(join_all(**pub, subs));
  for (int i = 0; i < 100; ++i) (*pub)->publish("m" + std::to_string(i));
  (*pub)->publish("");  // an empty message is a message
  for (auto& s : subs) {
    for (int i = 0; i < 100; ++i) {
      auto m = s->receive(5s);
      ASSERT_TRUE(m);
      EXPECT_EQ(*m, "m" + std::to_string(i));
    }
    auto empty = s->receive(5s);
    ASSERT_TRUE(empty);
    EXPECT_EQ(*empty, "");
    EXPECT_FALSE(s->receive(20ms));
  }
}

TEST(TcpPublisher, PrefixFilter) {
  int port = free_port();
  auto pub = Publisher::bind({ep(port)}, tcp_opts());
  ASSERT_TRUE(pub);
  auto sub = Subscriber::connect(ep(port), tcp_opts(), "a:");
  ASSERT_TRUE(sub);
  std::optional<std::string> got;
  for (int i = 0; i < 200 && !got; ++i) {
    (*pub)->publish("b:skip");
    (*pub)->publish("a:" + std::to_string(i));
    got = (*sub)->receive(10ms);
  }
  ASSERT_TRUE(got);
  EXPECT_TRUE(got->starts_with("a:"));
  while (auto m = (*sub)->receive(50ms)) EXPECT_TRUE(m->starts_with("a:")) << *m;
}

// A subscriber that never reads loses messages past send_hwm; the publisher
// neither blocks nor stops serving the others, and frames stay whole.
TEST(TcpPublisher, StalledSubscriberMissesMessagesPastTheHighWaterMark) {
  int port = free_port();
  auto opts = tcp_opts();
  opts.send_hwm = 10;
  auto pub = Publisher::bind({ep(port)}, opts);
  ASSERT_TRUE(pub);
  int stalled = raw_connect(port);
  ASSERT_GE(stalled, 0);
  auto sub = Subscriber::connect(ep(port), opts);
  std::vector<std::unique_ptr<Subscriber>> subs;
  subs.push_back(std::move(*sub));
  ASSERT_TRUE(join_all(**pub, subs));

  constexpr int kCount = 300;
  std::atomic<int> received{0};
  std::thread reader([&] {
    while (received < kCount) {
      auto m = subs[0]->receive(2s);
      if (!m) break;
      if (m->size() == 64 * 1024) ++received;
    }
  });
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kCount; ++i) {
    std::string payload(64 * 1024, static_cast<char>('a' + i % 26));
    (*pub)->publish(payload);
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 20s);  // publish() never blocked
  reader.join();
  EXPECT_GT(received.load(), kCount / 2);

  // The stalled peer reads now: whole frames, hellos first, far fewer than all.
  int frames = 0;
  while (auto f = read_frame(stalled, 500ms)) {
    if (f->size() == 64 * 1024) {
      ++frames;
      EXPECT_EQ(f->find_first_not_of((*f)[0]), std::string::npos);
    } else {
      EXPECT_EQ(*f, "hello");
    }
  }
  EXPECT_GT(frames, 0);
  EXPECT_LT(frames, kCount / 2);
  ::close(stalled);
}

TEST(TcpSubscriber, ReconnectsAfterThePublisherRestarts) {
  int port = free_port();
  auto pub = Publisher::bind({ep(port)}, tcp_opts());
  ASSERT_TRUE(pub);
  auto sub = Subscriber::connect(ep(port), tcp_opts());
  std::vector<std::unique_ptr<Subscriber>> subs;
  subs.push_back(std::move(*sub));
  ASSERT_TRUE(join_all(**pub, subs));
  pub->reset();
  EXPECT_FALSE(subs[0]->receive(100ms));  // notices the close, retries while nobody listens
  auto pub2 = Publisher::bind({ep(port)}, tcp_opts());
  ASSERT_TRUE(pub2) << pub2.error().to_string();
  std::optional<std::string> got;
  for (int i = 0; i < 300 && !got; ++i) {
    (*pub2)->publish("second");
    got = subs[0]->receive(10ms);
  }
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, "second");
}

TEST(TcpSubscriber, ConnectsToAPublisherStartedLater) {
  int port = free_port();
  auto sub = Subscriber::connect(ep(port), tcp_opts());
  ASSERT_TRUE(sub);
  auto t0 = std::chrono::steady_clock::now();
  EXPECT_FALSE((*sub)->receive(100ms));
  EXPECT_GE(std::chrono::steady_clock::now() - t0, 90ms);
  auto pub = Publisher::bind({ep(port)}, tcp_opts());
  ASSERT_TRUE(pub);
  std::vector<std::unique_ptr<Subscriber>> subs;
  subs.push_back(std::move(*sub));
  EXPECT_TRUE(join_all(**pub, subs));
}

TEST(TcpSubscriber, HeartbeatsDropAPublisherThatStoppedAnswering) {
  auto opts = tcp_opts();
  opts.heartbeat_ivl_ms = 30;
  opts.heartbeat_timeout_ms = 100;
  int port = 0;
  int hole = testing::raw_listen(&port);
  ASSERT_GE(hole, 0);
  auto sub = Subscriber::connect(ep(port), opts);
  ASSERT_TRUE(sub);
  EXPECT_FALSE((*sub)->receive(400ms));
  int first = testing::accept_within(hole, 1s);
  ASSERT_GE(first, 0);
  EXPECT_EQ(testing::read_bytes(first, 4, 1s), std::string(4, '\xff'));
  EXPECT_GE(testing::accept_within(hole, 1s), 0);  // reconnected
  ::close(first);
  ::close(hole);

  // A live publisher answers: a subscriber idle past the timeout still gets messages.
  int port2 = free_port();
  auto pub = Publisher::bind({ep(port2)}, opts);
  auto group = SubscriberGroup::connect(ep(port2), 3, opts);
  auto sub2 = Subscriber::connect(ep(port2), opts);
  ASSERT_TRUE(pub && group && sub2);
  EXPECT_EQ((*group)->receive(400ms, [](size_t, std::string_view) {}), 0u);
  EXPECT_FALSE((*sub2)->receive(400ms));
  (*pub)->publish("still here");
  auto got = (*sub2)->receive(2s);
  ASSERT_TRUE(got);
  EXPECT_EQ(*got, "still here");
  size_t n = 0;
  auto until = std::chrono::steady_clock::now() + 2s;
  while (n < 3 && std::chrono::steady_clock::now() < until) {
    n += (*group)->receive(100ms, [](size_t, std::string_view m) { EXPECT_EQ(m, "still here"); });
  }
  EXPECT_EQ(n, 3u);
}

TEST(TcpSubscriberGroup, FiftyConnections) {
  int port = free_port();
  auto pub = Publisher::bind({ep(port)}, tcp_opts());
  ASSERT_TRUE(pub);
  auto group = SubscriberGroup::connect(ep(port), 50, tcp_opts(), "p:");
  ASSERT_TRUE(group) << group.error().to_string();
  EXPECT_EQ((*group)->size(), 50u);
  std::vector<int> hello(50, 0);
  int joined = 0;
  for (int round = 0; round < 500 && joined < 50; ++round) {
    (*pub)->publish("p:hello");
    (*pub)->publish("q:filtered");
    (*group)->receive(10ms, [&](size_t i, std::string_view m) {
      EXPECT_EQ(m, "p:hello");
      if (hello[i]++ == 0) ++joined;
    });
  }
  ASSERT_EQ(joined, 50);
  while ((*group)->receive(50ms, [](size_t, std::string_view) {}) > 0) {
  }
  for (int i = 0; i < 10; ++i) (*pub)->publish("p:" + std::to_string(i));
  std::vector<std::vector<std::string>> got(50);
  size_t total = 0;
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (total < 500 && std::chrono::steady_clock::now() < deadline) {
    size_t n = (*group)->receive(
        100ms, [&](size_t i, std::string_view m) { got[i].emplace_back(m); }, 7);
    EXPECT_LE(n, 7u);
    total += n;
  }
  ASSERT_EQ(total, 500u);
  for (auto& g : got) {
    ASSERT_EQ(g.size(), 10u);
    for (int i = 0; i < 10; ++i) EXPECT_EQ(g[static_cast<size_t>(i)], "p:" + std::to_string(i));
  }
  // The publisher restarts: every member comes back.
  pub->reset();
  EXPECT_EQ((*group)->receive(100ms, [](size_t, std::string_view) {}), 0u);
  auto pub2 = Publisher::bind({ep(port)}, tcp_opts());
  ASSERT_TRUE(pub2);
  std::vector<bool> back(50, false);
  int n_back = 0;
  auto until = std::chrono::steady_clock::now() + 10s;
  while (n_back < 50 && std::chrono::steady_clock::now() < until) {
    (*pub2)->publish("p:back");
    (*group)->receive(10ms, [&](size_t i, std::string_view) {
      if (!back[i]) {
        back[i] = true;
        ++n_back;
      }
    });
  }
  EXPECT_EQ(n_back, 50);
}

// An idle connection costs the publisher a small struct, not buffers.
TEST(TcpPublisher, IdleConnectionsCostLittleMemory) {
  constexpr int kConns = 2000;
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 2 * kConns + 100) {
    rlimit want = rl;
    want.rlim_cur = std::min<rlim_t>(rl.rlim_max, 2 * kConns + 200);
    if (want.rlim_cur < 2 * kConns + 100 || ::setrlimit(RLIMIT_NOFILE, &want) != 0) {
      GTEST_SKIP() << "cannot raise RLIMIT_NOFILE to " << 2 * kConns + 100;
    }
  }
  int port = free_port();
  auto pub = Publisher::bind({ep(port)}, tcp_opts());
  ASSERT_TRUE(pub);
  std::vector<int> fds;
  fds.reserve(kConns);
  std::this_thread::sleep_for(100ms);
  const long before = testing::rss_kb();
  for (int i = 0; i < kConns; ++i) {
    int fd = raw_connect(port);
    ASSERT_GE(fd, 0) << i;
    fds.push_back(fd);
  }
  // Every connection accepted and served once: each gets one publication.
  int seen = 0;
  for (int round = 0; round < 50 && seen < kConns; ++round) {
    (*pub)->publish("x");
    std::this_thread::sleep_for(20ms);
    seen = 0;
    for (int fd : fds) {
      char b[64];
      if (::recv(fd, b, sizeof(b), MSG_PEEK | MSG_DONTWAIT) > 0) ++seen;
    }
  }
  ASSERT_EQ(seen, kConns);
  const long after = testing::rss_kb();
  double per_conn_kib = static_cast<double>(after - before) / kConns;
  RecordProperty("kib_per_connection", std::to_string(per_conn_kib));
  std::printf("publisher RSS: %.2f KiB per idle tcp connection\n", per_conn_kib);
  EXPECT_LT(per_conn_kib, 4.0);
  for (int fd : fds) ::close(fd);
}

}  // namespace
}  // namespace brine::transport
