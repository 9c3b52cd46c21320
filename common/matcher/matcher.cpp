#include "common/matcher/matcher.h"

#include <algorithm>
#include <array>
#include <unordered_set>
#include <utility>

#include "common/codec/python_repr.h"
#include "common/matcher/fnmatch.h"
#include "common/matcher/matcher_impl.h"

namespace brine::matcher {
namespace {

struct TypeName {
  TargetType type;
  std::string_view name;
};
constexpr std::array<TypeName, 14> kTypeNames{{
    {TargetType::kGlob, "glob"},
    {TargetType::kPcre, "pcre"},
    {TargetType::kList, "list"},
    {TargetType::kGrain, "grain"},
    {TargetType::kGrainPcre, "grain_pcre"},
    {TargetType::kPillar, "pillar"},
    {TargetType::kPillarPcre, "pillar_pcre"},
    {TargetType::kPillarExact, "pillar_exact"},
    {TargetType::kIpcidr, "ipcidr"},
    {TargetType::kCompound, "compound"},
    {TargetType::kCompoundPillarExact, "compound_pillar_exact"},
    {TargetType::kNodegroup, "nodegroup"},
    {TargetType::kRange, "range"},
    {TargetType::kData, "data"},
}};

bool uses_grains(TargetType t) {
  return t == TargetType::kGrain || t == TargetType::kGrainPcre || t == TargetType::kIpcidr;
}
bool uses_pillar(TargetType t) {
  return t == TargetType::kPillar || t == TargetType::kPillarPcre || t == TargetType::kPillarExact;
}

std::vector<std::string> split_commas(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(',', start);
    out.emplace_back(s.substr(start, pos == std::string_view::npos ? pos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

// Salt's list_match for a string target: `,id,` inside, or a prefix `id,`, a
// suffix `,id`, or the whole string. For ids without commas that is exactly
// membership in the comma-split items, which the set answers quickly.
bool list_string_match(const Leaf& leaf, std::string_view id) {
  if (id.find(',') == std::string_view::npos) return leaf.list_set.contains(std::string(id));
  const std::string& t = leaf.list_string;
  std::string mid = "," + std::string(id) + ",";
  return t.find(mid) != std::string::npos || t.starts_with(std::string(id) + ",") ||
         t.ends_with("," + std::string(id)) || t == id;
}

bool eval_leaf(const Leaf& leaf, const MinionFacts& f, bool greedy) {
  switch (leaf.type) {
    case TargetType::kGlob:
      return fnmatch(f.id, leaf.pattern);
    case TargetType::kPcre:
      return leaf.regex && leaf.regex->match_prefix(f.id);
    case TargetType::kList:
      return leaf.list_is_string ? list_string_match(leaf, f.id)
                                 : leaf.list_set.contains(std::string(f.id));
    case TargetType::kGrain:
    case TargetType::kGrainPcre:
      if (!f.grains) return greedy;
      return leaf.subdict->match(*f.grains);
    case TargetType::kPillar:
    case TargetType::kPillarPcre:
    case TargetType::kPillarExact:
      if (!f.pillar) return greedy;
      return leaf.subdict->match(*f.pillar);
    case TargetType::kIpcidr:
      if (!f.grains) return greedy;
      return ip_target_matches(*leaf.ip, *f.grains);
    default:
      return false;
  }
}

bool eval(const Matcher::Impl& impl, size_t idx, const MinionFacts& f, bool greedy) {
  const Node& n = impl.nodes[idx];
  switch (n.op) {
    case Node::Op::kLeaf:
      return eval_leaf(impl.leaves[n.leaf], f, greedy);
    case Node::Op::kNot:
      return !eval(impl, n.kids[0], f, greedy);
    case Node::Op::kAnd:
      for (size_t k : n.kids) {
        if (!eval(impl, k, f, greedy)) return false;
      }
      return true;
    case Node::Op::kOr:
      for (size_t k : n.kids) {
        if (eval(impl, k, f, greedy)) return true;
      }
      return false;
  }
  return false;
}

void describe_node(const Matcher::Impl& impl, size_t idx, std::string& out) {
  const Node& n = impl.nodes[idx];
  switch (n.op) {
    case Node::Op::kLeaf:
      out += impl.leaves[n.leaf].text;
      return;
    case Node::Op::kNot:
      out += "(not ";
      describe_node(impl, n.kids[0], out);
      out += ")";
      return;
    case Node::Op::kAnd:
    case Node::Op::kOr:
      out += "(";
      for (size_t i = 0; i < n.kids.size(); ++i) {
        if (i) out += n.op == Node::Op::kAnd ? " and " : " or ";
        describe_node(impl, n.kids[i], out);
      }
      out += ")";
      return;
  }
}

Error not_string(TargetType type, const Value& tgt) {
  return make_error(Errc::kInvalidArgument, std::string(target_type_name(type)) +
                                                " target must be a string, got " + tgt.type_name());
}

}  // namespace

Result<TargetType> parse_target_type(std::string_view name) {
  if (name.empty()) return TargetType::kGlob;
  for (const auto& t : kTypeNames) {
    if (t.name == name) return t.type;
  }
  return make_error(Errc::kInvalidArgument, "unknown target type '" + std::string(name) + "'");
}

std::string_view target_type_name(TargetType type) {
  for (const auto& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "unknown";
}

Result<Leaf> make_leaf(TargetType type, const Value& tgt, char delimiter, std::string text) {
  Leaf leaf;
  leaf.type = type;
  leaf.text = std::move(text);
  if (type == TargetType::kList) {
    if (tgt.is_string()) {
      leaf.list_is_string = true;
      leaf.list_string = tgt.as_string();
      leaf.list_items = split_commas(tgt.as_string());
    } else if (tgt.is_list()) {
      for (const auto& item : tgt.as_list()) {
        if (item.is_string()) leaf.list_items.push_back(item.as_string());
      }
    } else {
      return make_error(
          Errc::kInvalidArgument,
          std::string("list target must be a string or a list, got ") + tgt.type_name());
    }
    leaf.list_set.insert(leaf.list_items.begin(), leaf.list_items.end());
    return leaf;
  }
  if (!tgt.is_string()) return not_string(type, tgt);
  leaf.pattern = tgt.as_string();
  switch (type) {
    case TargetType::kGlob:
      break;
    case TargetType::kPcre: {
      auto re = Regex::compile(leaf.pattern);
      if (!re) return std::move(re).error();
      leaf.regex = std::move(*re);
      break;
    }
    case TargetType::kGrain:
    case TargetType::kPillar:
      leaf.subdict.emplace(leaf.pattern, delimiter, SubdictMode::kGlob);
      break;
    case TargetType::kGrainPcre:
    case TargetType::kPillarPcre:
      leaf.subdict.emplace(leaf.pattern, delimiter, SubdictMode::kRegex);
      break;
    case TargetType::kPillarExact:
      leaf.subdict.emplace(leaf.pattern, delimiter, SubdictMode::kExact);
      break;
    case TargetType::kIpcidr: {
      auto ip = parse_ip_target(leaf.pattern);
      if (!ip) return std::move(ip).error();
      leaf.ip = *ip;
      break;
    }
    default:
      return make_error(Errc::kUnsupported, "target type '" + std::string(target_type_name(type)) +
                                                "' is not supported");
  }
  return leaf;
}

Result<Matcher> Matcher::compile(const Target& target, const Value& nodegroups) {
  auto impl = std::make_shared<Impl>();
  switch (target.type) {
    case TargetType::kCompound:
    case TargetType::kCompoundPillarExact:
      BRINE_TRY(parse_compound(target.tgt, nodegroups,
                               target.type == TargetType::kCompoundPillarExact, *impl));
      break;
    case TargetType::kNodegroup: {
      if (!target.tgt.is_string()) return not_string(target.type, target.tgt);
      auto words = expand_nodegroup(target.tgt.as_string(), nodegroups);
      if (!words) return std::move(words).error();
      BRINE_TRY(parse_compound(*words, nodegroups, false, *impl));
      break;
    }
    case TargetType::kRange:
    case TargetType::kData:
      return make_error(
          Errc::kUnsupported,
          "target type '" + std::string(target_type_name(target.type)) + "' is not supported");
    default: {
      std::string text =
          target.tgt.is_string() ? target.tgt.as_string() : codec::python_repr(target.tgt);
      auto leaf = make_leaf(target.type, target.tgt, target.delimiter, std::move(text));
      if (!leaf) return std::move(leaf).error();
      impl->leaves.push_back(std::move(*leaf));
      Node n;
      n.op = Node::Op::kLeaf;
      impl->nodes.push_back(n);
      impl->root = 0;
    }
  }
  bool compound = target.type == TargetType::kCompound ||
                  target.type == TargetType::kCompoundPillarExact ||
                  target.type == TargetType::kNodegroup;
  impl->data_dependent = compound;
  std::unordered_set<std::string> seen;
  for (const auto& leaf : impl->leaves) {
    if (uses_grains(leaf.type) || uses_pillar(leaf.type)) impl->data_dependent = true;
    if (leaf.type == TargetType::kList && !leaf.negated) {
      for (const auto& id : leaf.list_items) {
        if (!id.empty() && seen.insert(id).second) impl->listed.push_back(id);
      }
    }
  }
  Matcher m;
  m.impl_ = std::move(impl);
  return m;
}

bool Matcher::match(const MinionFacts& facts) const {
  return eval(*impl_, impl_->root, facts, /*greedy=*/false);
}

bool Matcher::match_greedy(const MinionFacts& facts) const {
  return eval(*impl_, impl_->root, facts, /*greedy=*/true);
}

std::string Matcher::describe() const {
  std::string out;
  describe_node(*impl_, impl_->root, out);
  return out;
}

const std::vector<std::string>& Matcher::listed_ids() const { return impl_->listed; }

bool Matcher::needs_minion_data() const { return impl_->data_dependent; }

Result<bool> match(const Target& target, const MinionFacts& facts, const Value& nodegroups) {
  auto m = Matcher::compile(target, nodegroups);
  if (!m) return std::move(m).error();
  return m->match(facts);
}

Value list_target_from_cli(std::string_view text) {
  List out;
  if (text.find(',') != std::string_view::npos) {
    std::string compact;
    for (char c : text) {
      if (c != ' ') compact.push_back(c);
    }
    for (auto& item : split_commas(compact)) out.emplace_back(std::move(item));
    return Value(std::move(out));
  }
  size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (i < text.size()) {
    while (i < text.size() && space(text[i])) ++i;
    size_t start = i;
    while (i < text.size() && !space(text[i])) ++i;
    if (i > start) out.emplace_back(std::string(text.substr(start, i - start)));
  }
  return Value(std::move(out));
}

Expected expected_minions(const Matcher& matcher, std::span<const std::string> accepted,
                          const FactsLookup& facts, bool minion_data_cache) {
  Expected out;
  std::unordered_set<std::string_view> accepted_set;
  accepted_set.reserve(accepted.size());
  for (const auto& id : accepted) {
    if (!id.empty() && id[0] != '.') accepted_set.insert(id);
  }
  const bool all = matcher.needs_minion_data() && !minion_data_cache;
  for (const auto& id : accepted_set) {
    bool hit = true;
    if (!all) {
      std::optional<MinionFacts> f = (facts && minion_data_cache) ? facts(id) : std::nullopt;
      MinionFacts mf = f ? *f : MinionFacts{};
      mf.id = id;
      hit = matcher.match_greedy(mf);
    }
    if (hit) out.minions.emplace_back(id);
  }
  std::sort(out.minions.begin(), out.minions.end());
  if (!all) {
    for (const auto& id : matcher.listed_ids()) {
      if (!accepted_set.contains(id)) out.missing.push_back(id);
    }
  }
  return out;
}

Result<Expected> expected_minions(const Target& target, std::span<const std::string> accepted,
                                  const FactsLookup& facts, const Value& nodegroups,
                                  bool minion_data_cache) {
  auto m = Matcher::compile(target, nodegroups);
  if (!m) return std::move(m).error();
  return expected_minions(*m, accepted, facts, minion_data_cache);
}

}  // namespace brine::matcher
