// External execution modules: users add modules without rebuilding Brine.
//
// Two kinds, both found in the module directories and called exactly like
// built-ins (same argument checks, same error strings, listed by sys.*):
//   - executables (any language): `<exe> --brine-describe` prints the module's
//     description; each call runs `<exe>` with a JSON request on stdin and
//     reads a JSON response from stdout, under a timeout
//     (`external_module_timeout`, seconds, default 300; 0 = none). The child
//     gets its own process group and dies with a killed job.
//   - shared objects `<name>.so` with the C ABI of modules/brine_module.h,
//     loaded with dlopen and called in-process.
// docs/modules.md specifies the JSON documents.
//
// Directories, in lookup order (the first module of a name wins; a built-in
// name cannot be taken): for each `module_dirs` entry D, D/modules or else
// D/_modules (the last entry first, as Salt orders them), then
// <extension_modules>/modules. A file's module name is its name up to the
// first '.'; files starting with '.' or '_' are ignored. Files (and their
// directory) must be owned by root or by the minion's user and not writable by
// group or others, or they are skipped with a warning: anyone who can write a
// module directory can run code as the minion.
//
// Modules are described on first use (not at start-up), so an unused
// external module costs one directory entry.
//
// Thread-safety: as Registry.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/values/value.h"
#include "modules/registry.h"

namespace spdlog {
class logger;
}

namespace brine::modules::external {

inline constexpr int64_t kDefaultTimeoutSeconds = 300;
inline constexpr int64_t kDescribeTimeoutSeconds = 30;

// The module directories `opts` names, in lookup order (existing ones only).
std::vector<std::string> module_dirs(const Value& opts);

// Sources for one file; `name` is the module name.
std::unique_ptr<ModuleSource> executable_module(std::string path, std::string name);
std::unique_ptr<ModuleSource> shared_object_module(std::string path, std::string name);

// Parses a description document (either kind). Errors: kParse / kInvalidArgument
// naming `origin` and the offending field.
struct Description {
  Availability availability;
  std::vector<Function> functions;  // without backends
  bool thread_safe = false;
};
Result<Description> parse_description(std::string_view json, const std::string& name,
                                      const std::string& origin);

// Adds every external module found in module_dirs(opts). Problems with single
// files (ownership, duplicate names) are logged and skipped; never fails the
// whole registration.
void register_external(Registry& registry, const Value& opts, spdlog::logger* log);

}  // namespace brine::modules::external
