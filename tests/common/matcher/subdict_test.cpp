// Grain/pillar ("subdict") matching: targeting.md §2.4 and Salt's
// salt.utils.data.subdict_match edge cases.
#include "common/matcher/subdict.h"

#include <gtest/gtest.h>

#include "common/matcher/matcher.h"

namespace brine::matcher {
namespace {

Value grains() {
  return Value::map({
      {"os", "Debian"},
      {"roles", Value::list({"web", "db"})},
      {"ec2", Value::map({{"tags", Value::map({{"env", "prod"}})}})},
      {"num_cpus", 4},
      {"virtual", "kvm"},
      {"ipv4", Value::list({"127.0.0.1", "198.51.100.7"})},
      {"url", "http://x:80/y"},
      {"flag", true},
      {"ratio", 0.5},
      {"nothing", Value()},
      {"empty", Value::map()},
      {"disks",
       Value::list({Value::map({{"name", "sda"}, {"size", 100}}), Value::map({{"name", "sdb"}})})},
      {"nested_list", Value::list({Value::list({"a", "b"})})},
  });
}

bool glob(const char* expr, char delim = ':') {
  return SubdictMatcher(expr, delim, SubdictMode::kGlob).match(grains());
}
bool pcre(const char* expr, char delim = ':') {
  return SubdictMatcher(expr, delim, SubdictMode::kRegex).match(grains());
}
bool exact(const char* expr) {
  return SubdictMatcher(expr, ':', SubdictMode::kExact).match(grains());
}

#include "tests/common/matcher/matcher_cases.inc"

TEST(Subdict, AgreesWithSaltsSubdictMatch) {
  for (const auto& c : kSubdictCases) {
    bool got = c.mode == 0 ? glob(c.expr) : c.mode == 1 ? pcre(c.expr) : exact(c.expr);
    EXPECT_EQ(got, c.expect) << "mode " << c.mode << " expr '" << c.expr << "'";
  }
}

TEST(Subdict, TargetingReferenceTable) {
  EXPECT_TRUE(glob("os:Debian"));
  EXPECT_TRUE(glob("os:debian"));
  EXPECT_TRUE(glob("os:Deb*"));
  EXPECT_FALSE(glob("os"));
  EXPECT_TRUE(glob("roles:web"));
  EXPECT_TRUE(glob("roles:w?b"));
  EXPECT_TRUE(glob("ec2:tags:env:prod"));
  EXPECT_TRUE(glob("ec2:tags:env"));
  EXPECT_TRUE(glob("ec2:tags:*"));
  EXPECT_TRUE(glob("num_cpus:4"));
  EXPECT_FALSE(glob("virtual:physical"));
  EXPECT_FALSE(glob("missing:*"));
  EXPECT_TRUE(pcre("os:(Debian|Ubuntu)"));
}

TEST(Subdict, AlternativeDelimiter) {
  EXPECT_TRUE(glob("ec2;tags;env;prod", ';'));
  EXPECT_FALSE(glob("ec2:tags:env:prod", ';'));  // no ';' at all: cannot match
}

TEST(Subdict, RegexKeepsEscapesAndIsAnchoredAtStart) {
  EXPECT_TRUE(pcre("os:deb"));
  EXPECT_FALSE(pcre("os:ebian"));
  EXPECT_TRUE(pcre("os:\\D+$"));  // Salt would lowercase this to \d+ and fail
  EXPECT_TRUE(pcre("num_cpus:\\d"));
  EXPECT_FALSE(pcre("os:(unclosed"));  // invalid regex: no match
}

TEST(Subdict, NullDataNeverMatches) {
  SubdictMatcher m("os:*", ':', SubdictMode::kGlob);
  EXPECT_FALSE(m.match(Value()));
  EXPECT_FALSE(m.match(Value("os:x")));
}

TEST(Subdict, HostileExpressionsTerminate) {
  std::string expr;
  for (int i = 0; i < 500; ++i) expr += "*:";  // 1001 bytes, under the 1024 cap
  expr += "x";
  Value deep;
  Value* cur = &deep;
  for (int i = 0; i < 200; ++i) cur = &(*cur)["k"];
  *cur = "x";
  EXPECT_FALSE(SubdictMatcher(expr, ':', SubdictMode::kGlob).match(grains()));
  // Bounded work: must finish quickly whatever the answer.
  (void)SubdictMatcher(expr, ':', SubdictMode::kGlob).match(deep);
}

TEST(GrainTargets, MinionSideNeedsGrains) {
  Value g = grains();
  Target t{Value("os:Debian"), TargetType::kGrain, ':'};
  EXPECT_TRUE(*match(t, MinionFacts{"web1", &g, nullptr}));
  EXPECT_FALSE(*match(t, MinionFacts{"web1", nullptr, nullptr}));
  Target pillar{Value("role:web"), TargetType::kPillar, ':'};
  Value p = Value::map({{"role", "web"}});
  EXPECT_TRUE(*match(pillar, MinionFacts{"web1", &g, &p}));
  EXPECT_FALSE(*match(pillar, MinionFacts{"web1", &g, nullptr}));
  Target delim{Value("ec2|tags|env|prod"), TargetType::kGrain, '|'};
  EXPECT_TRUE(*match(delim, MinionFacts{"web1", &g, nullptr}));
  Target ip{Value("198.51.0.0/16"), TargetType::kIpcidr, ':'};
  EXPECT_TRUE(*match(ip, MinionFacts{"web1", &g, nullptr}));
}

}  // namespace
}  // namespace brine::matcher
