#include "common/protocol/publication.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/crypto/core.h"
#include "common/protocol/codec.h"
#include "tests/common/protocol/test_util.h"

namespace brine::protocol {
namespace {

using testing::kNow;
using testing::new_keys;

class PublicationTest : public ::testing::Test {
 protected:
  PublicationTest() : master_(new_keys()), session_(SessionKey::generate(7)), v_(master_.pub) {
    v_.set_session_key(session_.clone());
  }
  std::string pub(uint64_t serial, std::string_view payload = "job") {
    return make_publication(master_, session_, serial, kNow, payload);
  }

  crypto::KeyPair master_;
  SessionKey session_;
  PublicationVerifier v_;
};

TEST_F(PublicationTest, RoundTrip) {
  auto o = v_.open(pub(1, "load bytes"));
  ASSERT_TRUE(o.has_value()) << o.error().to_string();
  EXPECT_EQ(o->payload, "load bytes");
  EXPECT_EQ(o->kid, 7u);
  EXPECT_EQ(o->serial, 1u);
  EXPECT_EQ(o->ts, kNow);
  EXPECT_EQ(v_.last_serial(7), 1u);
}

TEST_F(PublicationTest, ReplayedPublicationRefused) {
  std::string p = pub(1);
  ASSERT_TRUE(v_.open(p).has_value());
  auto again = v_.open(p);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, kPubReplayed);
  EXPECT_EQ(again.error().to_string(),
            "pub.serial: replayed or stale publication (serial 1, last accepted 1)");
}

TEST_F(PublicationTest, OlderSerialRefusedGapsAllowed) {
  std::string p5 = pub(5), p3 = pub(3), p9 = pub(9);
  ASSERT_TRUE(v_.open(p5).has_value());
  EXPECT_EQ(v_.open(p3).error().code, kPubReplayed);
  EXPECT_TRUE(v_.open(p9).has_value());
}

TEST_F(PublicationTest, SerialFloorFromAuthBlocksOldCaptures) {
  // A minion restarts and re-authenticates: the master tells it the last
  // serial, so publications captured earlier cannot be replayed to it.
  std::string old = pub(10);
  PublicationVerifier fresh(master_.pub);
  fresh.set_session_key(session_.clone(), /*serial_floor=*/10);
  EXPECT_EQ(fresh.open(old).error().code, kPubReplayed);
  EXPECT_TRUE(fresh.open(pub(11)).has_value());
  // Re-installing the same kid never lowers the floor.
  fresh.set_session_key(session_.clone(), 0);
  EXPECT_EQ(fresh.last_serial(7), 11u);
}

TEST_F(PublicationTest, UnknownKidMeansFetchKey) {
  SessionKey next = SessionKey::generate(8);
  auto r = v_.open(make_publication(master_, next, 1, kNow, "x"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kPubUnknownKey);
  EXPECT_EQ(r.error().to_string(), "pub.kid: unknown session key 8 (fetch the current key)");
}

TEST_F(PublicationTest, OtherSessionKeySameKidIsStale) {
  SessionKey impostor = SessionKey::generate(7);
  auto r = v_.open(make_publication(master_, impostor, 1, kNow, "x"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kPubUnknownKey);
  EXPECT_EQ(v_.last_serial(7), 0u) << "a failed decryption must not advance the serial";
}

TEST_F(PublicationTest, OtherMastersSignatureRefused) {
  crypto::KeyPair other = new_keys();
  auto r = v_.open(make_publication(other, session_, 1, kNow, "x"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kPubForged);
  EXPECT_EQ(v_.last_serial(7), 0u);
}

TEST_F(PublicationTest, MinionHoldingSessionKeyCannotForge) {
  // Salt's shared-key weakness: here the session key alone is not enough.
  crypto::KeyPair minion = new_keys();
  auto r = v_.open(make_publication(minion, session_, 100, kNow, "cmd.run rm -rf /"));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, kPubForged);
}

TEST_F(PublicationTest, EveryByteFlipRefused) {
  std::string p = pub(1, "payload");
  for (uint8_t mask : {0x01, 0x80, 0xff}) {
    testing::for_each_flip(p, mask, [&](size_t i, const std::string& bad) {
      auto r = v_.open(bad);
      EXPECT_FALSE(r.has_value()) << "byte " << i;
    });
  }
  EXPECT_TRUE(v_.open(p).has_value());
}

TEST_F(PublicationTest, EveryTruncationRefused) {
  std::string p = pub(1, "payload");
  for (size_t n = 0; n < p.size(); ++n) {
    auto r = v_.open(std::string_view(p).substr(0, n));
    ASSERT_FALSE(r.has_value()) << n;
    EXPECT_EQ(r.error().code, Errc::kParse) << n;
  }
}

TEST_F(PublicationTest, VersionDowngradeRefused) {
  std::string p = pub(1);
  // "v" is the first entry: 0x88 0xa1 'v' 0x01.
  ASSERT_EQ(p.substr(1, 3), std::string("\xa1v\x01", 3));
  std::string v0 = p;
  v0[3] = 0;
  auto r = v_.open(v0);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kUnsupported);
  EXPECT_NE(r.error().message.find("downgrade"), std::string::npos);
}

TEST_F(PublicationTest, KeepsPreviousKeyDuringRotation) {
  std::string old_pub = pub(1, "in flight");
  SessionKey k8 = SessionKey::generate(8);
  v_.set_session_key(k8.clone());
  EXPECT_EQ(v_.current_kid(), 8u);
  EXPECT_TRUE(v_.has_kid(7));
  EXPECT_TRUE(v_.open(old_pub).has_value());
  EXPECT_TRUE(v_.open(make_publication(master_, k8, 1, kNow, "new")).has_value());
  v_.set_session_key(SessionKey::generate(9));
  EXPECT_FALSE(v_.has_kid(7));
  EXPECT_TRUE(v_.is_retired(7));
  // A publication under a retired key is a replay, not a reason to fetch keys.
  auto retired = v_.open(pub(2));
  ASSERT_FALSE(retired.has_value());
  EXPECT_EQ(retired.error().code, kPubReplayed);
  EXPECT_EQ(retired.error().to_string(), "pub.kid: publication under retired session key 7");
  // Re-installing a retired kid (the master handed it out again) revives it.
  v_.set_session_key(session_.clone());
  EXPECT_FALSE(v_.is_retired(7));
  EXPECT_TRUE(v_.open(pub(3)).has_value());
  v_.clear_session_keys();
  EXPECT_TRUE(v_.is_retired(7));
  EXPECT_FALSE(v_.current_kid().has_value());
}

TEST_F(PublicationTest, OneSignatureCheckManyMinions) {
  std::string p = pub(3, "swarm job");
  auto verified = verify_publication_signature(p, master_.pub);
  ASSERT_TRUE(verified.has_value()) << verified.error().to_string();
  EXPECT_EQ(verified->kid(), 7u);
  EXPECT_EQ(verified->serial(), 3u);
  std::vector<std::unique_ptr<PublicationVerifier>> swarm;
  for (int i = 0; i < 50; ++i) {
    swarm.push_back(std::make_unique<PublicationVerifier>(master_.pub));
    swarm.back()->set_session_key(session_.clone());
  }
  for (auto& m : swarm) {
    auto o = m->open(*verified);
    ASSERT_TRUE(o.has_value());
    EXPECT_EQ(o->payload, "swarm job");
    EXPECT_EQ(m->open(*verified).error().code, kPubReplayed);
  }
  auto plain = decrypt_publication(*verified, session_);
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(*plain, "swarm job");
  EXPECT_EQ(decrypt_publication(*verified, SessionKey::generate(8)).error().code, kPubUnknownKey);
}

TEST_F(PublicationTest, UnknownFieldRefusedEvenIfSigned) {
  std::string f;
  detail::Encoder e(f);
  e.header(MessageType::kPublication);
  e.kv_uint(kFieldKid, 7);
  e.kv_uint(kFieldSerial, 1);
  e.kv_sint(kFieldTs, kNow);
  e.kv_bin(kFieldNonce, std::string(24, 'n'));
  e.kv_bin(kFieldCiphertext, std::string(20, 'c'));
  e.kv_str("extra", "x");
  std::string msg = detail::make_signed(master_, 8, f);
  auto r = v_.open(msg);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().to_string(), "pub: unknown field 'extra'");
}

TEST(RotateNotice, RoundTripAndForgery) {
  crypto::KeyPair master = new_keys();
  auto n = open_rotate_notice(make_rotate_notice(master, 12, kNow), master.pub);
  ASSERT_TRUE(n.has_value()) << n.error().to_string();
  EXPECT_EQ(n->kid, 12u);
  EXPECT_EQ(n->ts, kNow);
  auto forged = open_rotate_notice(make_rotate_notice(new_keys(), 12, kNow), master.pub);
  ASSERT_FALSE(forged.has_value());
  EXPECT_EQ(forged.error().code, Errc::kCrypto);
  std::string msg = make_rotate_notice(master, 12, kNow);
  testing::for_each_flip(msg, 0x01, [&](size_t i, const std::string& bad) {
    EXPECT_FALSE(open_rotate_notice(bad, master.pub).has_value()) << i;
  });
  for (size_t len = 0; len < msg.size(); ++len) {
    EXPECT_FALSE(open_rotate_notice(std::string_view(msg).substr(0, len), master.pub)) << len;
  }
  // A publication is not a rotate notice.
  SessionKey s = SessionKey::generate(1);
  auto wrong = open_rotate_notice(make_publication(master, s, 1, kNow, ""), master.pub);
  ASSERT_FALSE(wrong.has_value());
  EXPECT_EQ(wrong.error().to_string(), "rotate: expected a 'rotate' message, got 'pub'");
}

}  // namespace
}  // namespace brine::protocol
