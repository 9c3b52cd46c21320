// brine::daemon::transport_backend: Salt's `transport` key, read the same way
// by the master (for its publish_port and ret_port) and by the minion and
// brine-call (for their connections to those ports).
#pragma once

#include "common/result.h"
#include "common/transport/transport.h"
#include "common/values/value.h"

namespace brine::daemon {

// The backend named by opts' `transport`: "zeromq" (the default when unset or
// null; also "zmq") or "tcp". Master and minions must agree: a minion on the
// other transport never gets an answer. kInvalidArgument
// "transport: expected 'zeromq' or 'tcp', got 'ws'".
Result<transport::Backend> transport_backend(const Value& opts);

}  // namespace brine::daemon
