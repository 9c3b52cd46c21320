#include "common/protocol/channel.h"

#include <cstring>

#include "common/crypto/primitives.h"
#include "common/protocol/codec.h"

namespace brine::protocol {
namespace {

using detail::as_sv;
using detail::Decoded;
using detail::Encoder;
using detail::put_le;

constexpr size_t kAdBytes = kChannelAdContext.size() + 1 + 1 + kSidBytes + 8 + 8;
using ChannelAd = std::array<uint8_t, kAdBytes>;

ChannelAd channel_ad(uint32_t version, uint8_t dir, std::string_view sid, uint64_t ctr,
                     uint64_t reply_to) {
  ChannelAd ad{};
  uint8_t* p = ad.data();
  std::memcpy(p, kChannelAdContext.data(), kChannelAdContext.size());
  p += kChannelAdContext.size();
  *p++ = static_cast<uint8_t>(version);
  *p++ = dir;
  std::memcpy(p, sid.data(), kSidBytes);
  p += kSidBytes;
  put_le(p, ctr, 8);
  put_le(p + 8, reply_to, 8);
  return ad;
}

crypto::AeadNonce channel_nonce(uint8_t dir, uint64_t ctr) {
  crypto::AeadNonce n{};
  n[0] = dir;
  put_le(n.data() + n.size() - 8, ctr, 8);
  return n;
}

}  // namespace

Result<FrameHeader> peek_frame(std::string_view bytes) {
  auto d = Decoded::parse(bytes, kMaxFrameBytes, std::nullopt);
  if (!d) {
    return d.error();
  }
  FrameHeader h;
  h.type = d->type();
  h.version = d->version();
  if (h.type != MessageType::kChannel) {
    return h;
  }
  BRINE_TRY(d->only({kFieldSid, kFieldCtr, kFieldReplyTo, kFieldCiphertext}));
  auto sid = d->bin(kFieldSid, kSidBytes);
  if (!sid) {
    return sid.error();
  }
  auto ctr = d->uint(kFieldCtr);
  if (!ctr) {
    return ctr.error();
  }
  if (*ctr == 0) {
    return make_error(Errc::kParse, "counter 0 is invalid", "chan.ctr");
  }
  if (d->has(kFieldReplyTo)) {
    auto re = d->uint(kFieldReplyTo);
    if (!re) {
      return re.error();
    }
    if (*re == 0) {
      return make_error(Errc::kParse, "counter 0 is invalid", "chan.re");
    }
    h.reply_to = *re;
  }
  auto ct = d->bin_max(kFieldCiphertext, kMaxFrameBytes);
  if (!ct) {
    return ct.error();
  }
  if (ct->size() < kAeadTagBytes) {
    return make_error(Errc::kParse, "shorter than an authentication tag", "chan.ct");
  }
  h.sid = *sid;
  h.ctr = *ctr;
  h.ct = *ct;
  return h;
}

Channel::Channel(ChannelKeys keys, size_t replay_window)
    : keys_(std::move(keys)),
      send_dir_(keys_.side == Side::kMinion ? kDirMinionToMaster : kDirMasterToMinion),
      recv_dir_(keys_.side == Side::kMinion ? kDirMasterToMinion : kDirMinionToMaster),
      window_(replay_window) {
  BRINE_ASSERT(keys_.sid.size() == kSidBytes);
  BRINE_ASSERT(keys_.send_key.size() == crypto::kAeadKeyBytes);
  BRINE_ASSERT(keys_.recv_key.size() == crypto::kAeadKeyBytes);
}

std::string Channel::seal(std::string_view payload, uint64_t* ctr_out) {
  return seal_impl(0, payload, ctr_out);
}

std::string Channel::seal_reply(uint64_t request_ctr, std::string_view payload) {
  BRINE_ASSERT(request_ctr != 0);
  return seal_impl(request_ctr, payload, nullptr);
}

std::string Channel::seal_impl(uint64_t reply_to, std::string_view payload, uint64_t* ctr_out) {
  const uint64_t ctr = next_ctr_.fetch_add(1, std::memory_order_relaxed);
  // 2^64 frames cannot be sent in practice; wrapping would reuse a nonce.
  BRINE_ASSERT(ctr != 0 && ctr != UINT64_MAX);
  if (ctr_out != nullptr) {
    *ctr_out = ctr;
  }
  const size_t ct_len = payload.size() + kAeadTagBytes;
  std::string out;
  out.reserve(48 + ct_len);
  Encoder e(out);
  e.map(reply_to != 0 ? 6 : 5);
  e.header(MessageType::kChannel);
  e.kv_bin(kFieldSid, keys_.sid);
  e.kv_uint(kFieldCtr, ctr);
  if (reply_to != 0) {
    e.kv_uint(kFieldReplyTo, reply_to);
  }
  e.str(kFieldCiphertext);
  e.bin_header(ct_len);
  const size_t off = out.size();
  out.resize(off + ct_len);
  const ChannelAd ad = channel_ad(kProtocolVersion, send_dir_, keys_.sid, ctr, reply_to);
  crypto::aead_encrypt(reinterpret_cast<uint8_t*>(out.data() + off), payload,
                       as_sv(ad.data(), ad.size()), channel_nonce(send_dir_, ctr), keys_.send_key);
  return out;
}

Result<Opened> Channel::open(std::string_view frame) {
  auto h = peek_frame(frame);
  if (!h) {
    return h.error();
  }
  return open_impl(*h, false, 0);
}

Result<Opened> Channel::open(const FrameHeader& header) { return open_impl(header, false, 0); }

Result<std::string> Channel::open_reply(std::string_view frame, uint64_t request_ctr) {
  auto h = peek_frame(frame);
  if (!h) {
    return h.error();
  }
  return open_reply(*h, request_ctr);
}

Result<std::string> Channel::open_reply(const FrameHeader& header, uint64_t request_ctr) {
  auto o = open_impl(header, true, request_ctr);
  if (!o) {
    return o.error();
  }
  return std::move(o->payload);
}

Result<Opened> Channel::open_impl(const FrameHeader& h, bool want_reply, uint64_t request_ctr) {
  if (h.type != MessageType::kChannel) {
    return make_error(Errc::kProtocol,
                      "expected a 'chan' frame, got '" + std::string(type_name(h.type)) + "'",
                      "chan");
  }
  if (h.sid != keys_.sid) {
    return make_error(Errc::kNotFound, "frame belongs to another channel", "chan.sid");
  }
  if (want_reply && h.reply_to != request_ctr) {
    return make_error(Errc::kCrypto,
                      h.reply_to == 0 ? "expected a reply to request " +
                                            std::to_string(request_ctr) + ", got a request"
                                      : "reply to request " + std::to_string(h.reply_to) +
                                            ", expected " + std::to_string(request_ctr),
                      "chan.re");
  }
  if (!want_reply && h.reply_to != 0) {
    return make_error(Errc::kProtocol,
                      "unexpected reply (to request " + std::to_string(h.reply_to) + ")",
                      "chan.re");
  }
  {
    std::lock_guard lock(mu_);
    if (!window_.check(h.ctr)) {
      return make_error(Errc::kAlreadyExists,
                        "replayed or too old frame (ctr " + std::to_string(h.ctr) + ")",
                        "chan.ctr");
    }
  }
  Opened out;
  out.ctr = h.ctr;
  out.reply_to = h.reply_to;
  out.payload.resize(h.ct.size() - kAeadTagBytes);
  const ChannelAd ad = channel_ad(h.version, recv_dir_, h.sid, h.ctr, h.reply_to);
  if (!crypto::aead_decrypt(reinterpret_cast<uint8_t*>(out.payload.data()), h.ct,
                            as_sv(ad.data(), ad.size()), channel_nonce(recv_dir_, h.ctr),
                            keys_.recv_key)) {
    return make_error(Errc::kCrypto, "frame does not authenticate (tampered or wrong key)",
                      "chan.ct");
  }
  {
    // Re-check under the lock: a concurrent duplicate may have won meanwhile.
    std::lock_guard lock(mu_);
    if (!window_.accept(h.ctr)) {
      return make_error(Errc::kAlreadyExists, "replayed frame (ctr " + std::to_string(h.ctr) + ")",
                        "chan.ctr");
    }
  }
  return out;
}

std::string make_error_reply(std::string_view code, std::string_view message) {
  code = code.substr(0, kMaxErrorCodeBytes);
  message = message.substr(0, kMaxErrorMessageBytes);
  std::string out;
  out.reserve(32 + code.size() + message.size());
  Encoder e(out);
  e.map(4);
  e.header(MessageType::kError);
  e.kv_str(kFieldCode, code);
  e.kv_str(kFieldMessage, message);
  return out;
}

Result<ErrorReply> open_error_reply(std::string_view bytes) {
  auto d = Decoded::parse(bytes, kMaxNoticeBytes, MessageType::kError);
  if (!d) {
    return d.error();
  }
  BRINE_TRY(d->only({kFieldCode, kFieldMessage}));
  auto code = d->str(kFieldCode, kMaxErrorCodeBytes);
  if (!code) {
    return code.error();
  }
  auto msg = d->str(kFieldMessage, kMaxErrorMessageBytes);
  if (!msg) {
    return msg.error();
  }
  return ErrorReply{std::string(*code), std::string(*msg)};
}

}  // namespace brine::protocol
