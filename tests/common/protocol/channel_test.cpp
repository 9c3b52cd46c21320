#include "common/protocol/channel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>
#include <vector>

#include "common/crypto/core.h"
#include "common/protocol/publication.h"
#include "tests/common/protocol/test_util.h"

namespace brine::protocol {
namespace {

using testing::new_keys;

class ChannelTest : public ::testing::Test {
 protected:
  ChannelTest()
      : minion_kp_(new_keys()),
        master_kp_(new_keys()),
        session_(SessionKey::generate(5)),
        ch_(testing::handshake(minion_kp_, master_kp_, session_)) {}

  crypto::KeyPair minion_kp_;
  crypto::KeyPair master_kp_;
  SessionKey session_;
  testing::Established ch_;
};

TEST_F(ChannelTest, RequestAndReplyRoundTrip) {
  uint64_t ctr = 0;
  std::string frame = ch_.minion->seal("return payload", &ctr);
  EXPECT_EQ(ctr, 1u);
  auto opened = ch_.master->open(frame);
  ASSERT_TRUE(opened.has_value()) << opened.error().to_string();
  EXPECT_EQ(opened->payload, "return payload");
  EXPECT_EQ(opened->ctr, 1u);
  EXPECT_EQ(opened->reply_to, 0u);

  std::string reply = ch_.master->seal_reply(opened->ctr, "ack");
  auto back = ch_.minion->open_reply(reply, ctr);
  ASSERT_TRUE(back.has_value()) << back.error().to_string();
  EXPECT_EQ(*back, "ack");
}

TEST_F(ChannelTest, EmptyAndLargePayloads) {
  auto e = ch_.master->open(ch_.minion->seal(""));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->payload, "");
  std::string big(5 << 20, 'x');
  auto b = ch_.master->open(ch_.minion->seal(big));
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->payload, big);
}

TEST_F(ChannelTest, PeekRoutesWithoutDecrypting) {
  uint64_t ctr = 0;
  std::string frame = ch_.minion->seal("p", &ctr);
  auto h = peek_frame(frame);
  ASSERT_TRUE(h.has_value()) << h.error().to_string();
  EXPECT_EQ(h->type, MessageType::kChannel);
  EXPECT_EQ(h->version, kProtocolVersion);
  EXPECT_EQ(h->sid, ch_.master->sid());
  EXPECT_EQ(h->ctr, ctr);
  EXPECT_EQ(h->reply_to, 0u);
  auto o = ch_.master->open(*h);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->payload, "p");

  std::string reply = ch_.master->seal_reply(ctr, "r");
  auto rh = peek_frame(reply);
  ASSERT_TRUE(rh.has_value());
  EXPECT_EQ(rh->reply_to, ctr);
  auto r = ch_.minion->open_reply(*rh, rh->reply_to);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, "r");

  auto eh = peek_frame(make_error_reply(kErrorUnknownChannel, "restart"));
  ASSERT_TRUE(eh.has_value());
  EXPECT_EQ(eh->type, MessageType::kError);
}

TEST_F(ChannelTest, ReplayedFrameRefused) {
  std::string frame = ch_.minion->seal("once");
  ASSERT_TRUE(ch_.master->open(frame).has_value());
  auto again = ch_.master->open(frame);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, Errc::kAlreadyExists);
  EXPECT_EQ(again.error().to_string(), "chan.ctr: replayed or too old frame (ctr 1)");
}

TEST_F(ChannelTest, OutOfOrderAccepted) {
  std::vector<std::string> frames;
  for (int i = 0; i < 10; ++i) {
    frames.push_back(ch_.minion->seal(std::to_string(i)));
  }
  for (int i = 9; i >= 0; --i) {
    auto o = ch_.master->open(frames[static_cast<size_t>(i)]);
    ASSERT_TRUE(o.has_value()) << i;
    EXPECT_EQ(o->payload, std::to_string(i));
  }
  for (const auto& f : frames) {
    EXPECT_FALSE(ch_.master->open(f).has_value());
  }
}

TEST_F(ChannelTest, TooOldFrameRefused) {
  std::string first = ch_.minion->seal("first");
  std::string last;
  for (size_t i = 0; i < kReplayWindowSize + 1; ++i) {
    last = ch_.minion->seal("x");
  }
  ASSERT_TRUE(ch_.master->open(last).has_value());
  auto old = ch_.master->open(first);
  ASSERT_FALSE(old.has_value());
  EXPECT_EQ(old.error().code, Errc::kAlreadyExists);
}

TEST_F(ChannelTest, ReplyBoundToItsRequest) {
  uint64_t c1 = 0, c2 = 0;
  std::string r1 = ch_.minion->seal("req1", &c1);
  std::string r2 = ch_.minion->seal("req2", &c2);
  ASSERT_TRUE(ch_.master->open(r1) && ch_.master->open(r2));
  std::string reply1 = ch_.master->seal_reply(c1, "answer1");
  // Delivered as the answer to request 2: refused.
  auto wrong = ch_.minion->open_reply(reply1, c2);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().code, Errc::kCrypto);
  EXPECT_EQ(wrong.error().to_string(), "chan.re: reply to request 1, expected 2");
  // Rewriting "re" on the wire breaks authentication.
  auto h = peek_frame(reply1);
  ASSERT_TRUE(h.has_value());
  std::string rewritten = reply1;
  size_t at = rewritten.find(std::string("\xa2re\x01", 4));
  ASSERT_NE(at, std::string::npos);
  rewritten[at + 3] = static_cast<char>(c2);
  auto forged = ch_.minion->open_reply(rewritten, c2);
  ASSERT_FALSE(forged.has_value());
  EXPECT_EQ(forged.error().code, Errc::kCrypto);
  // The genuine delivery still works, once.
  ASSERT_TRUE(ch_.minion->open_reply(reply1, c1).has_value());
  auto replay = ch_.minion->open_reply(reply1, c1);
  ASSERT_FALSE(replay.has_value());
  EXPECT_EQ(replay.error().code, Errc::kAlreadyExists);
}

TEST_F(ChannelTest, RequestAndReplyKindsNotInterchangeable) {
  uint64_t c = 0;
  std::string req = ch_.minion->seal("q", &c);
  auto as_reply = ch_.master->open_reply(req, c);
  ASSERT_FALSE(as_reply.has_value());
  EXPECT_EQ(as_reply.error().to_string(), "chan.re: expected a reply to request 1, got a request");
  std::string reply = ch_.master->seal_reply(c, "a");
  auto as_req = ch_.minion->open(reply);
  ASSERT_FALSE(as_req.has_value());
  EXPECT_EQ(as_req.error().code, Errc::kProtocol);
}

TEST_F(ChannelTest, ReflectedFrameRefused) {
  std::string frame = ch_.minion->seal("to master");
  auto r = ch_.minion->open(frame);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kCrypto);
}

TEST_F(ChannelTest, OtherChannelRefused) {
  auto other = testing::handshake(new_keys(), master_kp_, session_, "web2");
  std::string frame = other.minion->seal("hello");
  auto r = ch_.master->open(frame);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kNotFound);
  // Same sid, different keys (an attacker guessing the sid).
  ChannelKeys fake;
  fake.sid = ch_.minion->sid();
  fake.side = Side::kMinion;
  fake.send_key = crypto::SecretBytes::copy_of(crypto::random_bytes(32));
  fake.recv_key = crypto::SecretBytes::copy_of(crypto::random_bytes(32));
  Channel attacker(std::move(fake));
  auto forged = ch_.master->open(attacker.seal("forged"));
  ASSERT_FALSE(forged.has_value());
  EXPECT_EQ(forged.error().code, Errc::kCrypto);
  // A forged frame does not consume its counter: the genuine frame 1 opens.
  EXPECT_TRUE(ch_.master->open(ch_.minion->seal("genuine")).has_value());
}

TEST_F(ChannelTest, EveryByteFlipRefused) {
  std::string frame = ch_.minion->seal("payload bytes");
  for (uint8_t mask : {0x01, 0x80, 0xff}) {
    testing::for_each_flip(frame, mask, [&](size_t i, const std::string& bad) {
      EXPECT_FALSE(ch_.master->open(bad).has_value()) << "byte " << i;
    });
  }
  EXPECT_TRUE(ch_.master->open(frame).has_value());
  uint64_t c = 0;
  ch_.minion->seal("q", &c);
  std::string reply = ch_.master->seal_reply(c, "reply bytes");
  testing::for_each_flip(reply, 0x01, [&](size_t i, const std::string& bad) {
    EXPECT_FALSE(ch_.minion->open_reply(bad, c).has_value()) << "byte " << i;
  });
}

TEST_F(ChannelTest, EveryTruncationRefused) {
  std::string frame = ch_.minion->seal("payload bytes");
  for (size_t n = 0; n < frame.size(); ++n) {
    auto r = ch_.master->open(std::string_view(frame).substr(0, n));
    ASSERT_FALSE(r.has_value()) << n;
    EXPECT_EQ(r.error().code, Errc::kParse) << n << " " << r.error().to_string();
  }
  EXPECT_TRUE(ch_.master->open(frame).has_value());
}

TEST_F(ChannelTest, ConcurrentSealAndOpen) {
  constexpr int kThreads = 4;
  // Fewer frames than the replay window, so no frame can fall behind it
  // however the threads are scheduled.
  constexpr int kPerThread = 250;
  static_assert(kThreads * kPerThread < kReplayWindowSize);
  std::vector<std::string> frames(kThreads * kPerThread);
  std::vector<std::thread> ts;
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        frames[static_cast<size_t>(t * kPerThread + i)] =
            ch_.minion->seal(std::to_string(t * kPerThread + i));
      }
    });
  }
  for (auto& t : ts) t.join();
  ts.clear();
  // Every frame delivered twice, opened concurrently: each opens exactly once.
  std::atomic<int> opened{0}, refused{0};
  for (int t = 0; t < kThreads; ++t) {
    ts.emplace_back([&, t] {
      for (int round = 0; round < 2; ++round) {
        for (size_t i = static_cast<size_t>(t); i < frames.size(); i += kThreads) {
          if (ch_.master->open(frames[i])) {
            ++opened;
          } else {
            ++refused;
          }
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  EXPECT_EQ(opened.load(), kThreads * kPerThread);
  EXPECT_EQ(refused.load(), kThreads * kPerThread);
  EXPECT_EQ(ch_.minion->next_ctr(), static_cast<uint64_t>(kThreads * kPerThread + 1));
}

TEST(ErrorReply, RoundTripAndLimits) {
  auto e = open_error_reply(make_error_reply(kErrorUnknownChannel, "unknown channel"));
  ASSERT_TRUE(e.has_value()) << e.error().to_string();
  EXPECT_EQ(e->code, "unknown_channel");
  EXPECT_EQ(e->message, "unknown channel");
  auto l = open_error_reply(make_error_reply(std::string(100, 'c'), std::string(5000, 'm')));
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->code.size(), kMaxErrorCodeBytes);
  EXPECT_EQ(l->message.size(), kMaxErrorMessageBytes);
  std::string r = make_error_reply("x", "y");
  for (size_t n = 0; n < r.size(); ++n) {
    EXPECT_FALSE(open_error_reply(std::string_view(r).substr(0, n)).has_value());
  }
}

TEST_F(ChannelTest, SessionKeyReplyRoundTrip) {
  SessionKey next = SessionKey::generate(6);
  uint64_t c = 0;
  ASSERT_TRUE(ch_.master->open(ch_.minion->seal("_session_key", &c)));
  std::string reply = make_session_key_reply(*ch_.master, c, next, 1234);
  auto upd = open_session_key_reply(*ch_.minion, reply, c);
  ASSERT_TRUE(upd.has_value()) << upd.error().to_string();
  EXPECT_EQ(upd->session.kid, 6u);
  EXPECT_TRUE(upd->session.key.equals(next.key));
  EXPECT_EQ(upd->pub_serial, 1234u);
  // Replayed, or presented as the answer to another request: refused.
  EXPECT_FALSE(open_session_key_reply(*ch_.minion, reply, c).has_value());
  uint64_t c2 = 0;
  ch_.minion->seal("_session_key", &c2);
  EXPECT_FALSE(open_session_key_reply(*ch_.minion, reply, c2).has_value());
  // An ordinary reply is not a key reply.
  std::string plain = ch_.master->seal_reply(c2, "not a key");
  auto bad = open_session_key_reply(*ch_.minion, plain, c2);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, Errc::kParse);
}

}  // namespace
}  // namespace brine::protocol
