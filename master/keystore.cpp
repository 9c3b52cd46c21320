#include "master/keystore.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>
#include <system_error>

#include "common/matcher/fnmatch.h"

namespace brine::master {
namespace fs = std::filesystem;

std::string_view dir_name(KeyState s) {
  switch (s) {
    case KeyState::kAccepted:
      return "minions";
    case KeyState::kDenied:
      return "minions_denied";
    case KeyState::kPending:
      return "minions_pre";
    case KeyState::kRejected:
      return "minions_rejected";
  }
  return "minions";
}

std::string_view heading(KeyState s) {
  switch (s) {
    case KeyState::kAccepted:
      return "Accepted Keys:";
    case KeyState::kDenied:
      return "Denied Keys:";
    case KeyState::kPending:
      return "Unaccepted Keys:";
    case KeyState::kRejected:
      return "Rejected Keys:";
  }
  return "";
}

std::string_view auth_act(AuthStatus s) {
  switch (s) {
    case AuthStatus::kAccept:
      return "accept";
    case AuthStatus::kPending:
      return "pend";
    case AuthStatus::kRejected:
      return "reject";
    case AuthStatus::kDenied:
      return "denied";
    case AuthStatus::kFull:
      return "full";
  }
  return "";
}

bool valid_minion_id(std::string_view id) {
  if (id.empty() || id.size() > 255 || id.front() == '.') return false;
  for (unsigned char c : id) {
    if (c == '/' || c == '\\' || c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

bool glob_match(std::string_view pattern, std::string_view text) {
  return matcher::fnmatch(text, pattern);
}

KeyStore::KeyStore(fs::path pki_dir) : pki_dir_(std::move(pki_dir)) {}

Status KeyStore::ensure_dirs() const {
  for (auto s : kAllKeyStates) {
    fs::path d = pki_dir_ / dir_name(s);
    std::error_code ec;
    fs::create_directories(d, ec);
    if (ec) return make_error(Errc::kIo, "cannot create directory: " + ec.message(), d.string());
    ::chmod(d.c_str(), 0700);
  }
  return ok();
}

std::vector<std::string> KeyStore::list(KeyState s) const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(pki_dir_ / dir_name(s), ec)) {
    std::string name = e.path().filename().string();
    if (name.empty() || name.front() == '.' || !e.is_regular_file()) continue;
    ids.push_back(std::move(name));
  }
  auto lower = [](std::string v) {
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
    return v;
  };
  std::sort(ids.begin(), ids.end(), [&](const std::string& a, const std::string& b) {
    auto la = lower(a), lb = lower(b);
    return la != lb ? la < lb : a < b;
  });
  return ids;
}

std::map<KeyState, std::vector<std::string>> KeyStore::list_all() const {
  std::map<KeyState, std::vector<std::string>> out;
  for (auto s : kAllKeyStates) out[s] = list(s);
  return out;
}

std::vector<KeyState> KeyStore::states_of(std::string_view id) const {
  std::vector<KeyState> out;
  if (!valid_minion_id(id)) return out;
  for (auto s : kAllKeyStates) {
    std::error_code ec;
    if (fs::is_regular_file(path(s, id), ec)) out.push_back(s);
  }
  return out;
}

fs::path KeyStore::path(KeyState s, std::string_view id) const {
  return pki_dir_ / dir_name(s) / std::string(id);
}

Result<std::string> KeyStore::read(KeyState s, std::string_view id) const {
  if (!valid_minion_id(id)) return make_error(Errc::kInvalidArgument, "invalid minion id");
  fs::path p = path(s, id);
  std::ifstream in(p, std::ios::binary);
  if (!in) return make_error(Errc::kNotFound, "no such key", p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status KeyStore::write(KeyState s, std::string_view id, std::string_view key_text) const {
  if (!valid_minion_id(id)) return make_error(Errc::kInvalidArgument, "invalid minion id");
  fs::path p = path(s, id);
  fs::path tmp = p;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return make_error(Errc::kIo, "cannot write key", tmp.string());
    out.write(key_text.data(), static_cast<std::streamsize>(key_text.size()));
    if (!out) return make_error(Errc::kIo, "cannot write key", tmp.string());
  }
  ::chmod(tmp.c_str(), 0644);
  std::error_code ec;
  fs::rename(tmp, p, ec);
  if (ec) return make_error(Errc::kIo, "cannot write key: " + ec.message(), p.string());
  return ok();
}

Status KeyStore::move(std::string_view id, KeyState from, KeyState to) const {
  if (!valid_minion_id(id)) return make_error(Errc::kInvalidArgument, "invalid minion id");
  std::error_code ec;
  fs::rename(path(from, id), path(to, id), ec);
  if (ec) return make_error(Errc::kIo, "cannot move key: " + ec.message(), path(from, id).string());
  return ok();
}

Status KeyStore::remove(KeyState s, std::string_view id) const {
  if (!valid_minion_id(id)) return make_error(Errc::kInvalidArgument, "invalid minion id");
  std::error_code ec;
  fs::remove(path(s, id), ec);
  if (ec) return make_error(Errc::kIo, "cannot delete key: " + ec.message(), path(s, id).string());
  return ok();
}

Result<bool> id_listed_in(const fs::path& file, std::string_view id) {
  struct stat st {};
  if (::stat(file.c_str(), &st) != 0) return false;  // Salt: a missing file lists nobody
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    return make_error(Errc::kPermissionDenied, "file is group- or world-writable; ignoring it",
                      file.string());
  }
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    line = line.substr(start);
    if (line == id || glob_match(line, id)) return true;
    try {
      if (std::regex_match(std::string(id), std::regex(line))) return true;
    } catch (const std::regex_error&) {
      // Not a regex: equality and glob already tried.
    }
  }
  return false;
}

Result<AuthStatus> KeyStore::authorize(std::string_view id, std::string_view key_text,
                                       const AuthPolicy& policy) const {
  if (!valid_minion_id(id)) return make_error(Errc::kInvalidArgument, "invalid minion id");
  BRINE_TRY(ensure_dirs());
  auto listed = [&](const std::string& file) -> bool {
    if (file.empty()) return false;
    auto r = id_listed_in(file, id);
    return r && *r;
  };
  auto same_as = [&](KeyState s) -> std::optional<bool> {
    auto existing = read(s, id);
    if (!existing) return std::nullopt;
    return *existing == key_text;
  };

  if (policy.open_mode) {
    BRINE_TRY(write(KeyState::kAccepted, id, key_text));
    return AuthStatus::kAccept;
  }
  if (policy.max_minions > 0 && !same_as(KeyState::kAccepted).has_value() &&
      static_cast<int64_t>(list(KeyState::kAccepted).size()) >= policy.max_minions) {
    return AuthStatus::kFull;
  }
  if (same_as(KeyState::kRejected).has_value()) return AuthStatus::kRejected;
  if (auto acc = same_as(KeyState::kAccepted)) {
    if (*acc) return AuthStatus::kAccept;
    BRINE_TRY(write(KeyState::kDenied, id, key_text));
    return AuthStatus::kDenied;
  }
  bool autoreject = listed(policy.autoreject_file);
  bool autosign = policy.auto_accept || listed(policy.autosign_file);
  if (auto pre = same_as(KeyState::kPending)) {
    if (autoreject) {
      BRINE_TRY(move(id, KeyState::kPending, KeyState::kRejected));
      return AuthStatus::kRejected;
    }
    if (!*pre) {
      BRINE_TRY(write(KeyState::kDenied, id, key_text));
      return AuthStatus::kDenied;
    }
    if (autosign) {
      BRINE_TRY(move(id, KeyState::kPending, KeyState::kAccepted));
      return AuthStatus::kAccept;
    }
    return AuthStatus::kPending;
  }
  if (autoreject) {
    BRINE_TRY(write(KeyState::kRejected, id, key_text));
    return AuthStatus::kRejected;
  }
  if (autosign) {
    BRINE_TRY(write(KeyState::kAccepted, id, key_text));
    return AuthStatus::kAccept;
  }
  BRINE_TRY(write(KeyState::kPending, id, key_text));
  return AuthStatus::kPending;
}

}  // namespace brine::master
