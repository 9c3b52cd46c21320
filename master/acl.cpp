#include "master/acl.h"

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "common/crypto/crypto.h"
#include "common/matcher/fnmatch.h"

namespace brine::master {
namespace fs = std::filesystem;

namespace {
bool full_regex(const std::string& pattern, const std::string& text) {
  try {
    return std::regex_match(text, std::regex(pattern));
  } catch (const std::regex_error&) {
    return false;
  }
}

bool function_allowed(const std::string& regex, const std::string& fun) {
  return regex == fun || full_regex(regex, fun);
}
}  // namespace

bool user_pattern_matches(const std::string& pattern, const std::string& user) {
  return pattern == user || matcher::fnmatch(user, pattern) || full_regex(pattern, user);
}

PublisherAcl::PublisherAcl(const Value& opts) {
  if (const Value* acl = opts.find("publisher_acl"); acl && acl->is_map()) {
    for (const auto& [pattern, rights] : acl->as_map()) entries_.emplace_back(pattern, rights);
  }
  if (const Value* bl = opts.find("publisher_acl_blacklist"); bl && bl->is_map()) blacklist_ = *bl;
}

Status PublisherAcl::write_user_keys(const std::string& cachedir) {
  user_keys_.clear();
  if (entries_.empty()) return ok();
  setpwent();
  while (struct passwd* pw = getpwent()) {
    std::string user = pw->pw_name;
    if (user == "root") continue;
    bool named = false;
    for (const auto& [pattern, _] : entries_) named |= user_pattern_matches(pattern, user);
    if (!named) continue;
    std::string key = crypto::hex(crypto::random_bytes(32));
    fs::path file = fs::path(cachedir) / ("." + user + "_key");
    std::error_code ec;
    fs::remove(file, ec);
    if (auto s = crypto::write_file_atomic(file, key, 0400); !s) {
      endpwent();
      return s;
    }
    if (::geteuid() == 0 && ::chown(file.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      endpwent();
      return make_error(Errc::kIo, "cannot give the key file to user '" + user + "'",
                        file.string());
    }
    user_keys_[user] = key;
  }
  endpwent();
  return ok();
}

Result<std::string> PublisherAcl::authenticate(const std::string& claimed_user,
                                               const std::string& key,
                                               const std::string& root_key) const {
  if (!key.empty() && crypto::equal_ct(key, root_key)) return std::string("root");
  auto it = user_keys_.find(claimed_user);
  if (it != user_keys_.end() && crypto::equal_ct(key, it->second)) return claimed_user;
  return make_error(Errc::kPermissionDenied, "Authentication failure: user '" + claimed_user +
                                                 "' may not use this master (no valid key file)");
}

Status PublisherAcl::authorize(const std::string& user, const Value& fun,
                               const std::vector<std::string>& minions) const {
  if (user == "root") return ok();
  std::vector<std::string> funs;
  if (fun.is_string()) funs.push_back(fun.as_string());
  if (fun.is_list()) {
    for (const auto& f : fun.as_list()) {
      if (f.is_string()) funs.push_back(f.as_string());
    }
  }
  const Error denied = make_error(Errc::kPermissionDenied, "Authorization error occurred.");
  if (funs.empty()) return denied;
  if (blacklist_.is_map()) {
    if (const Value* users = blacklist_.find("users"); users && users->is_list()) {
      for (const auto& u : users->as_list()) {
        if (u.is_string() && user_pattern_matches(u.as_string(), user)) return denied;
      }
    }
    if (const Value* mods = blacklist_.find("modules"); mods && mods->is_list()) {
      for (const auto& m : mods->as_list()) {
        for (const auto& f : funs) {
          if (m.is_string() && function_allowed(m.as_string(), f)) return denied;
        }
      }
    }
  }
  for (const auto& f : funs) {
    if (f == "saltutil.find_job") continue;
    bool allowed = false;
    for (const auto& [pattern, rights] : entries_) {
      if (!user_pattern_matches(pattern, user) || !rights.is_list()) continue;
      for (const auto& r : rights.as_list()) {
        if (r.is_string() && function_allowed(r.as_string(), f)) allowed = true;
        if (!r.is_map()) continue;
        for (const auto& [tgt, regexes] : r.as_map()) {
          bool all_in = std::all_of(minions.begin(), minions.end(), [&](const std::string& id) {
            return matcher::fnmatch(id, tgt);
          });
          if (!all_in || !regexes.is_list()) continue;
          for (const auto& rx : regexes.as_list()) {
            if (rx.is_string() && function_allowed(rx.as_string(), f)) allowed = true;
          }
        }
      }
    }
    if (!allowed) return denied;
  }
  return ok();
}

}  // namespace brine::master
