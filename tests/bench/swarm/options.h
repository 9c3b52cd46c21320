// brine-swarm options: how many virtual minions, where the master is, and how
// the simulated fleet behaves (grains, slow answers, minions dropping out).
//
// parse_options() never throws and never exits: --help comes back as
// ParsedOptions::help with the usage text, bad input as an Error
// (kInvalidArgument) naming the option, e.g.
//   "--slow-fraction: expected a number between 0 and 1, got '2'".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/transport/transport.h"
#include "common/values/value.h"

namespace brine::swarm {

struct SwarmOptions {
  // Fleet shape. Minion n (first_index <= n < first_index + minions) has the id
  // "<prefix><n>" and the grains `grains` + {id, index: n}.
  int minions = 100;
  int first_index = 0;
  std::string prefix = "swarm-";
  Value grains = Value::map();
  // Start from this host's real grains (os, kernel, ipv4, ...; gathered once)
  // so the master stores and matches grains of a realistic size.
  bool native_grains = true;

  // Where the master is. publish_port 0 = the port named in the auth reply.
  std::string master = "127.0.0.1";
  int ret_port = 4506;
  int publish_port = 0;

  // Identities (<root>/identities) and the pinned master key
  // (<root>/minion_master.pub) live here, so a restarted swarm reuses its keys.
  std::string root;

  // Behaviour. A deterministic subset (chosen from `seed`) of slow_fraction of
  // the minions sends every return slow_ms late; drop_fraction of them go
  // away drop_after_s seconds after authenticating (half send minion_stop, as a
  // stopped minion does, half just fall silent, as a crashed or cut-off one).
  int slow_ms = 0;
  double slow_fraction = 0;
  double drop_fraction = 0;
  double drop_after_s = 0;
  uint64_t seed = 1;

  // Salt/Brine minion settings, with the minion's defaults.
  double heartbeat_s = 10;            // heartbeat_interval
  double acceptance_wait_s = 10;      // acceptance_wait_time
  double random_reauth_delay_s = 10;  // random_reauth_delay (key fetch after rotation)
  double auth_timeout_s = 5;          // auth_timeout (every request's reply timeout)
  // Extra random delay before re-authenticating after the master forgot a
  // channel (restart): spreads the re-auth storm on top of the heartbeat phase.
  double reauth_spread_s = 1;
  bool rejected_retry = false;

  // Engine. `workers` threads, each owning one DEALER socket, serve a shared
  // timed task queue; auth_concurrency bounds auth requests in flight.
  int workers = 16;
  int auth_concurrency = 0;  // 0 = workers
  int io_threads = 1;        // ZeroMQ I/O threads of this process
  // SUB connections to the master (1..minions); connection c serves minions
  // [c*N/C, (c+1)*N/C). With C = N the master fans out to N connections, as to
  // a real fleet; each costs the swarm about two file descriptors.
  int sub_connections = 1;
  // Request connections (transport::Client) to the master's ret_port. 0 (the
  // default): one per worker, and any worker carries any minion's request (the
  // master routes by channel id, not by connection). N > 0: N connections made
  // at start, connection c carrying the requests of minions [c*M/N,
  // (c+1)*M/N), and the workers own none; N = minions (--req-connections all)
  // gives every virtual minion its own, so the master holds one request
  // connection per minion, as with a real fleet.
  int req_connections = 0;
  // Salt's `transport` for both kinds of connection; must match the master's.
  transport::Backend transport = transport::Backend::kZeroMQ;
  // DEALER reconnect interval as the minion's recon_default / recon_max /
  // recon_randomize (ms): after a master restart each socket comes back
  // somewhere in [recon_default, recon_default + recon_max].
  int recon_default_ms = 1000;
  int recon_max_ms = 10000;
  bool recon_randomize = true;

  // Reporting: one JSON stats line every stats_interval_ms (0 = off) on stdout,
  // and the latest line also written (atomically) to stats_file when set.
  int stats_interval_ms = 1000;
  std::string stats_file;
  std::string log_level = "warning";
  // Generate (or load) the identities, print nothing else, and exit.
  bool keys_only = false;
};

struct ParsedOptions {
  SwarmOptions opts;
  bool help = false;
  std::string usage;
};

// argv[0] is the program name.
Result<ParsedOptions> parse_options(const std::vector<std::string>& argv);

// The --grains value: a YAML or JSON map given inline, or "@FILE" to read one.
// Error names the option and the parse position.
Result<Value> parse_grains(std::string_view text);

// The id of minion n.
std::string minion_id(const SwarmOptions& o, int n);

// Deterministic membership of minion n in a subset of `fraction` of the fleet
// (salted so the slow and the dropped subsets are independent).
bool in_fraction(uint64_t seed, uint64_t salt, int n, double fraction);

}  // namespace brine::swarm
