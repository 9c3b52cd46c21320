#include "common/daemon/cli.h"

#include <boost/program_options.hpp>
#include <iostream>

#include "common/daemon/daemon.h"
#include "common/log/log.h"

namespace brine::daemon {
namespace po = boost::program_options;

Boot boot(int argc, char** argv, config::Role role, const std::string& prog) {
  std::string config_dir, log_level, log_file, log_file_level, pid_file, user;
  bool daemon_mode = false;
  po::options_description desc("Options");
  // clang-format off
  desc.add_options()
    ("help,h", "show this help message and exit")
    ("version", "show program's version number and exit")
    ("config-dir,c", po::value(&config_dir), "configuration directory (default /etc/brine, or $BRINE_CONFIG_DIR)")
    ("daemon,d", po::bool_switch(&daemon_mode), "run in the background")
    ("log-level,l", po::value(&log_level), "console log level: all garbage trace debug profile info warning error critical quiet")
    ("log-file", po::value(&log_file), "log file path (overrides log_file)")
    ("log-file-level", po::value(&log_file_level), "log file level (overrides log_level_logfile)")
    ("pid-file", po::value(&pid_file), "pidfile path (overrides pidfile)")
    ("user,u", po::value(&user), "user to run as (overrides user)");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "Usage: " << prog << " [options]\n" << prog << ": error: " << e.what() << "\n";
    return {{}, 64};
  }
  if (vm.count("help")) {
    std::cout << "Usage: " << prog << " [options]\n\n" << desc;
    return {{}, 0};
  }
  if (vm.count("version")) {
    std::cout << prog << " " << BRINE_VERSION << "\n";
    return {{}, 0};
  }
  auto loaded = config::load(role, {config_dir});
  if (!loaded) {
    std::cerr << prog << ": error: " << loaded.error().to_string() << "\n";
    return {{}, 2};
  }
  Value& opts = loaded->opts;
  // A flag overrides the config only when typed (Salt's rule).
  if (!log_level.empty()) opts["log_level"] = log_level;
  if (!log_file.empty()) opts["log_file"] = log_file;
  if (!log_file_level.empty()) opts["log_level_logfile"] = log_file_level;
  if (!pid_file.empty()) opts["pidfile"] = pid_file;
  if (!user.empty()) opts["user"] = user;
  if (auto s = config::validate(role, *loaded); !s) {
    std::cerr << prog << ": error: " << s.error().to_string() << "\n";
    return {{}, 2};
  }
  if (role == config::Role::kMinion) {
    // The publish port comes from the master's auth reply unless a file set it.
    if (!loaded->origin.count("publish_port")) opts.as_map().erase("publish_port");
    auto id = config::resolve_minion_id(opts);
    if (!id) {
      std::cerr << prog << ": error: " << id.error().to_string() << "\n";
      return {{}, 2};
    }
  }
  if (daemon_mode) {
    if (auto s = daemonize(); !s) {
      std::cerr << prog << ": error: " << s.error().to_string() << "\n";
      return {{}, 1};
    }
  }
  log::Options lo;
  auto console = log::parse_level(opts.get_string("log_level", "warning"));
  if (!console) {
    std::cerr << prog << ": error: log_level: " << console.error().message << "\n";
    return {{}, 2};
  }
  lo.console = *console;
  lo.file = opts.get_string("log_file");
  if (auto fl = opts.get_string("log_level_logfile"); !fl.empty()) {
    auto l = log::parse_level(fl);
    if (!l) {
      std::cerr << prog << ": error: log_level_logfile: " << l.error().message << "\n";
      return {{}, 2};
    }
    lo.file_level = *l;
  }
  if (auto s = log::setup(lo); !s) {
    std::cerr << prog << ": error: " << s.error().to_string() << "\n";
    return {{}, 2};
  }
  auto log = log::get(role == config::Role::kMaster ? "master" : "minion");
  for (const auto& w : loaded->warnings) log->warn("{}", w);
  if (auto s = write_pidfile(opts.get_string("pidfile")); !s) {
    log->critical("{}", s.error().to_string());
    return {{}, 1};
  }
  return {std::move(opts), -1};
}

void shutdown(const Value& opts) { remove_pidfile(opts.get_string("pidfile")); }

}  // namespace brine::daemon
