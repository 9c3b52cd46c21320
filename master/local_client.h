// brine::master::LocalClient: how the tools on the master host (brine, brine-key,
// brine-run) talk to a running brine-master.
//
// The channel is a ZeroMQ ipc:// socket in sock_dir (`master_local.ipc`, mode 0600
// inside a 0700 directory). Each request is a msgpack map {cmd, key, user, ...};
// `key` is the content of the caller's key file in the master's cachedir
// (`.root_key` for the master's own user, `.<user>_key` for users granted rights
// by publisher_acl), the scheme Salt uses. The reply is a msgpack map; an
// `error` field carries a refusal.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::master {

inline constexpr const char* kLocalSocketName = "master_local.ipc";
inline constexpr const char* kEventSocketName = "master_event_pub.ipc";
inline constexpr const char* kRootKeyName = ".root_key";

// Path of the local key file for `user` in `cachedir`.
std::string local_key_path(const Value& opts, const std::string& user);
// Name of the effective user ("root", ...).
std::string current_user();

class LocalClient {
 public:
  // Reads the caller's key file; an unreadable key file is not an error here
  // (the master then refuses with a clear message).
  static Result<std::unique_ptr<LocalClient>> connect(const Value& opts);
  ~LocalClient();

  // Sends {cmd, key, user, ...fields of `request`}; Errc::kUnavailable when no
  // master answers within `timeout`, Errc::kPermissionDenied for a refusal.
  Result<Value> call(std::string_view cmd, Value request, std::chrono::milliseconds timeout);

 private:
  struct Impl;
  explicit LocalClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace brine::master
