// Integration-test harness: a scratch cluster of real brine-master and
// brine-minion processes on 127.0.0.1, each with its own root_dir under one
// temporary directory and ports found free at start. Tools (brine-key, brine,
// brine-run, brine-call) are run as real processes against the same configs.
// Everything waits on conditions with deadlines; nothing sleeps blindly.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/codec/json.h"
#include "common/values/value.h"

namespace brine::testing {

namespace fs = std::filesystem;

struct CmdResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A tool's `--out json` output, parsed; a test failure (and a null Value) when
// it is not JSON.
inline Value json_of(const CmdResult& r) {
  auto v = codec::json_parse(r.out);
  EXPECT_TRUE(v) << r.out << r.err;
  return v ? *v : Value();
}

// Runs `argv` (argv[0] a path) with optional stdin text and environment
// additions; waits at most `timeout`.
CmdResult run_command(const std::vector<std::string>& argv, const std::string& stdin_text = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(60),
                      const std::map<std::string, std::string>& env = {});

// A daemon started by the cluster. Stopped (SIGTERM, then SIGKILL) on destruction.
class Process {
 public:
  Process(pid_t pid, fs::path log) : pid_(pid), log_(std::move(log)) {}
  ~Process();
  pid_t pid() const { return pid_; }
  bool alive();
  // Sends SIGTERM and waits; returns the exit status (or -signal).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  void kill_hard();
  // Waits for the process to exit by itself; nullopt-like -1000 on timeout.
  int wait_exit(std::chrono::milliseconds timeout);
  std::string log_text() const;  // the daemon's log file (log_level_logfile: debug)
  const fs::path& log_path() const { return log_; }

 private:
  pid_t pid_;
  fs::path log_;
  int status_ = -1000;
};

bool wait_until(const std::function<bool()>& cond,
                std::chrono::milliseconds timeout = std::chrono::seconds(20),
                std::chrono::milliseconds every = std::chrono::milliseconds(50));

int free_tcp_port();

// A whole file's bytes ("" when it cannot be read).
std::string read_file(const fs::path& p);

class Cluster {
 public:
  Cluster();
  ~Cluster();

  const fs::path& root() const { return root_; }
  fs::path master_config_dir() const { return root_ / "master" / "conf"; }
  fs::path master_root() const { return root_ / "master"; }
  fs::path master_pki() const { return root_ / "master" / "etc/brine/pki/master"; }
  fs::path minion_config_dir(const std::string& name) const {
    return root_ / "minions" / name / "conf";
  }
  fs::path minion_root(const std::string& name) const { return root_ / "minions" / name; }
  fs::path minion_pki(const std::string& name) const {
    return minion_root(name) / "etc/brine/pki/minion";
  }
  int publish_port() const { return publish_port_; }
  int ret_port() const { return ret_port_; }

  // Writes the master config (plus `extra` YAML lines) and starts brine-master.
  Process& start_master(const std::string& extra = {});
  // `name` is the directory name; `id` the minion id (defaults to name), so two
  // processes can claim one id with different keys.
  Process& start_minion(const std::string& name, const std::string& extra = {},
                        const std::string& id = {});
  Process* master() { return master_.get(); }
  Process* minion(const std::string& name);
  void stop_master();

  // Tools: argv after the program name; -c is added.
  CmdResult key(const std::vector<std::string>& args, const std::string& stdin_text = {});
  CmdResult brine(const std::vector<std::string>& args);
  CmdResult run(const std::vector<std::string>& args);
  CmdResult call(const std::string& minion_name, const std::vector<std::string>& args);

  // brine-key -l <which> --out json as parsed id lists per status directory.
  std::map<std::string, std::vector<std::string>> keys();
  bool wait_for_key(const std::string& status_dir, const std::string& id,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Waits for `needle` in the process's log.
  bool wait_for_log(Process& p, const std::string& needle,
                    std::chrono::milliseconds timeout = std::chrono::seconds(20),
                    size_t min_count = 1);

  static fs::path bin(const std::string& name);

 private:
  fs::path root_;
  int publish_port_ = 0;
  int ret_port_ = 0;
  std::unique_ptr<Process> master_;
  std::map<std::string, std::unique_ptr<Process>> minions_;
};

size_t count_occurrences(const std::string& haystack, const std::string& needle);

}  // namespace brine::testing
