// Internal to brine_protocol: channel key derivation and session key sealing,
// shared by the auth handshake and the session key replies.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "common/crypto/keys.h"
#include "common/crypto/primitives.h"
#include "common/protocol/types.h"
#include "common/protocol/wire_format.h"
#include "common/result.h"

namespace brine::protocol::detail {

// Derives both directional channel keys from the crypto_kx output and the
// identities (see docs/protocol.md "Channel keys"). `kx` is the output of
// kx_client (side == kMinion) or kx_server (side == kMaster).
ChannelKeys derive_channel_keys(Side side, const crypto::KxSessionKeys& kx,
                                const crypto::PublicKey& minion_pub,
                                const crypto::PublicKey& master_pub, std::string_view id,
                                const std::array<uint8_t, kNonceBytes>& nonce,
                                std::string_view sid);

// The session key sealed under the master->minion key of `keys` (the master
// side's send key), for auth_reply "skey": 48 bytes.
std::string seal_session_key(const ChannelKeys& keys, const SessionKey& session);
// The minion side opens it with its receive key. Error kCrypto.
Result<SessionKey> open_session_key(const ChannelKeys& keys, uint32_t kid, std::string_view sealed);

}  // namespace brine::protocol::detail
