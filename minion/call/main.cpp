// brine-call: thin main. SIGINT/SIGTERM/SIGHUP are taken by a thread that
// cancels the call, so commands it started (in their own process groups, out
// of reach of the terminal's Ctrl-C) die with it.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "minion/call/call.h"
#include "modules/cancel.h"

int main(int argc, char** argv) {
  static brine::modules::CancelToken cancel;
  static std::atomic<int> interrupted{0};
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, s);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    if (::sigwait(&set, &sig) == 0) {
      interrupted = sig;
      // SIGTERM, not the signal received: background commands of a
      // non-interactive shell ignore SIGINT.
      cancel.request(SIGTERM);
    }
  }).detach();

  std::vector<std::string> args(argv + 1, argv + argc);
  return brine::call::main(args, brine::call::Io{std::cout, std::cerr, ::isatty(STDOUT_FILENO) == 1,
                                                 &cancel, &interrupted});
}
