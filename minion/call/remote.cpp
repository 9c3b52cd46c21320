#include "minion/call/remote.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <sstream>

#include "common/log/log.h"
#include "minion/master_link.h"

namespace brine::call {

namespace {
constexpr int kExitNotAccepted = 2;    // salt-call: sys.exit(2)
constexpr int kExitMasterFinger = 42;  // as the minion daemon
constexpr int kExitRejected = 77;      // Salt's EX_NOPERM
}  // namespace

MasterCaller::MasterCaller(const Value& opts, std::chrono::milliseconds timeout, int tries,
                           spdlog::logger& log)
    : opts_(opts), timeout_(timeout), tries_(std::max(1, tries)), log_(log) {}

MasterCaller::~MasterCaller() = default;

int MasterCaller::authenticate(std::ostream& err) {
  using O = minion::AuthAttempt::Outcome;
  if (!link_) {
    link_ = std::make_unique<minion::MasterLink>(opts_, opts_.get_string("id"),
                                                 protocol::AuthMode::kCall);
    Status st = link_->load_keys();
    if (st) {
      transport::SocketOptions so;
      so.reconnect_ivl_ms = 100;
      so.reconnect_ivl_max_ms = 1000;
      st = link_->connect(so);
    }
    if (!st) {
      link_.reset();
      err << "brine-call: error: " << st.error().to_string() << "\n";
      return kExitNotAccepted;
    }
  }
  std::string last;
  for (int attempt = 1; attempt <= tries_; ++attempt) {
    minion::AuthAttempt a = link_->authenticate(timeout_);
    switch (a.outcome) {
      case O::kAccepted:
        log_.debug("authenticated with the master at {} (ephemeral channel)", link_->endpoint());
        return 0;
      case O::kPending:
        // salt-call does not wait for acceptance as the daemon does.
        log_.info("the master has cached the public key of '{}'; it is not accepted yet",
                  link_->id());
        err << kNotAcceptedMessage << "\n";
        return kExitNotAccepted;
      case O::kRejected:
      case O::kDenied:
        err << "The Brine master has " << (a.outcome == O::kDenied ? "denied" : "rejected")
            << " this minion's public key! To repair this issue, delete the public key for this "
               "minion on the master.\n";
        return kExitRejected;
      case O::kFingerMismatch:
        err << "brine-call: error: the master's public key does not match master_finger: "
            << a.detail << "\n";
        return kExitMasterFinger;
      case O::kFull:
        last = "the master is full (max_minions)";
        break;
      case O::kNoAnswer:
        last = "no answer within " + std::to_string(timeout_.count() / 1000) + " s";
        break;
      case O::kBadReply:
        last = a.detail;
        break;
    }
    log_.debug("authentication attempt {}/{} with {}: {}", attempt, tries_, link_->endpoint(),
               last);
  }
  log_.error("Could not authenticate with the master at {} after {} attempt(s): {}",
             link_->endpoint(), tries_, last);
  err << kNotAcceptedMessage << "\n";
  return kExitNotAccepted;
}

Result<std::string> MasterCaller::send_return(Value ret) {
  if (!link_) return make_error(Errc::kUnavailable, "not authenticated");
  ret["jid"] = "req";
  Value request = Value::map({{"cmd", "_return"}, {"load", std::move(ret)}});
  Result<Value> reply = make_error(Errc::kUnavailable, "not sent");
  for (int round = 0; round < 2; ++round) {
    reply = link_->call(request, timeout_);
    if (reply || reply.error().code != Errc::kUnavailable || round == 1) break;
    // The master forgot this channel (idle, rotation, restart): once more.
    log_.debug("the master dropped the channel ({}); authenticating again", reply.error().message);
    std::ostringstream quiet;
    if (authenticate(quiet) != 0) {
      return make_error(Errc::kUnavailable, "cannot authenticate again: " + quiet.str());
    }
  }
  if (!reply) return reply.error();
  if (!reply->is_map() || reply->find("error")) {
    return make_error(Errc::kUnavailable,
                      "the master refused the return: " + reply->get_string("error", "bad reply"));
  }
  std::string jid = reply->get_string("jid");
  if (jid.empty()) return make_error(Errc::kUnavailable, "the master did not record the return");
  return jid;
}

void MasterCaller::close() {
  if (!link_ || !link_->channel()) return;
  // Short: the master drops idle caller channels on its own anyway.
  (void)link_->call(Value::map({{"cmd", "close"}}),
                    std::min(timeout_, std::chrono::milliseconds(1000)));
  link_->reset_channel();
}

}  // namespace brine::call
