// Salt's YAML scalar typing. Every expected value below is what Salt 3006's
// loader gives for `v: <input>` (salt_yaml_reference.py, run with
// /usr/bin/python3 and PyYAML 6.0), printed with Python's repr().
#include "common/codec/yaml_scalar.h"

#include <gtest/gtest.h>

#include <string>

#include "common/codec/python_repr.h"
#include "common/codec/yaml.h"

namespace brine::codec {
namespace {

struct ScalarCase {
  const char* input;
  const char* repr;
};

constexpr ScalarCase kScalars[] = {
    {"yes", "True"},
    {"Yes", "True"},
    {"YES", "True"},
    {"yEs", "'yEs'"},
    {"no", "False"},
    {"No", "False"},
    {"NO", "False"},
    {"true", "True"},
    {"True", "True"},
    {"TRUE", "True"},
    {"tRUE", "'tRUE'"},
    {"false", "False"},
    {"False", "False"},
    {"FALSE", "False"},
    {"on", "True"},
    {"On", "True"},
    {"ON", "True"},
    {"off", "False"},
    {"Off", "False"},
    {"OFF", "False"},
    {"y", "'y'"},
    {"n", "'n'"},
    {"Y", "'Y'"},
    {"N", "'N'"},
    {"null", "None"},
    {"Null", "None"},
    {"NULL", "None"},
    {"nULL", "'nULL'"},
    {"~", "None"},
    {"", "None"},
    {"0", "0"},
    {"00", "0"},
    {"-0", "0"},
    {"+0", "0"},
    {"42", "42"},
    {"-42", "-42"},
    {"+42", "42"},
    {"1_000", "1000"},
    {"1__0", "10"},
    {"0644", "644"},
    {"-0644", "-420"},
    {"+0644", "420"},
    {"0_644", "644"},
    {"010", "10"},
    {"08", "'08'"},
    {"0o17", "'0o17'"},
    {"0x1F", "31"},
    {"0X1F", "'0X1F'"},
    {"-0x1F", "-31"},
    {"0x_1F", "31"},
    {"0b101", "5"},
    {"-0b101", "-5"},
    {"0b2", "'0b2'"},
    {"12:30:45", "45045"},
    {"-1:30", "-90"},
    {"1:60", "'1:60'"},
    {"01:30", "'01:30'"},
    {"9223372036854775807", "9223372036854775807"},
    {"9223372036854775808", "9.223372036854776e+18"},
    {"-9223372036854775808", "-9223372036854775808"},
    {"0xffffffffffffffff", "1.8446744073709552e+19"},
    {"1.5", "1.5"},
    {"-1.5", "-1.5"},
    {"+1.5", "1.5"},
    {"1.", "1.0"},
    {".5", "0.5"},
    {"-.5", "'-.5'"},
    {"1.5e3", "'1.5e3'"},
    {"1.5e+3", "1500.0"},
    {"1.5E-3", "0.0015"},
    {"1e3", "'1e3'"},
    {"1e+3", "'1e+3'"},
    {"1.0e3", "'1.0e3'"},
    {"1_0.5", "10.5"},
    {"190:20:30.15", "685230.15"},
    {".inf", "inf"},
    {".Inf", "inf"},
    {".INF", "inf"},
    {"-.inf", "-inf"},
    {"+.inf", "inf"},
    {".nan", "nan"},
    {".NaN", "nan"},
    {".NAN", "nan"},
    {"-.nan", "'-.nan'"},
    {"1e400", "'1e400'"},
    {"1.0e+400", "inf"},
    {"1.0e-400", "0.0"},
    {"2024-01-02", "'2024-01-02'"},
    {"2024-1-2", "'2024-1-2'"},
    {"2024-01-02 10:00:00", "'2024-01-02 10:00:00'"},
    {"2001-12-14t21:59:43.10-05:00", "'2001-12-14t21:59:43.10-05:00'"},
    {"2024-01-02T10:00:00Z", "'2024-01-02T10:00:00Z'"},
    {"<<x", "'<<x'"},
    {"a=b", "'a=b'"},
    {"abc", "'abc'"},
    {"hello world", "'hello world'"},
    {"--", "'--'"},
    {"0.0", "0.0"},
    {"-0.0", "-0.0"},
    {"1.0e-5", "1e-05"},
    {"0.1", "0.1"},
    {"123456789.123456789", "123456789.12345679"},
};

TEST(YamlScalar, TypesLikeSaltsLoader) {
  for (const auto& c : kScalars) {
    auto doc = yaml_load(std::string("v: ") + c.input);
    ASSERT_TRUE(doc) << c.input << ": " << doc.error().to_string();
    const Value* v = doc->find("v");
    ASSERT_NE(v, nullptr) << c.input;
    EXPECT_EQ(python_repr(*v), c.repr) << "input: '" << c.input << "'";
  }
}

TEST(YamlScalar, QuotedScalarsAreAlwaysStrings) {
  for (const char* text : {"'yes'", "\"123\"", "'0644'", "\"~\"", "'1.5'", "''", "\"null\""}) {
    auto doc = yaml_load(std::string("v: ") + text);
    ASSERT_TRUE(doc) << text;
    EXPECT_TRUE(doc->find("v")->is_string()) << text;
  }
}

TEST(YamlScalar, ExplicitTags) {
  auto doc = yaml_load(
      "a: !!str 123\nb: !!int \"0x10\"\nc: !!float 1\nd: !!bool \"yes\"\n"
      "e: !!null x\nf: !!binary aGVsbG8=\ng: !!timestamp 2024-01-02\n");
  ASSERT_TRUE(doc) << doc.error().to_string();
  EXPECT_EQ(python_repr(*doc),
            "{'a': '123', 'b': 16, 'c': 1.0, 'd': True, 'e': None, 'f': 'hello', 'g': "
            "'2024-01-02'}");
}

TEST(YamlScalar, PythonUnicodeLiteralsAreUnwrapped) {
  auto doc = yaml_load("a: u'foo'\nb: \"u'bar'\"\nc: U\"baz\"\nd: u''\n");
  ASSERT_TRUE(doc);
  EXPECT_EQ(python_repr(*doc), "{'a': 'foo', 'b': 'bar', 'c': 'baz', 'd': \"u''\"}");
}

TEST(YamlScalar, ResolvePlainMatchesPyYamlResolver) {
  EXPECT_EQ(resolve_plain("yes"), YamlTag::kBool);
  EXPECT_EQ(resolve_plain("1.5"), YamlTag::kFloat);
  EXPECT_EQ(resolve_plain("0x1F"), YamlTag::kInt);
  EXPECT_EQ(resolve_plain("<<"), YamlTag::kMerge);
  EXPECT_EQ(resolve_plain(""), YamlTag::kNull);
  EXPECT_EQ(resolve_plain("2024-01-02"), YamlTag::kTimestamp);
  EXPECT_EQ(resolve_plain("="), YamlTag::kValue);
  EXPECT_EQ(resolve_plain("1e3"), YamlTag::kStr);
  EXPECT_EQ(resolve_plain("._"), YamlTag::kStr);
}

TEST(YamlScalar, PlainScalarHelper) {
  EXPECT_EQ(*plain_scalar("0644"), Value(644));
  EXPECT_EQ(*plain_scalar("On"), Value(true));
  EXPECT_EQ(*plain_scalar("x"), Value("x"));
  EXPECT_FALSE(plain_scalar("0x_"));
}

TEST(YamlScalar, PythonKeyString) {
  EXPECT_EQ(python_key_string(Value(1)), "1");
  EXPECT_EQ(python_key_string(Value(true)), "True");
  EXPECT_EQ(python_key_string(Value()), "None");
  EXPECT_EQ(python_key_string(Value(1.5)), "1.5");
  EXPECT_EQ(python_key_string(Value("s")), "s");
}

}  // namespace
}  // namespace brine::codec
