#include "modules/util/process.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/close_range.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "modules/cancel.h"

extern char** environ;

namespace brine::modules::process {

namespace {

constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Python's OSError text for errno `e` about `name`.
std::string os_error(int e, std::string_view name) {
  return "[Errno " + std::to_string(e) + "] " + std::strerror(e) + ": '" + std::string(name) + "'";
}

Errc errc_for(int e) {
  switch (e) {
    case ENOENT:
    case ENOTDIR:
      return Errc::kNotFound;
    case EACCES:
    case EPERM:
      return Errc::kPermissionDenied;
    default:
      return Errc::kIo;
  }
}

bool executable_file(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
}

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset(int f = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = f;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

bool make_pipe(Fd& r, Fd& w) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  r.reset(fds[0]);
  w.reset(fds[1]);
  return true;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

[[noreturn]] void child_fail(int errpipe, int e) {
  [[maybe_unused]] auto n = ::write(errpipe, &e, sizeof e);
  ::_exit(127);
}

// Runs in the child between fork and exec: async-signal-safe calls only.
[[noreturn]] void child(const char* path, char* const* argv, char* const* envp, int in, int out,
                        int err, int errpipe, const Options& o, const gid_t* groups,
                        size_t ngroups) {
  ::setpgid(0, 0);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int s = 1; s < NSIG; ++s) {
    if (s != SIGKILL && s != SIGSTOP) ::sigaction(s, &dfl, nullptr);
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);

  if (errpipe <= 2) errpipe = ::fcntl(errpipe, F_DUPFD_CLOEXEC, 3);
  // Move the pipe ends above 2 first, in case this process runs with 0-2 closed.
  in = ::fcntl(in, F_DUPFD_CLOEXEC, 3);
  out = ::fcntl(out, F_DUPFD_CLOEXEC, 3);
  err = ::fcntl(err, F_DUPFD_CLOEXEC, 3);
  if (in < 0 || out < 0 || err < 0) child_fail(errpipe, errno);
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) child_fail(errpipe, errno);
  if (!o.cwd.empty() && ::chdir(o.cwd.c_str()) != 0) child_fail(errpipe, errno);
  if (o.umask) ::umask(*o.umask);
  if (o.credentials) {
    if (::setgroups(ngroups, groups) != 0) child_fail(errpipe, errno);
    if (::setgid(o.credentials->gid) != 0) child_fail(errpipe, errno);
    if (::setuid(o.credentials->uid) != 0) child_fail(errpipe, errno);
  }
  // Everything above 2 closes at exec (errpipe is already close-on-exec).
  if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    for (int fd = 3; fd < 4096; ++fd) {
      if (fd != errpipe) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
  }
  ::execve(path, argv, envp);
  child_fail(errpipe, errno);
}

// write(2) to a pipe whose reader may be gone, without letting SIGPIPE kill
// the process: block it for this thread, and swallow the one the write
// raised (a SIGPIPE from a pipe write is sent to the writing thread).
ssize_t write_no_sigpipe(int fd, const char* data, size_t n) {
  sigset_t pipe_set, old;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigset_t pending;
  sigemptyset(&pending);
  ::sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t w = ::write(fd, data, n);
  int saved = errno;
  if (w < 0 && saved == EPIPE && !was_pending) {
    timespec zero{0, 0};
    while (::sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return w;
}

// Starts the program in a new session without waiting for it (cmd.run_bg):
// an intermediate child forks it and exits, so the program is reparented and
// never becomes our zombie. Output goes to /dev/null.
Result<Outcome> run_detached(const Options& o, const std::string& program, std::vector<char*>& argv,
                             std::vector<char*>& envp, std::vector<gid_t>& groups) {
  Fd null_in(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  Fd null_out(::open("/dev/null", O_WRONLY | O_CLOEXEC));
  Fd pid_r, pid_w, ep_r, ep_w;
  if (!null_in || !null_out || !make_pipe(pid_r, pid_w) || !make_pipe(ep_r, ep_w)) {
    return make_error(Errc::kIo, os_error(errno, "pipe"));
  }
  pid_t mid = ::fork();
  if (mid < 0) return make_error(Errc::kIo, os_error(errno, o.argv[0]));
  if (mid == 0) {
    pid_t grandchild = ::fork();
    if (grandchild == 0) {
      ::setsid();
      child(program.c_str(), argv.data(), o.env ? envp.data() : environ, null_in.get(),
            null_out.get(), null_out.get(), ep_w.get(), o, groups.data(), groups.size());
    }
    [[maybe_unused]] auto n = ::write(pid_w.get(), &grandchild, sizeof grandchild);
    ::_exit(grandchild < 0 ? 1 : 0);
  }
  pid_w.reset();
  ep_w.reset();
  int status = 0;
  while (::waitpid(mid, &status, 0) < 0 && errno == EINTR) {
  }
  pid_t grandchild = -1;
  if (::read(pid_r.get(), &grandchild, sizeof grandchild) !=
          static_cast<ssize_t>(sizeof grandchild) ||
      grandchild <= 0) {
    return make_error(Errc::kIo, os_error(EAGAIN, o.argv[0]));
  }
  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(ep_r.get(), &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    return make_error(errc_for(exec_errno), os_error(exec_errno, o.argv[0]));
  }
  Outcome res;
  res.pid = grandchild;
  return res;
}

}  // namespace

std::string default_path() {
  const char* p = ::getenv("PATH");
  return p && *p ? std::string(p) : std::string(kDefaultPath);
}

std::string which(std::string_view name, std::string_view path) {
  if (name.empty()) return {};
  if (name.find('/') != std::string_view::npos) {
    std::string p(name);
    return executable_file(p) ? p : std::string();
  }
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view dir = path.substr(start, end - start);
    std::string candidate =
        dir.empty() ? std::string(name) : std::string(dir) + "/" + std::string(name);
    if (executable_file(candidate)) return candidate;
    start = end + 1;
  }
  return {};
}

Result<Outcome> run(const Options& o) {
  if (o.argv.empty() || o.argv[0].empty()) {
    return make_error(Errc::kInvalidArgument, "no command given");
  }
  // Resolve the program with the child's PATH, before fork.
  std::string path_value = default_path();
  if (o.env) {
    path_value = std::string(kDefaultPath);
    for (const std::string& kv : *o.env) {
      if (kv.starts_with("PATH=")) path_value = kv.substr(5);
    }
  }
  std::string program = which(o.argv[0], path_value);
  if (program.empty()) {
    int e = ENOENT;
    if (o.argv[0].find('/') != std::string::npos && ::access(o.argv[0].c_str(), F_OK) == 0) {
      e = EACCES;
    }
    return make_error(errc_for(e), os_error(e, o.argv[0]));
  }

  std::vector<char*> argv;
  for (const std::string& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (o.env) {
    for (const std::string& kv : *o.env) envp.push_back(const_cast<char*>(kv.c_str()));
    envp.push_back(nullptr);
  }
  std::vector<gid_t> groups = o.credentials ? o.credentials->groups : std::vector<gid_t>{};

  Fd in_r, in_w, out_r, out_w, err_r, err_w, ep_r, ep_w;
  if (o.input) {
    if (!make_pipe(in_r, in_w)) return make_error(Errc::kIo, os_error(errno, "pipe"));
  } else {
    in_r.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!in_r) return make_error(Errc::kIo, os_error(errno, "/dev/null"));
  }
  if (!make_pipe(out_r, out_w) || (!o.merge_stderr && !make_pipe(err_r, err_w)) ||
      !make_pipe(ep_r, ep_w)) {
    return make_error(Errc::kIo, os_error(errno, "pipe"));
  }

  if (o.detach) return run_detached(o, program, argv, envp, groups);

  pid_t pid = ::fork();
  if (pid < 0) return make_error(Errc::kIo, os_error(errno, o.argv[0]));
  if (pid == 0) {
    child(program.c_str(), argv.data(), o.env ? envp.data() : environ, in_r.get(), out_w.get(),
          o.merge_stderr ? out_w.get() : err_w.get(), ep_w.get(), o, groups.data(), groups.size());
  }
  ::setpgid(pid, pid);  // also done by the child; whichever runs first wins
  in_r.reset();
  out_w.reset();
  err_w.reset();
  ep_w.reset();

  int exec_errno = 0;
  ssize_t n;
  do {
    n = ::read(ep_r.get(), &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  ep_r.reset();
  if (n == static_cast<ssize_t>(sizeof exec_errno)) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string_view what = o.argv[0];
    if (exec_errno == ENOENT || exec_errno == ENOTDIR) {
      if (!o.cwd.empty() && ::access(o.cwd.c_str(), F_OK) != 0) what = o.cwd;
    }
    return make_error(errc_for(exec_errno), os_error(exec_errno, what));
  }

  if (o.cancel) o.cancel->attach_process_group(pid);
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  Outcome res;
  res.pid = pid;
  std::string input = o.input.value_or("");
  size_t input_off = 0;
  if (in_w) {
    set_nonblocking(in_w.get());
    if (input.empty()) in_w.reset();
  }
  set_nonblocking(out_r.get());
  if (err_r) set_nonblocking(err_r.get());

  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  std::optional<Clock::time_point> deadline;
  if (o.timeout.count() > 0) deadline = start + o.timeout;
  std::optional<Clock::time_point> kill_at;      // escalation after a cancel
  std::optional<Clock::time_point> drain_until;  // stop waiting on pipes of a killed group
  bool reaped = false;
  int status = 0;
  bool cancel_seen = false;

  auto drain = [&](Fd& fd, std::string& buf) {
    char chunk[65536];
    while (true) {
      ssize_t r = ::read(fd.get(), chunk, sizeof chunk);
      if (r > 0) {
        size_t room = buf.size() < o.max_output ? o.max_output - buf.size() : 0;
        if (static_cast<size_t>(r) > room) res.truncated = true;
        buf.append(chunk, std::min(room, static_cast<size_t>(r)));
        continue;
      }
      if (r == 0) fd.reset();
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 && errno != EAGAIN) fd.reset();
      return;
    }
  };
  auto kill_group = [&](int sig) { ::kill(-pid, sig); };

  while (true) {
    if (!reaped) {
      pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        reaped = true;
        pidfd.reset();
      }
    }
    if (reaped && !out_r && !err_r) break;
    auto now = Clock::now();
    if (deadline && now >= *deadline && !res.timed_out) {
      res.timed_out = true;
      kill_group(SIGKILL);
      drain_until = now + std::chrono::seconds(1);
    }
    if (o.cancel && !cancel_seen && o.cancel->requested()) {
      cancel_seen = true;
      res.cancelled = o.cancel->requested();
      if (res.cancelled == SIGKILL) {
        drain_until = now + std::chrono::seconds(1);
      } else {
        kill_at = now + o.kill_grace;
      }
    }
    if (kill_at && now >= *kill_at) {
      kill_group(SIGKILL);
      kill_at.reset();
      drain_until = now + std::chrono::seconds(1);
    }
    if (reaped && drain_until && now >= *drain_until) break;  // escaped children hold the pipes

    std::vector<pollfd> fds;
    auto add = [&](int fd, short ev) {
      if (fd >= 0) fds.push_back(pollfd{fd, ev, 0});
    };
    add(out_r.get(), POLLIN);
    add(err_r.get(), POLLIN);
    add(in_w ? in_w.get() : -1, POLLOUT);
    add(pidfd ? pidfd.get() : -1, POLLIN);
    if (o.cancel && !cancel_seen) add(o.cancel->wait_fd(), POLLIN);

    int timeout_ms = 100;  // fallback polling of waitpid/cancel when no fds tell us
    if (pidfd || reaped) timeout_ms = 1000;
    auto clamp = [&](std::optional<Clock::time_point> t) {
      if (!t) return;
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*t - now).count() + 1;
      timeout_ms = std::max(0, std::min<int>(timeout_ms, static_cast<int>(left)));
    };
    if (!res.timed_out) clamp(deadline);
    clamp(kill_at);
    clamp(drain_until);
    if (o.cancel && !cancel_seen && o.cancel->wait_fd() < 0) timeout_ms = std::min(timeout_ms, 50);

    int r = ::poll(fds.data(), fds.size(), timeout_ms);
    if (r < 0 && errno != EINTR) break;
    if (r <= 0) continue;
    for (const pollfd& p : fds) {
      if (!p.revents) continue;
      if (p.fd == out_r.get()) {
        drain(out_r, res.out);
      } else if (err_r && p.fd == err_r.get()) {
        drain(err_r, res.err);
      } else if (in_w && p.fd == in_w.get()) {
        if (p.revents & (POLLERR | POLLHUP)) {
          in_w.reset();
          continue;
        }
        ssize_t w =
            write_no_sigpipe(in_w.get(), input.data() + input_off, input.size() - input_off);
        if (w > 0) input_off += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || input_off >= input.size()) in_w.reset();
      }
    }
  }
  if (!reaped) {
    // Only after a stuck drain following a kill: make sure, then reap.
    kill_group(SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (o.cancel) {
    o.cancel->detach_process_group(pid);
    // The child may have died of the cancel signal before the loop saw it.
    if (!res.cancelled) res.cancelled = o.cancel->requested();
  }
  if (WIFEXITED(status)) {
    res.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    res.exit_code = -WTERMSIG(status);
  }
  return res;
}

}  // namespace brine::modules::process
