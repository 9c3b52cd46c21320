#include "master/local_client.h"

#include <pwd.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/codec/msgpack.h"
#include "common/transport/transport.h"

namespace brine::master {

std::string current_user() {
  struct passwd* pw = ::getpwuid(::geteuid());
  return pw ? pw->pw_name : std::to_string(::geteuid());
}

std::string local_key_path(const Value& opts, const std::string& user) {
  std::filesystem::path dir = opts.get_string("cachedir");
  // A user with a publisher_acl key file uses it; root and the daemon's own
  // user use .root_key, as in Salt (`user` defaults to whoever runs the tool,
  // so the daemon's user cannot be told from the config here).
  if (user != "root") {
    auto own = dir / ("." + user + "_key");
    std::error_code ec;
    if (std::filesystem::exists(own, ec)) return own.string();
  }
  return (dir / kRootKeyName).string();
}

struct LocalClient::Impl {
  std::unique_ptr<transport::Client> client;
  std::string key;
  std::string user;
};

LocalClient::LocalClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LocalClient::~LocalClient() = default;

Result<std::unique_ptr<LocalClient>> LocalClient::connect(const Value& opts) {
  auto impl = std::make_unique<Impl>();
  impl->user = current_user();
  std::string key_path = local_key_path(opts, impl->user);
  std::ifstream in(key_path);
  if (!in) {
    return make_error(Errc::kPermissionDenied,
                      "user '" + impl->user +
                          "' is not allowed to publish: cannot read the key file " + key_path +
                          " (only the master's user and users in publisher_acl may)");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  impl->key = ss.str();
  std::filesystem::path sock =
      std::filesystem::path(opts.get_string("sock_dir")) / kLocalSocketName;
  transport::SocketOptions so;
  so.reconnect_ivl_ms = 100;
  auto c = transport::Client::connect(transport::ipc_endpoint(sock.string()), so);
  if (!c) return c.error();
  impl->client = std::move(*c);
  return std::unique_ptr<LocalClient>(new LocalClient(std::move(impl)));
}

Result<Value> LocalClient::call(std::string_view cmd, Value request,
                                std::chrono::milliseconds timeout) {
  if (!request.is_map()) request = Value::map();
  request["cmd"] = std::string(cmd);
  request["key"] = impl_->key;
  request["user"] = impl_->user;
  auto reply = impl_->client->request(codec::msgpack_pack(request), timeout);
  if (!reply) {
    if (reply.error().code == Errc::kTimeout) {
      return make_error(Errc::kUnavailable,
                        "the master is not responding (is brine-master running?)");
    }
    return reply.error();
  }
  auto v = codec::msgpack_unpack(*reply);
  if (!v) return make_error(Errc::kProtocol, "bad reply from the master: " + v.error().message);
  if (const Value* err = v->find("error"); err && err->is_string()) {
    return make_error(Errc::kPermissionDenied, err->as_string());
  }
  return std::move(*v);
}

}  // namespace brine::master
