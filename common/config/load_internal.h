// Internal to brine_config: the steps of load(), split over load.cpp (files,
// includes) and apply.cpp (defaults, root_dir, derived keys, type warnings).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/config/config.h"

namespace brine::config::detail {

struct ConfFile {
  Value opts;                                // a map
  std::map<std::string, std::string> where;  // top-level key -> "file:line:col"
};

// salt.utils.dictupdate.update(dest, upd, recursive_update=True, merge_lists).
void deep_update(Map& dest, const Map& upd, bool merge_lists);

Result<ConfFile> include_config(const Value& include, const std::string& orig_path, bool verbose,
                                std::vector<std::string>& warnings, int depth);

// apply_master_config / apply_minion_config: defaults under the overrides,
// then Salt's fix-ups, derived keys and root_dir prefixing.
Value apply_master_config(const Map& overrides, const Value& defaults, const HostInfo& host,
                          std::vector<std::string>& warnings);
Value apply_minion_config(const Map& overrides, const Value& defaults,
                          std::vector<std::string>& warnings);

// Salt's prepend_root_dir over `keys` (string values only).
void prepend_root_dir(Map& opts, const std::vector<std::string>& keys);

// Salt's _validate_opts (warnings only) and the unknown-key warnings, for
// the keys the files set.
void check_types(Role role, const Map& overrides, const Value& opts, Loaded& loaded);

}  // namespace brine::config::detail
