// Packing Values straight into a msgpack-c packer, for the protocol layer
// (which frames several objects into one buffer without copies).
//
//   std::string buf;
//   brine::codec::StringSink sink{&buf};
//   msgpack::packer<brine::codec::StringSink> pk(sink);
//   pk.pack_array(2);
//   brine::codec::msgpack_pack_value(pk, header);
//   brine::codec::msgpack_pack_value(pk, body);
//
// Strings longer than 4 GiB cannot be encoded in msgpack; they abort
// (BRINE_ASSERT), as no Brine message may come near that size.
//
// Thread-safety: a packer and its sink belong to one thread.
#pragma once

#include <cstdint>
#include <limits>
#include <msgpack.hpp>
#include <string>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::codec {

// A msgpack-c output stream appending to a std::string.
struct StringSink {
  std::string* out;
  void write(const char* data, size_t size) { out->append(data, size); }
};

namespace detail {
inline uint32_t checked_u32(size_t n) {
  BRINE_ASSERT(n <= std::numeric_limits<uint32_t>::max());
  return static_cast<uint32_t>(n);
}
}  // namespace detail

template <typename Stream>
void msgpack_pack_value(msgpack::packer<Stream>& pk, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kNull:
      pk.pack_nil();
      return;
    case Value::Kind::kBool:
      if (v.as_bool()) {
        pk.pack_true();
      } else {
        pk.pack_false();
      }
      return;
    case Value::Kind::kInt:
      pk.pack_int64(v.as_int());  // msgpack-c picks the smallest encoding
      return;
    case Value::Kind::kFloat:
      pk.pack_double(v.as_float());
      return;
    case Value::Kind::kString: {
      const std::string& s = v.as_string();
      const uint32_t n = detail::checked_u32(s.size());
      pk.pack_str(n);
      pk.pack_str_body(s.data(), n);
      return;
    }
    case Value::Kind::kList:
      pk.pack_array(detail::checked_u32(v.as_list().size()));
      for (const Value& item : v.as_list()) msgpack_pack_value(pk, item);
      return;
    case Value::Kind::kMap:
      pk.pack_map(detail::checked_u32(v.as_map().size()));
      for (const auto& [key, item] : v.as_map()) {
        const uint32_t n = detail::checked_u32(key.size());
        pk.pack_str(n);
        pk.pack_str_body(key.data(), n);
        msgpack_pack_value(pk, item);
      }
      return;
  }
}

}  // namespace brine::codec
