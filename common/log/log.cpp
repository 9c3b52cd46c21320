#include "common/log/log.h"

#include <fcntl.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "common/log/log_internal.h"

namespace brine::log {
namespace {

struct LevelEntry {
  std::string_view name;
  Level level;
  spdlog::level::level_enum spd;
};

constexpr LevelEntry kLevels[] = {
    {"all", Level::kAll, spdlog::level::trace},
    {"garbage", Level::kGarbage, spdlog::level::trace},
    {"trace", Level::kTrace, spdlog::level::trace},
    {"debug", Level::kDebug, spdlog::level::debug},
    {"profile", Level::kProfile, spdlog::level::debug},
    {"info", Level::kInfo, spdlog::level::info},
    {"warning", Level::kWarning, spdlog::level::warn},
    {"error", Level::kError, spdlog::level::err},
    {"critical", Level::kCritical, spdlog::level::critical},
    {"quiet", Level::kQuiet, spdlog::level::off},
};

// The loggers and the one distributing sink they all write to. dist_sink_mt
// serialises sink changes against logging, so setup() can swap sinks while
// other threads log.
struct Registry {
  std::shared_mutex mu;
  std::unordered_map<std::string, std::shared_ptr<spdlog::logger>> loggers;
  std::shared_ptr<spdlog::sinks::dist_sink_mt> dist;
  spdlog::level::level_enum logger_level = spdlog::level::warn;

  Registry() : dist(std::make_shared<spdlog::sinks::dist_sink_mt>()) {
    auto console = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    console->set_level(spdlog::level::warn);
    console->set_formatter(
        detail::make_formatter(kDefaultConsoleFormat, kDefaultConsoleDateFormat));
    dist->set_sinks({console});
  }
};

// Never destroyed: loggers may be used from static destructors and threads
// that outlive main().
Registry& registry() {
  static Registry* r = new Registry();
  return *r;
}

Result<std::string> file_path(const std::string& file) {
  if (file.starts_with("file://")) return file.substr(7);
  if (file.find("://") != std::string::npos) {
    return make_error(Errc::kUnsupported,
                      "log_file '" + file + "': remote logging (udp://, tcp://) is not supported",
                      "log_file");
  }
  return file;
}

Status prepare_file(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path p(path);
  if (p.has_parent_path() && !std::filesystem::exists(p.parent_path(), ec)) {
    std::filesystem::create_directories(p.parent_path(), ec);
    if (ec) {
      return make_error(Errc::kIo, "log_file '" + path + "': cannot create directory '" +
                                       p.parent_path().string() + "': " + ec.message());
    }
    ::chmod(p.parent_path().c_str(), 0700);
  }
  // Create it 0600 ourselves: spdlog's fopen would use 0666 & ~umask.
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error(Errc::kIo, "log_file '" + path + "': " + std::strerror(errno));
  }
  ::close(fd);
  return ok();
}

}  // namespace

Result<Level> parse_level(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& e : kLevels) {
    if (e.name == lower) return e.level;
  }
  std::string all;
  for (const auto& e : kLevels) {
    if (!all.empty()) all += ", ";
    all += e.name;
  }
  return make_error(Errc::kInvalidArgument,
                    "invalid log level '" + std::string(name) + "'; expected one of " + all);
}

std::string_view level_name(Level level) {
  for (const auto& e : kLevels) {
    if (e.level == level) return e.name;
  }
  return "warning";
}

spdlog::level::level_enum to_spdlog(Level level) {
  for (const auto& e : kLevels) {
    if (e.level == level) return e.spd;
  }
  return spdlog::level::warn;
}

Status setup(const Options& opts) {
  std::vector<spdlog::sink_ptr> sinks;
  auto console = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  const auto console_level = to_spdlog(opts.console);
  console->set_level(console_level);
  console->set_formatter(detail::make_formatter(opts.console_fmt, opts.console_datefmt));
  sinks.push_back(console);
  auto logger_level = console_level;
  if (!opts.file.empty()) {
    auto path = file_path(opts.file);
    if (!path) return path.error();
    BRINE_TRY(prepare_file(*path));
    std::shared_ptr<spdlog::sinks::basic_file_sink_mt> file;
    try {
      file = std::make_shared<spdlog::sinks::basic_file_sink_mt>(*path, /*truncate=*/false);
    } catch (const std::exception& e) {
      return make_error(Errc::kIo, "log_file '" + *path + "': " + e.what());
    }
    const auto file_level = to_spdlog(opts.file_level.value_or(opts.console));
    file->set_level(file_level);
    file->set_formatter(detail::make_formatter(opts.file_fmt, opts.file_datefmt));
    sinks.push_back(file);
    logger_level = std::min(logger_level, file_level);
  }
  Registry& r = registry();
  std::unique_lock lock(r.mu);
  r.dist->set_sinks(std::move(sinks));
  r.logger_level = logger_level;
  for (auto& [name, logger] : r.loggers) logger->set_level(logger_level);
  return ok();
}

std::shared_ptr<spdlog::logger> get(std::string_view component) {
  Registry& r = registry();
  const std::string name(component);
  {
    std::shared_lock lock(r.mu);
    if (auto it = r.loggers.find(name); it != r.loggers.end()) return it->second;
  }
  std::unique_lock lock(r.mu);
  auto& slot = r.loggers[name];
  if (!slot) {
    // Not registered with spdlog's global registry: names are ours alone.
    slot = std::make_shared<spdlog::logger>(name, r.dist);
    slot->set_level(r.logger_level);
    // Python's FileHandler flushes every record; so do we.
    slot->flush_on(spdlog::level::trace);
  }
  return slot;
}

}  // namespace brine::log
