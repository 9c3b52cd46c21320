#include "common/cli/args.h"

#include <gtest/gtest.h>

#include <cmath>

#include "common/codec/json.h"

namespace brine::cli {
namespace {

// JSON of the typed value: compact, and distinguishes "1" from 1.
std::string typed(std::string_view word) { return codec::json_dump(yamlify(word)); }

struct Case {
  const char* word;
  const char* json;
};

// cli.md §1.3: words -> typed values, as Salt's yamlify_arg gives them.
const Case kCases[] = {
    {"1", "1"},
    {"-7", "-7"},
    {"+3", "3"},
    {"1.5", "1.5"},
    {"-0.25", "-0.25"},
    {"1e3", "\"1e3\""},  // YAML 1.1: no dot, so a string
    {"1.0e+3", "1000.0"},
    {"0644", "644"},  // Salt: leading zeros dropped, not octal
    {"0x1F", "31"},
    {"1_000", "\"1_000\""},  // digits and '_' stay strings
    {"1_0_0", "\"1_0_0\""},
    {"yes", "true"},
    {"Yes", "true"},
    {"YES", "true"},
    {"no", "false"},
    {"on", "true"},
    {"Off", "false"},
    {"true", "true"},
    {"False", "false"},
    {"TRUE", "true"},
    {"y", "\"y\""},
    {"None", "null"},
    {"none", "\"none\""},
    {"null", "null"},
    {"~", "null"},
    {"", "\"\""},
    {"   ", "\"   \""},
    {"---", "\"---\""},
    {"...", "\"...\""},
    {"foo", "\"foo\""},
    {"foo bar", "\"foo bar\""},
    {"a: b", "\"a: b\""},  // a map without braces stays a string
    {"{a: 1}", "{\"a\": 1}"},
    {"{a: [1, yes]}", "{\"a\": [1, true]}"},
    {"- a", "\"- a\""},  // a list without brackets stays a string
    {"[1, 2]", "[1, 2]"},
    {"[a, 'b c']", "[\"a\", \"b c\"]"},
    {"|", "\"|\""},
    {"!", "\"!\""},
    {"#", "\"#\""},
    {"#comment", "\"#comment\""},
    {"a#b", "\"a#b\""},
    {"1 #c", "1"},  // '#' kept only when the value would be a string
    {"{a: 1} # c", "{\"a\": 1}"},
    {"a\tb", "\"a\\tb\""},
    {"a\nb", "\"a\\nb\""},
    {"1\n", "\"1\\n\""},
    {"2024-03-01", "\"2024-03-01\""},  // dates are kept as strings
    {"'quoted'", "\"quoted\""},
    {"\"1\"", "\"1\""},
    {"[unclosed", "\"[unclosed\""},  // YAML error: the original string
    {"{a: 1", "\"{a: 1\""},
    {"@foo", "\"@foo\""},
    {"*alias", "\"*alias\""},
    {".inf", "Infinity"},
    {"20240301120000123456", "\"20240301120000123456\""},  // jid-like: a string
    {"99999999999999999999999", "\"99999999999999999999999\""},
    {"9223372036854775807", "9223372036854775807"},
    {"web1", "\"web1\""},
    {"/etc/hosts", "\"/etc/hosts\""},
    {"http://x:80/", "\"http://x:80/\""},
};

TEST(Yamlify, TypesWordsLikeSalt) {
  for (const auto& c : kCases) {
    EXPECT_EQ(typed(c.word), c.json) << "word: '" << c.word << "'";
  }
}

TEST(ParseKwarg, FollowsSaltsRegex) {
  auto kv = [](std::string_view w) -> std::string {
    auto r = parse_kwarg(w);
    return r ? r->first + "|" + r->second : "-";
  };
  EXPECT_EQ(kv("a=b"), "a|b");
  EXPECT_EQ(kv("_a=b"), "_a|b");
  EXPECT_EQ(kv("a.b-c=d"), "a.b-c|d");
  EXPECT_EQ(kv("a="), "a|");
  EXPECT_EQ(kv("a=b=c"), "a|b=c");
  EXPECT_EQ(kv("a-=x"), "a-|x");
  EXPECT_EQ(kv("a=b\n"), "a|b");
  EXPECT_EQ(kv("\xc3\xa9=1"), "\xc3\xa9|1");
  EXPECT_EQ(kv("a==b"), "-");
  EXPECT_EQ(kv("1a=b"), "-");
  EXPECT_EQ(kv("=a"), "-");
  EXPECT_EQ(kv("a b=c"), "-");
  EXPECT_EQ(kv("-a=b"), "-");
  EXPECT_EQ(kv("a=b\nc"), "-");
  EXPECT_EQ(kv("foo"), "-");
}

TEST(ParseArgs, TestArgExample) {
  // cli.md: `salt '*' test.arg 1 yes foo=bar` publishes
  // arg: [1, true, {"__kwarg__": true, "foo": "bar"}]
  std::vector<std::string> words{"1", "yes", "foo=bar"};
  EXPECT_EQ(codec::json_dump(publish_arg(parse_args(words))),
            "[1, true, {\"__kwarg__\": true, \"foo\": \"bar\"}]");
  std::vector<std::string> more{"2.5", "name=web", "count=3", "name=db", "x==y"};
  ParsedArgs p = parse_args(more);
  EXPECT_EQ(codec::json_dump(Value(p.args)), "[2.5, \"x==y\"]");
  EXPECT_EQ(codec::json_dump(Value(p.kwargs)), "{\"name\": \"db\", \"count\": 3}");
  std::vector<std::string> none;
  EXPECT_EQ(codec::json_dump(publish_arg(parse_args(none))), "[]");
}

TEST(ParseArgs, KwargValuesAreTypedUnlessNoParse) {
  std::vector<std::string> words{"a=1", "b=yes", "c=0644", "d=20240301120000123456"};
  std::vector<std::string> no_parse{"b"};
  ParsedArgs p = parse_args(words, no_parse);
  EXPECT_EQ(codec::json_dump(Value(p.kwargs)),
            "{\"a\": 1, \"b\": \"yes\", \"c\": 644, \"d\": \"20240301120000123456\"}");
}

TEST(JobCall, SingleFunction) {
  std::vector<std::string> words{"uptime"};
  auto c = parse_job_call("cmd.run", words);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->fun, Value("cmd.run"));
  EXPECT_EQ(codec::json_dump(c->arg), "[\"uptime\"]");
}

TEST(JobCall, MultiFunctionNewStyle) {
  std::vector<std::string> words{"hello", "x=1", ",", ",", "ls -l"};
  auto c = parse_job_call("test.echo,test.ping,cmd.run", words);
  ASSERT_TRUE(c);
  EXPECT_EQ(codec::json_dump(c->fun), "[\"test.echo\", \"test.ping\", \"cmd.run\"]");
  EXPECT_EQ(codec::json_dump(c->arg),
            "[[\"hello\", {\"__kwarg__\": true, \"x\": 1}], [], [\"ls -l\"]]");
}

TEST(JobCall, MultiFunctionOldStyle) {
  std::vector<std::string> words{"hello,", "uptime"};
  auto c = parse_job_call("test.echo,cmd.run", words);
  ASSERT_TRUE(c);
  EXPECT_EQ(codec::json_dump(c->arg), "[[\"hello\"], [\"uptime\"]]");
  std::vector<std::string> glued{"a,b"};
  auto g = parse_job_call("test.echo,test.echo", glued);
  ASSERT_TRUE(g);
  EXPECT_EQ(codec::json_dump(g->arg), "[[\"a\"], [\"b\"]]");
}

TEST(JobCall, MultiFunctionArgumentCountErrors) {
  std::vector<std::string> too_few{"hello"};
  auto a = parse_job_call("test.echo,test.ping,test.ping", too_few);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().message, "Cannot execute compound command without defining all arguments.");
  std::vector<std::string> too_many{"a,b,c"};
  auto b = parse_job_call("test.echo,test.echo", too_many);
  ASSERT_FALSE(b);
  EXPECT_EQ(b.error().message,
            "Cannot execute compound command with more arguments than commands.");
}

TEST(JobCall, CustomSeparator) {
  std::vector<std::string> words{"a", "|", "b"};
  auto c = parse_job_call("test.echo,test.echo", words, "|");
  ASSERT_TRUE(c);
  EXPECT_EQ(codec::json_dump(c->arg), "[[\"a\"], [\"b\"]]");
}

}  // namespace
}  // namespace brine::cli
