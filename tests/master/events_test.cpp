#include "master/events.h"

#include <gtest/gtest.h>

namespace brine::master {
namespace {

TEST(EventBus, EncodeDecodeRoundTrip) {
  Value data = Value::map({{"id", "web1"}, {"return", true}});
  std::string frame = EventBus::encode("salt/job/1/ret/web1", data);
  EXPECT_EQ(frame.rfind("salt/job/1/ret/web1\n\n", 0), 0u);
  auto ev = EventBus::decode(frame);
  ASSERT_TRUE(ev);
  EXPECT_EQ(ev->tag, "salt/job/1/ret/web1");
  EXPECT_EQ(ev->data, data);
}

TEST(EventBus, DecodeRefusesFramesWithoutSeparatorOrWithGarbage) {
  EXPECT_FALSE(EventBus::decode("no separator"));
  EXPECT_FALSE(EventBus::decode(std::string("tag\n\n\xc1\xff", 7)));
}

TEST(EventBus, StampIsIsoWithMicroseconds) {
  std::string s = EventBus::stamp_now();
  ASSERT_EQ(s.size(), 26u) << s;
  EXPECT_EQ(s[4], '-');
  EXPECT_EQ(s[10], 'T');
  EXPECT_EQ(s[19], '.');
}

}  // namespace
}  // namespace brine::master
