// Internal: the compiled form behind brine::matcher::Matcher. Not a public API.
#pragma once

#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "common/matcher/ipcidr.h"
#include "common/matcher/matcher.h"
#include "common/matcher/regex.h"
#include "common/matcher/subdict.h"

namespace brine::matcher {

// One simple target: a compound token or a whole non-compound target.
struct Leaf {
  TargetType type = TargetType::kGlob;  // never kCompound/kNodegroup
  std::string text;                     // as written, for describe()
  std::string pattern;                  // glob/pcre/ipcidr text
  // kList: the target string (`L@a,b`) or list; items split for fast lookup.
  bool list_is_string = false;
  std::string list_string;
  std::vector<std::string> list_items;
  std::unordered_set<std::string> list_set;
  std::optional<Regex> regex;             // kPcre
  std::optional<SubdictMatcher> subdict;  // grain/pillar kinds
  std::optional<IpTarget> ip;             // kIpcidr
  bool negated = false;                   // directly under `not` (master: no `missing`)
};

struct Node {
  enum class Op { kLeaf, kAnd, kOr, kNot };
  Op op = Op::kLeaf;
  size_t leaf = 0;           // kLeaf
  std::vector<size_t> kids;  // kAnd/kOr: 2+, kNot: 1
};

struct Matcher::Impl {
  std::vector<Leaf> leaves;
  std::vector<Node> nodes;
  size_t root = 0;
  bool data_dependent = false;  // needs grains/pillar (master: cache rule applies)
  std::vector<std::string> listed;
};

// Builds a leaf for `type` with pattern `tgt` (string, or list for kList).
Result<Leaf> make_leaf(TargetType type, const Value& tgt, char delimiter, std::string text);

// Parses a compound target (string or list of words) into `impl`, expanding
// N@ words with `nodegroups`. pillar_exact: I@/J@ compare exactly.
Status parse_compound(const Value& tgt, const Value& nodegroups, bool pillar_exact,
                      Matcher::Impl& impl);

}  // namespace brine::matcher
