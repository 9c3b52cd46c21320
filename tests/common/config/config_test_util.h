// Shared fixtures for the config tests: a scratch directory, the BRINE_*
// environment variables cleared for the test, and a fake host.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "common/config/config.h"
#include "common/config/minion_id.h"

namespace brine::config::testing {

namespace fs = std::filesystem;

class FakeHost : public HostInfo {
 public:
  std::string host = "box";
  std::string fqdn_name = "box.example.com";
  std::string node_name = "box";
  std::map<std::string, std::string> files;
  std::vector<std::string> ips;
  // Real files are read only below this directory (the test's scratch dir),
  // so a minion_id cached on the machine running the tests is never seen.
  std::string real_root;

  std::string hostname() const override { return host; }
  std::string fqdn(const std::string&) const override { return fqdn_name; }
  std::string node() const override { return node_name; }
  std::optional<std::string> read_file(const std::string& path) const override {
    auto it = files.find(path);
    if (it != files.end()) return it->second;
    if (real_root.empty() || !path.starts_with(real_root + "/")) return std::nullopt;
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  std::vector<std::string> ip_addrs() const override { return ips; }
};

class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "brine-config-XXXXXX").string();
    dir_ = mkdtemp(tmpl.data());
    host_.real_root = dir_.string();
    for (const char* var : {"BRINE_CONFIG_DIR", "BRINE_MASTER_CONFIG", "BRINE_MINION_CONFIG"}) {
      if (const char* v = std::getenv(var)) saved_env_[var] = v;
      ::unsetenv(var);
    }
  }
  void TearDown() override {
    for (const char* var : {"BRINE_CONFIG_DIR", "BRINE_MASTER_CONFIG", "BRINE_MINION_CONFIG"}) {
      ::unsetenv(var);
    }
    for (const auto& [k, v] : saved_env_) ::setenv(k.c_str(), v.c_str(), 1);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  // Writes `text` to dir_/rel (creating directories) and returns the path.
  std::string write(const std::string& rel, const std::string& text) {
    const fs::path p = dir_ / rel;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  static std::string read(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  Result<Loaded> load_master(const std::string& config_dir) {
    LoadOptions o;
    o.config_dir = config_dir;
    o.host = &host_;
    return load(Role::kMaster, o);
  }
  Result<Loaded> load_minion(const std::string& config_dir) {
    LoadOptions o;
    o.config_dir = config_dir;
    o.host = &host_;
    return load(Role::kMinion, o);
  }
  std::string conf_dir() const { return (dir_ / "etc").string(); }

  fs::path dir_;
  FakeHost host_;
  std::map<std::string, std::string> saved_env_;
};

}  // namespace brine::config::testing
