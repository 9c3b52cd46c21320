// brine::master::KeyStore: the master's minion key directories, as Salt keeps them.
//
//   <pki_dir>/minions/<id>            accepted
//   <pki_dir>/minions_pre/<id>        pending (unaccepted)
//   <pki_dir>/minions_rejected/<id>   rejected
//   <pki_dir>/minions_denied/<id>     a second, different key presented for a known id
//
// A file's name is the minion id and its content the minion's armored public key.
// The store is the single source of truth: brine-key edits it directly and then
// tells a running master, which re-reads it. Every id that reaches a path is
// checked with valid_minion_id() first, so no id from the network can escape pki_dir.
//
// Thread-safety: methods touch only the filesystem; callers serialise decisions
// for one id (the master does so with a mutex around authorize()).
#pragma once

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace brine::master {

enum class KeyState { kAccepted, kDenied, kPending, kRejected };

// In Salt's listing order (sorted internal directory names).
inline constexpr std::array<KeyState, 4> kAllKeyStates = {KeyState::kAccepted, KeyState::kDenied,
                                                          KeyState::kPending, KeyState::kRejected};

std::string_view dir_name(KeyState s);  // "minions", "minions_denied", ...
std::string_view heading(KeyState s);   // "Accepted Keys:", ...

// Salt's id grammar plus Brine's stricter limits: non-empty, <= 255 bytes, no '/',
// '\\' or NUL, not starting with '.', no control characters.
bool valid_minion_id(std::string_view id);

// Python fnmatch semantics (case-sensitive): * ? [seq] [!seq]; the same
// matcher as glob targeting, so key globs and targets agree.
bool glob_match(std::string_view pattern, std::string_view text);

// What authorize() decided for a presented key, with Salt's auth event `act`.
enum class AuthStatus { kAccept, kPending, kRejected, kDenied, kFull };
std::string_view auth_act(AuthStatus s);  // "accept", "pend", "reject", "denied", "full"

struct AuthPolicy {
  bool auto_accept = false;
  bool open_mode = false;
  std::string autosign_file;    // "" = none
  std::string autoreject_file;  // "" = none
  int64_t max_minions = 0;      // 0 = unlimited
};

class KeyStore {
 public:
  explicit KeyStore(std::filesystem::path pki_dir);

  // Creates the four directories (0700) when missing.
  Status ensure_dirs() const;

  // Ids in one state, sorted case-insensitively; dotfiles and non-files skipped.
  std::vector<std::string> list(KeyState s) const;
  std::map<KeyState, std::vector<std::string>> list_all() const;
  // States whose directory holds `id` (a denied id usually also has an accepted key).
  std::vector<KeyState> states_of(std::string_view id) const;

  std::filesystem::path path(KeyState s, std::string_view id) const;
  Result<std::string> read(KeyState s, std::string_view id) const;
  Status write(KeyState s, std::string_view id, std::string_view key_text) const;
  // Moves id's key file from one state to another (overwriting the target).
  Status move(std::string_view id, KeyState from, KeyState to) const;
  Status remove(KeyState s, std::string_view id) const;

  // Salt's auth decision table (protocol-notes §3): files the presented key under
  // the right directory and says what to answer. `key_text` is the armored key.
  Result<AuthStatus> authorize(std::string_view id, std::string_view key_text,
                               const AuthPolicy& policy) const;

  const std::filesystem::path& pki_dir() const { return pki_dir_; }

 private:
  std::filesystem::path pki_dir_;
};

// Salt's autosign/autoreject file: one pattern per line (# comments); an id
// matches when equal to a line, when a line's glob matches it, or when a line is a
// regex that fully matches it. The file must not be group- or world-writable
// (then it is ignored, with an error returned).
Result<bool> id_listed_in(const std::filesystem::path& file, std::string_view id);

}  // namespace brine::master
