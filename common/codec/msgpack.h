// msgpack for Values (msgpack-c underneath), compatible with Salt's payloads.
//
// msgpack_pack writes null, bool, int (smallest encoding), float (float64),
// string (msgpack str), list (array) and map (map with str keys), like
// Python's msgpack.packb(use_bin_type=True) for the same data.
//
// msgpack_unpack decodes exactly one object; trailing bytes are an error.
// bin decodes to a string; float32 widens to double; uint64 above int64
// becomes a float; non-string map keys become their Python str() ("1",
// "True", "None"); a duplicate key keeps the last value (as a Python dict);
// a list or map as a key, ext types, nesting deeper than kMsgpackMaxDepth and
// input larger than kMsgpackMaxBytes are errors. Any byte string is safe to
// feed: the decoder never reserves memory from declared sizes beyond what the
// input could hold.
// Errors are Errc::kProtocol with a message naming the byte offset.
//
// For packing into an existing buffer or a msgpack::packer (the protocol
// layer), see common/codec/msgpack_value.h.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::codec {

inline constexpr size_t kMsgpackMaxDepth = 64;
inline constexpr size_t kMsgpackMaxBytes = size_t{256} << 20;

std::string msgpack_pack(const Value& v);
// Appends the encoding of v to out.
void msgpack_pack_to(std::string& out, const Value& v);

Result<Value> msgpack_unpack(std::string_view bytes);

// Decodes the object starting at bytes[*offset] and advances *offset past it,
// for buffers holding several objects back to back. Trailing bytes are fine.
// On error *offset is unchanged.
Result<Value> msgpack_unpack_next(std::string_view bytes, size_t* offset);

}  // namespace brine::codec
