// The dictsort filter: Jinja2's do_dictsort (sorted(d.items()) by key or
// value, case-insensitive unless case_sensitive=true).
#include <algorithm>
#include <numeric>

#include "common/template/interp.h"
#include "common/template/print.h"
#include "common/template/registry.h"
#include "common/template/strings.h"
#include "common/template/unicode.h"

namespace brine::jinja {
namespace {

R<bool> flag(const Val& v, bool dflt) {
  if (v.is_absent()) return dflt;
  return truthy(v);
}

// Whether lower(s) == s (no upper-case ASCII, no non-ASCII).
bool lower_plain(std::string_view s) {
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || c >= 0x80) return false;
  }
  return true;
}

Val item_tuple(const std::pair<Val, Val>& kv) {
  Vals pair;
  pair.reserve(2);
  pair.push_back(kv.first);
  pair.push_back(kv.second);
  return Val::tuple(std::move(pair));
}

// Sorting by str keys (the usual `for k, v in d|dictsort`): the keys are
// compared as strings in place, sorted data is detected in one pass (as
// timsort does), and the tuples are built in their final order.
Val sort_by_str_keys(const DictItems& src, bool cs, bool reverse) {
  const size_t n = src.size();
  std::vector<std::string_view, PoolAllocator<std::string_view>> keys(n);
  std::vector<std::string> lowered;  // storage for case-folded keys (never reallocated)
  for (size_t i = 0; i < n; ++i) {
    const std::string& s = src[i].first.as_str();
    if (cs || lower_plain(s)) {
      keys[i] = s;
    } else {
      if (lowered.empty()) lowered.reserve(n);
      lowered.push_back(utf8::lower(s));
      keys[i] = lowered.back();
    }
  }
  std::vector<uint32_t, PoolAllocator<uint32_t>> idx(n);
  std::iota(idx.begin(), idx.end(), 0u);
  // Stable: equal keys keep their order (also when reversed, as in Python).
  auto less = [&](uint32_t a, uint32_t b) {
    int cmp = keys[a].compare(keys[b]);
    if (cmp != 0) return reverse ? cmp > 0 : cmp < 0;
    return a < b;
  };
  if (!std::is_sorted(idx.begin(), idx.end(), less)) std::sort(idx.begin(), idx.end(), less);
  Vals out;
  out.reserve(n);
  for (uint32_t i : idx) out.push_back(item_tuple(src[i]));
  return Val::list(std::move(out));
}

Val ignore_case(const Val& v) {
  if (!v.is_str() || lower_plain(v.as_str())) return v;
  return Val::str(utf8::lower(v.as_str()));
}

}  // namespace

RV dictsort_filter(Interp&, Val& v, CallArgs& a) {
  Val p[3];
  JTRY(bind_args(a, "do_dictsort", {"case_sensitive", "by", "reverse"}, 0, p));
  JASSIGN(bool cs, flag(p[0], false));
  JASSIGN(bool reverse, flag(p[2], false));
  size_t pos = 0;
  if (!p[1].is_absent()) {
    JASSIGN(std::string by, to_str(p[1]));
    if (by == "value") {
      pos = 1;
    } else if (by != "key") {
      return runtime_error("You can only sort by either \"key\" or \"value\"");
    }
  }
  JTRY(check_defined(v));
  if (!v.is_dict()) return type_error("'" + type_name(v) + "' object has no attribute 'items'");
  const auto& src = v.dict_obj()->items;
  if (pos == 0 &&
      std::all_of(src.begin(), src.end(), [](const auto& kv) { return kv.first.is_str(); })) {
    return sort_by_str_keys(src, cs, reverse);
  }
  Vals items, keys;
  items.reserve(src.size());
  keys.reserve(src.size());
  for (const auto& kv : src) {
    items.push_back(item_tuple(kv));
    const Val& k = pos == 0 ? kv.first : kv.second;
    keys.push_back(cs ? k : ignore_case(k));
  }
  JTRY(strings::sort_vals(items, reverse, &keys));
  return Val::list(std::move(items));
}

}  // namespace brine::jinja
