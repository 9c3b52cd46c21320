// Value types shared by the Brine protocol builders and checkers.
//
// Thread-safety: plain values (const access from many threads is safe).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/crypto/secret_bytes.h"
#include "common/result.h"

namespace brine::protocol {

// The master's answer to an auth request (Salt's accept / pending(True) /
// rejected(False) / denied / full).
enum class AuthStatus : uint8_t { kAccept, kPending, kRejected, kDenied, kFull };

std::string_view to_string(AuthStatus s);
std::optional<AuthStatus> parse_auth_status(std::string_view s);

// Who asks for a channel (auth field "mode"). kMinion: the minion daemon; its
// channel is the id's live channel. kCall: a one-off caller (brine-call) on a
// minion host; the master gives it an ephemeral channel that does not displace
// the daemon's (docs/protocol.md 5.1).
enum class AuthMode : uint8_t { kMinion, kCall };

// Which end of a channel this process is. The minion is the crypto_kx client.
enum class Side : uint8_t { kMinion, kMaster };

// The publication key: 32 random bytes shared by the master and every accepted
// minion, identified by `kid`. The master starts with a random kid and
// increments it on each rotation (key delete/reject, schedule), so a kid is
// never reused with a different key while minions may still hold the old one.
struct SessionKey {
  uint32_t kid = 0;
  crypto::SecretBytes key;  // kSessionKeyBytes

  static SessionKey generate(uint32_t kid);
  SessionKey clone() const { return SessionKey{kid, key.clone()}; }
};

// The two directional keys of one minion's channel, as derived by the auth
// handshake. `send_key` encrypts what this side sends, `recv_key` opens what
// the peer sends.
struct ChannelKeys {
  std::string sid;  // kSidBytes random bytes chosen by the master
  Side side = Side::kMinion;
  crypto::SecretBytes send_key;
  crypto::SecretBytes recv_key;
};

// Minion id grammar, checked by the master on every auth request before the
// id touches a path or an event tag: not empty, at most kMaxIdBytes bytes, no
// '/', '\\' or NUL (Salt's valid_id), not "." or "..", no leading '.', and no
// ASCII control characters (stricter than Salt: a newline in an id would
// forge log lines). Error kInvalidArgument with a printable rendering of the
// id: "invalid minion id 'a/b': contains '/'".
Status check_minion_id(std::string_view id);

// A printable, quoted-safe rendering of untrusted text for error messages
// (control and non-ASCII bytes as \xNN, at most `max` input bytes).
std::string printable(std::string_view s, size_t max = 255);

// The protocol's clock: seconds since the Unix epoch (auth and publication
// timestamps, freshness checks).
int64_t unix_now();

}  // namespace brine::protocol
