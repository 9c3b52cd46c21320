// Shared helpers for the job cache tests.
#pragma once

#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <string>

#include "master/jobcache/jid.h"

namespace brine::jobcache::testing {

// A fresh directory under /tmp, removed with the object.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "brine-jobcache-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A clock tests can move.
struct FakeClock {
  std::shared_ptr<std::atomic<int64_t>> us = std::make_shared<std::atomic<int64_t>>(0);
  Clock clock() const {
    auto p = us;
    return [p] { return p->load(); };
  }
  void set(int64_t v) { us->store(v); }
  void advance(int64_t d) { us->fetch_add(d); }
};

// 2024-03-01 10:15:02.123456 UTC.
inline constexpr int64_t kMar1 = 1709288102123456;

}  // namespace brine::jobcache::testing
