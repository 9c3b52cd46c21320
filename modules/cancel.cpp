#include "modules/cancel.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <thread>

namespace brine::modules {

CancelToken::CancelToken() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

CancelToken::~CancelToken() {
  if (fd_ >= 0) ::close(fd_);
}

void CancelToken::request(int sig) {
  if (sig <= 0) sig = SIGTERM;
  int expected = 0;
  signal_.compare_exchange_strong(expected, sig, std::memory_order_acq_rel);
  {
    std::lock_guard lock(mu_);
    for (pid_t g : groups_) ::kill(-g, sig);
  }
  if (fd_ >= 0) {
    uint64_t one = 1;
    // A full counter (never in practice) still leaves the fd readable.
    [[maybe_unused]] auto n = ::write(fd_, &one, sizeof one);
  }
}

bool CancelToken::wait_for(std::chrono::milliseconds d) const {
  if (requested()) return true;
  if (fd_ < 0) {
    // No eventfd: sleep in short slices.
    auto deadline = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < deadline) {
      if (requested()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return requested() != 0;
  }
  auto deadline = std::chrono::steady_clock::now() + d;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return requested() != 0;
    pollfd p{fd_, POLLIN, 0};
    int timeout = left.count() > 1'000'000 ? 1'000'000 : static_cast<int>(left.count());
    int r = ::poll(&p, 1, timeout);
    if (r > 0 || requested()) return requested() != 0;
  }
}

void CancelToken::attach_process_group(pid_t pgid) {
  std::lock_guard lock(mu_);
  groups_.insert(pgid);
  if (int sig = requested()) ::kill(-pgid, sig);
}

void CancelToken::detach_process_group(pid_t pgid) {
  std::lock_guard lock(mu_);
  groups_.erase(pgid);
}

}  // namespace brine::modules
