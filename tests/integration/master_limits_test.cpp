// max_open_files (Salt's option): a real brine-master started with a low soft
// descriptor limit raises it at start and warns as accepted keys approach it.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <fstream>
#include <sstream>

#include "tests/integration/harness.h"

namespace brine::testing {
namespace {

// The soft "Max open files" of a running process, from /proc.
long soft_open_files(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/limits");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max open files", 0) == 0) {
      std::istringstream words(line.substr(14));
      long soft = -1;
      words >> soft;
      return soft;
    }
  }
  return -1;
}

// Starts the cluster's master with this process's soft limit at `soft`
// (the master inherits it), then restores ours.
Process& start_master_with_soft_limit(Cluster& c, rlim_t soft, const std::string& extra) {
  rlimit saved{};
  ::getrlimit(RLIMIT_NOFILE, &saved);
  rlimit low = saved;
  low.rlim_cur = soft;
  ::setrlimit(RLIMIT_NOFILE, &low);
  Process& m = c.start_master(extra);
  ::setrlimit(RLIMIT_NOFILE, &saved);
  return m;
}

rlim_t hard_limit() {
  rlimit rl{};
  ::getrlimit(RLIMIT_NOFILE, &rl);
  return rl.rlim_max;
}

TEST(MasterOpenFiles, RaisesTheSoftLimitToMaxOpenFiles) {
  if (hard_limit() < 4096) GTEST_SKIP() << "hard RLIMIT_NOFILE below 4096";
  Cluster c;
  Process& m = start_master_with_soft_limit(c, 1024, "max_open_files: 4096\n");
  ASSERT_TRUE(c.wait_for_log(m, "New values for max open files soft/hard values: 4096/"))
      << m.log_text();
  EXPECT_NE(m.log_text().find("Current values for max open files soft/hard setting: 1024/"),
            std::string::npos);
  EXPECT_EQ(soft_open_files(m.pid()), 4096);
}

TEST(MasterOpenFiles, StopsAtTheHardLimit) {
  rlim_t hard = hard_limit();
  if (hard == RLIM_INFINITY || hard < 2048) GTEST_SKIP() << "needs a finite hard limit";
  Cluster c;
  std::string wanted = std::to_string(hard + 1000);
  Process& m = start_master_with_soft_limit(c, 1024, "max_open_files: " + wanted + "\n");
  ASSERT_TRUE(c.wait_for_log(m, "The value for the 'max_open_files' setting, " + wanted +
                                    ", is higher than the highest value the user running brine "
                                    "is allowed to set (" +
                                    std::to_string(hard) + ")"))
      << m.log_text();
  EXPECT_EQ(soft_open_files(m.pid()), static_cast<long>(hard));
}

TEST(MasterOpenFiles, WarnsWhenAcceptedKeysApproachTheLimit) {
  Cluster c;
  // 22 accepted keys against a soft limit of 64: 22 x 3 >= 64, Salt's warning.
  fs::create_directories(c.master_pki() / "minions");
  for (int i = 0; i < 22; ++i) {
    std::ofstream(c.master_pki() / "minions" / ("m" + std::to_string(i))) << "key";
  }
  Process& m = start_master_with_soft_limit(c, 64, "max_open_files: 64\nloop_interval: 1\n");
  ASSERT_TRUE(c.wait_for_log(m, "[WARNING ][" + std::to_string(m.pid()) +
                                    "] The number of accepted minion keys(22) should be lower than "
                                    "1/4 of the max open files soft setting(64)."))
      << m.log_text();
  EXPECT_EQ(soft_open_files(m.pid()), 64);
  EXPECT_TRUE(m.alive());
}

}  // namespace
}  // namespace brine::testing
