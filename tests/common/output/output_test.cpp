// Byte-exact outputter tests against Salt's output (cli.md §1.3, §1.7, §2.2).
#include "common/output/output.h"

#include <gtest/gtest.h>

namespace brine::output {
namespace {

std::string out(std::string_view name, const Value& v, Options o = {}) {
  auto r = render(name, v, o);
  EXPECT_TRUE(r);
  return r ? *r : std::string();
}

Value ping() { return Value::map({{"web1", true}}); }

TEST(Output, ReferenceExamples) {
  EXPECT_EQ(out("nested", ping()), "web1:\n    True");
  EXPECT_EQ(out("txt", ping()), "web1: True");
  EXPECT_EQ(out("text", ping()), "web1: True");
  EXPECT_EQ(out("json", ping()), "{\n    \"web1\": true\n}");
  EXPECT_EQ(out("yaml", ping()), "web1: true");
  EXPECT_EQ(out("raw", ping()), "{'web1': True}");
  EXPECT_EQ(out("", ping()), "web1:\n    True");
  EXPECT_EQ(out("quiet", ping()), "");
}

TEST(Nested, TestArgExample) {
  Value kwarg = Value::map({{"__kwarg__", true}, {"foo", "bar"}});
  Value kwargs = Value::map({
      {"foo", "bar"},
      {"__pub_user", "root"},
      {"__pub_arg", Value::list({1, true, kwarg})},
      {"__pub_fun", "test.arg"},
      {"__pub_jid", "20240301120000123456"},
      {"__pub_ret", ""},
      {"__pub_tgt", "*"},
      {"__pub_tgt_type", "glob"},
  });
  Value data =
      Value::map({{"web1", Value::map({{"args", Value::list({1, true})}, {"kwargs", kwargs}})}});
  EXPECT_EQ(out("nested", data),
            "web1:\n"
            "    ----------\n"
            "    args:\n"
            "        - 1\n"
            "        - True\n"
            "    kwargs:\n"
            "        ----------\n"
            "        __pub_arg:\n"
            "            - 1\n"
            "            - True\n"
            "            |_\n"
            "              ----------\n"
            "              __kwarg__:\n"
            "                  True\n"
            "              foo:\n"
            "                  bar\n"
            "        __pub_fun:\n"
            "            test.arg\n"
            "        __pub_jid:\n"
            "            20240301120000123456\n"
            "        __pub_ret:\n"
            "        __pub_tgt:\n"
            "            *\n"
            "        __pub_tgt_type:\n"
            "            glob\n"
            "        __pub_user:\n"
            "            root\n"
            "        foo:\n"
            "            bar");
}

TEST(Nested, ScalarsListsAndMultilineStrings) {
  Value data =
      Value::map({{"m", Value::map({
                            {"none", Value()},
                            {"f", 1.0},
                            {"big", 1e20},
                            {"neg", -3},
                            {"text", "one\ntwo\r\nthree"},
                            {"list", Value::list({"a\nb", Value::list({1, 2}), Value::list({})})},
                            {"empty_map", Value::map()},
                        })}});
  EXPECT_EQ(out("nested", data),
            "m:\n"
            "    ----------\n"
            "    big:\n"
            "        1e+20\n"
            "    empty_map:\n"
            "        ----------\n"
            "    f:\n"
            "        1.0\n"
            "    list:\n"
            "        - a\n"
            "          b\n"
            "        |_\n"
            "          - 1\n"
            "          - 2\n"
            "        |_\n"
            "    neg:\n"
            "        -3\n"
            "    none:\n"
            "        None\n"
            "    text:\n"
            "        one\n"
            "        two\n"
            "        three");
}

TEST(Nested, TopLevelScalarsAndBaseIndent) {
  EXPECT_EQ(out("nested", Value("hello")), "hello");
  EXPECT_EQ(out("nested", Value(Value::list({"a", "b"}))), "- a\n- b");
  Options o;
  o.nested_indent = 2;
  EXPECT_EQ(out("nested", ping(), o), "  ----------\n  web1:\n      True");
}

TEST(Nested, EscapeSequencesInStringsAreNeutralised) {
  Value data = Value::map({{"web1", "\033[2Jboom"}});
  EXPECT_EQ(out("nested", data), "web1:\n    ?[2Jboom");
}

TEST(Nested, Colors) {
  Options o;
  o.color = true;
  EXPECT_EQ(out("nested", ping(), o), "\033[0;36mweb1\033[0;0m:\n    \033[0;1;33mTrue\033[0;0m");
  Value data = Value::map({{"web1", Value::map({{"k", Value::list({"v", Value::list({1})})}})}});
  EXPECT_EQ(out("nested", data, o),
            "\033[0;36mweb1\033[0;0m:\n"
            "    \033[0;36m----------\033[0;0m\n"
            "    \033[0;36mk\033[0;0m:\n"
            "        \033[0;32m- v\033[0;0m\n"
            "        \033[0;32m|_\033[0;0m\n"
            "          \033[0;1;33m- 1\033[0;0m");
  // Non-zero retcode: keys and structure red (Salt keeps scalar colors).
  o.retcode = 1;
  EXPECT_EQ(out("nested", data, o),
            "\033[0;31mweb1\033[0;0m:\n"
            "    \033[0;31m----------\033[0;0m\n"
            "    \033[0;31mk\033[0;0m:\n"
            "        \033[0;32m- v\033[0;0m\n"
            "        \033[0;31m|_\033[0;0m\n"
            "          \033[0;1;33m- 1\033[0;0m");
}

TEST(Json, IndentOptions) {
  Value data = Value::map({{"b", Value::list({1, "é"})}, {"a", Value()}});
  EXPECT_EQ(out("json", data),
            "{\n    \"b\": [\n        1,\n        \"é\"\n    ],\n    \"a\": null\n}");
  Options one_line;
  one_line.indent = -1;
  EXPECT_EQ(out("json", data, one_line), "{\"b\": [1, \"é\"], \"a\": null}");
  Options two;
  two.indent = 2;
  EXPECT_EQ(out("json", data, two), "{\n  \"b\": [\n    1,\n    \"é\"\n  ],\n  \"a\": null\n}");
  Options zero;
  zero.indent = 0;
  EXPECT_EQ(out("json", data, zero), "{\n\"b\": [\n1,\n\"é\"\n],\n\"a\": null\n}");
  Options pretty;
  pretty.indent_pretty = true;
  EXPECT_EQ(out("json", Value::map({{"b", 1}, {"a", 2}}), pretty),
            "{\n    \"a\": 2,\n    \"b\": 1\n}");
}

TEST(Yaml, BlockAndFlow) {
  Value data = Value::map({{"web1", Value::map({{"b", Value::list({1, "x"})}, {"a", "yes"}})}});
  EXPECT_EQ(out("yaml", data), "web1:\n  a: 'yes'\n  b:\n  - 1\n  - x");
  Options flow;
  flow.indent = -1;
  EXPECT_EQ(out("yaml", data, flow), "{web1: {a: 'yes', b: [1, x]}}");
  Options four;
  four.indent = 4;
  EXPECT_EQ(out("yaml", data, four), "web1:\n    a: 'yes'\n    b:\n    - 1\n    - x");
}

TEST(Txt, LinesPerKey) {
  Value data = Value::map({{"web2", "up 3 days\nload 0.1"},
                           {"web1", Value::list({1, "a"})},
                           {"db1", ""},
                           {"x", Value()}});
  EXPECT_EQ(out("txt", data), "web2: up 3 days\nweb2: load 0.1\nweb1: [1, 'a']\nx: None");
  EXPECT_EQ(out("txt", Value("plain text\n")), "plain text");
  EXPECT_EQ(out("txt", Value(Value::list({Value::map({{"b", 1}, {"a", 2}})}))),
            "[{'a': 2, 'b': 1}]");
}

TEST(Raw, PythonStr) {
  Value data = Value::map({{"web1", Value::map({{"list", Value::list({"Hello", 1.5, Value()})}})}});
  EXPECT_EQ(out("raw", data), "{'web1': {'list': ['Hello', 1.5, None]}}");
  EXPECT_EQ(out("raw", Value("just text")), "just text");
}

TEST(NewlineValuesOnly, FlattensLists) {
  Value data = Value::map({{"myminion", Value::list({"127.0.0.1", "198.51.100.1"})},
                           {"second-minion", Value::list({"127.0.0.1", "198.51.100.2"})}});
  EXPECT_EQ(out("newline_values_only", data), "127.0.0.1\n198.51.100.1\n127.0.0.1\n198.51.100.2");
  EXPECT_EQ(out("newline_values_only", Value::map({{"a", 8}, {"b", 10}})), "8\n10");
  // Not a dict: Salt's outputter raises and try_printout falls back to nested.
  EXPECT_EQ(out("newline_values_only", Value(Value::list({1}))), "- 1");
}

TEST(NoReturn, SaltsTimeoutNotice) {
  Value data = Value::map({{"web1", no_return_text("20220223021622638639", true, "salt-run")},
                           {"db1", no_return_text("20220223021622638639", false)}});
  EXPECT_EQ(out("no_return", data),
            "db1:\n"
            "    Minion did not return. [Not connected]\n"
            "web1:\n"
            "    Minion did not return. [No response]\n"
            "    The minions may not have all finished running and any remaining minions will "
            "return upon completion. To look up the return data for this job later, run the "
            "following command:\n"
            "    \n"
            "    salt-run jobs.lookup_jid 20220223021622638639");
  Options o;
  o.color = true;
  EXPECT_EQ(out("no_return", Value::map({{"db1", "Minion did not return. [Not connected]"}}), o),
            "\033[0;36mdb1\033[0;0m:\n"
            "\033[0;31m    Minion did not return. [Not connected]\033[0;0m");
}

TEST(Key, ListingLikeSaltKey) {
  Value data = Value::map({{"minions_pre", Value::list({"db1"})},
                           {"minions", Value::list({"web2", "web1"})},
                           {"minions_rejected", Value::list({})},
                           {"minions_denied", Value::list({})}});
  EXPECT_EQ(out("key", data),
            "Accepted Keys:\nweb1\nweb2\nDenied Keys:\nUnaccepted Keys:\ndb1\nRejected Keys:");
  Options o;
  o.color = true;
  EXPECT_EQ(out("key",
                Value::map({{"minions", Value::list({"web1"})},
                            {"minions_pre", Value::list({"db\0331"})}}),
                o),
            "\033[0;1;32mAccepted Keys:\033[0;0m\n\033[0;32mweb1\033[0;0m\n"
            "\033[0;1;31mUnaccepted Keys:\033[0;0m\n\033[0;31mdb?1\033[0;0m");
  Value fingers = Value::map({{"local", Value::map({{"master.pub", "aa:bb"}})},
                              {"minions", Value::map({{"web1", "cc:dd"}})}});
  EXPECT_EQ(out("key", fingers), "Local Keys:\nmaster.pub:  aa:bb\nAccepted Keys:\nweb1:  cc:dd");
}

TEST(Output, UnknownOutputterFallsBackToNestedWithWarning) {
  std::string warning;
  Options o;
  o.warning = &warning;
  EXPECT_EQ(out("highstate_nope", ping(), o), "web1:\n    True");
  EXPECT_EQ(warning, "Invalid outputter highstate_nope specified, fall back to nested");
  EXPECT_TRUE(is_outputter("json"));
  EXPECT_TRUE(is_outputter("text"));
  EXPECT_FALSE(is_outputter("pony"));
  EXPECT_EQ(outputter_names().size(), 9u);
}

TEST(Output, DisplayText) {
  EXPECT_EQ(display_text("web1:\n    True"), "web1:\n    True\n");
  EXPECT_EQ(display_text(""), "");
}

TEST(Output, DeepDataDoesNotOverflow) {
  // Network data is at most 64 deep (msgpack limit); go well past nested's
  // own cut-off (200) without deep copies.
  Value deep;
  Value* cur = &deep;
  for (int i = 0; i < 300; ++i) cur = &(*cur)["k"];
  *cur = "leaf";
  for (const auto& name : outputter_names()) {
    auto r = render(name, deep);
    EXPECT_TRUE(r) << name;
  }
  EXPECT_NE(render("nested", deep)->find("{'k': 'leaf'}"), std::string::npos);
}

}  // namespace
}  // namespace brine::output
