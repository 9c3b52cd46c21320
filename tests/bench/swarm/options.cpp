#include "tests/bench/swarm/options.h"

#include <boost/program_options.hpp>
#include <charconv>
#include <fstream>
#include <sstream>

#include "common/codec/yaml.h"

namespace brine::swarm {
namespace po = boost::program_options;

namespace {

Error bad(std::string_view option, std::string_view what, std::string_view got) {
  return make_error(Errc::kInvalidArgument, std::string(what) + ", got '" + std::string(got) + "'",
                    "--" + std::string(option));
}

template <typename T>
std::string show(T v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

Status check_range(std::string_view option, double v, double lo, double hi) {
  if (v < lo || v > hi) {
    return bad(option, "expected a number between " + show(lo) + " and " + show(hi), show(v));
  }
  return ok();
}

// Mixes the seed, a salt and n into 64 well-spread bits (splitmix64).
uint64_t mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

}  // namespace

std::string minion_id(const SwarmOptions& o, int n) { return o.prefix + std::to_string(n); }

bool in_fraction(uint64_t seed, uint64_t salt, int n, double fraction) {
  if (fraction <= 0) return false;
  if (fraction >= 1) return true;
  uint64_t h = mix(mix(seed ^ (salt * 0x100000001b3ull)) ^ static_cast<uint64_t>(n));
  return static_cast<double>(h >> 11) * 0x1.0p-53 < fraction;
}

Result<Value> parse_grains(std::string_view text) {
  std::string source = "--grains";
  std::string body(text);
  if (text.starts_with("@")) {
    source = std::string(text.substr(1));
    std::ifstream in(source, std::ios::binary);
    if (!in) return make_error(Errc::kIo, "cannot read the grains file", source);
    std::stringstream ss;
    ss << in.rdbuf();
    body = ss.str();
  }
  auto v = codec::yaml_load(body, source);
  if (!v) return v.error();
  if (v->is_null()) return Value::map();
  if (!v->is_map()) {
    return make_error(Errc::kInvalidArgument,
                      std::string("expected a map of grains, got a ") + v->type_name(), source);
  }
  return std::move(*v);
}

Result<ParsedOptions> parse_options(const std::vector<std::string>& argv) {
  ParsedOptions out;
  SwarmOptions& o = out.opts;
  std::string grains_text;
  std::string req_text;
  std::string transport_text = "zeromq";
  po::options_description desc(
      "Usage: brine-swarm --root DIR [options]\n\n"
      "Runs N virtual Brine minions in one process against a real brine-master.\n"
      "Each has its own id and Ed25519 key, authenticates, verifies and decrypts\n"
      "every publication, matches targets and returns through its own channel.\n\n"
      "Options");
  // clang-format off
  desc.add_options()
    ("help,h", "print this help and exit")
    ("minions,n", po::value(&o.minions)->default_value(o.minions), "number of virtual minions")
    ("first-index", po::value(&o.first_index)->default_value(o.first_index),
     "index of the first minion (ids are <prefix><index>)")
    ("prefix", po::value(&o.prefix)->default_value(o.prefix), "minion id prefix")
    ("grains", po::value(&grains_text),
     "grains for every minion: a YAML/JSON map, or @FILE (plus per-minion id and index)")
    ("no-native-grains", "do not start from this host's grains")
    ("master", po::value(&o.master)->default_value(o.master), "master address")
    ("ret-port", po::value(&o.ret_port)->default_value(o.ret_port), "master ret_port")
    ("publish-port", po::value(&o.publish_port)->default_value(o.publish_port),
     "master publish_port (0: the one the master announces)")
    ("root", po::value(&o.root), "directory for the swarm's keys (required)")
    ("slow-ms", po::value(&o.slow_ms)->default_value(o.slow_ms),
     "slow minions return this many ms late")
    ("slow-fraction", po::value(&o.slow_fraction)->default_value(o.slow_fraction),
     "fraction of minions that are slow (0..1)")
    ("drop-fraction", po::value(&o.drop_fraction)->default_value(o.drop_fraction),
     "fraction of minions that drop out after authenticating (0..1)")
    ("drop-after", po::value(&o.drop_after_s)->default_value(o.drop_after_s),
     "seconds after authenticating at which they drop out")
    ("seed", po::value(&o.seed)->default_value(o.seed), "seed for the slow/drop subsets")
    ("heartbeat", po::value(&o.heartbeat_s)->default_value(o.heartbeat_s),
     "heartbeat_interval in seconds")
    ("acceptance-wait", po::value(&o.acceptance_wait_s)->default_value(o.acceptance_wait_s),
     "acceptance_wait_time: seconds between auth attempts while pending")
    ("random-reauth-delay",
     po::value(&o.random_reauth_delay_s)->default_value(o.random_reauth_delay_s),
     "max random delay (s) before fetching a rotated session key")
    ("auth-timeout", po::value(&o.auth_timeout_s)->default_value(o.auth_timeout_s),
     "seconds to wait for any reply from the master")
    ("reauth-spread", po::value(&o.reauth_spread_s)->default_value(o.reauth_spread_s),
     "max random delay (s) before re-authenticating after the master forgot us")
    ("rejected-retry", "keep retrying when the master rejects or denies a key")
    ("workers", po::value(&o.workers)->default_value(o.workers),
     "worker threads (each owns one DEALER socket)")
    ("auth-concurrency", po::value(&o.auth_concurrency)->default_value(o.auth_concurrency),
     "auth requests in flight at most (0: --workers)")
    ("io-threads", po::value(&o.io_threads)->default_value(o.io_threads),
     "ZeroMQ I/O threads")
    ("sub-connections", po::value(&o.sub_connections)->default_value(o.sub_connections),
     "SUB connections to the master, each serving an equal share of the minions (max: --minions)")
    ("req-connections", po::value(&req_text),
     "request connections to the master, each serving an equal share of the minions: N "
     "(max: --minions) or all (one per minion); default: one per worker")
    ("transport", po::value(&transport_text)->default_value(transport_text),
     "zeromq or tcp, as the master's transport")
    ("recon-default", po::value(&o.recon_default_ms)->default_value(o.recon_default_ms),
     "ms before reconnecting to a vanished master (recon_default)")
    ("recon-max", po::value(&o.recon_max_ms)->default_value(o.recon_max_ms),
     "reconnect back-off limit and random spread, ms (recon_max)")
    ("no-recon-randomize", "do not randomize the reconnect interval (recon_randomize: False)")
    ("stats-interval", po::value(&o.stats_interval_ms)->default_value(o.stats_interval_ms),
     "ms between JSON stats lines on stdout (0: off)")
    ("stats-file", po::value(&o.stats_file), "also write the latest stats line to this file")
    ("log-level,l", po::value(&o.log_level)->default_value(o.log_level),
     "console log level (Salt names)")
    ("keys-only", "create or load the identities, then exit");
  // clang-format on
  std::ostringstream usage;
  usage << desc;
  out.usage = usage.str();

  std::vector<const char*> args;
  for (const auto& a : argv) args.push_back(a.c_str());
  po::variables_map vm;
  try {
    po::store(
        po::command_line_parser(static_cast<int>(args.size()), args.data()).options(desc).run(),
        vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    return make_error(Errc::kInvalidArgument, e.what());
  }
  if (vm.count("help")) {
    out.help = true;
    return out;
  }
  o.native_grains = !vm.count("no-native-grains");
  o.rejected_retry = vm.count("rejected-retry") > 0;
  o.keys_only = vm.count("keys-only") > 0;
  o.recon_randomize = !vm.count("no-recon-randomize");

  if (o.root.empty()) return make_error(Errc::kInvalidArgument, "is required", "--root");
  if (o.minions < 1 || o.minions > 1000000) {
    return bad("minions", "expected 1 to 1000000", std::to_string(o.minions));
  }
  if (o.first_index < 0) return bad("first-index", "expected >= 0", std::to_string(o.first_index));
  if (o.prefix.empty()) return make_error(Errc::kInvalidArgument, "must not be empty", "--prefix");
  for (auto [name, port] : {std::pair{"ret-port", o.ret_port}, {"publish-port", o.publish_port}}) {
    if (port < 0 || port > 65535 || (port == 0 && std::string_view(name) == "ret-port")) {
      return bad(name, "expected a TCP port", std::to_string(port));
    }
  }
  BRINE_TRY(check_range("slow-fraction", o.slow_fraction, 0, 1));
  BRINE_TRY(check_range("drop-fraction", o.drop_fraction, 0, 1));
  BRINE_TRY(check_range("slow-ms", o.slow_ms, 0, 86400000));
  BRINE_TRY(check_range("drop-after", o.drop_after_s, 0, 86400));
  BRINE_TRY(check_range("heartbeat", o.heartbeat_s, 0.05, 86400));
  BRINE_TRY(check_range("acceptance-wait", o.acceptance_wait_s, 0.01, 86400));
  BRINE_TRY(check_range("random-reauth-delay", o.random_reauth_delay_s, 0, 86400));
  BRINE_TRY(check_range("auth-timeout", o.auth_timeout_s, 0.05, 3600));
  BRINE_TRY(check_range("reauth-spread", o.reauth_spread_s, 0, 3600));
  BRINE_TRY(check_range("workers", o.workers, 1, 1024));
  BRINE_TRY(check_range("auth-concurrency", o.auth_concurrency, 0, 100000));
  BRINE_TRY(check_range("io-threads", o.io_threads, 1, 64));
  BRINE_TRY(check_range("sub-connections", o.sub_connections, 1, o.minions));
  BRINE_TRY(check_range("recon-default", o.recon_default_ms, 1, 3600000));
  BRINE_TRY(check_range("recon-max", o.recon_max_ms, 0, 3600000));
  BRINE_TRY(check_range("stats-interval", o.stats_interval_ms, 0, 3600000));
  if (o.auth_concurrency == 0) o.auth_concurrency = o.workers;
  if (vm.count("req-connections")) {
    int64_t n = 0;
    if (req_text == "all") {
      n = o.minions;
    } else {
      auto [end, ec] = std::from_chars(req_text.data(), req_text.data() + req_text.size(), n);
      if (ec != std::errc() || end != req_text.data() + req_text.size() || n < 1 || n > o.minions) {
        return bad("req-connections", "expected 1 to " + std::to_string(o.minions) + " or all",
                   req_text);
      }
    }
    o.req_connections = static_cast<int>(n);
  }
  auto backend = transport::parse_backend(transport_text);
  if (!backend) return make_error(Errc::kInvalidArgument, backend.error().message, "--transport");
  o.transport = *backend;
  if (!grains_text.empty()) {
    auto g = parse_grains(grains_text);
    if (!g) return g.error();
    o.grains = std::move(*g);
  }
  return out;
}

}  // namespace brine::swarm
