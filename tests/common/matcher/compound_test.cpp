// Compound expressions, nodegroups and malformed input.
#include <gtest/gtest.h>

#include <random>

#include "common/matcher/matcher.h"

namespace brine::matcher {
namespace {

#include "tests/common/matcher/matcher_cases.inc"

Target compound(const char* expr) { return Target{Value(expr), TargetType::kCompound, ':'}; }

std::string describe(const char* expr, const Value& nodegroups = Value()) {
  auto m = Matcher::compile(compound(expr), nodegroups);
  return m ? m->describe() : "ERROR: " + m.error().message;
}

std::string error_of(const Target& t, const Value& nodegroups = Value()) {
  auto m = Matcher::compile(t, nodegroups);
  return m ? "compiled: " + m->describe() : m.error().message;
}

TEST(Compound, AgreesWithSaltOnRandomGlobExpressions) {
  // Salt's own algorithm (rewrite to a boolean string, eval) computed these.
  for (const auto& c : kCompoundCases) {
    auto m = Matcher::compile(compound(c.expr));
    if (c.expect < 0) {
      EXPECT_FALSE(m) << "'" << c.expr << "' should be invalid";
      continue;
    }
    ASSERT_TRUE(m) << "'" << c.expr << "': " << m.error().message;
    EXPECT_EQ(m->match(MinionFacts{c.id}), c.expect == 1) << "'" << c.expr << "' on " << c.id;
  }
}

TEST(Compound, Precedence) {
  EXPECT_EQ(describe("a or b and c"), "(a or (b and c))");
  EXPECT_EQ(describe("a and b or c"), "((a and b) or c)");
  EXPECT_EQ(describe("not a and b"), "((not a) and b)");
  EXPECT_EQ(describe("a and not b or c"), "((a and (not b)) or c)");
  EXPECT_EQ(describe("( a or b ) and c"), "((a or b) and c)");
  EXPECT_EQ(describe("a b"),
            "ERROR: invalid compound target 'a b': missing operator between 'a' and 'b'");
  EXPECT_EQ(describe("web* not web3"), "(web* and (not web3))");
  EXPECT_EQ(describe("( a ) not b"), "(a and (not b))");
  EXPECT_EQ(describe("a and b and c or d or e"), "((a and b and c) or d or e)");
  EXPECT_EQ(describe("not ( a or b )"), "(not (a or b))");
}

TEST(Compound, Prefixes) {
  EXPECT_EQ(describe("G@os:Debian and E@web\\d and L@a,b and S@198.51.0.0/16 and I@role:web "
                     "and J@role:w.* and P@os:deb.*"),
            "(G@os:Debian and E@web\\d and L@a,b and S@198.51.0.0/16 and I@role:web and J@role:w.* "
            "and P@os:deb.*)");
  // Alternative delimiter only after G, P, I, J.
  Value g = Value::map({{"ec2", Value::map({{"tags", Value::map({{"env", "prod"}})}})}});
  auto m = Matcher::compile(compound("G;@ec2;tags;env;prod"));
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->match(MinionFacts{"x", &g}));
  auto pipe = Matcher::compile(compound("J|@foo|bar|^baz"));
  ASSERT_TRUE(pipe);
  Value p = Value::map({{"foo", Value::map({{"bar", "bazooka"}})}});
  EXPECT_TRUE(pipe->match(MinionFacts{"x", nullptr, &p}));
  // A bare word is a glob even when it contains '@' later on.
  EXPECT_EQ(describe("user@host*"), "user@host*");
}

TEST(Compound, MalformedExpressionsHaveClearErrors) {
  EXPECT_EQ(error_of(compound("")), "invalid compound target '': empty expression");
  EXPECT_EQ(error_of(compound("( web1")), "invalid compound target '( web1': missing ')'");
  EXPECT_EQ(error_of(compound("web1 )")), "invalid compound target 'web1 )': unexpected ')'");
  EXPECT_EQ(error_of(compound(")")), "invalid compound target ')': unexpected ')'");
  EXPECT_EQ(error_of(compound("and web1")),
            "invalid compound target 'and web1': 'and' cannot start an expression");
  EXPECT_EQ(error_of(compound("( or web1 )")),
            "invalid compound target '( or web1 )': 'or' cannot follow '('");
  EXPECT_EQ(error_of(compound("web1 and")),
            "invalid compound target 'web1 and': expected a target after 'and'");
  EXPECT_EQ(error_of(compound("web1 and or db1")),
            "invalid compound target 'web1 and or db1': expected a target between 'and' and 'or'");
  EXPECT_EQ(error_of(compound("not not web1")),
            "invalid compound target 'not not web1': 'not' cannot follow 'not'");
  EXPECT_EQ(error_of(compound("( )")), "invalid compound target '( )': empty parentheses");
  EXPECT_EQ(error_of(compound("X@foo")),
            "invalid compound target 'X@foo': unknown target engine 'X' in 'X@foo'");
  EXPECT_EQ(error_of(compound("R@%foo")),
            "invalid compound target 'R@%foo': range targeting ('R@%foo') is not supported");
  EXPECT_EQ(error_of(compound("G@")), "invalid compound target 'G@': empty pattern in 'G@'");
  EXPECT_EQ(error_of(compound("E@web(")),
            "invalid compound target 'E@web(': invalid regular expression 'web(': missing "
            "closing parenthesis at offset 4");
  EXPECT_EQ(error_of(compound("S@198.51.100.7/16")),
            "invalid compound target 'S@198.51.100.7/16': invalid IP/CIDR target '198.51.100.7/16': "
            "'198.51.100.7/16' has host bits set");
  EXPECT_EQ(error_of(Target{Value(42), TargetType::kCompound, ':'}),
            "compound target must be a string or a list of words, got int");
  std::string deep;
  for (int i = 0; i < 150; ++i) deep += "( ";
  deep += "a";
  for (int i = 0; i < 150; ++i) deep += " )";
  auto m = Matcher::compile(compound(deep.c_str()));
  ASSERT_FALSE(m);
  EXPECT_NE(m.error().message.find("nested too deeply"), std::string::npos);
}

TEST(Compound, ListFormTarget) {
  Target t{Value::list({"web*", "and", "not", "web2"}), TargetType::kCompound, ':'};
  auto m = Matcher::compile(t);
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->match(MinionFacts{"web1"}));
  EXPECT_FALSE(m->match(MinionFacts{"web2"}));
}

TEST(Compound, PillarExactVariant) {
  Value p = Value::map({{"role", "web*"}});
  Target exact{Value("I@role:web*"), TargetType::kCompoundPillarExact, ':'};
  Target globbed{Value("I@role:web*"), TargetType::kCompound, ':'};
  Value p2 = Value::map({{"role", "webserver"}});
  EXPECT_TRUE(*match(exact, MinionFacts{"x", nullptr, &p}));
  EXPECT_FALSE(*match(exact, MinionFacts{"x", nullptr, &p2}));
  EXPECT_TRUE(*match(globbed, MinionFacts{"x", nullptr, &p2}));
}

Value nodegroups() {
  return Value::map({
      {"webs", "web1 or web2"},
      {"ids", "web1 db1"},      // plain words: a list of ids
      {"rx", "web[12] db\\d"},  // regex characters: E@
      {"debian", Value::list({"G@os:Debian", "or", "G@os:Ubuntu"})},
      {"nested", "N@webs or N@ids"},
      {"self", "web1 or N@self"},
      {"loop_a", "web1 or N@loop_b"},
      {"loop_b", "db1 or N@loop_a"},
      {"bad", 42},
      {"unknown_ref", "web1 or N@nope"},
  });
}

TEST(Nodegroups, ExpandLikeSalt) {
  Value ng = nodegroups();
  EXPECT_EQ(*expand_nodegroup("webs", ng), Value::list({"(", "web1", "or", "web2", ")"}));
  EXPECT_EQ(*expand_nodegroup("ids", ng), Value::list({"L@web1,db1"}));
  EXPECT_EQ(*expand_nodegroup("rx", ng), Value::list({"E@web[12],db\\d"}));
  EXPECT_EQ(*expand_nodegroup("debian", ng),
            Value::list({"(", "G@os:Debian", "or", "G@os:Ubuntu", ")"}));
  EXPECT_EQ(*expand_nodegroup("nested", ng),
            Value::list({"(", "(", "web1", "or", "web2", ")", "or", "L@web1,db1", ")"}));
}

TEST(Nodegroups, ErrorsNameTheGroup) {
  Value ng = nodegroups();
  EXPECT_EQ(expand_nodegroup("nope", ng).error().message, "unknown nodegroup 'nope'");
  EXPECT_EQ(expand_nodegroup("self", ng).error().message,
            "nodegroup 'self' includes itself (self -> self)");
  EXPECT_EQ(expand_nodegroup("loop_a", ng).error().message,
            "nodegroup 'loop_a' includes itself (loop_a -> loop_b -> loop_a)");
  EXPECT_EQ(expand_nodegroup("bad", ng).error().message,
            "nodegroup 'bad' must be a string or a list of words, got int");
  EXPECT_EQ(expand_nodegroup("unknown_ref", ng).error().message, "unknown nodegroup 'nope'");
  EXPECT_EQ(error_of(compound("N@loop_a and web*"), ng),
            "invalid compound target 'N@loop_a and web*': nodegroup 'loop_a' includes itself "
            "(loop_a -> loop_b -> loop_a)");
}

TEST(Nodegroups, InCompoundAndAsTargetType) {
  Value ng = nodegroups();
  EXPECT_EQ(describe("N@webs and not web2", ng), "((web1 or web2) and (not web2))");
  EXPECT_EQ(describe("N@nested or db*", ng), "(((web1 or web2) or L@web1,db1) or db*)");
  Target t{Value("webs"), TargetType::kNodegroup, ':'};
  EXPECT_TRUE(*match(t, MinionFacts{"web2"}, ng));
  EXPECT_FALSE(*match(t, MinionFacts{"db1"}, ng));
  Target unknown{Value("nope"), TargetType::kNodegroup, ':'};
  EXPECT_EQ(match(unknown, MinionFacts{"web1"}, ng).error().message, "unknown nodegroup 'nope'");
}

TEST(Compound, FuzzedExpressionsNeverCrash) {
  const char* vocab[] = {"and",         "or",     "not",    "(",   ")",         "web*",
                         "G@os:Debian", "G;@a;b", "P@os:(", "E@[", "L@a,b,,",   "S@198.51.0.0/16",
                         "S@bad",       "I@x:*",  "J@x:\\", "N@g", "N@h",       "X@y",
                         "R@z",         "G@",     "*",      "@",   "E@a{99999}"};
  Value ng = Value::map({{"g", "web1 or N@h"}, {"h", "( db* and not N@g_ok )"}, {"g_ok", "L@a,b"}});
  Value grains = Value::map(
      {{"os", "Debian"}, {"a", Value::map({{"b", "c"}})}, {"ipv4", Value::list({"198.51.100.1"})}});
  Value pillar = Value::map({{"x", "y"}});
  std::mt19937 rng(12345);
  int compiled = 0;
  for (int iter = 0; iter < 20000; ++iter) {
    std::string expr;
    int n = static_cast<int>(rng() % 12);
    for (int i = 0; i < n; ++i) {
      if (i) expr += ' ';
      expr += vocab[rng() % std::size(vocab)];
    }
    auto m = Matcher::compile(compound(expr.c_str()), ng);
    if (!m) {
      EXPECT_FALSE(m.error().message.empty());
      continue;
    }
    ++compiled;
    (void)m->match(MinionFacts{"web1", &grains, &pillar});
    (void)m->match_greedy(MinionFacts{"db1"});
    (void)m->describe();
  }
  EXPECT_GT(compiled, 100);
  // Random bytes as a single expression.
  for (int iter = 0; iter < 5000; ++iter) {
    std::string expr;
    int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) expr.push_back(static_cast<char>(rng() % 256));
    auto m = Matcher::compile(Target{Value(expr), TargetType::kCompound, ':'}, ng);
    if (m) (void)m->match(MinionFacts{"web1", &grains, &pillar});
  }
}

}  // namespace
}  // namespace brine::matcher
