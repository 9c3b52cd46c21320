// Salt's data helpers (salt.utils.data, salt.utils.dictupdate) over Value,
// shared by grains, pillar, config, defaults and slsutil.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "common/result.h"
#include "common/values/value.h"
#include "modules/registry.h"

namespace brine::modules::data {

// traverse_dict_and_list: walks "a:b:0" through dicts and lists (list
// elements by index, or the first embedded dict holding the key). nullptr
// when any step is missing.
const Value* traverse(const Value& root, std::string_view key, std::string_view delimiter = ":");

// dictupdate.update(dest, upd, recursive_update=True, merge_lists=False):
// nested dicts merge, lists are replaced (or extended without duplicates when
// merge_lists), everything else is replaced.
void update(Map& dest, const Map& upd, bool recursive = true, bool merge_lists = false);

// dictupdate.merge(a, b, strategy, merge_lists) for strategies "smart"
// (= recurse here), "recurse", "aggregate" (= recurse), "overwrite" (shallow)
// and "list" (lists concatenated, dicts recursed). Unknown → recurse.
Value merge(Value a, const Value& b, std::string_view strategy = "smart", bool merge_lists = false);

// salt.utils.data.filter_by: the lookup value found at `lookup` in `root`
// (a list value tries each element) is matched as fnmatch against the keys
// of `lookup_dict` in order; else lookup_dict[default_key]; `base` is merged
// under, `merge` over. Errors: execution errors with Salt's messages when
// merge/base are not dicts.
Result<Value> filter_by(const Value& lookup_dict, std::string_view lookup, const Value& root,
                        const Value& merge, std::string_view default_key, const Value& base);

// config.get's lookup order: opts, grains, pillar, pillar["master"].
// nullptr when no layer has the key.
const Value* config_lookup(Context& ctx, std::string_view key, std::string_view delimiter = ":");

}  // namespace brine::modules::data
