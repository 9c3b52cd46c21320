#include "tests/integration/harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "common/codec/json.h"

namespace brine::testing {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

void write_file(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::trunc) << text;
}

pid_t spawn(const std::vector<std::string>& argv, const fs::path& out_log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    int fd = ::open(out_log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}
}  // namespace

size_t count_occurrences(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

CmdResult run_command(const std::vector<std::string>& argv, const std::string& stdin_text,
                      std::chrono::milliseconds timeout,
                      const std::map<std::string, std::string>& env) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe(in_pipe) || ::pipe(out_pipe) || ::pipe(err_pipe)) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      ::close(fd);
    }
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (!stdin_text.empty()) {
    ssize_t w = ::write(in_pipe[1], stdin_text.data(), stdin_text.size());
    (void)w;
  }
  ::close(in_pipe[1]);
  CmdResult r;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0 && std::chrono::steady_clock::now() < deadline) {
    if (::poll(fds, 2, 100) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  int status = 0;
  if (open_fds > 0) ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  return r;
}

Process::~Process() {
  if (alive()) stop(std::chrono::seconds(5));
}

bool Process::alive() {
  if (status_ != -1000) return false;
  int st = 0;
  pid_t r = ::waitpid(pid_, &st, WNOHANG);
  if (r == pid_) {
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
    return false;
  }
  return r == 0;
}

int Process::wait_exit(std::chrono::milliseconds timeout) {
  wait_until([&] { return !alive(); }, timeout, std::chrono::milliseconds(20));
  return status_;
}

int Process::stop(std::chrono::milliseconds timeout) {
  if (!alive()) return status_;
  ::kill(pid_, SIGTERM);
  if (wait_exit(timeout) == -1000) kill_hard();
  return status_;
}

void Process::kill_hard() {
  if (!alive()) return;
  ::kill(pid_, SIGKILL);
  wait_exit(std::chrono::seconds(5));
}

std::string Process::log_text() const { return read_file(log_); }

bool wait_until(const std::function<bool()>& cond, std::chrono::milliseconds timeout,
                std::chrono::milliseconds every) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (cond()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(every);
  }
}

int free_tcp_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  int port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

fs::path Cluster::bin(const std::string& name) { return fs::path(BRINE_BIN_DIR) / name; }

Cluster::Cluster() {
  std::mt19937_64 rng(std::random_device{}());
  // Short paths: ipc:// socket paths are limited to ~107 bytes.
  root_ = fs::path("/tmp") /
          ("brine-it-" + std::to_string(::getpid()) + "-" + std::to_string(rng() % 1000000));
  fs::create_directories(root_);
  publish_port_ = free_tcp_port();
  do {
    ret_port_ = free_tcp_port();
  } while (ret_port_ == publish_port_);
}

Cluster::~Cluster() {
  minions_.clear();
  master_.reset();
  if (!std::getenv("BRINE_KEEP_TEST_DIRS")) {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }
}

Process& Cluster::start_master(const std::string& extra) {
  fs::path conf = master_config_dir();
  fs::path log = master_root() / "master.log";
  std::ostringstream y;
  y << "root_dir: " << master_root().string() << "\n"
    << "interface: 127.0.0.1\n"
    << "publish_port: " << publish_port_ << "\n"
    << "ret_port: " << ret_port_ << "\n"
    << "log_file: " << log.string() << "\n"
    << "log_level: warning\n"
    << "log_level_logfile: debug\n"
    << "worker_threads: 2\n"
    << "timeout: 5\n"
    << extra << "\n";
  write_file(conf / "master", y.str());
  master_ = std::make_unique<Process>(
      spawn({bin("brine-master").string(), "-c", conf.string()}, master_root() / "stdout.log"),
      log);
  // Ready once it logs that it serves (or it died: the test then sees why).
  wait_until([&] {
    return count_occurrences(master_->log_text(), "brine-master " BRINE_VERSION " started") > 0 ||
           !master_->alive();
  });
  return *master_;
}

void Cluster::stop_master() {
  if (master_) master_->stop();
}

Process& Cluster::start_minion(const std::string& name, const std::string& extra,
                               const std::string& id) {
  fs::path conf = minion_config_dir(name);
  fs::path log = minion_root(name) / "minion.log";
  std::ostringstream y;
  y << "id: " << (id.empty() ? name : id) << "\n"
    << "root_dir: " << minion_root(name).string() << "\n"
    << "master: 127.0.0.1\n"
    << "master_port: " << ret_port_ << "\n"
    << "log_file: " << log.string() << "\n"
    << "log_level: warning\n"
    << "log_level_logfile: debug\n"
    << "acceptance_wait_time: 1\n"
    << "random_reauth_delay: 1\n"
    << "heartbeat_interval: 1\n"
    << "auth_timeout: 2\n"
    << "recon_default: 100\n"
    << "recon_max: 1000\n"
    << extra << "\n";
  write_file(conf / "minion", y.str());
  auto p = std::make_unique<Process>(
      spawn({bin("brine-minion").string(), "-c", conf.string()}, minion_root(name) / "stdout.log"),
      log);
  auto& ref = *p;
  minions_[name] = std::move(p);
  return ref;
}

Process* Cluster::minion(const std::string& name) {
  auto it = minions_.find(name);
  return it == minions_.end() ? nullptr : it->second.get();
}

CmdResult Cluster::key(const std::vector<std::string>& args, const std::string& stdin_text) {
  std::vector<std::string> argv{bin("brine-key").string(), "-c", master_config_dir().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv, stdin_text);
}

CmdResult Cluster::brine(const std::vector<std::string>& args) {
  std::vector<std::string> argv{bin("brine").string(), "-c", master_config_dir().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

CmdResult Cluster::run(const std::vector<std::string>& args) {
  std::vector<std::string> argv{bin("brine-run").string(), "-c", master_config_dir().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

CmdResult Cluster::call(const std::string& minion_name, const std::vector<std::string>& args) {
  std::vector<std::string> argv{bin("brine-call").string(), "-c",
                                minion_config_dir(minion_name).string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

std::map<std::string, std::vector<std::string>> Cluster::keys() {
  std::map<std::string, std::vector<std::string>> out;
  auto r = key({"-L", "--out", "json"});
  auto v = codec::json_parse(r.out);
  if (!v || !v->is_map()) return out;
  for (const auto& [dir, ids] : v->as_map()) {
    auto& list = out[dir];
    if (!ids.is_list()) continue;
    for (const auto& id : ids.as_list()) {
      if (id.is_string()) list.push_back(id.as_string());
    }
  }
  return out;
}

bool Cluster::wait_for_key(const std::string& status_dir, const std::string& id,
                           std::chrono::milliseconds timeout) {
  return wait_until(
      [&] {
        auto k = keys();
        auto& ids = k[status_dir];
        return std::find(ids.begin(), ids.end(), id) != ids.end();
      },
      timeout, std::chrono::milliseconds(100));
}

bool Cluster::wait_for_log(Process& p, const std::string& needle, std::chrono::milliseconds timeout,
                           size_t min_count) {
  return wait_until([&] { return count_occurrences(p.log_text(), needle) >= min_count; }, timeout);
}

}  // namespace brine::testing
