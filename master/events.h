// brine::master::EventBus: the master's local event bus (Salt's master event bus).
//
// A PUB socket on ipc://<sock_dir>/master_event_pub.ipc. Each event is one frame
// `<tag>\n\n<msgpack data>` so a SUB socket can filter by tag prefix; every
// event's data gets `_stamp` (UTC ISO-8601 with microseconds) as in Salt.
// fire() is thread-safe and never blocks.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "common/transport/transport.h"
#include "common/values/value.h"

namespace brine::master {

class EventBus {
 public:
  // `ipc_mode`: 0600 normally; 0666 when publisher_acl users must follow their jobs.
  static Result<std::unique_ptr<EventBus>> bind(const std::string& sock_dir, int ipc_mode = 0600);
  void fire(std::string_view tag, Value data);

  // Encoding shared with listeners (brine, brine-run state.event).
  static std::string encode(std::string_view tag, const Value& data);
  struct Event {
    std::string tag;
    Value data;
  };
  static Result<Event> decode(std::string_view frame);
  static std::string stamp_now();

 private:
  explicit EventBus(std::unique_ptr<transport::Publisher> pub) : pub_(std::move(pub)) {}
  std::unique_ptr<transport::Publisher> pub_;
};

}  // namespace brine::master
