#include "common/daemon/transport_key.h"

#include "common/codec/python_repr.h"

namespace brine::daemon {

Result<transport::Backend> transport_backend(const Value& opts) {
  const Value* v = opts.find("transport");
  if (v == nullptr || v->is_null()) return transport::Backend::kZeroMQ;
  if (v->is_string()) {
    if (auto b = transport::parse_backend(v->as_string())) return *b;
  }
  return make_error(Errc::kInvalidArgument,
                    "transport: expected 'zeromq' or 'tcp', got " + codec::python_repr(*v));
}

}  // namespace brine::daemon
