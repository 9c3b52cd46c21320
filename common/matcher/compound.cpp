// Compound expressions and nodegroups: tokens -> nodegroup expansion -> AST.
//
// Grammar (targeting.md §3), tokens split on whitespace only:
//   expr   := and ( "or" and )*
//   and    := unary ( ["and"] unary )*      -- the "and" may be left out only
//                                              before "not" (Salt inserts it)
//   unary  := "not" unary | "(" expr ")" | target
// Precedence not > and > or, as in Python's eval of Salt's rewritten string.
#include <string>
#include <vector>

#include "common/codec/python_repr.h"
#include "common/matcher/matcher_impl.h"

namespace brine::matcher {
namespace {

constexpr size_t kMaxWords = 10000;  // after nodegroup expansion
constexpr int kMaxNesting = 100;     // parentheses and `not`
constexpr int kMaxNodegroupDepth = 32;

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
         (c >= '\x1c' && c <= '\x1f');
}

// Python's str.split() with no argument.
std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

bool is_operator(std::string_view w) {
  return w == "and" || w == "or" || w == "not" || w == "(" || w == ")";
}

Result<std::vector<std::string>> words_of(const Value& v, std::string_view what) {
  if (v.is_string()) return split_words(v.as_string());
  if (v.is_list()) {
    std::vector<std::string> out;
    for (const auto& w : v.as_list()) out.push_back(codec::python_str(w));
    return out;
  }
  return make_error(
      Errc::kInvalidArgument,
      std::string(what) + " must be a string or a list of words, got " + v.type_name());
}

// Salt's _nodegroup_regex: a definition with no operators, no X@ words and no
// `*` is a list of ids (L@) or, if a word holds regex characters, E@.
std::optional<std::string> plain_group_form(const std::vector<std::string>& words) {
  for (const auto& w : words) {
    if (is_operator(w)) return std::nullopt;
    if (w.find('*') != std::string::npos) return std::nullopt;
    if (w.size() >= 2 && w[0] >= 'A' && w[0] <= 'Z' && w[1] == '@') return std::nullopt;
  }
  bool regex = false;
  for (const auto& w : words) {
    if (w.find_first_of("([{\\?}])") != std::string::npos) regex = true;
  }
  std::string joined = regex ? "E@" : "L@";
  for (size_t i = 0; i < words.size(); ++i) {
    if (i) joined.push_back(',');
    joined += words[i];
  }
  return joined;
}

Status expand_group(std::string_view name, const Value& nodegroups, std::vector<std::string>& stack,
                    std::vector<std::string>& out) {
  for (size_t i = 0; i < stack.size(); ++i) {
    if (stack[i] == name) {
      std::string chain;
      for (size_t j = i; j < stack.size(); ++j) chain += stack[j] + " -> ";
      chain += std::string(name);
      return make_error(Errc::kInvalidArgument,
                        "nodegroup '" + std::string(name) + "' includes itself (" + chain + ")");
    }
  }
  if (stack.size() >= static_cast<size_t>(kMaxNodegroupDepth)) {
    return make_error(Errc::kInvalidArgument,
                      "nodegroups nested too deeply at '" + std::string(name) + "'");
  }
  const Value* def = nodegroups.is_map() ? nodegroups.find(name) : nullptr;
  if (!def)
    return make_error(Errc::kInvalidArgument, "unknown nodegroup '" + std::string(name) + "'");
  auto words = words_of(*def, "nodegroup '" + std::string(name) + "'");
  if (!words) return std::move(words).error();
  if (auto plain = plain_group_form(*words)) {
    out.push_back(*plain);
    return ok();
  }
  stack.emplace_back(name);
  out.emplace_back("(");
  for (auto& w : *words) {
    if (w.size() >= 3 && w.starts_with("N@")) {
      BRINE_TRY(expand_group(std::string_view(w).substr(2), nodegroups, stack, out));
    } else {
      out.push_back(std::move(w));
    }
    if (out.size() > kMaxWords) {
      return make_error(Errc::kInvalidArgument, "nodegroup '" + stack.front() +
                                                    "' expands to more than " +
                                                    std::to_string(kMaxWords) + " words");
    }
  }
  out.emplace_back(")");
  stack.pop_back();
  return ok();
}

class Parser {
 public:
  Parser(std::vector<std::string> words, std::string expr, bool pillar_exact, Matcher::Impl& impl)
      : words_(std::move(words)),
        expr_(std::move(expr)),
        pillar_exact_(pillar_exact),
        impl_(impl) {}

  Status run() {
    if (words_.empty()) return fail("empty expression");
    auto root = parse_or();
    if (!root) return std::move(root).error();
    if (pos_ < words_.size()) {
      const std::string& w = words_[pos_];
      if (w == ")") return fail("unexpected ')'");
      return fail("missing operator between '" + words_[pos_ - 1] + "' and '" + w + "'");
    }
    impl_.root = *root;
    return ok();
  }

 private:
  Error fail(std::string why) const {
    return make_error(Errc::kInvalidArgument,
                      "invalid compound target '" + expr_ + "': " + std::move(why));
  }
  const std::string* peek() const { return pos_ < words_.size() ? &words_[pos_] : nullptr; }

  size_t add(Node n) {
    impl_.nodes.push_back(std::move(n));
    return impl_.nodes.size() - 1;
  }

  size_t combine(Node::Op op, std::vector<size_t> kids) {
    if (kids.size() == 1) return kids[0];
    Node n;
    n.op = op;
    n.kids = std::move(kids);
    return add(std::move(n));
  }

  Result<size_t> parse_or() {
    std::vector<size_t> kids;
    auto first = parse_and();
    if (!first) return first;
    kids.push_back(*first);
    while (const std::string* w = peek()) {
      if (*w != "or") break;
      ++pos_;
      auto rhs = parse_and();
      if (!rhs) return rhs;
      kids.push_back(*rhs);
    }
    return combine(Node::Op::kOr, std::move(kids));
  }

  Result<size_t> parse_and() {
    std::vector<size_t> kids;
    auto first = parse_unary();
    if (!first) return first;
    kids.push_back(*first);
    while (const std::string* w = peek()) {
      if (*w == "and") {
        ++pos_;
      } else if (*w != "not") {  // `x not y` means `x and not y`
        break;
      }
      auto rhs = parse_unary();
      if (!rhs) return rhs;
      kids.push_back(*rhs);
    }
    return combine(Node::Op::kAnd, std::move(kids));
  }

  Result<size_t> parse_unary() {
    if (++depth_ > kMaxNesting) return fail("nested too deeply");
    auto r = parse_unary_inner();
    --depth_;
    return r;
  }

  Result<size_t> parse_unary_inner() {
    const std::string* w = peek();
    if (!w) {
      return fail(pos_ == 0 ? std::string("empty expression")
                            : "expected a target after '" + words_[pos_ - 1] + "'");
    }
    if (*w == "not") {
      ++pos_;
      if (const std::string* n = peek(); n && *n == "not") return fail("'not' cannot follow 'not'");
      auto operand = parse_unary();
      if (!operand) return operand;
      Node n;
      n.op = Node::Op::kNot;
      n.kids = {*operand};
      if (impl_.nodes[*operand].op == Node::Op::kLeaf) {
        impl_.leaves[impl_.nodes[*operand].leaf].negated = true;
      }
      return add(std::move(n));
    }
    if (*w == "(") {
      ++pos_;
      const std::string* n = peek();
      if (n && *n == ")") return fail("empty parentheses");
      if (n && (*n == "and" || *n == "or")) return fail("'" + *n + "' cannot follow '('");
      auto inner = parse_or();
      if (!inner) return inner;
      const std::string* close = peek();
      if (!close || *close != ")") {
        if (!close) return fail("missing ')'");
        return fail("missing operator between '" + words_[pos_ - 1] + "' and '" + *close + "'");
      }
      ++pos_;
      return inner;
    }
    if (*w == ")") return fail("unexpected ')'");
    if (*w == "and" || *w == "or") {
      if (pos_ == 0) return fail("'" + *w + "' cannot start an expression");
      return fail("expected a target between '" + words_[pos_ - 1] + "' and '" + *w + "'");
    }
    ++pos_;
    auto leaf = target_leaf(*w);
    if (!leaf) return std::move(leaf).error();
    impl_.leaves.push_back(std::move(*leaf));
    Node n;
    n.op = Node::Op::kLeaf;
    n.leaf = impl_.leaves.size() - 1;
    return add(std::move(n));
  }

  // Salt's parse_target: [ENGINE [DELIM] "@"] PATTERN; no prefix = glob.
  Result<Leaf> target_leaf(const std::string& word) {
    char engine = 0;
    char delim = ':';
    std::string_view pattern = word;
    if (word.size() >= 3 && word[2] == '@' &&
        std::string_view("GPIJ").find(word[0]) != std::string_view::npos) {
      engine = word[0];
      delim = word[1];
      pattern.remove_prefix(3);
    } else if (word.size() >= 2 && word[1] == '@' && word[0] >= 'A' && word[0] <= 'Z') {
      engine = word[0];
      pattern.remove_prefix(2);
    }
    if (engine == 0) return make_leaf(TargetType::kGlob, Value(word), ':', word);
    if (pattern.empty()) return fail("empty pattern in '" + word + "'");
    TargetType type;
    switch (engine) {
      case 'G':
        type = TargetType::kGrain;
        break;
      case 'P':
        type = TargetType::kGrainPcre;
        break;
      case 'I':
        type = pillar_exact_ ? TargetType::kPillarExact : TargetType::kPillar;
        break;
      case 'J':
        type = pillar_exact_ ? TargetType::kPillarExact : TargetType::kPillarPcre;
        break;
      case 'L':
        type = TargetType::kList;
        break;
      case 'S':
        type = TargetType::kIpcidr;
        break;
      case 'E':
        type = TargetType::kPcre;
        break;
      case 'R':
        return fail("range targeting ('" + word + "') is not supported");
      case 'N':
        return fail("nodegroup '" + word + "' was not expanded");  // expanded before parsing
      default:
        return fail(std::string("unknown target engine '") + engine + "' in '" + word + "'");
    }
    auto leaf = make_leaf(type, Value(std::string(pattern)), delim, word);
    if (!leaf) return fail(leaf.error().message);
    return leaf;
  }

  std::vector<std::string> words_;
  std::string expr_;
  bool pillar_exact_;
  Matcher::Impl& impl_;
  size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Result<Value> expand_nodegroup(std::string_view name, const Value& nodegroups) {
  std::vector<std::string> stack;
  std::vector<std::string> out;
  BRINE_TRY(expand_group(name, nodegroups, stack, out));
  List l;
  l.reserve(out.size());
  for (auto& w : out) l.emplace_back(std::move(w));
  return Value(std::move(l));
}

Status parse_compound(const Value& tgt, const Value& nodegroups, bool pillar_exact,
                      Matcher::Impl& impl) {
  auto raw = words_of(tgt, "compound target");
  if (!raw) return std::move(raw).error();
  std::string expr;
  for (size_t i = 0; i < raw->size(); ++i) {
    if (i) expr.push_back(' ');
    expr += (*raw)[i];
  }
  if (raw->size() > kMaxWords) {
    return make_error(Errc::kInvalidArgument,
                      "compound target has more than " + std::to_string(kMaxWords) + " words");
  }
  std::vector<std::string> words;
  for (auto& w : *raw) {
    if (w.size() >= 3 && w.starts_with("N@")) {
      std::vector<std::string> stack;
      auto st = expand_group(std::string_view(w).substr(2), nodegroups, stack, words);
      if (!st) {
        return make_error(Errc::kInvalidArgument,
                          "invalid compound target '" + expr + "': " + st.error().message);
      }
    } else {
      words.push_back(std::move(w));
    }
    if (words.size() > kMaxWords) {
      return make_error(Errc::kInvalidArgument, "compound target '" + expr +
                                                    "' expands to more than " +
                                                    std::to_string(kMaxWords) + " words");
    }
  }
  return Parser(std::move(words), std::move(expr), pillar_exact, impl).run();
}

}  // namespace brine::matcher
