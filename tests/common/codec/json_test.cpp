// JSON: json_dump output is compared with Python's json.dumps (expected
// strings produced with /usr/bin/python3); json_parse with json.loads.
#include "common/codec/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "common/codec/python_repr.h"

namespace brine::codec {
namespace {

Value sample() {
  Map m;
  m.set("b", Value::list({1, 2.5, "x"}));
  m.set("a", Value::map({{"n", Value()}, {"t", true}, {"f", false}}));
  m.set("s", "caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80 \"q\" \\ \n\t\x01\x7F");
  m.set("e", Value(List{}));
  m.set("o", Value(Map{}));
  return Value(std::move(m));
}

TEST(JsonDump, CompactLikePython) {
  // json.dumps(v)
  EXPECT_EQ(json_dump(sample()),
            R"({"b": [1, 2.5, "x"], "a": {"n": null, "t": true, "f": false}, )"
            R"("s": "caf\u00e9 \u65e5 \ud83d\ude00 \"q\" \\ \n\t\u0001\u007f", "e": [], "o": {}})");
}

TEST(JsonDump, IndentSortKeysLikePython) {
  JsonDumpOptions o;
  o.indent = 2;
  o.sort_keys = true;
  // json.dumps(v, indent=2, sort_keys=True)
  EXPECT_EQ(
      json_dump(sample(), o),
      "{\n  \"a\": {\n    \"f\": false,\n    \"n\": null,\n    \"t\": true\n  },\n"
      "  \"b\": [\n    1,\n    2.5,\n    \"x\"\n  ],\n  \"e\": [],\n  \"o\": {},\n"
      "  \"s\": \"caf\\u00e9 \\u65e5 \\ud83d\\ude00 \\\"q\\\" \\\\ \\n\\t\\u0001\\u007f\"\n}");
}

TEST(JsonDump, IndentZeroAndNoEnsureAscii) {
  JsonDumpOptions o;
  o.indent = 0;
  o.ensure_ascii = false;
  // json.dumps({"k": ["é", 1]}, indent=0, ensure_ascii=False)
  EXPECT_EQ(json_dump(Value::map({{"k", Value::list({"\xC3\xA9\x7F", 1})}}), o),
            "{\n\"k\": [\n\"\xC3\xA9\x7F\",\n1\n]\n}");
}

TEST(JsonDump, FloatsLikePythonRepr) {
  // json.dumps([1.0, 0.1, 1e20, 1e-05, 1e16, 1e15, 123456.789, -0.0,
  // 5e-324, 1.7976931348623157e308,
  //             float('nan'), float('inf'), -float('inf'), 0.30000000000000004])
  Value v =
      Value::list({1.0, 0.1, 1e20, 1e-05, 1e16, 1e15, 123456.789, -0.0, 5e-324,
                   1.7976931348623157e308, std::nan(""), INFINITY, -INFINITY, 0.30000000000000004});
  EXPECT_EQ(json_dump(v),
            "[1.0, 0.1, 1e+20, 1e-05, 1e+16, 1000000000000000.0, 123456.789, -0.0, 5e-324, "
            "1.7976931348623157e+308, NaN, Infinity, -Infinity, 0.30000000000000004]");
}

TEST(JsonDump, IntegersAndInvalidUtf8) {
  EXPECT_EQ(json_dump(Value::list({INT64_MIN, INT64_MAX, 0})),
            "[-9223372036854775808, 9223372036854775807, 0]");
  // Invalid bytes are written as U+FFFD (one per maximal invalid subpart).
  EXPECT_EQ(json_dump(Value("a\xFF\xE2\x82z")), R"("a\ufffd\ufffdz")");
}

TEST(JsonParse, ValuesLikeJsonLoads) {
  auto v = json_parse(
      R"( {"a": [1, -2, 3.5, 1e3, -0.0, true, false, null, NaN, Infinity, -Infinity],
           "s": "x\u00e9\ud83d\ude00\n\/", "a": "dup"} )");
  ASSERT_TRUE(v) << v.error().to_string();
  // Duplicate key: the last value wins, at the first position.
  EXPECT_EQ(python_repr(*v), "{'a': 'dup', 's': 'xé😀\\n/'}");
  auto nums = json_parse("[1, -2, 3.5, 1e3, -0.0, 123456789012345678901234567890]");
  ASSERT_TRUE(nums);
  EXPECT_EQ(python_repr(*nums), "[1, -2, 3.5, 1000.0, -0.0, 1.2345678901234568e+29]");
  auto special = json_parse("[NaN, Infinity, -Infinity]");
  ASSERT_TRUE(special);
  EXPECT_TRUE(std::isnan(special->as_list()[0].as_float()));
  EXPECT_EQ(special->as_list()[2].as_float(), -INFINITY);
}

TEST(JsonParse, LoneSurrogateBecomesReplacement) {
  auto v = json_parse(R"("\ud800x")");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->as_string(), "\xEF\xBF\xBDx");
}

TEST(JsonParse, ErrorsNameLineAndColumn) {
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"", "f.json:1:1: Expecting value"},
      {"[1, 2", "f.json:1:6: Expecting ',' delimiter"},
      {"[1,]", "f.json:1:4: Expecting value"},
      {"{\"a\" 1}", "f.json:1:6: Expecting ':' delimiter"},
      {"{\"a\": 1,}", "f.json:1:9: Expecting property name enclosed in double quotes"},
      {"{'a': 1}", "f.json:1:2: Expecting property name enclosed in double quotes"},
      {"[1]\n x", "f.json:2:2: Extra data"},
      {"\"abc", "f.json:1:1: Unterminated string starting at"},
      {"\"a\tb\"", "f.json:1:3: Invalid control character at"},
      {"\"\\q\"", "f.json:1:2: Invalid \\escape"},
      {"\"\\u12g4\"", "f.json:1:3: Invalid \\uXXXX escape"},
      {"-", "f.json:1:1: Expecting value"},
      {"tru", "f.json:1:1: Expecting value"},
  };
  for (const auto& c : cases) {
    auto v = json_parse(c.text, "f.json");
    ASSERT_FALSE(v) << c.text;
    EXPECT_EQ(v.error().to_string(), c.error) << c.text;
    EXPECT_EQ(v.error().code, Errc::kParse);
  }
}

TEST(JsonParse, DeepNestingIsBounded) {
  EXPECT_FALSE(json_parse(std::string(100000, '[')));
  EXPECT_TRUE(json_parse(std::string(500, '[') + std::string(500, ']')));
}

TEST(JsonParse, GarbageNeverCrashes) {
  const std::string alphabet = "{}[]\":,0123456789.eE+-nulltruefalseNaNInfinity \\u\xc3\xa9\xff";
  uint32_t seed = 5;
  auto next = [&seed] {
    seed = seed * 1664525 + 1013904223;
    return seed >> 8;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    for (size_t k = 0, n = next() % 40; k < n; ++k)
      text.push_back(alphabet[next() % alphabet.size()]);
    auto v = json_parse(text);
    if (v) {
      // Whatever parses must dump and parse back.
      auto again = json_parse(json_dump(*v));
      ASSERT_TRUE(again) << text;
    }
  }
}

TEST(Json, RoundTrip) {
  const Value v = sample();
  for (int indent : {-1, 0, 4}) {
    for (bool ascii : {true, false}) {
      JsonDumpOptions o;
      o.indent = indent;
      o.ensure_ascii = ascii;
      auto back = json_parse(json_dump(v, o));
      ASSERT_TRUE(back);
      EXPECT_EQ(*back, v);
    }
  }
}

}  // namespace
}  // namespace brine::codec
