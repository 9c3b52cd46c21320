// msgpack decoding with msgpack-c's visitor parser: events build the Value
// directly (no msgpack::object zone in between), and the visitor enforces
// Brine's limits before anything is allocated.
#include "common/codec/msgpack.h"

#include <algorithm>
#include <string>
#include <vector>

#include "common/codec/msgpack_value.h"
#include "common/codec/yaml_scalar.h"

namespace brine::codec {
namespace {

class ValueVisitor : public msgpack::null_visitor {
 public:
  explicit ValueVisitor(size_t input_size) : input_size_(input_size) {}

  const std::string& error() const { return error_; }
  bool failed() const { return !error_.empty(); }
  Value take_root() { return std::move(root_); }

  bool visit_nil() { return deliver(Value()); }
  bool visit_boolean(bool v) { return deliver(Value(v)); }
  bool visit_positive_integer(uint64_t v) {
    if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return deliver(Value(static_cast<double>(v)));
    }
    return deliver(Value(static_cast<int64_t>(v)));
  }
  bool visit_negative_integer(int64_t v) { return deliver(Value(v)); }
  bool visit_float32(float v) { return deliver(Value(static_cast<double>(v))); }
  bool visit_float64(double v) { return deliver(Value(v)); }
  bool visit_str(const char* data, uint32_t size) {
    return deliver(Value(std::string(data, size)));
  }
  bool visit_bin(const char* data, uint32_t size) {
    return deliver(Value(std::string(data, size)));
  }
  bool visit_ext(const char*, uint32_t) { return set_error("msgpack ext types are not supported"); }

  bool start_array(uint32_t n) {
    if (!open_container()) return false;
    List list;
    // Never trust the declared count beyond what the input could hold.
    list.reserve(std::min<size_t>({n, input_size_, 1024}));
    stack_.push_back(Frame{Value(std::move(list)), {}, false});
    return true;
  }
  bool start_array_item() { return true; }
  bool end_array_item() { return true; }
  bool end_array() { return close_container(); }

  bool start_map(uint32_t n) {
    if (!open_container()) return false;
    Map map;
    map.reserve(std::min<size_t>({n, input_size_, 1024}));
    stack_.push_back(Frame{Value(std::move(map)), {}, false});
    return true;
  }
  bool start_map_key() {
    stack_.back().in_key = true;
    return true;
  }
  bool end_map_key() {
    stack_.back().in_key = false;
    return true;
  }
  bool start_map_value() { return true; }
  bool end_map_value() { return true; }
  bool end_map() { return close_container(); }

  void parse_error(size_t /*parsed_offset*/, size_t error_offset) {
    set_error("invalid msgpack data at byte " + std::to_string(error_offset));
  }
  void insufficient_bytes(size_t /*parsed_offset*/, size_t error_offset) {
    set_error("truncated msgpack data at byte " + std::to_string(error_offset));
  }

 private:
  struct Frame {
    Value value;
    std::string key;
    bool in_key;
  };

  bool set_error(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  bool open_container() {
    if (!stack_.empty() && stack_.back().in_key) {
      return set_error("a msgpack map key must be a scalar, not an array or map");
    }
    if (stack_.size() >= kMsgpackMaxDepth) {
      return set_error("msgpack nesting deeper than " + std::to_string(kMsgpackMaxDepth) +
                       " levels");
    }
    return true;
  }

  bool close_container() {
    Value v = std::move(stack_.back().value);
    stack_.pop_back();
    return deliver(std::move(v));
  }

  bool deliver(Value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Frame& top = stack_.back();
    if (top.value.is_list()) {
      top.value.as_list().push_back(std::move(v));
    } else if (top.in_key) {
      top.key = v.is_string() ? std::move(v.as_string()) : python_key_string(v);
    } else {
      top.value.as_map().set(top.key, std::move(v));
    }
    return true;
  }

  size_t input_size_;
  std::vector<Frame> stack_;
  Value root_;
  std::string error_;
};

}  // namespace

void msgpack_pack_to(std::string& out, const Value& v) {
  StringSink sink{&out};
  msgpack::packer<StringSink> pk(sink);
  msgpack_pack_value(pk, v);
}

std::string msgpack_pack(const Value& v) {
  std::string out;
  msgpack_pack_to(out, v);
  return out;
}

Result<Value> msgpack_unpack_next(std::string_view bytes, size_t* offset) {
  if (*offset >= bytes.size()) {
    return make_error(Errc::kProtocol, "truncated msgpack data at byte " + std::to_string(*offset));
  }
  if (bytes.size() - *offset > kMsgpackMaxBytes) {
    return make_error(Errc::kProtocol, "msgpack data larger than " +
                                           std::to_string(kMsgpackMaxBytes >> 20) + " MiB");
  }
  ValueVisitor visitor(bytes.size() - *offset);
  size_t off = *offset;
  bool ok = false;
  try {
    ok = msgpack::parse(bytes.data(), bytes.size(), off, visitor);
  } catch (const std::exception& e) {
    // msgpack-c throws for sizes it cannot represent; treat like bad input.
    return make_error(Errc::kProtocol, std::string("invalid msgpack data: ") + e.what());
  }
  if (!ok || visitor.failed()) {
    return make_error(Errc::kProtocol, visitor.failed() ? visitor.error() : "invalid msgpack data");
  }
  *offset = off;
  return visitor.take_root();
}

Result<Value> msgpack_unpack(std::string_view bytes) {
  size_t off = 0;
  auto v = msgpack_unpack_next(bytes, &off);
  if (!v) return v;
  if (off != bytes.size()) {
    return make_error(Errc::kProtocol,
                      "trailing bytes after the msgpack object at byte " + std::to_string(off));
  }
  return v;
}

}  // namespace brine::codec
