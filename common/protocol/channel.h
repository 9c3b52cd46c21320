// Channel frames: everything a minion and the master exchange after auth
// (returns, file server, pillar, events, key fetches) on the request socket.
//
// chan: {v, t="chan", sid, ctr, [re], ct}
//   sid  16-byte channel id from the auth reply (routing: the master finds the
//        channel by sid before decrypting, see peek_frame)
//   ctr  per-direction message counter, from 1; also the AEAD nonce
//   re   present in replies only: the ctr of the request answered
//   ct   XChaCha20-Poly1305-IETF(payload) under the sender's directional key,
//        nonce = dir || 0^15 || le64(ctr), AD = context || v || dir || sid ||
//        le64(ctr) || le64(re)
//
// Replay protection: each side keeps a ReplayWindow over the counters it
// receives, so every frame is accepted at most once even when worker threads
// process frames out of order. A reply authenticates the counter of its
// request (in AD), so it cannot be replayed to, or substituted for, another
// request. Reflection (sending a frame back to its sender) fails because the
// two directions use different keys.
//
// error: {v, t="error", code, msg} is the one clear, unauthenticated reply,
// used when the master cannot use a channel (unknown sid after a restart:
// code "unknown_channel" tells the minion to re-authenticate). A forged error
// can at most make a minion re-authenticate.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

#include "common/protocol/replay_window.h"
#include "common/protocol/types.h"
#include "common/protocol/wire_format.h"
#include "common/result.h"

namespace brine::protocol {

// Cleartext header of any message, for routing before decryption. For chan
// frames the sid/ctr/reply_to/ct fields are filled; they are views into the
// bytes passed to peek_frame, valid only while those bytes are.
struct FrameHeader {
  MessageType type = MessageType::kError;
  uint32_t version = 0;
  std::string_view sid;
  uint64_t ctr = 0;
  uint64_t reply_to = 0;  // 0 when the frame is not a reply
  std::string_view ct;
};

// Decodes the header of any message (size <= kMaxFrameBytes, version, type;
// for chan also sid, ctr, re, ct with their sizes). Does not decrypt or verify.
Result<FrameHeader> peek_frame(std::string_view bytes);

// A decrypted frame.
struct Opened {
  std::string payload;
  uint64_t ctr = 0;
  uint64_t reply_to = 0;
};

// One side of an established channel. Thread-safe: seal* take the next
// counter atomically; open* may run on many threads (the replay window is
// guarded by a mutex, decryption runs outside it). Not copyable or movable;
// hold it by (shared) pointer.
//
// Errors of open*: kParse/kProtocol/kUnsupported (malformed frame or wrong
// kind), kNotFound (frame for another sid), kAlreadyExists (replayed or
// older than the replay window), kCrypto (authentication failed: wrong key,
// tampered, reply bound to another request).
class Channel {
 public:
  explicit Channel(ChannelKeys keys, size_t replay_window = kReplayWindowSize);
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  // A frame carrying `payload`; *ctr_out (if given) receives its counter,
  // which the peer's reply will carry in "re".
  std::string seal(std::string_view payload, uint64_t* ctr_out = nullptr);
  // Opens a non-reply frame sent by the peer.
  Result<Opened> open(std::string_view frame);
  // Same, from an already peeked header (saves a second parse).
  Result<Opened> open(const FrameHeader& header);

  // A reply to the peer's request number `request_ctr`.
  std::string seal_reply(uint64_t request_ctr, std::string_view payload);
  // Opens a reply, which must answer our request number `request_ctr`.
  Result<std::string> open_reply(std::string_view frame, uint64_t request_ctr);
  Result<std::string> open_reply(const FrameHeader& header, uint64_t request_ctr);

  const std::string& sid() const { return keys_.sid; }
  Side side() const { return keys_.side; }
  // The counter the next sealed frame will use.
  uint64_t next_ctr() const { return next_ctr_.load(std::memory_order_relaxed); }

 private:
  std::string seal_impl(uint64_t reply_to, std::string_view payload, uint64_t* ctr_out);
  Result<Opened> open_impl(const FrameHeader& h, bool want_reply, uint64_t request_ctr);

  const ChannelKeys keys_;
  const uint8_t send_dir_;
  const uint8_t recv_dir_;
  std::atomic<uint64_t> next_ctr_{1};
  std::mutex mu_;
  ReplayWindow window_;
};

struct ErrorReply {
  std::string code;     // kError* constants in wire_format.h (unknown codes are kept)
  std::string message;  // for logs; untrusted text
};

// {v, t="error", code, msg}; code and message are truncated to their limits.
std::string make_error_reply(std::string_view code, std::string_view message);
Result<ErrorReply> open_error_reply(std::string_view bytes);

}  // namespace brine::protocol
