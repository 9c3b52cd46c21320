// Shared helpers for the execution-module tests: a registry with every
// built-in module, a Context over test-owned opts/grains/pillar, and a
// temporary directory removed at the end of each test.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "common/codec/python_repr.h"
#include "common/values/value.h"
#include "modules/builtin.h"
#include "modules/registry.h"

namespace brine {
// Readable gtest failure messages for Values.
inline void PrintTo(const Value& v, std::ostream* os) { *os << codec::python_repr(v); }
}  // namespace brine

namespace brine::modules::testing {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "brine-modules-XXXXXX").string();
    char* p = ::mkdtemp(tmpl.data());
    if (p) path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void write(const std::string& name, const std::string& content) const {
    std::ofstream(file(name)) << content;
  }
  std::string read(const std::string& name) const {
    std::ifstream in(file(name));
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string path_;
};

class ModuleTest : public ::testing::Test {
 protected:
  void SetUp() override { rebuild(); }

  // Recreates the registry and context from opts_ (call after changing opts_).
  void rebuild() {
    ctx_.reset();
    if (!opts_.is_map()) opts_ = Value(Map{});
    if (!opts_.find("id")) opts_.as_map().set("id", Value("web1"));
    if (!opts_.find("conf_file")) opts_.as_map().set("conf_file", Value(tmp_.file("minion")));
    registry_ = std::make_unique<Registry>(opts_);
    ASSERT_TRUE(register_builtins(*registry_));
    log_stream_ = std::make_shared<std::ostringstream>();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(*log_stream_);
    sink->set_pattern("[%l] %v");
    auto logger = std::make_shared<spdlog::logger>("modules-test", sink);
    logger->set_level(spdlog::level::trace);
    ctx_ = std::make_unique<Context>(*registry_, registry_->opts(), pillar_);
    ctx_->log = logger;
    ctx_->use_grains(&grains_);
    pub_ = Value::map({{"jid", Value("20240301120000123456")},
                       {"fun", Value("x")},
                       {"tgt", Value("*")},
                       {"tgt_type", Value("glob")},
                       {"user", Value("root")}});
    ctx_->pub = &pub_;
    ctx_->jid = "20240301120000123456";
  }

  // A job call (executor semantics, __pub_* injected).
  JobReturn run(std::string_view fun, List args = {}, Map kwargs = {}) {
    pub_.as_map().set("fun", Value(fun));
    return registry_->execute(fun, args, kwargs, *ctx_);
  }
  // A module-to-module call; fails the test on error.
  Value call(std::string_view fun, List args = {}, Map kwargs = {}) {
    auto r = registry_->call(fun, args, kwargs, *ctx_);
    EXPECT_TRUE(r.has_value()) << fun << ": " << (r ? "" : r.error().to_string());
    return r ? *r : Value();
  }
  Result<Value> try_call(std::string_view fun, List args = {}, Map kwargs = {}) {
    return registry_->call(fun, args, kwargs, *ctx_);
  }
  std::string logs() const { return log_stream_->str(); }

  TempDir tmp_;
  Value opts_{Map{}};
  Value grains_{Map{}};
  Value pillar_{Map{}};
  Value pub_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<Context> ctx_;
  std::shared_ptr<std::ostringstream> log_stream_;
};

}  // namespace brine::modules::testing
