// Internal to brine_config: the key tables shared by load.cpp and
// validate.cpp.
#pragma once

#include <string_view>
#include <vector>

#include "common/config/config.h"

namespace brine::config::detail {

// The type Salt's VALID_OPTS gives a key, for the load-time type warnings.
enum class Type { kAny, kBool, kInt, kFloat, kStr, kList, kDict, kStrOrList, kStrOrDict };

struct KeySpec {
  std::string_view name;
  Value value;  // the default; null for known keys without one
  Type type;
  bool has_default = true;  // false: known, but absent from opts unless set
};

// Every key Brine knows for the role, defaults first, in a stable order.
const std::vector<KeySpec>& key_specs(Role role);
const KeySpec* find_spec(Role role, std::string_view key);

// Python's type name for a Value (str, int, float, bool, list, dict, NoneType).
std::string_view python_type(const Value& v);
std::string_view type_name(Type t);

}  // namespace brine::config::detail
