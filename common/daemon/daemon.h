// brine::daemon: process plumbing shared by brine-master and brine-minion.
//
// daemonize()         classic double fork, setsid, stdio to /dev/null (the -d flag).
// write_pidfile()     writes the pid atomically; fails when another live process
//                     owns the file, so two daemons never share a root_dir.
// drop_privileges()   switches to `user` (config key) after binding and before
//                     serving; a no-op when already that user.
// SignalWaiter        blocks SIGTERM/SIGINT/SIGHUP in every thread (construct it
//                     before starting threads) and lets the main thread wait.
#pragma once

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>

#include "common/result.h"

namespace brine::daemon {

Status daemonize();
Status write_pidfile(const std::filesystem::path& path);
void remove_pidfile(const std::filesystem::path& path);
Status drop_privileges(const std::string& user);
// Makes `dir` (and parents) with `mode`; chowns to `user` when given and root.
Status make_dir(const std::filesystem::path& dir, unsigned mode, const std::string& user = {});

class SignalWaiter {
 public:
  SignalWaiter();  // blocks the signals for this thread and threads it starts
  // Waits up to `timeout` for SIGTERM/SIGINT; returns the signal or 0 on timeout.
  int wait(std::chrono::milliseconds timeout);

 private:
  sigset_t set_;
};

}  // namespace brine::daemon
