#include "master/events.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

#include "common/codec/msgpack.h"
#include "master/local_client.h"

namespace brine::master {

Result<std::unique_ptr<EventBus>> EventBus::bind(const std::string& sock_dir, int ipc_mode) {
  auto path = (std::filesystem::path(sock_dir) / kEventSocketName).string();
  std::error_code ec;
  std::filesystem::remove(path, ec);
  transport::SocketOptions o;
  o.send_hwm = 100000;
  o.ipc_mode = ipc_mode;
  auto pub = transport::Publisher::bind({transport::ipc_endpoint(path)}, o);
  if (!pub) return pub.error();
  return std::unique_ptr<EventBus>(new EventBus(std::move(*pub)));
}

std::string EventBus::stamp_now() {
  auto now = std::chrono::system_clock::now();
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(us % 1000000));
  return buf;
}

std::string EventBus::encode(std::string_view tag, const Value& data) {
  std::string frame(tag);
  frame += "\n\n";
  frame += codec::msgpack_pack(data);
  return frame;
}

Result<EventBus::Event> EventBus::decode(std::string_view frame) {
  auto pos = frame.find("\n\n");
  if (pos == std::string_view::npos)
    return make_error(Errc::kProtocol, "event without tag separator");
  auto data = codec::msgpack_unpack(frame.substr(pos + 2));
  if (!data) return data.error();
  return Event{std::string(frame.substr(0, pos)), std::move(*data)};
}

void EventBus::fire(std::string_view tag, Value data) {
  if (!data.is_map()) data = Value::map({{"data", std::move(data)}});
  data["_stamp"] = stamp_now();
  pub_->publish(encode(tag, data));
}

}  // namespace brine::master
