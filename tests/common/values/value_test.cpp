#include "common/values/value.h"

#include <gtest/gtest.h>

namespace brine {
namespace {

TEST(Value, DefaultIsNull) {
  Value v;
  EXPECT_TRUE(v.is_null());
  EXPECT_FALSE(v.truthy());
  EXPECT_STREQ(v.type_name(), "NoneType");
}

TEST(Value, MapKeepsInsertionOrder) {
  Value v;
  v["z"] = 1;
  v["a"] = 2;
  v["m"] = 3;
  std::vector<std::string> keys;
  for (const auto& [k, _] : v.as_map()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "m"}));
}

TEST(Value, MapSetReplacesInPlace) {
  Map m{{"a", 1}, {"b", 2}};
  m.set("a", 5);
  EXPECT_EQ(m.begin()->first, "a");
  EXPECT_EQ(m.begin()->second, Value(5));
  EXPECT_EQ(m.size(), 2u);
}

TEST(Value, LargeMapLookupUsesIndexAndSurvivesMutation) {
  Map m;
  for (int i = 0; i < 200; ++i) m.set("k" + std::to_string(i), i);
  ASSERT_NE(m.find("k150"), nullptr);
  EXPECT_EQ(m.find("k150")->as_int(), 150);
  EXPECT_TRUE(m.erase("k150"));
  EXPECT_EQ(m.find("k150"), nullptr);
  m.set("new", 1);
  EXPECT_EQ(m.find("k199")->as_int(), 199);
  Map copy = m;
  EXPECT_EQ(copy.find("new")->as_int(), 1);
  EXPECT_EQ(copy, m);
}

TEST(Value, TraverseMapsAndLists) {
  Value v = Value::map({{"a", Value::map({{"b", Value::list({10, 20, Value::map({{"c", "x"}})})}})}});
  ASSERT_NE(v.traverse("a:b:1"), nullptr);
  EXPECT_EQ(*v.traverse("a:b:1"), Value(20));
  EXPECT_EQ(*v.traverse("a:b:c"), Value("x"));
  EXPECT_EQ(*v.traverse("a.b.-1.c", '.'), Value("x"));
  EXPECT_EQ(v.traverse("a:missing"), nullptr);
  EXPECT_EQ(v.traverse("a:b:7"), nullptr);
}

TEST(Value, TruthinessFollowsPython) {
  EXPECT_FALSE(Value(0).truthy());
  EXPECT_FALSE(Value(0.0).truthy());
  EXPECT_FALSE(Value("").truthy());
  EXPECT_FALSE(Value::list().truthy());
  EXPECT_TRUE(Value("0").truthy());
  EXPECT_TRUE(Value(-1).truthy());
}

TEST(Value, IntAndFloatCompareNumerically) {
  EXPECT_EQ(Value(1), Value(1.0));
  EXPECT_FALSE(Value(1) == Value("1"));
  EXPECT_FALSE(Value(true) == Value(1));
}

TEST(Value, ConfigGetters) {
  Value v = Value::map({{"port", 4505}, {"name", "m"}, {"on", true}});
  EXPECT_EQ(v.get_int("port"), 4505);
  EXPECT_EQ(v.get_int("missing", 7), 7);
  EXPECT_EQ(v.get_string("name"), "m");
  EXPECT_TRUE(v.get_bool("on"));
}

}  // namespace
}  // namespace brine
