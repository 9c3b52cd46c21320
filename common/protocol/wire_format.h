// Wire constants shared by every Brine protocol encoder and decoder.
//
// docs/protocol.md is the specification; this header is its executable part
// (like LevelDB's db/log_format.h next to doc/log_format.md). Changing any
// value here changes the wire format: bump kProtocolVersion and document it.
//
// Every message is one msgpack map with string keys. Two keys are always
// present: "v" (protocol version, unsigned) and "t" (message type, string).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace brine::protocol {

// ---- Versions ---------------------------------------------------------------
// The version this build speaks, and the lowest it accepts. A message with a
// lower version is refused (no downgrade: Salt CVE-2025-62349), a higher one
// is refused as unsupported. Raising kMinProtocolVersion is how an old,
// weaker protocol is retired.
inline constexpr uint32_t kProtocolVersion = 1;
inline constexpr uint32_t kMinProtocolVersion = 1;

// ---- Message types (field "t") ----------------------------------------------
enum class MessageType : uint8_t {
  kAuth,         // "auth"        minion -> master, clear, signed by the minion
  kAuthReply,    // "auth_reply"  master -> minion, clear, signed by the master
  kChannel,      // "chan"        either way, AEAD under a per-minion channel key
  kPublication,  // "pub"         master PUB socket, signed + AEAD under the session key
  kRotate,       // "rotate"      master PUB socket, signed, clear
  kError,        // "error"       master -> minion, clear, unauthenticated
};

inline constexpr std::string_view kTypeAuth = "auth";
inline constexpr std::string_view kTypeAuthReply = "auth_reply";
inline constexpr std::string_view kTypeChannel = "chan";
inline constexpr std::string_view kTypePublication = "pub";
inline constexpr std::string_view kTypeRotate = "rotate";
inline constexpr std::string_view kTypeError = "error";

constexpr std::string_view type_name(MessageType t) {
  switch (t) {
    case MessageType::kAuth:
      return kTypeAuth;
    case MessageType::kAuthReply:
      return kTypeAuthReply;
    case MessageType::kChannel:
      return kTypeChannel;
    case MessageType::kPublication:
      return kTypePublication;
    case MessageType::kRotate:
      return kTypeRotate;
    case MessageType::kError:
      return kTypeError;
  }
  return "?";
}

constexpr std::optional<MessageType> parse_type(std::string_view s) {
  if (s == kTypeAuth) return MessageType::kAuth;
  if (s == kTypeAuthReply) return MessageType::kAuthReply;
  if (s == kTypeChannel) return MessageType::kChannel;
  if (s == kTypePublication) return MessageType::kPublication;
  if (s == kTypeRotate) return MessageType::kRotate;
  if (s == kTypeError) return MessageType::kError;
  return std::nullopt;
}

// ---- Field names -------------------------------------------------------------
inline constexpr std::string_view kFieldVersion = "v";
inline constexpr std::string_view kFieldType = "t";
inline constexpr std::string_view kFieldId = "id";                     // auth
inline constexpr std::string_view kFieldPub = "pub";                   // auth
inline constexpr std::string_view kFieldEph = "eph";                   // auth
inline constexpr std::string_view kFieldNonce = "nonce";               // auth, auth_reply, pub
inline constexpr std::string_view kFieldTs = "ts";                     // auth, pub, rotate
inline constexpr std::string_view kFieldGrains = "grains";             // auth (optional)
inline constexpr std::string_view kFieldMode = "mode";                 // auth (optional)
inline constexpr std::string_view kFieldSig = "sig";                   // signed messages
inline constexpr std::string_view kFieldStatus = "status";             // auth_reply
inline constexpr std::string_view kFieldMasterPub = "master_pub";      // auth_reply
inline constexpr std::string_view kFieldPublishPort = "publish_port";  // auth_reply
inline constexpr std::string_view kFieldMasterEph = "meph";            // auth_reply (accept)
inline constexpr std::string_view kFieldSid = "sid";                   // auth_reply, chan
inline constexpr std::string_view kFieldKid = "kid";                   // auth_reply, pub, rotate
inline constexpr std::string_view kFieldSessionKey = "skey";           // auth_reply (accept)
inline constexpr std::string_view kFieldSerial = "serial";             // auth_reply, pub
inline constexpr std::string_view kFieldCtr = "ctr";                   // chan
inline constexpr std::string_view kFieldReplyTo = "re";                // chan (replies only)
inline constexpr std::string_view kFieldCiphertext = "ct";             // chan, pub
inline constexpr std::string_view kFieldCode = "code";                 // error
inline constexpr std::string_view kFieldMessage = "msg";               // error

// ---- Auth status (field "status" of auth_reply) --------------------------------
inline constexpr std::string_view kStatusAccept = "accept";
inline constexpr std::string_view kStatusPending = "pending";
inline constexpr std::string_view kStatusRejected = "rejected";
inline constexpr std::string_view kStatusDenied = "denied";
inline constexpr std::string_view kStatusFull = "full";

// ---- Auth mode (optional field "mode" of auth) ---------------------------------
// Absent: a minion daemon (its channel becomes the id's live channel). "call":
// a one-off caller (brine-call) that gets an ephemeral channel instead.
inline constexpr std::string_view kModeCall = "call";
inline constexpr size_t kMaxModeBytes = 16;

// ---- Error reply codes (field "code" of error) -----------------------------------
inline constexpr std::string_view kErrorUnknownChannel = "unknown_channel";  // re-auth
inline constexpr std::string_view kErrorBadFrame = "bad_frame";
inline constexpr std::string_view kErrorUnsupportedVersion = "unsupported_version";
inline constexpr std::string_view kErrorNotAuthenticated = "not_authenticated";
inline constexpr std::string_view kErrorBusy = "busy";

// ---- Sizes -----------------------------------------------------------------------
inline constexpr size_t kNonceBytes = 32;             // auth nonce
inline constexpr size_t kSidBytes = 16;               // channel id
inline constexpr size_t kSessionKeyBytes = 32;        // publication key
inline constexpr size_t kSignatureBytes = 64;         // Ed25519
inline constexpr size_t kKeyBytes = 32;               // Ed25519 / X25519 public keys
inline constexpr size_t kAeadNonceBytes = 24;         // XChaCha20-Poly1305 nonce
inline constexpr size_t kAeadTagBytes = 16;           // Poly1305 tag
inline constexpr size_t kMaxIdBytes = 255;            // minion id
inline constexpr size_t kMaxGrainsBytes = 64 * 1024;  // autosign grains (opaque msgpack)
inline constexpr size_t kMaxErrorCodeBytes = 64;
inline constexpr size_t kMaxErrorMessageBytes = 1024;

// Upper bounds on a whole message, checked before any parsing.
inline constexpr size_t kMaxAuthBytes = 128 * 1024;        // auth, auth_reply
inline constexpr size_t kMaxFrameBytes = 64u << 20;        // chan (returns, file chunks)
inline constexpr size_t kMaxPublicationBytes = 16u << 20;  // pub
inline constexpr size_t kMaxNoticeBytes = 4 * 1024;        // rotate, error

// msgpack structure bounds: messages are flat maps of scalars.
inline constexpr size_t kMaxMapEntries = 16;
inline constexpr size_t kMaxStrBytes = 64 * 1024;  // any str (keys, id, status, ...)
inline constexpr size_t kMaxDepth = 2;

// ---- Replay and time ---------------------------------------------------------------
inline constexpr int64_t kDefaultMaxClockSkewS = 300;  // auth "ts" tolerance
inline constexpr size_t kReplayWindowSize = 1024;      // per channel and direction

// ---- Domain separation -------------------------------------------------------------
// Every signature input starts with kSignatureContext (NUL included), so a
// Brine signature can never be confused with one made for another purpose.
inline constexpr std::string_view kSignatureContext{"BRINE-SIG-V1\0", 13};
// Associated-data prefixes of the AEAD constructions.
inline constexpr std::string_view kChannelAdContext{"BRINE-CHAN-V1\0", 14};
inline constexpr std::string_view kPublicationAdContext{"BRINE-PUB-V1\0", 13};
inline constexpr std::string_view kSessionKeyAdContext{"BRINE-SKEY-V1\0", 14};
// Channel key derivation label (BLAKE2b keyed by the crypto_kx output).
inline constexpr std::string_view kChannelKdfContext{"BRINE-CHAN-KDF-V1\0", 18};

// Direction bytes: first byte of every channel AEAD nonce and part of its AD.
inline constexpr uint8_t kDirMinionToMaster = 0x01;
inline constexpr uint8_t kDirMasterToMinion = 0x02;
// First nonce byte of the session key sealed into auth_reply / key replies.
inline constexpr uint8_t kNonceSessionKeyDelivery = 0x03;

}  // namespace brine::protocol
