// Grains: facts about the minion, gathered natively on Linux with Salt's key
// names and value shapes (salt/grains/core.py, extra.py, disks.py).
//
// Nothing here starts a subprocess: everything is read from /proc, /sys,
// /etc, uname(2), getifaddrs(3) and the resolver. The slowest step is name
// resolution for fqdn/fqdn_ip4/fqdn_ip6 (as in Salt), so callers that do not
// need grains should not gather them (Context::grains() is lazy).
//
// Precedence (later wins, Salt's): core grains < the static grains file
// (<config dir>/grains, YAML, written by grains.setval) < `grains:` in the
// minion config.
//
// Thread-safety: every function may be called from many threads at once.
#pragma once

#include <string>

#include "common/result.h"
#include "common/values/value.h"

namespace spdlog {
class logger;
}

namespace brine::modules::grains {

// /etc/os-release (or /usr/lib/os-release) parsed as Salt parses it, with the
// defaults NAME=Linux, ID=linux, PRETTY_NAME=Linux.
Map os_release();

// OS, kernel, CPU, memory, hardware, virtualisation, init and locale grains.
void add_os_grains(Map& grains, const Value& opts);
// Hostname, fqdn, addresses, interfaces, gateways and DNS grains.
void add_network_grains(Map& grains, const Value& opts);
// Process and configuration grains: id, master, server_id, pid, uid, gid,
// username, groupname, cwd, path, systempath, shell, versions.
void add_process_grains(Map& grains, const Value& opts);

// All detected grains (no static grains).
Value core(const Value& opts);

// Where the static grains file lives: next to the config file
// (dirname(conf_file)/grains), else <config_dir>/grains.
std::string grains_file_path(const Value& opts);
// Reads the static grains file: {} when missing or empty; kParse with the
// file's line/column when it is not YAML; kInvalidArgument when not a mapping.
Result<Value> read_grains_file(const std::string& path);

// core(opts), then the grains file, then opts["grains"]. A broken grains file
// is logged (when `log` is given) and skipped.
Value gather(const Value& opts, spdlog::logger* log = nullptr);

}  // namespace brine::modules::grains
