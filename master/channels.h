// brine::master::ChannelTable: the authenticated channels of connected minions.
//
// One entry per channel id (sid), made by a successful auth; at most one live
// channel per minion id (a re-auth replaces the old one). The entry remembers
// the key text the minion authenticated with, so a key deleted, rejected or
// replaced on disk drops the channel at the next reconcile().
// Thread-safe (shared mutex: lookups from every worker, writes on auth).
#pragma once

#include <atomic>
#include <chrono>
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
  size_t size() const;

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<ChannelEntry>> by_sid_;
  std::unordered_map<std::string, std::string> sid_of_id_;
};

}  // namespace brine::master
