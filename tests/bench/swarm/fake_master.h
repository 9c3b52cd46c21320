// Test helper: an in-process master that speaks the real protocol (the
// common/protocol builders and checkers master/master.cpp uses) without
// sockets, so the swarm's auth, heartbeats, key fetches, returns and hostile
// replies can be tested fast and deterministically. Thread-safe.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/codec/msgpack.h"
#include "common/crypto/crypto.h"
#include "common/protocol/protocol.h"
#include "tests/bench/swarm/task_pool.h"

namespace brine::swarm::testing {

class FakeMaster {
 public:
  FakeMaster() : identity_(crypto::generate_keypair(crypto::SecretStorage::kHeap)) {
    session_ = protocol::SessionKey::generate(7);
  }

  // ---- policy and faults
  std::atomic<protocol::AuthStatus> status{protocol::AuthStatus::kAccept};
  std::atomic<bool> silent{false};  // answer nothing (a dead master)
  // Garbage replies a port hands out before each real reply (hostile network).
  std::atomic<int> junk_before_reply{0};

  // ---- the request handler (master.cpp handle_request)
  std::string handle(std::string_view bytes) {
    auto h = protocol::peek_frame(bytes);
    if (!h) return protocol::make_error_reply(protocol::kErrorBadFrame, h.error().message);
    if (h->type == protocol::MessageType::kAuth) return on_auth(bytes);
    if (h->type == protocol::MessageType::kChannel) return on_channel(*h);
    return protocol::make_error_reply(protocol::kErrorBadFrame, "unexpected message type");
  }

  // Forgets every channel and makes a new session key: a master restart.
  void restart() {
    std::lock_guard lock(mu_);
    channels_.clear();
    session_ = protocol::SessionKey::generate(session_.kid + 100);
    serial_ = 0;
  }

  // New session key; returns the signed rotation notice to publish.
  std::string rotate() {
    std::lock_guard lock(mu_);
    session_ = protocol::SessionKey::generate(session_.kid + 1);
    serial_ = 0;
    return protocol::make_rotate_notice(identity_, session_.kid);
  }

  // A signed, encrypted publication of `load` under the current key.
  std::string publication(const Value& load) {
    std::lock_guard lock(mu_);
    return protocol::make_publication(identity_, session_, ++serial_, codec::msgpack_pack(load));
  }

  // ---- what the master saw
  size_t auth_requests() const { return auth_requests_.load(); }
  size_t channel_count() {
    std::lock_guard lock(mu_);
    return channels_.size();
  }
  std::map<std::string, Value> returns(const std::string& jid) {
    std::lock_guard lock(mu_);
    return returns_[jid];
  }
  std::map<std::string, Value> grains() {
    std::lock_guard lock(mu_);
    return grains_;
  }
  size_t stops() const { return stops_.load(); }
  size_t key_fetches() const { return key_fetches_.load(); }
  size_t duplicate_returns() const { return duplicates_.load(); }
  const crypto::PublicKey& public_key() const { return identity_.pub; }

 private:
  struct Chan {
    std::string id;
    std::unique_ptr<protocol::Channel> channel;
  };

  std::string on_auth(std::string_view bytes) {
    ++auth_requests_;
    auto req = protocol::open_auth_request(bytes, std::time(nullptr));
    if (!req) return protocol::make_error_reply(protocol::kErrorBadFrame, req.error().message);
    protocol::AuthStatus st = status.load();
    if (st != protocol::AuthStatus::kAccept) {
      return protocol::make_auth_reply(identity_, *req, st, 4505, nullptr, nullptr);
    }
    protocol::ChannelKeys ck;
    std::lock_guard lock(mu_);
    std::string reply =
        protocol::make_auth_reply(identity_, *req, st, 4505, &session_, &ck, serial_);
    auto c = std::make_shared<Chan>();
    c->id = req->id;
    std::string sid = ck.sid;
    c->channel = std::make_unique<protocol::Channel>(std::move(ck));
    channels_[sid] = std::move(c);
    return reply;
  }

  std::string on_channel(const protocol::FrameHeader& h) {
    std::shared_ptr<Chan> c;
    {
      std::lock_guard lock(mu_);
      auto it = channels_.find(std::string(h.sid));
      if (it != channels_.end()) c = it->second;
    }
    if (!c) return protocol::make_error_reply(protocol::kErrorUnknownChannel, "authenticate again");
    auto opened = c->channel->open(h);
    if (!opened) return protocol::make_error_reply(protocol::kErrorBadFrame, "frame refused");
    auto payload = codec::msgpack_unpack(opened->payload);
    if (!payload || !payload->is_map()) {
      return c->channel->seal_reply(opened->ctr, codec::msgpack_pack(Value::map({{"error", "x"}})));
    }
    std::string cmd = payload->get_string("cmd");
    std::lock_guard lock(mu_);
    if (cmd == "session_key") {
      ++key_fetches_;
      return protocol::make_session_key_reply(*c->channel, opened->ctr, session_, serial_);
    }
    Value reply = Value::map({{"ok", true}});
    if (cmd == "ping") {
      reply["kid"] = static_cast<int64_t>(session_.kid);
    } else if (cmd == "_return") {
      const Value* load = payload->find("load");
      if (load && load->is_map()) {
        auto& per_jid = returns_[load->get_string("jid")];
        if (!per_jid.emplace(c->id, *load).second) ++duplicates_;
      }
    } else if (cmd == "minion_start" || cmd == "_grains") {
      if (const Value* g = payload->find("grains")) grains_[c->id] = *g;
    } else if (cmd == "minion_stop") {
      ++stops_;
      std::string sid = c->channel->sid();
      std::string out = c->channel->seal_reply(opened->ctr, codec::msgpack_pack(reply));
      channels_.erase(sid);
      return out;
    } else {
      reply = Value::map({{"error", "unknown command '" + cmd + "'"}});
    }
    return c->channel->seal_reply(opened->ctr, codec::msgpack_pack(reply));
  }

  crypto::KeyPair identity_;
  std::mutex mu_;
  protocol::SessionKey session_;
  uint64_t serial_ = 0;
  std::map<std::string, std::shared_ptr<Chan>> channels_;
  std::map<std::string, std::map<std::string, Value>> returns_;
  std::map<std::string, Value> grains_;
  std::atomic<size_t> auth_requests_{0}, stops_{0}, key_fetches_{0}, duplicates_{0};
};

// A worker's port to the fake master: the reply comes back at once, after any
// configured junk; a silent master or an unaccepted reply is a timeout.
class FakePort : public RequestPort {
 public:
  explicit FakePort(FakeMaster& m) : m_(m) {}
  Result<std::string> request(std::string_view request, std::chrono::milliseconds,
                              const std::function<bool(std::string_view)>& accept) override {
    for (int i = 0; i < m_.junk_before_reply.load(); ++i) {
      std::string junk = junk_frame(i);
      if (accept(junk)) return junk;
    }
    if (m_.silent) return make_error(Errc::kTimeout, "no reply");
    std::string reply = m_.handle(request);
    if (accept(reply)) return reply;
    return make_error(Errc::kTimeout, "no acceptable reply");
  }

 private:
  std::string junk_frame(int i) {
    switch (i % 4) {
      case 0:
        return crypto::random_bytes(1 + crypto::random_uniform(300));
      case 1:  // a chan frame for a sid nobody has
        return std::string(
                   "\x86\xa1v\x01\xa1t\xa4"
                   "chan\xa3sid\xc4\x10",
                   17) +
               crypto::random_bytes(16) +
               std::string(
                   "\xa3"
                   "ctr\x01\xa2re\x01\xa2"
                   "ct\xc4\x10",
                   13) +
               crypto::random_bytes(16);
      case 2:  // a well-formed error frame is accepted by design: use another type
        return protocol::make_rotate_notice(crypto::generate_keypair(crypto::SecretStorage::kHeap),
                                            1);
      default:
        return std::string(
            "\x82\xa1v\x01\xa1t\xaa"
            "auth_reply",
            16);
    }
  }
  FakeMaster& m_;
};

inline PortFactory fake_ports(FakeMaster& m) {
  return [&m]() -> Result<std::unique_ptr<RequestPort>> {
    return std::unique_ptr<RequestPort>(new FakePort(m));
  };
}

}  // namespace brine::swarm::testing
