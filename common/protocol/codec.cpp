#include "common/protocol/codec.h"

#include <exception>
#include <new>

#include "common/crypto/core.h"
#include "common/crypto/primitives.h"

namespace brine::protocol::detail {
namespace {

// Strings and binaries reference the input buffer instead of being copied
// into the msgpack zone.
bool reference_everything(msgpack::type::object_type, std::size_t, void*) { return true; }

std::string_view view_of(const msgpack::object& o) {
  if (o.type == msgpack::type::STR) {
    return {o.via.str.ptr, o.via.str.size};
  }
  return {o.via.bin.ptr, o.via.bin.size};
}

const char* kind_name(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL:
      return "nil";
    case msgpack::type::BOOLEAN:
      return "a boolean";
    case msgpack::type::POSITIVE_INTEGER:
    case msgpack::type::NEGATIVE_INTEGER:
      return "an integer";
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      return "a float";
    case msgpack::type::STR:
      return "a string";
    case msgpack::type::BIN:
      return "binary data";
    case msgpack::type::ARRAY:
      return "an array";
    case msgpack::type::MAP:
      return "a map";
    case msgpack::type::EXT:
      return "an extension";
  }
  return "unknown";
}

// Field names are printed in errors; keep them short and printable.
std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 64)) {
    auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f && c != '\'' && c != '\\') {
      out += c;
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  if (s.size() > 64) {
    out += "...";
  }
  return out;
}

Result<msgpack::object_handle> unpack_bounded(std::string_view bytes, size_t max_bytes,
                                              std::string_view what) {
  if (bytes.size() > max_bytes) {
    return make_error(Errc::kInvalidArgument,
                      "message too large (" + std::to_string(bytes.size()) + " bytes, limit " +
                          std::to_string(max_bytes) + ")",
                      std::string(what));
  }
  // Bounds: a flat map of scalars. No arrays or ext at all; bin up to the
  // message limit (it cannot exceed the input anyway, the bound only stops
  // msgpack-c from trusting a forged length).
  const msgpack::unpack_limit limit(/*array=*/0, /*map=*/kMaxMapEntries, /*str=*/kMaxStrBytes,
                                    /*bin=*/max_bytes, /*ext=*/0, /*depth=*/kMaxDepth);
  size_t off = 0;
  try {
    msgpack::object_handle oh =
        msgpack::unpack(bytes.data(), bytes.size(), off, reference_everything, nullptr, limit);
    if (off != bytes.size()) {
      return make_error(
          Errc::kParse,
          "trailing bytes after the message (" + std::to_string(bytes.size() - off) + ")",
          std::string(what));
    }
    return oh;
  } catch (const msgpack::insufficient_bytes&) {
    return make_error(Errc::kParse, "truncated message", std::string(what));
  } catch (const msgpack::size_overflow& e) {
    return make_error(Errc::kParse,
                      std::string("message structure exceeds limits (") + e.what() + ")",
                      std::string(what));
  } catch (const std::bad_alloc&) {
    return make_error(Errc::kParse, "message too large to decode", std::string(what));
  } catch (const std::exception& e) {
    return make_error(Errc::kParse, std::string("malformed msgpack (") + e.what() + ")",
                      std::string(what));
  } catch (...) {
    return make_error(Errc::kParse, "malformed msgpack", std::string(what));
  }
}

}  // namespace

Status Decoded::check_keys() const {
  if (map_.size > kMaxMapEntries) {  // also enforced by unpack_limit
    return make_error(Errc::kParse, "too many fields", std::string(type_str_));
  }
  for (uint32_t i = 0; i < map_.size; ++i) {
    const msgpack::object& k = map_.ptr[i].key;
    if (k.type != msgpack::type::STR) {
      return make_error(Errc::kParse,
                        std::string("field name is ") + kind_name(k) + ", expected a string",
                        std::string(type_str_));
    }
    for (uint32_t j = 0; j < i; ++j) {
      if (view_of(map_.ptr[j].key) == view_of(k)) {
        return make_error(Errc::kParse, "duplicate field '" + printable(view_of(k)) + "'",
                          std::string(type_str_));
      }
    }
  }
  return ok();
}

Result<Decoded> Decoded::parse(std::string_view bytes, size_t max_bytes,
                               std::optional<MessageType> expected) {
  std::string_view what = expected ? type_name(*expected) : std::string_view("message");
  auto oh = unpack_bounded(bytes, max_bytes, what);
  if (!oh) {
    return oh.error();
  }
  Decoded d;
  d.oh_ = std::move(*oh);
  const msgpack::object& root = d.oh_.get();
  if (root.type != msgpack::type::MAP) {
    return make_error(Errc::kParse,
                      std::string("message is ") + kind_name(root) + ", expected a map",
                      std::string(what));
  }
  d.map_ = root.via.map;
  d.type_str_ = what;
  BRINE_TRY(d.check_keys());

  // Version first: a message from a newer or retired protocol is refused as
  // such, before its other fields are interpreted.
  const msgpack::object* v = d.find(kFieldVersion);
  if (v == nullptr) {
    return make_error(Errc::kParse, "missing field 'v' (protocol version)", std::string(what));
  }
  if (v->type != msgpack::type::POSITIVE_INTEGER) {
    return make_error(
        Errc::kParse,
        std::string("protocol version is ") + kind_name(*v) + ", expected an unsigned integer",
        std::string(what) + ".v");
  }
  if (v->via.u64 < kMinProtocolVersion) {
    return make_error(Errc::kUnsupported,
                      "protocol version " + std::to_string(v->via.u64) +
                          " refused: the minimum accepted version is " +
                          std::to_string(kMinProtocolVersion) + " (downgrade)",
                      std::string(what) + ".v");
  }
  if (v->via.u64 > kProtocolVersion) {
    return make_error(
        Errc::kUnsupported,
        "protocol version " + std::to_string(v->via.u64) + " is not supported (this build speaks " +
            std::to_string(kMinProtocolVersion) + " to " + std::to_string(kProtocolVersion) + ")",
        std::string(what) + ".v");
  }
  d.version_ = static_cast<uint32_t>(v->via.u64);

  const msgpack::object* t = d.find(kFieldType);
  if (t == nullptr) {
    return make_error(Errc::kParse, "missing field 't' (message type)", std::string(what));
  }
  if (t->type != msgpack::type::STR) {
    return make_error(Errc::kParse,
                      std::string("message type is ") + kind_name(*t) + ", expected a string",
                      std::string(what) + ".t");
  }
  auto type = parse_type(view_of(*t));
  if (!type) {
    return make_error(Errc::kProtocol, "unknown message type '" + printable(view_of(*t)) + "'",
                      std::string(what));
  }
  if (expected && *type != *expected) {
    return make_error(Errc::kProtocol,
                      "expected a '" + std::string(type_name(*expected)) + "' message, got '" +
                          std::string(type_name(*type)) + "'",
                      std::string(what));
  }
  d.type_ = *type;
  d.type_str_ = type_name(*type);
  return d;
}

Result<Decoded> Decoded::parse_inner(std::string_view bytes, size_t max_bytes,
                                     std::string_view expected_type) {
  auto oh = unpack_bounded(bytes, max_bytes, expected_type);
  if (!oh) {
    return oh.error();
  }
  Decoded d;
  d.oh_ = std::move(*oh);
  const msgpack::object& root = d.oh_.get();
  if (root.type != msgpack::type::MAP) {
    return make_error(Errc::kParse,
                      std::string("payload is ") + kind_name(root) + ", expected a map",
                      std::string(expected_type));
  }
  d.map_ = root.via.map;
  d.type_str_ = expected_type;
  BRINE_TRY(d.check_keys());
  auto t = d.str(kFieldType, kMaxStrBytes);
  if (!t) {
    return t.error();
  }
  if (*t != expected_type) {
    return make_error(
        Errc::kProtocol,
        "expected a '" + std::string(expected_type) + "' payload, got '" + printable(*t) + "'",
        std::string(expected_type));
  }
  return d;
}

const msgpack::object* Decoded::find(std::string_view key) const {
  for (uint32_t i = 0; i < map_.size; ++i) {
    if (view_of(map_.ptr[i].key) == key) {
      return &map_.ptr[i].val;
    }
  }
  return nullptr;
}

Error Decoded::field_error(std::string_view key, std::string message) const {
  return make_error(Errc::kParse, std::move(message),
                    std::string(type_str_) + "." + std::string(key));
}

Status Decoded::only(std::initializer_list<std::string_view> allowed) const {
  for (uint32_t i = 0; i < map_.size; ++i) {
    std::string_view k = view_of(map_.ptr[i].key);
    bool known = k == kFieldVersion || k == kFieldType;
    for (std::string_view a : allowed) {
      known = known || a == k;
    }
    if (!known) {
      return make_error(Errc::kProtocol, "unknown field '" + printable(k) + "'",
                        std::string(type_str_));
    }
  }
  return ok();
}

Result<std::string_view> Decoded::bin(std::string_view key, size_t exact) const {
  auto b = bin_max(key, exact);
  if (b && b->size() != exact) {
    return field_error(
        key, "expected " + std::to_string(exact) + " bytes, got " + std::to_string(b->size()));
  }
  return b;
}

Result<std::string_view> Decoded::bin_max(std::string_view key, size_t max) const {
  const msgpack::object* o = find(key);
  if (o == nullptr) {
    return field_error(key, "missing field");
  }
  if (o->type != msgpack::type::BIN) {
    return field_error(key, std::string("expected binary data, got ") + kind_name(*o));
  }
  if (o->via.bin.size > max) {
    return field_error(key, "too long (" + std::to_string(o->via.bin.size) + " bytes, limit " +
                                std::to_string(max) + ")");
  }
  return view_of(*o);
}

Result<std::string_view> Decoded::str(std::string_view key, size_t max) const {
  const msgpack::object* o = find(key);
  if (o == nullptr) {
    return field_error(key, "missing field");
  }
  if (o->type != msgpack::type::STR) {
    return field_error(key, std::string("expected a string, got ") + kind_name(*o));
  }
  if (o->via.str.size > max) {
    return field_error(key, "too long (" + std::to_string(o->via.str.size) + " bytes, limit " +
                                std::to_string(max) + ")");
  }
  return view_of(*o);
}

Result<uint64_t> Decoded::uint(std::string_view key, uint64_t max) const {
  const msgpack::object* o = find(key);
  if (o == nullptr) {
    return field_error(key, "missing field");
  }
  if (o->type != msgpack::type::POSITIVE_INTEGER) {
    return field_error(key,
                       o->type == msgpack::type::NEGATIVE_INTEGER
                           ? std::string("negative value")
                           : std::string("expected an unsigned integer, got ") + kind_name(*o));
  }
  if (o->via.u64 > max) {
    return field_error(key, "value " + std::to_string(o->via.u64) + " out of range (max " +
                                std::to_string(max) + ")");
  }
  return o->via.u64;
}

Result<int64_t> Decoded::sint(std::string_view key) const {
  const msgpack::object* o = find(key);
  if (o == nullptr) {
    return field_error(key, "missing field");
  }
  if (o->type == msgpack::type::NEGATIVE_INTEGER) {
    return o->via.i64;
  }
  if (o->type != msgpack::type::POSITIVE_INTEGER) {
    return field_error(key, std::string("expected an integer, got ") + kind_name(*o));
  }
  if (o->via.u64 > static_cast<uint64_t>(INT64_MAX)) {
    return field_error(key, "value " + std::to_string(o->via.u64) + " out of range");
  }
  return static_cast<int64_t>(o->via.u64);
}

std::string signing_input(uint32_t n, std::string_view fields, std::string_view binding) {
  std::string tbs;
  tbs.reserve(kSignatureContext.size() + 5 + fields.size() + binding.size());
  tbs.append(kSignatureContext);
  Encoder(tbs).map(n);
  tbs.append(fields);
  tbs.append(binding);
  return tbs;
}

std::string make_signed(const crypto::KeyPair& key, uint32_t n, std::string_view fields,
                        std::string_view binding) {
  crypto::Signature sig = crypto::sign_detached(key, signing_input(n, fields, binding));
  std::string out;
  out.reserve(fields.size() + 80);
  Encoder e(out);
  e.map(n + 1);
  out.append(fields);
  e.kv_bin(kFieldSig, crypto::as_view(sig));
  return out;
}

bool verify_signed(const crypto::PublicKey& key, uint32_t n, std::string_view fields,
                   std::string_view binding, std::string_view sig) {
  return crypto::verify_detached(key, signing_input(n, fields, binding), sig);
}

}  // namespace brine::protocol::detail
