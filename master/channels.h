// brine::master::ChannelTable: the authenticated channels of connected minions.
//
// One entry per channel id (sid), made by a successful auth; at most one live
// channel per minion id (a re-auth replaces the old one). The entry remembers
// the key text the minion authenticated with, so a key deleted, rejected or
// replaced on disk drops the channel at the next reconcile().
//
// Ephemeral channels belong to one-off callers on a minion host (brine-call,
// auth mode "call"): find() reaches them by sid, so their frames are opened and
// attributed to the id as usual, but they are never the id's live channel
// (find_id() and ids() skip them: no presence, no grains, no displacement of the
// daemon's channel). They end with close, after kEphemeralIdle without a frame
// (drop_idle_ephemeral), with a key change (drop_if) or a session-key rotation
// (drop_ephemeral); each id keeps at most kMaxEphemeralPerId, the oldest going
// first, so many callers never grow the table without bound.
// Thread-safe (shared mutex: lookups from every worker, writes on auth).
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/protocol/channel.h"
#include "common/values/value.h"

namespace brine::master {

struct ChannelEntry {
  std::string id;
  std::string key_text;
  std::unique_ptr<protocol::Channel> channel;
  uint32_t kid_at_auth = 0;  // the session key this channel was given at auth
  bool ephemeral = false;    // a one-off caller's channel (set by add_ephemeral)
  // Milliseconds on the steady clock of the last authenticated frame.
  std::atomic<int64_t> last_seen_ms{0};

  void touch();
  // True when a frame arrived within `window`.
  bool alive(std::chrono::milliseconds window) const;
  // Grains as last reported by the minion (Salt's minion data cache, for
  // grain/pillar/compound targets). Kept packed as msgpack, ~3.5 KB for a
  // typical host against ~19 KB as a Value tree: most publishes never read
  // them, and 10,000 minions' trees were most of the master's memory.
  // set_grains() packs once; a non-map clears them.
  void set_grains(const Value& g);
  // The grains decoded (a fresh tree per call, ~15 us for 3.5 KB); null until
  // the minion reported them.
  Value grains() const;
  // The packed grains, shared and immutable; null until reported.
  std::shared_ptr<const std::string> packed_grains() const;

 private:
  mutable std::mutex grains_mu_;
  std::shared_ptr<const std::string> grains_;  // msgpack map, or null
};

class ChannelTable {
 public:
  // Installs a channel, replacing (and returning true for) an older one of `id`.
  bool add(std::shared_ptr<ChannelEntry> entry);
  std::shared_ptr<ChannelEntry> find(const std::string& sid) const;
  std::shared_ptr<ChannelEntry> find_id(const std::string& id) const;
  // Drops every channel whose entry `keep` rejects; returns the dropped ids.
  std::vector<std::string> drop_if(const std::function<bool(const ChannelEntry&)>& drop);
  std::vector<std::string> ids() const;
  size_t size() const;  // every channel, live and ephemeral

  // Installs a one-off caller's channel (marks it ephemeral). Never replaces
  // the id's live channel; past kMaxEphemeralPerId for the id, the oldest
  // ephemeral one is dropped. Returns how many were dropped (0 or 1).
  size_t add_ephemeral(std::shared_ptr<ChannelEntry> entry);
  // Drops the channel `sid`, live or ephemeral; false when there is none.
  bool drop(const std::string& sid);
  // Drops ephemeral channels that carried no frame within `idle`; returns how many.
  size_t drop_idle_ephemeral(std::chrono::milliseconds idle);
  // Drops every ephemeral channel (the session key rotated); returns how many.
  size_t drop_ephemeral();
  size_t ephemeral_count() const;
  size_t ephemeral_count(const std::string& id) const;

 private:
  using BySid = std::unordered_map<std::string, std::shared_ptr<ChannelEntry>>;
  // Removes `it` from every index; mu_ held exclusively.
  BySid::iterator erase_locked(BySid::iterator it);

  mutable std::shared_mutex mu_;
  BySid by_sid_;
  std::unordered_map<std::string, std::string> sid_of_id_;                   // live channels
  std::unordered_map<std::string, std::deque<std::string>> ephemeral_sids_;  // oldest first
  size_t ephemeral_total_ = 0;
};

// How long an ephemeral channel may stay silent before the master drops it.
inline constexpr std::chrono::seconds kEphemeralIdle{60};
inline constexpr size_t kMaxEphemeralPerId = 16;

// The channel commands an ephemeral channel may send (_return, close, ping);
// minion_start, _grains, session_key and the rest are for the daemon's channel.
bool ephemeral_command_allowed(std::string_view cmd);

}  // namespace brine::master
