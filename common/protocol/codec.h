// Internal to brine_protocol: the msgpack-c wrapper every message encoder and
// decoder goes through. Not for use outside common/protocol.
//
// Encoder writes canonical msgpack (fixed key order chosen by the caller,
// smallest integer encodings) into a std::string.
//
// Decoded::parse is the single place where untrusted bytes meet msgpack-c. It
// enforces, in order: total size, a msgpack parse bounded by unpack_limit
// (map entries, str/bin sizes, depth; no arrays or ext), exactly one value
// with no trailing bytes, a top-level map of unique string keys, the version
// range and a known message type. msgpack-c reports errors by throwing; every
// exception is caught here and turned into an Error, so no byte sequence can
// escape as an exception or crash.
//
// Strings and binaries are not copied: the fields are views into the input
// bytes, which must outlive the Decoded and any view taken from it.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <msgpack.hpp>
#include <string>
#include <string_view>

#include "common/crypto/keys.h"
#include "common/protocol/wire_format.h"
#include "common/result.h"

namespace brine::protocol::detail {

struct StringSink {
  std::string* out;
  void write(const char* p, size_t n) { out->append(p, n); }
};

class Encoder {
 public:
  explicit Encoder(std::string& out) : sink_{&out}, pk_(sink_) {}

  void map(uint32_t entries) { pk_.pack_map(entries); }
  void str(std::string_view s) {
    pk_.pack_str(static_cast<uint32_t>(s.size()));
    pk_.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
  }
  void bin(std::string_view b) {
    pk_.pack_bin(static_cast<uint32_t>(b.size()));
    pk_.pack_bin_body(b.data(), static_cast<uint32_t>(b.size()));
  }
  // Only the header of a bin of n bytes; the caller appends the body itself.
  void bin_header(size_t n) { pk_.pack_bin(static_cast<uint32_t>(n)); }
  void uint(uint64_t v) { pk_.pack_uint64(v); }
  void sint(int64_t v) { pk_.pack_int64(v); }

  void kv_str(std::string_view k, std::string_view v) { str(k), str(v); }
  void kv_bin(std::string_view k, std::string_view v) { str(k), bin(v); }
  void kv_uint(std::string_view k, uint64_t v) { str(k), uint(v); }
  void kv_sint(std::string_view k, int64_t v) { str(k), sint(v); }
  // "v" and "t", the first two entries of every message.
  void header(MessageType t) {
    kv_uint(kFieldVersion, kProtocolVersion);
    kv_str(kFieldType, type_name(t));
  }

 private:
  StringSink sink_;
  msgpack::packer<StringSink> pk_;
};

class Decoded {
 public:
  // See the file comment. `max_bytes` is the limit for this message kind;
  // `expected` (when set) is the only accepted type. Errors: kInvalidArgument
  // (too large), kParse (not msgpack / not a map / bad keys), kUnsupported
  // (version), kProtocol (unknown or unexpected type).
  static Result<Decoded> parse(std::string_view bytes, size_t max_bytes,
                               std::optional<MessageType> expected);
  // Like parse, but for an inner payload map (no "v"): only the "t" check.
  static Result<Decoded> parse_inner(std::string_view bytes, size_t max_bytes,
                                     std::string_view expected_type);

  Decoded(Decoded&&) = default;
  Decoded& operator=(Decoded&&) = default;

  MessageType type() const { return type_; }
  uint32_t version() const { return version_; }
  std::string_view type_str() const { return type_str_; }

  // Refuses any key not in `allowed` (kProtocol, "unknown field 'x'").
  Status only(std::initializer_list<std::string_view> allowed) const;
  bool has(std::string_view key) const { return find(key) != nullptr; }

  // Required fields with type and size checks. Errors name "<type>.<field>".
  Result<std::string_view> bin(std::string_view key, size_t exact) const;
  Result<std::string_view> bin_max(std::string_view key, size_t max) const;
  Result<std::string_view> str(std::string_view key, size_t max) const;
  Result<uint64_t> uint(std::string_view key, uint64_t max = UINT64_MAX) const;
  Result<int64_t> sint(std::string_view key) const;

 private:
  Decoded() = default;
  const msgpack::object* find(std::string_view key) const;
  Error field_error(std::string_view key, std::string message) const;
  Status check_keys() const;

  msgpack::object_handle oh_;
  msgpack::object_map map_{};  // {size, ptr}: ptr points into the zone, stable across moves
  MessageType type_ = MessageType::kError;
  std::string_view type_str_;
  uint32_t version_ = 0;
};

// ---- Signed messages -----------------------------------------------------------
// A signed message is map(n+1){fields..., "sig": bin64}. The signature input
// is kSignatureContext || map(n){fields...} || binding, where `fields` are the
// canonically encoded key/value pairs (no map header) and `binding` is extra
// context both sides know but that is not sent (may be empty).
std::string signing_input(uint32_t n, std::string_view fields, std::string_view binding);
std::string make_signed(const crypto::KeyPair& key, uint32_t n, std::string_view fields,
                        std::string_view binding = {});
bool verify_signed(const crypto::PublicKey& key, uint32_t n, std::string_view fields,
                   std::string_view binding, std::string_view sig);

// ---- Little-endian helpers for fixed binary layouts (AD, nonces) ----------------
inline void put_le(uint8_t* p, uint64_t v, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    p[i] = static_cast<uint8_t>(v >> (8 * i));
  }
}
inline std::string_view as_sv(const uint8_t* p, size_t n) {
  return {reinterpret_cast<const char*>(p), n};
}

}  // namespace brine::protocol::detail
