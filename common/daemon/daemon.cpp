#include "common/daemon/daemon.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace brine::daemon {
namespace fs = std::filesystem;

Status daemonize() {
  pid_t pid = ::fork();
  if (pid < 0) return make_error(Errc::kInternal, std::string("fork: ") + std::strerror(errno));
  if (pid > 0) ::_exit(0);
  if (::setsid() < 0) return make_error(Errc::kInternal, "setsid failed");
  pid = ::fork();
  if (pid < 0) return make_error(Errc::kInternal, std::string("fork: ") + std::strerror(errno));
  if (pid > 0) ::_exit(0);
  int fd = ::open("/dev/null", O_RDWR);
  if (fd >= 0) {
    ::dup2(fd, 0);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    if (fd > 2) ::close(fd);
  }
  return ok();
}

Status write_pidfile(const fs::path& path) {
  {
    std::ifstream in(path);
    long old = 0;
    if (in >> old && old > 0 && old != ::getpid() && ::kill(static_cast<pid_t>(old), 0) == 0) {
      return make_error(Errc::kAlreadyExists,
                        "another process (pid " + std::to_string(old) + ") owns the pidfile",
                        path.string());
    }
  }
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  fs::path tmp = path;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << ::getpid() << "\n";
    if (!out) return make_error(Errc::kIo, "cannot write pidfile", path.string());
  }
  fs::rename(tmp, path, ec);
  if (ec) return make_error(Errc::kIo, "cannot write pidfile: " + ec.message(), path.string());
  return ok();
}

void remove_pidfile(const fs::path& path) {
  std::error_code ec;
  std::ifstream in(path);
  long pid = 0;
  if (in >> pid && pid == ::getpid()) fs::remove(path, ec);
}

namespace {
Result<struct passwd> lookup_user(const std::string& user) {
  struct passwd pw {};
  struct passwd* res = nullptr;
  static thread_local std::vector<char> buf(16384);
  if (::getpwnam_r(user.c_str(), &pw, buf.data(), buf.size(), &res) != 0 || !res) {
    return make_error(Errc::kNotFound, "no such user '" + user + "'", "user");
  }
  return pw;
}
}  // namespace

Status drop_privileges(const std::string& user) {
  if (user.empty()) return ok();
  auto pw = lookup_user(user);
  if (!pw) return pw.error();
  if (::geteuid() == pw->pw_uid) return ok();
  if (::geteuid() != 0) {
    return make_error(Errc::kPermissionDenied, "cannot switch to user '" + user + "' without root",
                      "user");
  }
  if (::initgroups(pw->pw_name, pw->pw_gid) != 0 || ::setgid(pw->pw_gid) != 0 ||
      ::setuid(pw->pw_uid) != 0) {
    return make_error(Errc::kPermissionDenied,
                      "cannot switch to user '" + user + "': " + std::strerror(errno), "user");
  }
  return ok();
}

Status make_dir(const fs::path& dir, unsigned mode, const std::string& user) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(Errc::kIo, "cannot create directory: " + ec.message(), dir.string());
  ::chmod(dir.c_str(), static_cast<mode_t>(mode));
  if (!user.empty() && ::geteuid() == 0) {
    auto pw = lookup_user(user);
    if (!pw) return pw.error();
    if (::chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return make_error(Errc::kIo, std::string("chown: ") + std::strerror(errno), dir.string());
    }
  }
  return ok();
}

SignalWaiter::SignalWaiter() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  sigaddset(&set_, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
}

int SignalWaiter::wait(std::chrono::milliseconds timeout) {
  struct timespec ts {};
  ts.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  ts.tv_nsec = static_cast<long>((timeout.count() % 1000) * 1000000);
  int sig = ::sigtimedwait(&set_, nullptr, &ts);
  if (sig == SIGHUP) return 0;  // reserved for log reopen; keep running
  return sig < 0 ? 0 : sig;
}

}  // namespace brine::daemon
