// Salt targeting: which minions a target selects (reference: targeting.md).
//
// Two evaluations, as in Salt:
//  * minion side, Matcher::match(facts): does *this* minion run the job? Uses
//    its id, live grains and pillar; missing data never matches.
//  * master side, expected_minions(): which accepted minions the CLI should
//    wait for. Ids come from accepted keys; grain/pillar/ipcidr targets use the
//    minion data cache where an entry exists and keep ids without one
//    ("greedy"), so a minion is never left out just because it is unknown.
//
// A Target is compiled once (Matcher::compile) and evaluated many times.
// Compilation parses compound expressions into an AST, expands nodegroups,
// compiles regexes and CIDRs, and fails with a clear Error for malformed input
// (unbalanced parentheses, operator misuse, unknown engine letter, invalid
// regex or CIDR, unknown or self-including nodegroup). A minion treats a
// compile error as "no match" (Salt logs and ignores the job); the master
// reports it to the publisher.
//
// Brine deviations from Salt 3006, all towards stricter or saner behaviour:
//  * `X@...` with an unknown upper-case engine letter and `R@` (range) are
//    errors instead of a glob that matches nothing / a missing-library error.
//  * An unknown nodegroup inside a compound is an error (Salt drops the word).
//  * Every nodegroup expansion is parenthesised (Salt leaves a top-level
//    definition unwrapped, so `N@g and x` could bind as `a or (b and x)`).
//  * Grain/pillar regexes keep their case-sensitive escapes (see subdict.h).
//  * Empty compound expressions and `( )` are errors (Salt: no match).
//
// Thread-safety: a compiled Matcher is immutable (its regex caches are
// internally locked); match() and expected_minions() may run concurrently.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::matcher {

enum class TargetType {
  kGlob,
  kPcre,
  kList,
  kGrain,
  kGrainPcre,
  kPillar,
  kPillarPcre,
  kPillarExact,
  kIpcidr,
  kCompound,
  kCompoundPillarExact,  // compound where I@/J@ compare exactly (pillar top files)
  kNodegroup,
  kRange,  // parsed so it can be named; not supported
  kData,   // parsed so it can be named; not supported
};

// "glob", "pcre", ... as in the publish `tgt_type`; absent/empty means glob.
// Error (kInvalidArgument): "unknown target type 'x'".
Result<TargetType> parse_target_type(std::string_view name);
std::string_view target_type_name(TargetType type);

// What a publication carries: `tgt`, `tgt_type`, `delimiter`.
struct Target {
  Value tgt;  // a string, or a list of strings (list targets, expanded nodegroups)
  TargetType type = TargetType::kGlob;
  char delimiter = ':';  // for grain/pillar types; compound tokens use their own
};

// What a matcher may look at for one minion. Pointers are borrowed for the
// duration of the call. nullptr grains/pillar means "not known": no match on
// the minion side, greedy match on the master side.
struct MinionFacts {
  std::string_view id;
  const Value* grains = nullptr;  // also the source of the ipv4/ipv6 lists for -S
  const Value* pillar = nullptr;
};

class Matcher {
 public:
  // `nodegroups` is the master's `nodegroups` map (name -> compound string or
  // list of words); needed for kNodegroup targets and N@ words.
  static Result<Matcher> compile(const Target& target, const Value& nodegroups = Value());

  // Minion side: does this minion match? Unknown grains/pillar do not match.
  bool match(const MinionFacts& facts) const;
  // Master side: like match(), but a matcher that needs grains/pillar the
  // master has not cached counts as matching (Salt's greedy mode).
  bool match_greedy(const MinionFacts& facts) const;

  // Canonical, fully parenthesised form of the compiled expression, e.g.
  // "(G@os:Debian and (not L@db1,db2))". For logs and tests.
  std::string describe() const;

  // List targets (`-L`, `L@`) name ids; these are the named ids, in order,
  // excluding those directly under `not` (Salt does not report those as
  // missing). Used for the master's `missing` list.
  const std::vector<std::string>& listed_ids() const;

  // True for compound/nodegroup targets and any grain, pillar or ipcidr part:
  // what the master's `minion_data_cache: False` rule applies to.
  bool needs_minion_data() const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

// One-shot minion-side match. Error when the target does not compile.
Result<bool> match(const Target& target, const MinionFacts& facts,
                   const Value& nodegroups = Value());

// Salt's nodegroup_comp for `-N name`: the word list published as a compound
// target. A definition with no operators, `X@` prefixes or `*` becomes
// ["L@a,b,c"] (or ["E@..."] when a word holds regex characters); otherwise the
// words, with N@ references expanded recursively inside parentheses.
// Errors: "Node group <name> unavailable" style text is the CLI's to add; this
// returns "unknown nodegroup 'x'", "nodegroup 'a' includes itself (a -> b -> a)"
// or "nodegroup 'x' must be a string or a list of words".
Result<Value> expand_nodegroup(std::string_view name, const Value& nodegroups);

// `-L` on the CLI: "a,b,c" (spaces dropped when a comma is present) or
// whitespace-separated words, as a list Value (Salt's parser does the same).
Value list_target_from_cli(std::string_view text);

// ---- master side ----

// Cached data for an accepted id; std::nullopt when the master has no cache
// entry for it (greedy: such ids stay expected for data-dependent targets).
using FactsLookup = std::function<std::optional<MinionFacts>(std::string_view id)>;

struct Expected {
  std::vector<std::string> minions;  // sorted, unique
  std::vector<std::string> missing;  // listed ids without an accepted key, in listed order
};

// Expected minions for a compiled target among `accepted` ids (accepted keys).
// minion_data_cache=false means the master keeps no grains/pillar: grain,
// pillar, ipcidr and compound targets then expect every accepted id (Salt).
Expected expected_minions(const Matcher& matcher, std::span<const std::string> accepted,
                          const FactsLookup& facts, bool minion_data_cache = true);

// Compile + evaluate. Error when the target does not compile.
Result<Expected> expected_minions(const Target& target, std::span<const std::string> accepted,
                                  const FactsLookup& facts, const Value& nodegroups = Value(),
                                  bool minion_data_cache = true);

}  // namespace brine::matcher
