// Hostile input: every decoder gets random bytes, mutations of valid
// messages and hand-made msgpack that abuses lengths, nesting and types. The
// only acceptable outcomes are a clean Error or (for a mutation that happens
// to be harmless, which signatures and AEAD make essentially impossible) a
// success; never a crash, an exception or a sanitizer report.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "common/crypto/core.h"
#include "common/protocol/protocol.h"
#include "tests/common/protocol/test_util.h"

namespace brine::protocol {
namespace {

using testing::kNow;
using testing::new_keys;

class Robustness : public ::testing::Test {
 protected:
  Robustness()
      : minion_(new_keys()),
        master_(new_keys()),
        session_(SessionKey::generate(3)),
        ch_(testing::handshake(minion_, master_, session_)),
        verifier_(master_.pub) {
    verifier_.set_session_key(session_.clone());
    auth_req_ = make_auth_request(minion_, "web1", st_, kNow, "\x81\xa1k\xa1v");
    auto req = open_auth_request(auth_req_, kNow);
    EXPECT_TRUE(req.has_value());
    ChannelKeys ms;
    auth_reply_ = make_auth_reply(master_, *req, AuthStatus::kAccept, 4505, &session_, &ms, 5);
    uint64_t c = 0;
    request_ = ch_.minion->seal("request payload", &c);
    EXPECT_TRUE(ch_.master->open(request_).has_value());
    reply_ = ch_.master->seal_reply(c, "reply payload");
    key_reply_ = make_session_key_reply(*ch_.master, c, session_, 9);
    pub_ = make_publication(master_, session_, 1, kNow, "job");
    notice_ = make_rotate_notice(master_, 4, kNow);
    error_ = make_error_reply(kErrorUnknownChannel, "unknown channel");
  }

  // Feeds `bytes` to every decoder; any result but a crash is fine.
  void feed(std::string_view bytes) {
    (void)open_auth_request(bytes, kNow);
    (void)open_auth_reply(bytes, st_, master_.pub, "");
    (void)open_auth_reply(bytes, st_, std::nullopt, "ab:cd");
    (void)peek_frame(bytes);
    (void)ch_.master->open(bytes);
    (void)ch_.minion->open_reply(bytes, 1);
    (void)open_session_key_reply(*ch_.minion, bytes, 1);
    (void)verify_publication_signature(bytes, master_.pub);
    (void)verifier_.open(bytes);
    (void)open_rotate_notice(bytes, master_.pub);
    (void)open_error_reply(bytes);
  }

  std::vector<std::string> valid() const {
    return {auth_req_, auth_reply_, request_, reply_, key_reply_, pub_, notice_, error_};
  }

  crypto::KeyPair minion_, master_;
  SessionKey session_;
  testing::Established ch_;
  PublicationVerifier verifier_;
  AuthState st_;
  std::string auth_req_, auth_reply_, request_, reply_, key_reply_, pub_, notice_, error_;
};

TEST_F(Robustness, RandomBytes) {
  std::mt19937_64 rng(12345);
  for (int i = 0; i < 5000; ++i) {
    size_t n = rng() % 300;
    std::string b(n, '\0');
    for (auto& c : b) {
      c = static_cast<char>(rng());
    }
    feed(b);
  }
}

TEST_F(Robustness, RandomBytesWithMapPrefix) {
  // Start like a message so the fuzzing gets past the first byte.
  std::mt19937_64 rng(777);
  for (int i = 0; i < 5000; ++i) {
    std::string b = std::string(1, static_cast<char>(0x80 | (rng() % 16))) + "\xa1v\x01\xa1t";
    size_t n = rng() % 200;
    for (size_t j = 0; j < n; ++j) {
      b += static_cast<char>(rng());
    }
    feed(b);
  }
}

TEST_F(Robustness, MutationsOfValidMessages) {
  std::mt19937_64 rng(99);
  const auto msgs = valid();
  for (int i = 0; i < 20000; ++i) {
    const std::string& m = msgs[rng() % msgs.size()];
    std::string mutated = testing::mutate(m, rng);
    if (mutated == m) {
      continue;
    }
    feed(mutated);
    // A mutated secured message never opens.
    EXPECT_FALSE(verify_publication_signature(mutated, master_.pub).has_value() && mutated != pub_);
  }
}

TEST_F(Robustness, TruncationsOfEveryMessage) {
  for (const auto& m : valid()) {
    for (size_t n = 0; n < m.size(); ++n) {
      feed(std::string_view(m).substr(0, n));
    }
  }
}

TEST_F(Robustness, HostileMsgpack) {
  const std::string cases[] = {
      "",
      std::string(1, '\0'),
      "\xc0",                                      // nil
      "\x91\x01",                                  // array
      "\x81\xa1v\x91\x91\x91\x91\x91\x91\x01",     // nested arrays
      "\x81\xa1v\x81\xa1v\x81\xa1v\x81\xa1v\x01",  // nested maps
      std::string("\xdf\xff\xff\xff\xff", 5),      // map32 with 4G entries
      std::string("\xdd\xff\xff\xff\xff", 5),      // array32 with 4G elements
      std::string("\xc6\xff\xff\xff\xff", 5),      // bin32 of 4 GiB, no body
      std::string("\xdb\xff\xff\xff\xff", 5),      // str32 of 4 GiB
      std::string("\xc9\xff\xff\xff\xff\x01", 6),  // ext32
      "\xd4\x01\x02",                              // fixext
      "\x82\xa1v\x01\xa1v\x01",                    // duplicate key
      "\x82\x01\x01\xa1t\xa4"
      "chan",  // integer key
      "\x82\xa1v\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00\xa1t\xa4"
      "chan",  // float version
      "\x82\xa1v\xff\xa1t\xa4"
      "chan",                        // negative version
      "\x82\xa1v\x01\xa1t\xa4nope",  // unknown type
      "\x82\xa1v\x01\xa1t\x01",      // type not a string
      "\x81\xa1t\xa4"
      "chan",           // missing version
      "\x81\xa1v\x01",  // missing type
      "\x82\xa1v\x01\xa1t\xa4"
      "chan",  // chan without fields
      std::string("\x82\xa1v\x01\xa1t\xa4"
                  "chan\x00",
                  12),              // trailing byte
      "\x82\xa1v\x01\xa1t\xa3pub",  // pub without fields
      "\x82\xa1v\x01\xa1t\xa4"
      "auth",
      "\x82\xa1v\x01\xa1t\xaa"
      "auth_reply",
      "\x82\xa1v\x01\xa1t\xa6rotate",
      "\x82\xa1v\x01\xa1t\xa5"
      "error",
  };
  for (const auto& c : cases) {
    feed(c);
    auto h = peek_frame(c);
    // peek_frame reads only "v" and "t" of messages other than chan; their
    // own decoders refuse the missing fields.
    const std::string prefix = "\x82\xa1v\x01\xa1t";
    bool header_only = false;
    for (std::string_view t :
         {kTypeAuth, kTypeAuthReply, kTypePublication, kTypeRotate, kTypeError}) {
      header_only =
          header_only || c == prefix + static_cast<char>(0xa0 | t.size()) + std::string(t);
    }
    if (header_only) {
      EXPECT_TRUE(h.has_value()) << crypto::hex(c);
    } else {
      EXPECT_FALSE(h.has_value()) << crypto::hex(c);
    }
  }
}

TEST_F(Robustness, ErrorTextsForHostileMsgpack) {
  struct Case {
    std::string bytes;
    std::string error;
  } cases[] = {
      {"", "message: truncated message"},
      {"\x91\x01", "message: message structure exceeds limits (array size overflow)"},
      {std::string("\xdf\xff\xff\xff\xff", 5),
       "message: message structure exceeds limits (map size overflow)"},
      {"\x82\xa1v\x01\xa1v\x01", "message: duplicate field 'v'"},
      {"\x82\x01\x01\xa1t\xa4"
       "chan",
       "message: field name is an integer, expected a string"},
      {"\x82\xa1v\xff\xa1t\xa4"
       "chan",
       "message.v: protocol version is an integer, expected an unsigned integer"},
      {"\x82\xa1v\x01\xa1t\xa4nope", "message: unknown message type 'nope'"},
      {"\x81\xa1t\xa4"
       "chan",
       "message: missing field 'v' (protocol version)"},
      {std::string("\x82\xa1v\x01\xa1t\xa4"
                   "chan\x00",
                   12),
       "message: trailing bytes after the message (1)"},
      {"\x82\xa1v\x01\xa1t\xa4"
       "chan",
       "chan.sid: missing field"},
      {"\xc0", "message: message is nil, expected a map"},
  };
  for (const auto& c : cases) {
    auto h = peek_frame(c.bytes);
    ASSERT_FALSE(h.has_value()) << c.error;
    EXPECT_EQ(h.error().to_string(), c.error);
  }
}

TEST_F(Robustness, OversizedMessagesRefusedBeforeParsing) {
  std::string huge(kMaxPublicationBytes + 1, '\0');
  auto r = verify_publication_signature(huge, master_.pub);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::kInvalidArgument);
  std::string auth(kMaxAuthBytes + 1, '\0');
  EXPECT_EQ(open_auth_request(auth, kNow).error().code, Errc::kInvalidArgument);
  std::string frame(kMaxFrameBytes + 1, '\0');
  EXPECT_EQ(peek_frame(frame).error().code, Errc::kInvalidArgument);
}

}  // namespace
}  // namespace brine::protocol
