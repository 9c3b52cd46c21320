// Minion id selection, as Salt does it (config.md §2), with the host lookups
// behind HostInfo so tests can fake them.
//
// resolve_minion_id(opts):
//   1. opts["id"] when set (load() already turned non-strings into strings);
//   2. else, with minion_id_caching (default true), the first line of the
//      cache file <root_dir>/etc/brine/minion_id (BOM and whitespace
//      stripped) unless empty or "localhost";
//   3. else a generated id: the first usable name of getfqdn(gethostname()),
//      the uname node name, gethostname(), /etc/hostname, /etc/nodename,
//      /etc/hosts (every word of lines whose address starts 127. or ::1, and
//      single-word lines), then non-loopback IPv4 addresses; names matching
//      localhost.*, ip6-.*, 127.N, 0.0.0.0, ::1.*, ipv6-.*, fe00::.*,
//      fe02::.*, 1.0.0.*.ip6.arpa are skipped; nothing usable -> "localhost".
//      id_function (a Salt execution module) is not supported: an error.
//      minion_id_lowercase lowercases and minion_id_remove_domain (true: any
//      domain, a string: that domain) strips the domain of a generated id,
//      which is then written to the cache file (no newline; failures to
//      write are returned as warnings, as Salt only logs them).
//   4. append_domain (when a non-empty string) is appended as ".<domain>"
//      unless the id already ends with it or with "." or is an IPv4 address.
// The result is stored in opts["id"] and returned. An id containing '/',
// '\' or NUL, or an empty one, is an error (kInvalidArgument).
//
// Thread-safety: the functions are reentrant; the system HostInfo is
// stateless.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::config {

// The host facts id generation reads.
class HostInfo {
 public:
  virtual ~HostInfo() = default;
  virtual std::string hostname() const = 0;                     // gethostname()
  virtual std::string fqdn(const std::string& name) const = 0;  // Python's socket.getfqdn(name)
  virtual std::string node() const = 0;                         // uname().nodename
  virtual std::optional<std::string> read_file(const std::string& path) const = 0;
  virtual std::vector<std::string> ip_addrs() const = 0;  // IPv4, loopback excluded, sorted
};

// The real host (DNS and /etc files).
const HostInfo& system_host_info();

// Salt's generate_minion_id(): step 3 above without the options.
std::string generate_minion_id(const HostInfo& host);

// The cache file path for these opts: <root_dir>/etc/brine/minion_id.
std::string minion_id_cache_path(const Value& opts);

struct ResolvedId {
  std::string id;
  std::vector<std::string> warnings;  // e.g. the cache file could not be written
};

Result<ResolvedId> resolve_minion_id(Value& opts, const HostInfo& host);
// With the real host; the warnings are dropped.
Result<std::string> resolve_minion_id(Value& opts);

// The master's own id: `id` when set (with append_domain), else the id a
// minion on this host would get (cache file first, never written),
// append_domain, then "_master".
std::string master_id(const Value& opts, const HostInfo& host);

// Ok, or kInvalidArgument "invalid minion id 'a/b': it must not be empty or
// contain '/', '\' or NUL".
Status check_minion_id(std::string_view id);

}  // namespace brine::config
