// brine::config: Salt's configuration loading for brine-master and
// brine-minion (and the CLIs reading the master config). See
// docs/configuration.md for every key.
//
// Lookup (config.md §1.1, adapted names): the config dir is -c DIR
// (~-expanded, made absolute), else $BRINE_CONFIG_DIR when set and non-empty,
// else /etc/brine; the file is <dir>/master or <dir>/minion. The per-file
// variables BRINE_MASTER_CONFIG / BRINE_MINION_CONFIG follow Salt's
// SALT_*_CONFIG rules: used when they name an existing file and the
// candidate is the built-in default path (a non-default -c always wins); when
// unset but BRINE_CONFIG_DIR/<file> exists, that file is the variable's value.
// A missing <file> with a <file>.template beside it is created from the
// template minus its first line. A missing directory or file gives the
// defaults (with a warning for the directory).
//
// Merging (§1.2): main file -> default_include glob (master.d/*.conf,
// minion.d/*.conf) -> include globs, relative to the config dir. The files of
// one glob are read sorted and deep-merged among themselves (dicts merged,
// lists concatenated without duplicates); that result replaces the main
// file's top-level keys wholesale. Included files may include others.
// Then defaults are applied under the file values, root_dir re-roots the path
// options (§1.3), and the derived keys are set (token_dir, syndic_dir,
// extension_modules, sock_dir shortening, the master's own id, ...).
//
// Errors (load): unreadable or invalid YAML, or a top level that is not a
// mapping, in any file: Errc::kParse with where = "<path>:<line>:<col>" (or
// just the path). Type mismatches against the known-key table and unknown
// keys are only warnings (Salt keeps such values); validate() is where
// values the daemons cannot use become errors.
//
// Thread-safety: load() reads the environment and files; call it from one
// thread at start-up. The other functions are pure apart from
// resolve_minion_id's cache file.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/config/minion_id.h"
#include "common/result.h"
#include "common/values/value.h"

namespace brine::config {

enum class Role { kMaster, kMinion };

inline constexpr std::string_view kDefaultConfigDir = "/etc/brine";

struct LoadOptions {
  // From -c; empty = $BRINE_CONFIG_DIR or /etc/brine.
  std::string config_dir;
  // Host name lookups for the master's own id ("<host>_master"); null = the
  // real host. Tests inject a fake.
  const HostInfo* host = nullptr;
};

struct Loaded {
  Value opts;                         // the merged options (a map)
  std::vector<std::string> warnings;  // for the caller to log at warning level
  // Top-level key -> "file:line:col" of the file that set it last. Keys
  // missing here come from the defaults (or were derived).
  std::map<std::string, std::string> origin;
};

// Loads the configuration for `role` as described above. opts always holds
// every default key, "conf_file" (the file read, or the candidate path when
// none was read) and "config_dir". The minion's "id" is left as configured
// (null when unset): call resolve_minion_id() to pick one.
Result<Loaded> load(Role role, const LoadOptions& options);

// Errors for values the daemons cannot run with, e.g.
//   where "/etc/brine/master:12:3", message "publish_port: expected an integer, got 'abc'".
// Returns the first problem found.
Status validate(Role role, const Loaded& loaded);
Status validate_master(const Loaded& loaded);
Status validate_minion(const Loaded& loaded);

// The built-in defaults for `role` (Brine paths, Salt key names and values).
Value defaults(Role role);

// The config dir load() uses for this -c value (see above).
std::string resolve_config_dir(const std::string& cli_config_dir);

}  // namespace brine::config
