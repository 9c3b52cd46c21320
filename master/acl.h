// brine::master::PublisherAcl: who may publish through the local socket.
//
// Salt's model. The master's own user (and root) prove themselves with
// <cachedir>/.root_key. Every system user named by a `publisher_acl` entry
// (exact, glob or full regex on the user name) gets <cachedir>/.<user>_key,
// mode 0400, owned by that user, so only that user can read it and present it.
// An ACL user may publish a function when one of its entries allows it:
//   - "regex"                       the function matches, on any target;
//   - {"minion glob": ["regex",..]} the function matches and every expected
//                                   minion of the job matches the glob.
// `publisher_acl_blacklist` ({users: [regex], modules: [regex]}) refuses first.
// saltutil.find_job is always allowed (the CLI needs it to wait).
//
// Thread-safety: immutable after construction (keys are read at start-up).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::master {

class PublisherAcl {
 public:
  explicit PublisherAcl(const Value& opts);

  // Writes a fresh key file for every system user the ACL names (and removes
  // none: stale files of users no longer listed are deleted). Call at start-up.
  Status write_user_keys(const std::string& cachedir);
  bool empty() const { return entries_.empty(); }

  // The user a local request authenticates as: "root" for the root key, the
  // claimed user when `key` equals that user's key file, or an error.
  Result<std::string> authenticate(const std::string& claimed_user, const std::string& key,
                                   const std::string& root_key) const;

  // Whether `user` may run every function in `fun` (a string or a list) on
  // `minions`. The message is Salt's: "Authorization error occurred."
  Status authorize(const std::string& user, const Value& fun,
                   const std::vector<std::string>& minions) const;

 private:
  std::vector<std::pair<std::string, Value>> entries_;  // user pattern -> rights
  Value blacklist_;
  std::map<std::string, std::string> user_keys_;  // user -> key
};

// Salt's user-pattern rule: exact, fnmatch glob, or full regex.
bool user_pattern_matches(const std::string& pattern, const std::string& user);

}  // namespace brine::master
