#include "common/log/log.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace brine::log {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "brine-log-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

TEST(LogLevel, ParsesSaltNames) {
  EXPECT_EQ(*parse_level("all"), Level::kAll);
  EXPECT_EQ(*parse_level("garbage"), Level::kGarbage);
  EXPECT_EQ(*parse_level("trace"), Level::kTrace);
  EXPECT_EQ(*parse_level("debug"), Level::kDebug);
  EXPECT_EQ(*parse_level("profile"), Level::kProfile);
  EXPECT_EQ(*parse_level("info"), Level::kInfo);
  EXPECT_EQ(*parse_level("warning"), Level::kWarning);
  EXPECT_EQ(*parse_level("WARNING"), Level::kWarning);
  EXPECT_EQ(*parse_level("error"), Level::kError);
  EXPECT_EQ(*parse_level("critical"), Level::kCritical);
  EXPECT_EQ(*parse_level("quiet"), Level::kQuiet);
  EXPECT_EQ(level_name(Level::kProfile), "profile");
}

TEST(LogLevel, RejectsUnknownNames) {
  auto l = parse_level("warn");
  ASSERT_FALSE(l);
  EXPECT_EQ(l.error().code, Errc::kInvalidArgument);
  EXPECT_EQ(l.error().message,
            "invalid log level 'warn'; expected one of all, garbage, trace, debug, profile, info, "
            "warning, error, critical, quiet");
}

TEST(LogLevel, MapsToSpdlog) {
  EXPECT_EQ(to_spdlog(Level::kAll), spdlog::level::trace);
  EXPECT_EQ(to_spdlog(Level::kGarbage), spdlog::level::trace);
  EXPECT_EQ(to_spdlog(Level::kTrace), spdlog::level::trace);
  EXPECT_EQ(to_spdlog(Level::kDebug), spdlog::level::debug);
  EXPECT_EQ(to_spdlog(Level::kProfile), spdlog::level::debug);
  EXPECT_EQ(to_spdlog(Level::kInfo), spdlog::level::info);
  EXPECT_EQ(to_spdlog(Level::kWarning), spdlog::level::warn);
  EXPECT_EQ(to_spdlog(Level::kError), spdlog::level::err);
  EXPECT_EQ(to_spdlog(Level::kCritical), spdlog::level::critical);
  EXPECT_EQ(to_spdlog(Level::kQuiet), spdlog::level::off);
}

TEST(LogFormat, TranslatesSaltDefaults) {
  EXPECT_EQ(to_spdlog_pattern(kDefaultConsoleFormat, kDefaultConsoleDateFormat), "[%-8*] %v");
  EXPECT_EQ(to_spdlog_pattern(kDefaultFileFormat, kDefaultFileDateFormat),
            "%Y-%m-%d %H:%M:%S,%e [%-17n:%-4#][%-8*][%P] %v");
}

TEST(LogFormat, TranslatesOtherForms) {
  EXPECT_EQ(to_spdlog_pattern("%(asctime)s %(levelname)8s 100%% %(jid)s%(message)s", "%H:%M"),
            "%H:%M %8* 100%% %v");
  EXPECT_EQ(to_spdlog_pattern("%(levelno)d %(name)s %(process)d %(thread)d", ""), "%& %n %P %t");
  EXPECT_EQ(to_spdlog_pattern("50% done %(", ""), "50%% done %%(");
}

TEST(LogSetup, ConsoleUsesSaltLevelNames) {
  Options o;
  o.console = Level::kInfo;
  ASSERT_TRUE(setup(o));
  testing::internal::CaptureStderr();
  get("test.console")->info("hello {}", "world");
  get("test.console")->warn("careful");
  get("test.console")->debug("hidden");
  get("test.console")->critical("boom");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "[INFO    ] hello world\n[WARNING ] careful\n[CRITICAL] boom\n");
}

TEST(LogSetup, FileGetsItsOwnLevelAndFormat) {
  TempDir tmp;
  const fs::path file = tmp.path() / "sub" / "dir" / "minion";
  Options o;
  o.console = Level::kError;
  o.file = file.string();
  o.file_level = Level::kDebug;
  o.file_fmt = "%(name)s|%(levelname)s|%(message)s";
  ASSERT_TRUE(setup(o));
  testing::internal::CaptureStderr();
  get("minion.auth")->debug("dbg");
  get("minion.auth")->warn("wrn");
  get("minion.auth")->error("err");
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "[ERROR   ] err\n");
  EXPECT_EQ(read_file(file),
            "minion.auth|DEBUG|dbg\nminion.auth|WARNING|wrn\nminion.auth|ERROR|err\n");
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(file.parent_path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_TRUE(setup(Options{}));  // release the file
}

TEST(LogSetup, FileLevelDefaultsToConsoleLevelAndAppends) {
  TempDir tmp;
  const fs::path file = tmp.path() / "master";
  { std::ofstream(file) << "old line\n"; }
  Options o;
  o.console = Level::kWarning;
  o.file = "file://" + file.string();
  o.file_fmt = "%(levelname)-8s %(message)s";
  ASSERT_TRUE(setup(o));
  testing::internal::CaptureStderr();
  get("master")->info("not shown");
  get("master")->warn("shown");
  (void)testing::internal::GetCapturedStderr();
  EXPECT_EQ(read_file(file), "old line\nWARNING  shown\n");
  ASSERT_TRUE(setup(Options{}));
}

TEST(LogSetup, QuietSilencesConsole) {
  Options o;
  o.console = Level::kQuiet;
  ASSERT_TRUE(setup(o));
  testing::internal::CaptureStderr();
  get("x")->critical("nothing");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  ASSERT_TRUE(setup(Options{}));
}

TEST(LogSetup, ErrorsNameTheFile) {
  Options o;
  o.file = "udp://loghost:514";
  auto s = setup(o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().message,
            "log_file 'udp://loghost:514': remote logging (udp://, tcp://) is not supported");
  if (::geteuid() != 0) {
    o.file = "/proc/brine-no-such/log";
    s = setup(o);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().message.substr(0, 35), "log_file '/proc/brine-no-such/log':");
  }
  TempDir tmp;
  o.file = (tmp.path() / "a-dir").string();
  fs::create_directory(o.file);
  s = setup(o);
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, Errc::kIo);
  EXPECT_NE(s.error().message.find("a-dir"), std::string::npos);
}

TEST(LogGet, SameLoggerPerComponent) {
  auto a = get("master.publisher");
  auto b = get("master.publisher");
  EXPECT_EQ(a.get(), b.get());
  EXPECT_EQ(a->name(), "master.publisher");
  EXPECT_NE(get("master.other").get(), a.get());
}

TEST(LogGet, ConcurrentUseWhileSetupSwapsSinks) {
  TempDir tmp;
  Options o;
  o.console = Level::kQuiet;
  o.file = (tmp.path() / "log").string();
  o.file_level = Level::kInfo;
  ASSERT_TRUE(setup(o));
  std::atomic<bool> stop{false};
  std::atomic<int> logged{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &stop, &logged] {
      int i = 0;
      while (!stop.load()) {
        get("worker." + std::to_string((t + i) % 8))->info("message {}", i);
        ++logged;
        ++i;
      }
    });
  }
  // Swap sinks while the workers log, until they have logged plenty.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (logged.load() < 2000 && std::chrono::steady_clock::now() < deadline) {
    ASSERT_TRUE(setup(o));
  }
  stop = true;
  for (auto& th : threads) th.join();
  ASSERT_TRUE(setup(Options{}));
  EXPECT_GE(logged.load(), 2000);
  EXPECT_FALSE(read_file(tmp.path() / "log").empty());
}

}  // namespace
}  // namespace brine::log
