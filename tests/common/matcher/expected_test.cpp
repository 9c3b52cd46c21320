// Master side: expected minions (targeting.md §4, §5).
#include <gtest/gtest.h>

#include <map>

#include "common/matcher/matcher.h"

namespace brine::matcher {
namespace {

// targeting.md §5: accepted web1, web2, db1 (db2 pending); cache web1 Debian,
// web2 Ubuntu, db1 none.
struct Fleet {
  std::vector<std::string> accepted{"web1", "web2", "db1"};
  std::map<std::string, Value> grains{
      {"web1", Value::map({{"os", "Debian"}, {"ipv4", Value::list({"198.51.100.1"})}})},
      {"web2", Value::map({{"os", "Ubuntu"}, {"ipv4", Value::list({"203.0.113.2"})}})},
  };
  std::map<std::string, Value> pillar{{"web1", Value::map({{"role", "web"}})}};
  FactsLookup lookup() const {
    return [this](std::string_view id) -> std::optional<MinionFacts> {
      auto g = grains.find(std::string(id));
      if (g == grains.end()) return std::nullopt;
      auto p = pillar.find(std::string(id));
      return MinionFacts{id, &g->second, p == pillar.end() ? nullptr : &p->second};
    };
  }
  Expected expect(TargetType type, Value tgt, bool cache = true) const {
    auto r =
        expected_minions(Target{std::move(tgt), type, ':'}, accepted, lookup(), Value(), cache);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : Expected{};
  }
};

using V = std::vector<std::string>;

TEST(ExpectedMinions, WorkedExample) {
  Fleet f;
  EXPECT_EQ(f.expect(TargetType::kGlob, "web*").minions, (V{"web1", "web2"}));
  EXPECT_EQ(f.expect(TargetType::kPcre, "w").minions, (V{"web1", "web2"}));
  Expected l = f.expect(TargetType::kList, Value::list({"web1", "db2"}));
  EXPECT_EQ(l.minions, (V{"web1"}));
  EXPECT_EQ(l.missing, (V{"db2"}));
  EXPECT_EQ(f.expect(TargetType::kGrain, "os:debian").minions, (V{"db1", "web1"}));
  EXPECT_EQ(f.expect(TargetType::kCompound, "web* and not G@os:Ubuntu").minions, (V{"web1"}));
  EXPECT_TRUE(f.expect(TargetType::kGlob, "nomatch*").minions.empty());
}

TEST(ExpectedMinions, GreedyForUncachedData) {
  Fleet f;
  EXPECT_EQ(f.expect(TargetType::kGrainPcre, "os:ubu").minions, (V{"db1", "web2"}));
  EXPECT_EQ(f.expect(TargetType::kIpcidr, "198.51.0.0/16").minions, (V{"db1", "web1"}));
  // web2 has cached grains but no pillar yet: pillar unknown stays greedy.
  EXPECT_EQ(f.expect(TargetType::kPillar, "role:web").minions, (V{"db1", "web1", "web2"}));
  EXPECT_EQ(f.expect(TargetType::kPillar, "role:db").minions, (V{"db1", "web2"}));
  // `not` of a greedy match excludes the unknown minion, as Salt's set
  // difference does.
  EXPECT_EQ(f.expect(TargetType::kCompound, "not G@os:Debian").minions, (V{"web2"}));
}

TEST(ExpectedMinions, DataCacheDisabledExpectsEveryone) {
  Fleet f;
  EXPECT_EQ(f.expect(TargetType::kGrain, "os:Debian", false).minions, (V{"db1", "web1", "web2"}));
  EXPECT_EQ(f.expect(TargetType::kCompound, "web1", false).minions, (V{"db1", "web1", "web2"}));
  EXPECT_EQ(f.expect(TargetType::kGlob, "web1", false).minions, (V{"web1"}));
  EXPECT_EQ(f.expect(TargetType::kList, "web1,nope", false).missing, (V{"nope"}));
}

TEST(ExpectedMinions, ListStringsAndMissing) {
  Fleet f;
  Expected e = f.expect(TargetType::kList, "web1,db2,db2,,web2");
  EXPECT_EQ(e.minions, (V{"web1", "web2"}));
  EXPECT_EQ(e.missing, (V{"db2"}));
  Expected c = f.expect(TargetType::kCompound, "L@web1,ghost or not L@db1,ghost2");
  EXPECT_EQ(c.minions, (V{"web1", "web2"}));
  EXPECT_EQ(c.missing, (V{"ghost"}));  // ids under `not` are not reported missing
}

TEST(ExpectedMinions, HiddenAndEmptyIdsIgnored) {
  Fleet f;
  f.accepted.push_back(".key_cache");
  f.accepted.push_back("");
  EXPECT_EQ(f.expect(TargetType::kGlob, "*").minions, (V{"db1", "web1", "web2"}));
}

TEST(ExpectedMinions, MalformedTargetIsAnError) {
  Fleet f;
  auto r =
      expected_minions(Target{Value("( web1"), TargetType::kCompound, ':'}, f.accepted, f.lookup());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "invalid compound target '( web1': missing ')'");
}

TEST(ListMatch, SaltsStringSemantics) {
  auto m = [](const char* tgt, const char* id) {
    return *match(Target{Value(tgt), TargetType::kList, ':'}, MinionFacts{id});
  };
  EXPECT_TRUE(m("a,b,c", "b"));
  EXPECT_TRUE(m("a,b,c", "a"));
  EXPECT_TRUE(m("a,b,c", "c"));
  EXPECT_TRUE(m("a", "a"));
  EXPECT_FALSE(m("a,b,c", "d"));
  EXPECT_FALSE(m("ab,c", "a"));
  EXPECT_FALSE(m("web*", "web1"));   // no globbing in lists
  EXPECT_TRUE(m("x,a,b,y", "a,b"));  // Salt's substring rule for ids with commas
  EXPECT_TRUE(*match(Target{Value::list({"a", "b"}), TargetType::kList, ':'}, MinionFacts{"b"}));
}

TEST(GlobMatch, NonStringTargetIsAnError) {
  auto r = match(Target{Value::list({"a"}), TargetType::kGlob, ':'}, MinionFacts{"a"});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "glob target must be a string, got list");
}

}  // namespace
}  // namespace brine::matcher
