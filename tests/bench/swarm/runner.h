// The brine-swarm program: options in, virtual minions on the network until
// SIGTERM/SIGINT, stats on stdout. main() is a thin wrapper around run().
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "tests/bench/swarm/options.h"
#include "tests/bench/swarm/swarm.h"

namespace brine::swarm {

// transport::Client / transport::Subscriber as the swarm's ports, with the
// socket options of a real minion (reconnect interval, ZMTP heartbeats).
PortFactory tcp_ports(const SwarmOptions& opts);
SubscriberFactory tcp_subscriber(const SwarmOptions& opts);

// The grains every virtual minion starts from: this host's core grains
// (when opts.native_grains) overlaid with opts.grains.
Value base_grains(const SwarmOptions& opts);

// Runs the swarm; returns the process exit code (0 after a signal, 1 on a
// start-up error, which is printed to stderr).
int run(const SwarmOptions& opts);

// main(): parse argv, print usage/errors (exit 2), run().
int main_with_args(const std::vector<std::string>& argv);

}  // namespace brine::swarm
