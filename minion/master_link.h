// brine::minion::MasterLink: a minion host's request channel to its master,
// shared by the brine-minion daemon and brine-call (docs/protocol.md 5.1-5.3).
//
// It owns the identity key pair (<pki_dir>/minion.pem, created on first use),
// the pinned master key (<pki_dir>/minion_master.pub, pinned on the first
// accepted auth: trust on first use), the request socket and, once accepted,
// the channel. authenticate() is one handshake attempt; what to do about a
// pending key, a silent master or a rejection is the caller's policy (the
// daemon waits and retries, brine-call gives up with Salt's message).
//
// Mode kMinion asks for the id's live channel (the daemon); kCall asks for an
// ephemeral one (brine-call), which the master keeps apart so the daemon's
// channel is not displaced.
//
// Thread-safety: channel(), call() and exchange() may be used from several
// threads (the daemon's job threads send returns); authenticate() and
// load_keys()/connect() belong to one thread.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/crypto/keys.h"
#include "common/protocol/auth.h"
#include "common/protocol/channel.h"
#include "common/result.h"
#include "common/transport/transport.h"
#include "common/values/value.h"

namespace brine::minion {

// The result of one authentication attempt.
struct AuthAttempt {
  enum class Outcome {
    kAccepted,        // channel installed; session/pub_serial/publish_port set
    kPending,         // the master cached the key (not accepted yet)
    kRejected,        // the key is rejected
    kDenied,          // another key is accepted for this id
    kFull,            // max_minions reached
    kNoAnswer,        // nothing (acceptable) within the timeout
    kBadReply,        // a reply we refused, or the master key could not be pinned
    kFingerMismatch,  // master_finger does not match (Salt exits 42)
  };
  Outcome outcome = Outcome::kNoAnswer;
  std::string detail;  // why, for kNoAnswer, kBadReply and kFingerMismatch
  // kAccepted only: what the daemon needs to read publications.
  std::optional<protocol::SessionKey> session;
  uint64_t pub_serial = 0;
  uint16_t publish_port = 0;
};

// The master's host from minion opts: `master` (the first one of a list).
std::string master_host(const Value& opts);

class MasterLink {
 public:
  // `opts`: minion options (pki_dir, master, master_port, master_finger); must
  // outlive the link. `id`: the minion id to authenticate as.
  MasterLink(const Value& opts, std::string id, protocol::AuthMode mode);
  ~MasterLink();
  MasterLink(const MasterLink&) = delete;
  MasterLink& operator=(const MasterLink&) = delete;

  // Loads (or creates) the identity key pair and the pinned master key.
  // Errors: unreadable or mismatched key files (kIo, kAlreadyExists, kParse).
  Status load_keys();
  // Connects the request socket to master:master_port, on the backend the
  // opts' `transport` names (so.backend is overridden). Both backends connect
  // in the background, so a master that is down shows up as kNoAnswer later.
  // Errors: an invalid `transport` (see transport_backend), a bad endpoint.
  Status connect(const transport::SocketOptions& so);

  // One handshake, waiting up to `timeout` for the answer. On kAccepted the
  // master key is pinned when nothing was pinned, and the channel replaces any
  // previous one.
  AuthAttempt authenticate(std::chrono::milliseconds timeout);

  // One request on the channel, `payload` as a msgpack map; the reply decoded.
  // kUnavailable "not authenticated" without a channel; kUnavailable with the
  // master's error code (e.g. "unknown_channel": authenticate again) when the
  // master answered with an error frame; kTimeout when it did not answer.
  Result<Value> call(const Value& payload, std::chrono::milliseconds timeout);
  // Sends one sealed request on `ch`; `take(bytes, ctr)` accepts the reply bound
  // to it (stale or forged replies are skipped). Errors as for call().
  Status exchange(protocol::Channel& ch, std::string_view payload,
                  const std::function<bool(std::string_view, uint64_t)>& take,
                  std::chrono::milliseconds timeout);

  std::shared_ptr<protocol::Channel> channel() const;
  void reset_channel();
  // The pinned master key (nullopt before the first accepted auth, when not pre-seeded).
  const std::optional<crypto::PublicKey>& pinned_master() const { return pinned_; }
  const std::string& id() const { return id_; }
  std::string endpoint() const;

 private:
  const Value& opts_;
  std::string id_;
  protocol::AuthMode mode_;
  crypto::KeyPair identity_;
  std::optional<crypto::PublicKey> pinned_;
  std::unique_ptr<transport::Client> client_;
  mutable std::mutex mu_;  // guards channel_
  std::shared_ptr<protocol::Channel> channel_;
};

}  // namespace brine::minion
