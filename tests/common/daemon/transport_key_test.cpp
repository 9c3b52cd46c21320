#include "common/daemon/transport_key.h"

#include <gtest/gtest.h>

namespace brine::daemon {
namespace {

TEST(TransportKey, PicksTheBackend) {
  using transport::Backend;
  EXPECT_EQ(transport_backend(Value::map()).value(), Backend::kZeroMQ);
  EXPECT_EQ(transport_backend(Value::map({{"transport", Value()}})).value(), Backend::kZeroMQ);
  EXPECT_EQ(transport_backend(Value::map({{"transport", "zeromq"}})).value(), Backend::kZeroMQ);
  EXPECT_EQ(transport_backend(Value::map({{"transport", "zmq"}})).value(), Backend::kZeroMQ);
  EXPECT_EQ(transport_backend(Value::map({{"transport", "tcp"}})).value(), Backend::kTcp);
  auto bad = transport_backend(Value::map({{"transport", "ws"}}));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().to_string(), "transport: expected 'zeromq' or 'tcp', got 'ws'");
  EXPECT_EQ(transport_backend(Value::map({{"transport", 3}})).error().message,
            "transport: expected 'zeromq' or 'tcp', got 3");
}

}  // namespace
}  // namespace brine::daemon
