#include "common/daemon/open_files.h"

#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <limits>

namespace brine::daemon {
namespace {
uint64_t from_rlim(rlim_t v) {
  return v == RLIM_INFINITY ? std::numeric_limits<uint64_t>::max() : static_cast<uint64_t>(v);
}
}  // namespace

Result<OpenFilesLimit> open_files_limit() {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0) {
    return make_error(Errc::kInternal,
                      std::string("getrlimit(RLIMIT_NOFILE): ") + std::strerror(errno));
  }
  return OpenFilesLimit{from_rlim(rl.rlim_cur), from_rlim(rl.rlim_max)};
}

Result<OpenFilesRaise> raise_open_files_limit(uint64_t wanted) {
  auto before = open_files_limit();
  if (!before) return std::move(before).error();
  OpenFilesRaise r;
  r.before = *before;
  r.after = *before;
  uint64_t hard = before->hard;
  if (hard == std::numeric_limits<uint64_t>::max()) hard = before->soft;
  r.capped = wanted > hard;
  r.target = r.capped ? hard : wanted;
  if (before->soft >= r.target) return r;
  rlimit rl{};
  rl.rlim_cur = static_cast<rlim_t>(r.target);
  rl.rlim_max = before->hard == std::numeric_limits<uint64_t>::max()
                    ? RLIM_INFINITY
                    : static_cast<rlim_t>(before->hard);
  if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) {
    return make_error(Errc::kInternal, "setrlimit(RLIMIT_NOFILE, " + std::to_string(r.target) +
                                           "): " + std::strerror(errno));
  }
  auto after = open_files_limit();
  if (!after) return std::move(after).error();
  r.after = *after;
  return r;
}

std::optional<OpenFilesAdvice> open_files_advice(uint64_t accepted_keys, uint64_t configured,
                                                 OpenFilesLimit limit) {
  const uint64_t soft = limit.soft;
  if (accepted_keys * 4 <= soft) return std::nullopt;
  OpenFilesAdvice a;
  a.message = "The number of accepted minion keys(" + std::to_string(accepted_keys) +
              ") should be lower than 1/4 of the max open files soft setting(" +
              std::to_string(soft) + "). ";
  if (accepted_keys >= soft) {
    a.message += "brine-master will crash pretty soon! ";
    a.level = OpenFilesAdvice::Level::kCritical;
  } else if (accepted_keys * 2 >= soft) {
    a.level = OpenFilesAdvice::Level::kCritical;
  } else if (accepted_keys * 3 >= soft) {
    a.level = OpenFilesAdvice::Level::kWarning;
  }
  if (limit.hard != std::numeric_limits<uint64_t>::max() && configured < limit.hard) {
    a.message += "According to the system's hard limit, there's still a margin of " +
                 std::to_string(limit.hard - configured) + " to raise the max_open_files setting. ";
  }
  a.message += "Please consider raising this value.";
  return a;
}

}  // namespace brine::daemon
