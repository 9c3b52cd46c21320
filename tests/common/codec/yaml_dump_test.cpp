// yaml_dump: expected texts are PyYAML 6.0's
//   yaml.safe_dump(v, default_flow_style=False, allow_unicode=True, **options)
// run with /usr/bin/python3.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "common/codec/json.h"
#include "common/codec/yaml.h"

namespace brine::codec {
namespace {

Value from_json(std::string_view text) {
  auto v = json_parse(text);
  EXPECT_TRUE(v) << v.error().to_string();
  return v ? *v : Value();
}

struct DumpCase {
  const char* json;
  const char* yaml;
};

constexpr DumpCase kBlockCases[] = {
    {R"({"b": 1, "a": [1, 2], "c": {"x": null}})", "a:\n- 1\n- 2\nb: 1\nc:\n  x: null\n"},
    {R"({"s": ["yes", "123", "", "a: b", "- x", "#c", "x #c", "~", "null", "0644", "1e3",
        "2024-01-02", "<<", "="]})",
     "s:\n- 'yes'\n- '123'\n- ''\n- 'a: b'\n- '- x'\n- '#c'\n- 'x #c'\n- '~'\n- 'null'\n"
     "- '0644'\n- 1e3\n- '2024-01-02'\n- '<<'\n- '='\n"},
    {R"({"f": [1.0, 0.1, 1e+20, 1e-05, Infinity, -Infinity, -0.0, 1e+16, 123456.789]})",
     "f:\n- 1.0\n- 0.1\n- 1.0e+20\n- 1.0e-05\n- .inf\n- -.inf\n- -0.0\n- 1.0e+16\n- 123456.789\n"},
    {R"({"b": [true, false, null, 0, -7]})", "b:\n- true\n- false\n- null\n- 0\n- -7\n"},
    {R"({"m": "line1\nline2", "t": "tab\there", "q": "it's", "d": "say \"hi\"",
        "u": "café 日本"})",
     "d: say \"hi\"\nm: 'line1\n\n  line2'\nq: it's\nt: \"tab\\there\"\nu: café 日本\n"},
    {R"([{"a": 1, "b": [1, {"c": 2}]}, [1, [2, 3]], []])",
     "- a: 1\n  b:\n  - 1\n  - c: 2\n- - 1\n  - - 2\n    - 3\n- []\n"},
    {R"({"long": "word word word word word word word word word word word word word word word
word word word word word word word word word word word word word word word"})",
     "long: word word word word word word word word word word word word word word word word\n"
     "  word word word word word word word word word word word word word word\n"},
    {R"({"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx": 1,
        "": 2, "a\nb": 3})",
     "? ''\n: 2\n? 'a\n\n  b'\n: 3\n? "
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
     "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n: 1\n"},
    {R"("plain")", "plain\n...\n"},
    {R"("yes")", "'yes'\n"},
    {"42", "42\n...\n"},
    {"null", "null\n...\n"},
    {"[]", "[]\n"},
    {"{}", "{}\n"},
};

TEST(YamlDump, MatchesPyYamlSafeDump) {
  for (const auto& c : kBlockCases) {
    std::string json = c.json;
    // The long-string case is split over two source lines above.
    for (auto& ch : json) {
      if (ch == '\n') ch = ' ';
    }
    EXPECT_EQ(yaml_dump(from_json(json)), c.yaml) << c.json;
  }
}

TEST(YamlDump, FlowStyle) {
  YamlDumpOptions o;
  o.flow = true;
  EXPECT_EQ(yaml_dump(from_json(R"({"a": 1, "b": {"x": [1, 2], "y": "z"}})"), o),
            "{a: 1, b: {x: [1, 2], y: z}}\n");
}

TEST(YamlDump, DefaultFlowStyleNone) {
  YamlDumpOptions o;
  o.default_flow_style_none = true;
  EXPECT_EQ(yaml_dump(from_json(R"({"a": 1, "b": {"x": [1, 2], "y": "z"}, "c": [{"k": "v"}]})"), o),
            "a: 1\nb:\n  x: [1, 2]\n  y: z\nc:\n- {k: v}\n");
}

TEST(YamlDump, UnsortedKeepsInsertionOrder) {
  YamlDumpOptions o;
  o.sort_keys = false;
  EXPECT_EQ(yaml_dump(from_json(R"({"z": 1, "a": 2})"), o), "z: 1\na: 2\n");
}

TEST(YamlDump, Indent) {
  YamlDumpOptions o;
  o.indent = 4;
  EXPECT_EQ(yaml_dump(from_json(R"({"a": {"b": [1, 2]}})"), o), "a:\n    b:\n    - 1\n    - 2\n");
}

// Random trees of awkward strings and numbers survive dump -> load unchanged.
Value random_value(std::mt19937& rng, int depth) {
  static const char* const kAtoms[] = {
      "yes",
      "No",
      "",
      " ",
      " lead",
      "trail ",
      "a: b",
      "- x",
      "#c",
      "x #c",
      "---",
      "...",
      "<<",
      "=",
      "~",
      "null",
      "1e3",
      "0644",
      "12",
      "1.5",
      "0x1F",
      "2024-01-02",
      "it's",
      "say \"hi\"",
      "tab\there",
      "l1\nl2",
      "trailing\n",
      "\nleading",
      "é",
      "日本語",
      "emoji \xF0\x9F\x98\x80",
      "\x07",
      "[x]",
      "{x}",
      "a,b",
      "?x",
      ": x",
      "!x",
      "&a",
      "*a",
      "|",
      ">",
      "%",
      "@",
      "`",
      "a\\b",
      "1:30",
      "on",
      ".inf",
      "a  \n  b",
      "x\r\ny",
      "word word word word word word word word word word word word word word word word word "
      "word word word word"};
  std::uniform_int_distribution<int> pick(0, 9);
  const int r = pick(rng);
  if (depth > 3 || r < 4) {
    switch (pick(rng) % 6) {
      case 0:
        return Value(kAtoms[rng() % std::size(kAtoms)]);
      case 1:
        return Value(static_cast<int64_t>(rng()) - (1LL << 31));
      case 2:
        return Value(static_cast<double>(static_cast<int64_t>(rng() % 100000)) / 7.0);
      case 3:
        return Value(rng() % 2 == 0);
      case 4:
        return Value();
      default:
        return Value(kAtoms[rng() % std::size(kAtoms)]);
    }
  }
  if (r < 7) {
    List l;
    for (int i = 0, n = pick(rng) % 5; i < n; ++i) l.push_back(random_value(rng, depth + 1));
    return Value(std::move(l));
  }
  Map m;
  for (int i = 0, n = pick(rng) % 5; i < n; ++i) {
    m.set(kAtoms[rng() % std::size(kAtoms)], random_value(rng, depth + 1));
  }
  return Value(std::move(m));
}

TEST(YamlDump, RoundTripsThroughYamlLoad) {
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    const Value v = random_value(rng, 0);
    for (bool flow : {false, true}) {
      YamlDumpOptions o;
      o.flow = flow;
      o.sort_keys = false;
      const std::string text = yaml_dump(v, o);
      auto back = yaml_load(text);
      ASSERT_TRUE(back) << back.error().to_string() << "\n" << text;
      ASSERT_EQ(*back, v) << text;
    }
  }
}

}  // namespace
}  // namespace brine::codec
