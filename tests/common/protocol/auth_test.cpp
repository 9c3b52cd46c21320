#include "common/protocol/auth.h"

#include <gtest/gtest.h>

#include <vector>

#include "common/crypto/core.h"
#include "common/protocol/codec.h"
#include "tests/common/protocol/test_util.h"

namespace brine::protocol {
namespace {

using testing::kNow;
using testing::new_keys;

// Builds a correctly signed auth request with arbitrary field values, to test
// checks that come after the signature or independent of it.
std::string crafted_request(const crypto::KeyPair& kp, uint64_t version, std::string_view id,
                            std::string_view eph, int64_t ts) {
  std::string f;
  detail::Encoder e(f);
  e.kv_uint(kFieldVersion, version);
  e.kv_str(kFieldType, kTypeAuth);
  e.kv_str(kFieldId, id);
  e.kv_bin(kFieldPub, kp.pub.view());
  e.kv_bin(kFieldEph, eph);
  e.kv_bin(kFieldNonce, std::string(32, 'n'));
  e.kv_sint(kFieldTs, ts);
  return detail::make_signed(kp, 7, f);
}

TEST(Auth, AcceptRoundTrip) {
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  SessionKey session = SessionKey::generate(42);

  AuthState st;
  std::string req_bytes = make_auth_request(minion, "web1", st, kNow);
  auto req = open_auth_request(req_bytes, kNow + 10);
  ASSERT_TRUE(req.has_value()) << req.error().to_string();
  EXPECT_EQ(req->id, "web1");
  EXPECT_EQ(req->pub, minion.pub);
  EXPECT_EQ(req->ts, kNow);
  EXPECT_EQ(req->version, kProtocolVersion);
  EXPECT_TRUE(req->autosign_grains.empty());

  ChannelKeys master_side;
  std::string reply = make_auth_reply(master, *req, AuthStatus::kAccept, 4505, &session,
                                      &master_side, /*pub_serial=*/77);
  auto res = open_auth_reply(reply, st, master.pub, crypto::fingerprint(master.pub));
  ASSERT_TRUE(res.has_value()) << res.error().to_string();
  EXPECT_EQ(res->status, AuthStatus::kAccept);
  EXPECT_EQ(res->master_pub, master.pub);
  EXPECT_TRUE(res->master_pinned);
  EXPECT_EQ(res->publish_port, 4505);
  EXPECT_EQ(res->pub_serial, 77u);
  ASSERT_TRUE(res->session.has_value());
  EXPECT_EQ(res->session->kid, 42u);
  EXPECT_TRUE(res->session->key.equals(session.key));
  ASSERT_TRUE(res->channel.has_value());
  EXPECT_EQ(res->channel->sid, master_side.sid);
  EXPECT_EQ(res->channel->sid.size(), kSidBytes);
  EXPECT_TRUE(res->channel->send_key.equals(master_side.recv_key));
  EXPECT_TRUE(res->channel->recv_key.equals(master_side.send_key));
  EXPECT_FALSE(res->channel->send_key.equals(res->channel->recv_key));
}

TEST(Auth, FreshKeysPerHandshake) {
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  SessionKey session = SessionKey::generate(1);
  auto a = testing::handshake(minion, master, session);
  auto b = testing::handshake(minion, master, session);
  EXPECT_NE(a.minion->sid(), b.minion->sid());
  // A frame of one channel does not open on the next one (forward secrecy:
  // the keys come from the ephemerals).
  std::string frame = a.minion->seal("x");
  EXPECT_FALSE(b.master->open(frame).has_value());
}

TEST(Auth, GrainsAreCarriedAndSigned) {
  crypto::KeyPair minion = new_keys();
  AuthState st;
  std::string grains = "\x81\xa2os\xa5Linux";
  std::string req_bytes = make_auth_request(minion, "web1", st, kNow, grains);
  auto req = open_auth_request(req_bytes, kNow);
  ASSERT_TRUE(req.has_value()) << req.error().to_string();
  EXPECT_EQ(req->autosign_grains, grains);
  std::string tampered = req_bytes;
  tampered[tampered.find("Linux")] = 'l';
  EXPECT_FALSE(open_auth_request(tampered, kNow).has_value());
}

TEST(Auth, CallModeIsCarriedAndSigned) {
  crypto::KeyPair minion = new_keys();
  AuthState st;
  std::string plain = make_auth_request(minion, "web1", st, kNow);
  EXPECT_EQ(open_auth_request(plain, kNow)->mode, AuthMode::kMinion);
  EXPECT_EQ(plain.find("mode"), std::string::npos);  // absent unless asked for

  std::string req_bytes = make_auth_request(minion, "web1", st, kNow, {}, AuthMode::kCall);
  auto req = open_auth_request(req_bytes, kNow);
  ASSERT_TRUE(req.has_value()) << req.error().to_string();
  EXPECT_EQ(req->mode, AuthMode::kCall);
  EXPECT_TRUE(req->autosign_grains.empty());

  // With grains too: both optional fields, in table order.
  std::string both =
      make_auth_request(minion, "web1", st, kNow, "\x81\xa2os\xa5Linux", AuthMode::kCall);
  auto with_grains = open_auth_request(both, kNow);
  ASSERT_TRUE(with_grains.has_value()) << with_grains.error().to_string();
  EXPECT_EQ(with_grains->mode, AuthMode::kCall);
  EXPECT_LT(both.find("grains"), both.find("mode"));

  // The mode is signed: turning "call" into something else breaks the signature
  // or the value check, never yields a daemon channel.
  std::string tampered = req_bytes;
  tampered[tampered.find("call")] = 'k';
  EXPECT_FALSE(open_auth_request(tampered, kNow).has_value());
}

TEST(Auth, UnknownOrMistypedModeIsRefused) {
  crypto::KeyPair minion = new_keys();
  auto with_mode = [&](auto&& put) {
    std::string f;
    detail::Encoder e(f);
    e.kv_uint(kFieldVersion, kProtocolVersion);
    e.kv_str(kFieldType, kTypeAuth);
    e.kv_str(kFieldId, "web1");
    e.kv_bin(kFieldPub, minion.pub.view());
    e.kv_bin(kFieldEph, crypto::as_view(crypto::kx_generate().pub));
    e.kv_bin(kFieldNonce, std::string(32, 'n'));
    e.kv_sint(kFieldTs, kNow);
    put(e);
    return detail::make_signed(minion, 8, f);
  };
  auto unknown =
      open_auth_request(with_mode([](auto& e) { e.kv_str(kFieldMode, "daemon"); }), kNow);
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, Errc::kProtocol);
  EXPECT_EQ(unknown.error().message, "unknown mode 'daemon'");
  EXPECT_EQ(unknown.error().where, "auth.mode");

  auto as_bin = open_auth_request(with_mode([](auto& e) { e.kv_bin(kFieldMode, "call"); }), kNow);
  ASSERT_FALSE(as_bin.has_value());
  EXPECT_EQ(as_bin.error().code, Errc::kParse);

  auto too_long = open_auth_request(
      with_mode([](auto& e) { e.kv_str(kFieldMode, std::string(kMaxModeBytes + 1, 'c')); }), kNow);
  ASSERT_FALSE(too_long.has_value());
  EXPECT_EQ(too_long.error().code, Errc::kParse);
}

TEST(Auth, TofuReturnsMasterKeyUnpinned) {
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  AuthState st;
  auto req = open_auth_request(make_auth_request(minion, "web1", st, kNow), kNow);
  ASSERT_TRUE(req.has_value());
  std::string reply = make_auth_reply(master, *req, AuthStatus::kPending, 4505, nullptr, nullptr);
  auto res = open_auth_reply(reply, st, std::nullopt, "");
  ASSERT_TRUE(res.has_value()) << res.error().to_string();
  EXPECT_FALSE(res->master_pinned);
  EXPECT_EQ(res->master_pub, master.pub);
  EXPECT_EQ(res->status, AuthStatus::kPending);
  EXPECT_FALSE(res->channel.has_value());
  EXPECT_FALSE(res->session.has_value());
}

TEST(Auth, EveryNonAcceptStatusIsSigned) {
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  crypto::KeyPair mitm = new_keys();
  for (AuthStatus s :
       {AuthStatus::kPending, AuthStatus::kRejected, AuthStatus::kDenied, AuthStatus::kFull}) {
    AuthState st;
    auto req = open_auth_request(make_auth_request(minion, "web1", st, kNow), kNow);
    ASSERT_TRUE(req.has_value());
    auto ok = open_auth_reply(make_auth_reply(master, *req, s, 4505, nullptr, nullptr), st,
                              master.pub, "");
    ASSERT_TRUE(ok.has_value()) << to_string(s);
    EXPECT_EQ(ok->status, s);
    // CVE-2022-22935: a man in the middle cannot make the minion give up.
    auto forged =
        open_auth_reply(make_auth_reply(mitm, *req, s, 4505, nullptr, nullptr), st, master.pub, "");
    ASSERT_FALSE(forged.has_value());
    EXPECT_EQ(forged.error().code, Errc::kCrypto);
  }
}

TEST(Auth, StatusStrings) {
  for (AuthStatus s : {AuthStatus::kAccept, AuthStatus::kPending, AuthStatus::kRejected,
                       AuthStatus::kDenied, AuthStatus::kFull}) {
    EXPECT_EQ(parse_auth_status(to_string(s)), s);
  }
  EXPECT_EQ(to_string(AuthStatus::kPending), "pending");
  EXPECT_FALSE(parse_auth_status("True").has_value());
}

TEST(Auth, MasterKeyChangeRefused) {
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  crypto::KeyPair other = new_keys();
  SessionKey session = SessionKey::generate(1);
  AuthState st;
  auto req = open_auth_request(make_auth_request(minion, "web1", st, kNow), kNow);
  ASSERT_TRUE(req.has_value());
  ChannelKeys ms;
  std::string reply = make_auth_reply(other, *req, AuthStatus::kAccept, 4505, &session, &ms);
  auto res = open_auth_reply(reply, st, master.pub, "");
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().code, Errc::kCrypto);
  EXPECT_NE(res.error().message.find("the master key has changed"), std::string::npos);
  EXPECT_NE(res.error().message.find("could have been subverted"), std::string::npos);
}

TEST(Auth, MasterFingerChecked) {
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  AuthState st;
  auto req = open_auth_request(make_auth_request(minion, "web1", st, kNow), kNow);
  ASSERT_TRUE(req.has_value());
  std::string reply = make_auth_reply(master, *req, AuthStatus::kPending, 4505, nullptr, nullptr);
  std::string finger = crypto::fingerprint(master.pub);
  std::string upper = finger;
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  EXPECT_TRUE(open_auth_reply(reply, st, std::nullopt, upper).has_value());
  auto bad = open_auth_reply(reply, st, std::nullopt, crypto::fingerprint(new_keys().pub));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, Errc::kPermissionDenied);
  EXPECT_NE(bad.error().message.find("does not match master_finger"), std::string::npos);
}

TEST(Auth, ReplyToAnotherRequestRefused) {
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  AuthState st1, st2;
  auto req1 = open_auth_request(make_auth_request(minion, "web1", st1, kNow), kNow);
  make_auth_request(minion, "web1", st2, kNow);
  ASSERT_TRUE(req1.has_value());
  std::string reply = make_auth_reply(master, *req1, AuthStatus::kRejected, 4505, nullptr, nullptr);
  auto res = open_auth_reply(reply, st2, master.pub, "");
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().to_string(),
            "auth_reply.nonce: reply does not answer our auth request (nonce mismatch)");
}

TEST(Auth, ReplyIsBoundToTheRequestTranscript) {
  // Same nonce, but the master answered a request with another ephemeral key
  // or id: the signature covers them, so the minion refuses.
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  SessionKey session = SessionKey::generate(1);
  AuthState st;
  auto req = open_auth_request(make_auth_request(minion, "web1", st, kNow), kNow);
  ASSERT_TRUE(req.has_value());
  AuthRequest swapped_eph = *req;
  swapped_eph.eph = crypto::kx_generate().pub;
  ChannelKeys ms;
  auto r1 = open_auth_reply(
      make_auth_reply(master, swapped_eph, AuthStatus::kAccept, 4505, &session, &ms), st,
      master.pub, "");
  ASSERT_FALSE(r1.has_value());
  EXPECT_EQ(r1.error().where, "auth_reply.sig");
  AuthRequest swapped_id = *req;
  swapped_id.id = "web2";
  auto r2 = open_auth_reply(
      make_auth_reply(master, swapped_id, AuthStatus::kRejected, 4505, nullptr, nullptr), st,
      master.pub, "");
  ASSERT_FALSE(r2.has_value());
  EXPECT_EQ(r2.error().where, "auth_reply.sig");
}

TEST(Auth, EveryByteFlipOfRequestRefused) {
  crypto::KeyPair minion = new_keys();
  AuthState st;
  std::string req = make_auth_request(minion, "web1", st, kNow);
  for (uint8_t mask : {0x01, 0x80, 0xff}) {
    testing::for_each_flip(req, mask, [&](size_t i, const std::string& bad) {
      EXPECT_FALSE(open_auth_request(bad, kNow).has_value()) << "byte " << i;
    });
  }
}

TEST(Auth, EveryByteFlipOfReplyRefused) {
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  SessionKey session = SessionKey::generate(9);
  AuthState st;
  auto req = open_auth_request(make_auth_request(minion, "web1", st, kNow), kNow);
  ASSERT_TRUE(req.has_value());
  ChannelKeys ms;
  std::string reply = make_auth_reply(master, *req, AuthStatus::kAccept, 4505, &session, &ms);
  for (uint8_t mask : {0x01, 0x80, 0xff}) {
    testing::for_each_flip(reply, mask, [&](size_t i, const std::string& bad) {
      EXPECT_FALSE(open_auth_reply(bad, st, std::nullopt, "").has_value()) << "byte " << i;
    });
  }
}

TEST(Auth, EveryTruncationRefused) {
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  SessionKey session = SessionKey::generate(9);
  AuthState st;
  std::string req_bytes = make_auth_request(minion, "web1", st, kNow);
  auto req = open_auth_request(req_bytes, kNow);
  ASSERT_TRUE(req.has_value());
  ChannelKeys ms;
  std::string reply = make_auth_reply(master, *req, AuthStatus::kAccept, 4505, &session, &ms);
  for (size_t n = 0; n < req_bytes.size(); ++n) {
    auto r = open_auth_request(std::string_view(req_bytes).substr(0, n), kNow);
    ASSERT_FALSE(r.has_value()) << n;
    EXPECT_EQ(r.error().code, Errc::kParse) << n;
  }
  for (size_t n = 0; n < reply.size(); ++n) {
    EXPECT_FALSE(open_auth_reply(std::string_view(reply).substr(0, n), st, master.pub, "")) << n;
  }
}

TEST(Auth, SignatureByAnotherKeyRefused) {
  // The request presents key B but is signed with key A: no proof of
  // possession of B (CVE-2024-38825 class).
  crypto::KeyPair a = new_keys();
  crypto::KeyPair b = new_keys();
  AuthState st;
  std::string req = make_auth_request(a, "web1", st, kNow);
  size_t at = req.find(std::string(a.pub.view()));
  ASSERT_NE(at, std::string::npos);
  req.replace(at, crypto::kPublicKeyBytes, b.pub.view());
  auto r = open_auth_request(req, kNow);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kCrypto);
  EXPECT_EQ(r.error().to_string(),
            "auth.sig: bad signature on auth request from 'web1' (no proof of possession of "
            "the presented key)");
}

TEST(Auth, ClockSkewAndExpiry) {
  crypto::KeyPair minion = new_keys();
  AuthState st;
  std::string req = make_auth_request(minion, "web1", st, kNow);
  EXPECT_TRUE(open_auth_request(req, kNow + 300).has_value());
  EXPECT_TRUE(open_auth_request(req, kNow - 300).has_value());
  auto late = open_auth_request(req, kNow + 301);
  ASSERT_FALSE(late.has_value());
  EXPECT_EQ(late.error().code, Errc::kTimeout);
  EXPECT_EQ(late.error().to_string(),
            "auth.ts: auth request from 'web1' is behind the master's clock by 301 s (limit "
            "300 s); check the clocks or this is a replay");
  auto early = open_auth_request(req, kNow - 301);
  ASSERT_FALSE(early.has_value());
  EXPECT_EQ(early.error().code, Errc::kTimeout);
  EXPECT_TRUE(open_auth_request(req, kNow + 1000, 1000).has_value());
  EXPECT_FALSE(open_auth_request(req, kNow + 11, 10).has_value());
  // Extreme timestamps do not overflow.
  crypto::KeyPair kp = new_keys();
  std::string eph(crypto::as_view(crypto::kx_generate().pub));
  EXPECT_FALSE(open_auth_request(crafted_request(kp, 1, "x", eph, INT64_MIN), kNow));
  EXPECT_FALSE(open_auth_request(crafted_request(kp, 1, "x", eph, INT64_MAX), -kNow));
}

TEST(Auth, VersionDowngradeRefused) {
  crypto::KeyPair kp = new_keys();
  std::string eph(crypto::as_view(crypto::kx_generate().pub));
  ASSERT_TRUE(open_auth_request(crafted_request(kp, 1, "web1", eph, kNow), kNow).has_value());
  auto v0 = open_auth_request(crafted_request(kp, 0, "web1", eph, kNow), kNow);
  ASSERT_FALSE(v0.has_value());
  EXPECT_EQ(v0.error().code, Errc::kUnsupported);
  EXPECT_EQ(v0.error().to_string(),
            "auth.v: protocol version 0 refused: the minimum accepted version is 1 (downgrade)");
  auto v2 = open_auth_request(crafted_request(kp, 2, "web1", eph, kNow), kNow);
  ASSERT_FALSE(v2.has_value());
  EXPECT_EQ(v2.error().code, Errc::kUnsupported);
  EXPECT_EQ(v2.error().to_string(),
            "auth.v: protocol version 2 is not supported (this build speaks 1 to 1)");
}

TEST(Auth, LowOrderEphemeralRefused) {
  crypto::KeyPair kp = new_keys();
  auto r = open_auth_request(crafted_request(kp, 1, "web1", std::string(32, '\0'), kNow), kNow);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().where, "auth.eph");
}

TEST(Auth, IdGrammar) {
  struct Case {
    std::string id;
    const char* error;  // nullptr = valid
  } cases[] = {
      {"web1", nullptr},
      {"web-1.example.com", nullptr},
      {"a..b", nullptr},
      {"ünïcode", nullptr},
      {std::string(255, 'a'), nullptr},
      {"", "invalid minion id '': empty"},
      {std::string(256, 'a'), nullptr /* checked below */},
      {".", "invalid minion id '.': is a directory name"},
      {"..", "invalid minion id '..': is a directory name"},
      {".hidden", "invalid minion id '.hidden': starts with '.'"},
      {"a/b", "invalid minion id 'a/b': contains '/'"},
      {"../../etc", "invalid minion id '../../etc': starts with '.'"},
      {"a\\b", "invalid minion id 'a\\x5cb': contains '\\'"},
      {std::string("a\0b", 3), "invalid minion id 'a\\x00b': contains a NUL byte"},
      {"a\nb", "invalid minion id 'a\\x0ab': contains a control character"},
  };
  for (const auto& c : cases) {
    Status st = check_minion_id(c.id);
    if (c.id.size() == 256) {
      ASSERT_FALSE(st.has_value());
      EXPECT_NE(st.error().message.find("longer than 255 bytes"), std::string::npos);
      continue;
    }
    if (c.error == nullptr) {
      EXPECT_TRUE(st.has_value()) << c.id << ": " << st.error().to_string();
    } else {
      ASSERT_FALSE(st.has_value()) << c.id;
      EXPECT_EQ(st.error().code, Errc::kInvalidArgument);
      EXPECT_EQ(st.error().message, c.error);
    }
  }
}

TEST(Auth, BadIdRefusedByMaster) {
  crypto::KeyPair minion = new_keys();
  for (const std::string& id :
       std::vector<std::string>{"a/b", "..", "", ".x", std::string(300, 'x')}) {
    AuthState st;
    auto r = open_auth_request(make_auth_request(minion, id, st, kNow), kNow);
    ASSERT_FALSE(r.has_value()) << id;
    EXPECT_TRUE(r.error().code == Errc::kInvalidArgument || r.error().code == Errc::kParse)
        << r.error().to_string();
  }
}

TEST(Auth, NonAcceptReplyWithAcceptFieldsRefused) {
  // A pending reply must not smuggle keys.
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  SessionKey session = SessionKey::generate(3);
  AuthState st;
  auto req = open_auth_request(make_auth_request(minion, "web1", st, kNow), kNow);
  ASSERT_TRUE(req.has_value());
  ChannelKeys ms;
  std::string reply = make_auth_reply(master, *req, AuthStatus::kAccept, 4505, &session, &ms);
  // Same length: "accept" -> "denied" keeps the encoding valid.
  size_t at = reply.find("accept");
  ASSERT_NE(at, std::string::npos);
  reply.replace(at, 6, "denied");
  auto r = open_auth_reply(reply, st, master.pub, "");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().to_string(), "auth_reply: unknown field 'meph'");
}

TEST(Auth, HostileAcceptForInvalidOwnIdDoesNotCrash) {
  // A minion misconfigured with an over-long id gets an "accept" from a
  // hostile master: refused cleanly, no assertion in the key derivation.
  crypto::KeyPair minion = new_keys();
  crypto::KeyPair master = new_keys();
  SessionKey session = SessionKey::generate(1);
  AuthState st;
  std::string long_id(300, 'x');
  make_auth_request(minion, long_id, st, kNow);
  AuthRequest fake;
  fake.id = "x";
  fake.pub = minion.pub;
  fake.eph = st.eph.pub;
  fake.nonce = st.nonce;
  fake.ts = kNow;
  ChannelKeys ms;
  std::string reply = make_auth_reply(master, fake, AuthStatus::kAccept, 4505, &session, &ms);
  auto r = open_auth_reply(reply, st, std::nullopt, "");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
}

TEST(AuthReplayGuard, RefusesSecondUseWithinWindow) {
  AuthReplayGuard g(1000, 300);
  Nonce a{}, b{};
  a[0] = 1;
  b[0] = 2;
  EXPECT_TRUE(g.first_use(a, kNow));
  EXPECT_FALSE(g.first_use(a, kNow + 10));
  EXPECT_TRUE(g.first_use(b, kNow + 10));
  // After twice the skew window the request itself is expired anyway.
  EXPECT_TRUE(g.first_use(a, kNow + 700));
}

TEST(AuthReplayGuard, BoundedCapacity) {
  AuthReplayGuard g(4, 300);
  for (uint8_t i = 0; i < 10; ++i) {
    Nonce n{};
    n[0] = i;
    EXPECT_TRUE(g.first_use(n, kNow));
  }
  Nonce last{};
  last[0] = 9;
  EXPECT_FALSE(g.first_use(last, kNow));
}

}  // namespace
}  // namespace brine::protocol
