#include "common/matcher/subdict.h"

#include <vector>

#include "common/codec/python_repr.h"
#include "common/matcher/fnmatch.h"

namespace brine::matcher {
namespace {

// Bounds on one match() through hostile expressions or data: recursion depth
// and total work (each split tried, each value compared, counts one step).
constexpr int kMaxDictDepth = 64;
constexpr long kMaxSteps = 100000;
// Longer expressions never match (each step may copy the expression).
constexpr size_t kMaxExprBytes = 1024;

// Positions of every delimiter in `s`.
std::vector<size_t> delimiter_positions(std::string_view s, char delim) {
  std::vector<size_t> out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == delim) out.push_back(i);
  }
  return out;
}

thread_local int g_depth = 0;
thread_local long g_steps = 0;

struct DepthGuard {
  DepthGuard() { ++g_depth; }
  ~DepthGuard() { --g_depth; }
  bool too_deep() const { return g_depth > kMaxDictDepth || ++g_steps > kMaxSteps; }
};

}  // namespace

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

SubdictMatcher::SubdictMatcher(std::string expr, char delimiter, SubdictMode mode)
    : expr_(std::move(expr)),
      delimiter_(delimiter),
      mode_(mode),
      cache_(std::make_shared<Cache>()) {}

bool SubdictMatcher::match(const Value& data) const {
  if (expr_.size() > kMaxExprBytes) return false;
  g_steps = 0;
  return subdict_match(data, expr_, delimiter_);
}

const Regex* SubdictMatcher::regex_for(std::string_view pattern) const {
  std::lock_guard lock(cache_->mu);
  auto it = cache_->compiled.find(pattern);
  if (it == cache_->compiled.end()) {
    auto r = Regex::compile(pattern, /*caseless=*/true);
    std::unique_ptr<Regex> p = r ? std::make_unique<Regex>(std::move(*r)) : nullptr;
    it = cache_->compiled.emplace(std::string(pattern), std::move(p)).first;
  }
  return it->second.get();
}

bool SubdictMatcher::scalar_match(const Value& target, std::string_view pattern) const {
  if (++g_steps > kMaxSteps) return false;
  // str(target).lower(): a list member that is itself a list prints as repr.
  std::string subject = ascii_lower(codec::python_str(target));
  switch (mode_) {
    case SubdictMode::kRegex: {
      const Regex* re = regex_for(pattern);
      return re != nullptr && re->match_prefix(subject);
    }
    case SubdictMode::kExact:
      return subject == ascii_lower(pattern);
    case SubdictMode::kGlob:
      return fnmatch(subject, ascii_lower(pattern));
  }
  return false;
}

bool SubdictMatcher::dict_match(const Value& target, std::string_view pattern) const {
  DepthGuard guard;
  if (guard.too_deep()) return false;
  bool wildcard = pattern.starts_with("*:");
  if (wildcard) pattern.remove_prefix(2);
  if (pattern == "*") return true;
  if (target.as_map().contains(pattern)) return true;
  // Salt recurses with the default delimiter here, whatever the caller used.
  if (subdict_match(target, pattern, ':')) return true;
  if (!wildcard) return false;
  for (const auto& [key, val] : target.as_map()) {
    if (val.is_map()) {
      if (dict_match(val, pattern)) return true;
    } else if (val.is_list()) {
      for (const auto& item : val.as_list()) {
        if (scalar_match(item, pattern)) return true;
      }
    } else if (scalar_match(val, pattern)) {
      return true;
    }
  }
  return false;
}

bool SubdictMatcher::subdict_match(const Value& data, std::string_view expr, char delim) const {
  DepthGuard guard;
  if (guard.too_deep()) return false;
  // Splitting "k1:k2:pat" at delimiter number i (deepest first) gives the key
  // expr[0, pos) and the pattern expr(pos, end): views, no copies.
  std::vector<size_t> delims = delimiter_positions(expr, delim);
  if (delims.empty()) return false;  // no delimiter: cannot match
  for (size_t i = delims.size(); i-- > 0;) {
    if (++g_steps > kMaxSteps) return false;
    std::string_view key = expr.substr(0, delims[i]);
    std::string_view matchstr;
    const Value* match = nullptr;
    if (key == "*") {
      matchstr = expr;
      match = &data;
    } else {
      matchstr = expr.substr(delims[i] + 1);
      match = data.traverse(key, delim);
    }
    // Salt's traverse default is {}, and an empty dict found is skipped too.
    if (match == nullptr || (match->is_map() && match->as_map().empty())) continue;
    if (match->is_map()) {
      if (dict_match(*match, matchstr)) return true;
      continue;
    }
    if (match->is_list()) {
      for (const auto& member : match->as_list()) {
        if (member.is_map() && dict_match(member, matchstr)) return true;
        if (scalar_match(member, matchstr)) return true;
      }
      continue;
    }
    if (scalar_match(*match, matchstr)) return true;
  }
  return false;
}

}  // namespace brine::matcher
