// Shared fixtures for the protocol tests: keys, a completed handshake, and
// byte-mutation helpers.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <random>
#include <string>

#include "common/crypto/keys.h"
#include "common/protocol/auth.h"
#include "common/protocol/channel.h"
#include "common/protocol/publication.h"

namespace brine::protocol::testing {

inline constexpr int64_t kNow = 1700000000;

inline crypto::KeyPair new_keys() { return crypto::generate_keypair(crypto::SecretStorage::kHeap); }

// Both ends of an accepted handshake.
struct Established {
  std::unique_ptr<Channel> minion;
  std::unique_ptr<Channel> master;
  SessionKey session;  // as received by the minion
  uint64_t pub_serial = 0;
};

inline Established handshake(const crypto::KeyPair& minion_kp, const crypto::KeyPair& master_kp,
                             const SessionKey& session, std::string_view id = "web1",
                             uint64_t pub_serial = 0) {
  AuthState st;
  std::string req_bytes = make_auth_request(minion_kp, id, st, kNow);
  auto req = open_auth_request(req_bytes, kNow);
  EXPECT_TRUE(req.has_value()) << req.error().to_string();
  ChannelKeys master_side;
  std::string reply = make_auth_reply(master_kp, *req, AuthStatus::kAccept, 4505, &session,
                                      &master_side, pub_serial);
  auto res = open_auth_reply(reply, st, master_kp.pub, "");
  EXPECT_TRUE(res.has_value()) << res.error().to_string();
  Established e;
  e.minion = std::make_unique<Channel>(std::move(*res->channel));
  e.master = std::make_unique<Channel>(std::move(master_side));
  e.session = std::move(*res->session);
  e.pub_serial = res->pub_serial;
  return e;
}

// Calls `check` with a copy of `msg` where byte i is XORed with `mask`, for
// every position i.
inline void for_each_flip(const std::string& msg, uint8_t mask,
                          const std::function<void(size_t, const std::string&)>& check) {
  for (size_t i = 0; i < msg.size(); ++i) {
    std::string bad = msg;
    bad[i] = static_cast<char>(bad[i] ^ mask);
    check(i, bad);
  }
}

// Random mutations of a valid message: flips, insertions, deletions,
// truncations and splices of random bytes.
inline std::string mutate(const std::string& msg, std::mt19937_64& rng) {
  std::string m = msg;
  std::uniform_int_distribution<int> op(0, 5);
  auto pos = [&](size_t n) { return n == 0 ? 0 : static_cast<size_t>(rng() % n); };
  int rounds = 1 + static_cast<int>(rng() % 4);
  for (int r = 0; r < rounds; ++r) {
    switch (op(rng)) {
      case 0:
        if (!m.empty()) m[pos(m.size())] ^= static_cast<char>(1 + rng() % 255);
        break;
      case 1:
        m.insert(pos(m.size() + 1), 1, static_cast<char>(rng()));
        break;
      case 2:
        if (!m.empty()) m.erase(pos(m.size()), 1 + pos(8));
        break;
      case 3:
        m.resize(pos(m.size() + 1));
        break;
      case 4:
        if (!m.empty()) m[pos(m.size())] = static_cast<char>(0xff);
        break;
      default: {
        // Set a byte to a msgpack type marker that claims a large length.
        static const char kMarkers[] = {'\xc4', '\xc5', '\xc6', '\xd9', '\xda', '\xdb',
                                        '\xdc', '\xdd', '\xde', '\xdf', '\xc7', '\xc9'};
        if (!m.empty()) m[pos(m.size())] = kMarkers[rng() % sizeof kMarkers];
        break;
      }
    }
  }
  return m;
}

}  // namespace brine::protocol::testing
