// msgpack: exact bytes for the basic encodings (per the msgpack spec, which
// Python's msgpack.packb(use_bin_type=True) follows), round trips, limits,
// and thousands of random and mutated inputs that must never crash.
#include "common/codec/msgpack.h"

#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

#include "common/codec/msgpack_value.h"
#include "common/codec/python_repr.h"

namespace brine::codec {
namespace {

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s.push_back(static_cast<char>(c));
  return s;
}

TEST(Msgpack, EncodesLikePythonMsgpack) {
  EXPECT_EQ(msgpack_pack(Value()), bytes({0xc0}));
  EXPECT_EQ(msgpack_pack(Value(false)), bytes({0xc2}));
  EXPECT_EQ(msgpack_pack(Value(true)), bytes({0xc3}));
  EXPECT_EQ(msgpack_pack(Value(1)), bytes({0x01}));
  EXPECT_EQ(msgpack_pack(Value(-1)), bytes({0xff}));
  EXPECT_EQ(msgpack_pack(Value(200)), bytes({0xcc, 0xc8}));
  EXPECT_EQ(msgpack_pack(Value(-200)), bytes({0xd1, 0xff, 0x38}));
  EXPECT_EQ(msgpack_pack(Value(70000)), bytes({0xce, 0x00, 0x01, 0x11, 0x70}));
  EXPECT_EQ(msgpack_pack(Value(1.5)), bytes({0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(msgpack_pack(Value("abc")), bytes({0xa3, 'a', 'b', 'c'}));
  EXPECT_EQ(msgpack_pack(Value::list({1, "a"})), bytes({0x92, 0x01, 0xa1, 'a'}));
  EXPECT_EQ(msgpack_pack(Value::map({{"a", Value()}})), bytes({0x81, 0xa1, 'a', 0xc0}));
  EXPECT_EQ(msgpack_pack(Value(std::string(40, 'x'))).substr(0, 2), bytes({0xd9, 40}));
}

TEST(Msgpack, DecodesOtherEncodings) {
  auto check = [](const std::string& in, const char* repr) {
    auto v = msgpack_unpack(in);
    ASSERT_TRUE(v) << v.error().to_string();
    EXPECT_EQ(python_repr(*v), repr);
  };
  check(bytes({0xc4, 0x03, 'a', 'b', 'c'}), "'abc'");                   // bin
  check(bytes({0xca, 0x3f, 0xc0, 0x00, 0x00}), "1.5");                  // float32
  check(bytes({0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}),  // uint64 max
        "1.8446744073709552e+19");
  check(bytes({0xd3, 0x80, 0, 0, 0, 0, 0, 0, 0}), "-9223372036854775808");  // int64 min
  check(bytes({0x83, 0x01, 0xa1, 'a', 0xc0, 0x02, 0xc3, 0x03}),             // non-str keys
        "{'1': 'a', 'None': 2, 'True': 3}");
  check(bytes({0x82, 0xa1, 'k', 0x01, 0xa1, 'k', 0x02}), "{'k': 2}");  // last dup wins
}

TEST(Msgpack, RoundTrip) {
  Map m;
  m.set("jid", "20240101120000123456");
  m.set("ret", Value::map({{"x", Value::list({1, -1, 2.5, true, Value(), "s"})}}));
  m.set("big", Value(INT64_MAX));
  m.set("neg", Value(INT64_MIN));
  m.set("bin", std::string("\0\xff\x01", 3));
  m.set("empty", Value(List{}));
  const Value v(std::move(m));
  auto back = msgpack_unpack(msgpack_pack(v));
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(*back, v);
}

TEST(Msgpack, PackerHelperAndStreamingUnpack) {
  std::string buf;
  StringSink sink{&buf};
  msgpack::packer<StringSink> pk(sink);
  msgpack_pack_value(pk, Value("first"));
  msgpack_pack_value(pk, Value::map({{"n", 2}}));
  msgpack_pack_to(buf, Value(3));
  size_t off = 0;
  auto a = msgpack_unpack_next(buf, &off);
  auto b = msgpack_unpack_next(buf, &off);
  auto c = msgpack_unpack_next(buf, &off);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, Value("first"));
  EXPECT_EQ(*b, Value::map({{"n", 2}}));
  EXPECT_EQ(*c, Value(3));
  EXPECT_EQ(off, buf.size());
  EXPECT_FALSE(msgpack_unpack_next(buf, &off));
  EXPECT_EQ(off, buf.size());
}

TEST(Msgpack, RejectsBadInput) {
  struct Case {
    std::string in;
    const char* error;
  };
  const Case cases[] = {
      {"", "truncated msgpack data at byte 0"},
      {bytes({0x01, 0x02}), "trailing bytes after the msgpack object at byte 1"},
      {bytes({0xa3, 'a'}), "truncated msgpack data at byte 1"},
      {bytes({0xdd, 0xff, 0xff, 0xff, 0xff}), "truncated msgpack data at byte 5"},
      {bytes({0xdf, 0xff, 0xff, 0xff, 0xff, 0x01}), "truncated msgpack data at byte 6"},
      {bytes({0x81, 0x90, 0x01}), "a msgpack map key must be a scalar, not an array or map"},
      {bytes({0xd4, 0x01, 0x00}), "msgpack ext types are not supported"},
      {bytes({0xc1}), "invalid msgpack data at byte 0"},
  };
  for (const auto& c : cases) {
    auto v = msgpack_unpack(c.in);
    ASSERT_FALSE(v) << c.error;
    EXPECT_EQ(v.error().message, c.error);
    EXPECT_EQ(v.error().code, Errc::kProtocol);
  }
}

TEST(Msgpack, DepthIsBounded) {
  std::string ok(kMsgpackMaxDepth, static_cast<char>(0x91));
  ok.push_back(0x01);
  EXPECT_TRUE(msgpack_unpack(ok));
  std::string deep(kMsgpackMaxDepth + 1, static_cast<char>(0x91));
  deep.push_back(0x01);
  auto v = msgpack_unpack(deep);
  ASSERT_FALSE(v);
  EXPECT_EQ(v.error().message, "msgpack nesting deeper than 64 levels");
}

TEST(Msgpack, LargeMapDecodesInLinearTime) {
  Map m;
  for (int i = 0; i < 200000; ++i) m.set("k" + std::to_string(i), Value(i));
  const std::string packed = msgpack_pack(Value(std::move(m)));
  const auto start = std::chrono::steady_clock::now();
  auto v = msgpack_unpack(packed);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(v);
  EXPECT_EQ(v->as_map().size(), 200000u);
  // Generous even for sanitizer builds; a quadratic map build takes minutes.
  EXPECT_LT(elapsed, std::chrono::seconds(10));
}

TEST(Msgpack, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string in(rng() % 48, '\0');
    for (auto& c : in) c = static_cast<char>(rng());
    auto v = msgpack_unpack(in);
    (void)v;
  }
}

TEST(Msgpack, MutatedMessagesNeverCrash) {
  Map m;
  m.set("fun", "test.ping");
  m.set("arg", Value::list({1, "two", Value::map({{"__kwarg__", true}, {"x", 1.5}})}));
  m.set("tgt", Value::list({"a", "b"}));
  const std::string good = msgpack_pack(Value(std::move(m)));
  std::mt19937 rng(11);
  for (int i = 0; i < 20000; ++i) {
    std::string in = good;
    for (int k = 0, n = 1 + static_cast<int>(rng() % 4); k < n; ++k) {
      switch (rng() % 3) {
        case 0:
          in[rng() % in.size()] = static_cast<char>(rng());
          break;
        case 1:
          in.resize(rng() % (in.size() + 1));
          if (in.empty()) in.push_back(static_cast<char>(0x90));
          break;
        default:
          in.insert(in.begin() + static_cast<ptrdiff_t>(rng() % in.size()),
                    static_cast<char>(rng()));
          break;
      }
    }
    auto v = msgpack_unpack(in);
    (void)v;
  }
}

}  // namespace
}  // namespace brine::codec
