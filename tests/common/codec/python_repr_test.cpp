// python_repr / python_str: expected strings are Python 3's repr()/str().
#include "common/codec/python_repr.h"

#include <gtest/gtest.h>

#include <cmath>

namespace brine::codec {
namespace {

TEST(PythonRepr, Structures) {
  Map m;
  m.set("a", "b");
  m.set("n", Value::list({1, 2.0, true, false, Value()}));
  m.set("e", Value(Map{}));
  EXPECT_EQ(python_repr(Value(std::move(m))),
            "{'a': 'b', 'n': [1, 2.0, True, False, None], 'e': {}}");
  EXPECT_EQ(python_repr(Value(List{})), "[]");
}

TEST(PythonRepr, Floats) {
  // repr() of each float in Python 3
  EXPECT_EQ(python_float_repr(1.0), "1.0");
  EXPECT_EQ(python_float_repr(0.1), "0.1");
  EXPECT_EQ(python_float_repr(1e20), "1e+20");
  EXPECT_EQ(python_float_repr(1e16), "1e+16");
  EXPECT_EQ(python_float_repr(1e15), "1000000000000000.0");
  EXPECT_EQ(python_float_repr(0.0001), "0.0001");
  EXPECT_EQ(python_float_repr(0.00001), "1e-05");
  EXPECT_EQ(python_float_repr(1.5e-7), "1.5e-07");
  EXPECT_EQ(python_float_repr(-0.0), "-0.0");
  EXPECT_EQ(python_float_repr(123456789.123456789), "123456789.12345679");
  EXPECT_EQ(python_float_repr(1.7976931348623157e308), "1.7976931348623157e+308");
  EXPECT_EQ(python_float_repr(5e-324), "5e-324");
  EXPECT_EQ(python_float_repr(INFINITY), "inf");
  EXPECT_EQ(python_float_repr(-INFINITY), "-inf");
  EXPECT_EQ(python_float_repr(std::nan("")), "nan");
}

TEST(PythonRepr, StringQuoting) {
  EXPECT_EQ(python_string_repr("plain"), "'plain'");
  EXPECT_EQ(python_string_repr("it's"), "\"it's\"");
  EXPECT_EQ(python_string_repr("it's \"x\""), "'it\\'s \"x\"'");
  EXPECT_EQ(python_string_repr("say \"hi\""), "'say \"hi\"'");
  EXPECT_EQ(python_string_repr("a\\b\n\t\r\x01\x7f"), "'a\\\\b\\n\\t\\r\\x01\\x7f'");
  // Printable non-ASCII stays; non-printable is escaped like Python does.
  EXPECT_EQ(python_string_repr("caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80"),
            "'caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80'");
  EXPECT_EQ(python_string_repr("\xC2\xA0\xC2\xAD\xE2\x80\xA8\xEF\xBB\xBF\xF3\xA0\x80\x81"),
            "'\\xa0\\xad\\u2028\\ufeff\\U000e0001'");
  // Invalid UTF-8 prints as U+FFFD.
  EXPECT_EQ(python_string_repr("a\xFF"), "'a\xEF\xBF\xBD'");
}

TEST(PythonStr, TopLevelStringIsRaw) {
  EXPECT_EQ(python_str(Value("x y")), "x y");
  EXPECT_EQ(python_str(Value::list({"x"})), "['x']");
  EXPECT_EQ(python_str(Value()), "None");
  EXPECT_EQ(python_str(Value(3)), "3");
}

}  // namespace
}  // namespace brine::codec
