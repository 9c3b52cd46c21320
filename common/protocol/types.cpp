#include "common/protocol/types.h"

#include <chrono>

#include "common/crypto/core.h"
#include "common/protocol/wire_format.h"

namespace brine::protocol {

std::string_view to_string(AuthStatus s) {
  switch (s) {
    case AuthStatus::kAccept:
      return kStatusAccept;
    case AuthStatus::kPending:
      return kStatusPending;
    case AuthStatus::kRejected:
      return kStatusRejected;
    case AuthStatus::kDenied:
      return kStatusDenied;
    case AuthStatus::kFull:
      return kStatusFull;
  }
  return "?";
}

std::optional<AuthStatus> parse_auth_status(std::string_view s) {
  if (s == kStatusAccept) return AuthStatus::kAccept;
  if (s == kStatusPending) return AuthStatus::kPending;
  if (s == kStatusRejected) return AuthStatus::kRejected;
  if (s == kStatusDenied) return AuthStatus::kDenied;
  if (s == kStatusFull) return AuthStatus::kFull;
  return std::nullopt;
}

SessionKey SessionKey::generate(uint32_t kid) {
  crypto::SecretBytes key(kSessionKeyBytes);
  crypto::random_fill({key.data(), key.size()});
  return SessionKey{kid, std::move(key)};
}

std::string printable(std::string_view s, size_t max) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::min(s.size(), max) + 8);
  for (char c : s.substr(0, max)) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\\' && c != '\'') {
      out += c;
    } else {
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  if (s.size() > max) {
    out += "...";
  }
  return out;
}

Status check_minion_id(std::string_view id) {
  auto bad = [&](std::string_view why) {
    return make_error(Errc::kInvalidArgument,
                      "invalid minion id '" + printable(id, 64) + "': " + std::string(why));
  };
  if (id.empty()) {
    return bad("empty");
  }
  if (id.size() > kMaxIdBytes) {
    return bad("longer than " + std::to_string(kMaxIdBytes) + " bytes");
  }
  if (id == "." || id == "..") {
    return bad("is a directory name");
  }
  if (id.front() == '.') {
    return bad("starts with '.'");
  }
  for (char c : id) {
    auto u = static_cast<unsigned char>(c);
    if (c == '/') {
      return bad("contains '/'");
    }
    if (c == '\\') {
      return bad("contains '\\'");
    }
    if (c == '\0') {
      return bad("contains a NUL byte");
    }
    if (u < 0x20 || u == 0x7f) {
      return bad("contains a control character");
    }
  }
  return ok();
}

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace brine::protocol
