#include "master/channels.h"

#include <algorithm>
#include <mutex>

#include "common/codec/msgpack.h"

namespace brine::master {
namespace {
int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

void ChannelEntry::touch() { last_seen_ms.store(now_ms(), std::memory_order_relaxed); }

bool ChannelEntry::alive(std::chrono::milliseconds window) const {
  return now_ms() - last_seen_ms.load(std::memory_order_relaxed) <= window.count();
}

void ChannelEntry::set_grains(const Value& g) {
  std::shared_ptr<const std::string> packed;
  if (g.is_map()) {
    std::string bytes = codec::msgpack_pack(g);
    bytes.shrink_to_fit();  // the packer grows by doubling; this copy lives on
    packed = std::make_shared<const std::string>(std::move(bytes));
  }
  std::lock_guard lock(grains_mu_);
  grains_ = std::move(packed);
}

Value ChannelEntry::grains() const {
  auto packed = packed_grains();
  if (!packed) return Value();
  // Packed here from a map, so this decodes; a failure would be a bug.
  auto v = codec::msgpack_unpack(*packed);
  return v ? std::move(*v) : Value();
}

std::shared_ptr<const std::string> ChannelEntry::packed_grains() const {
  std::lock_guard lock(grains_mu_);
  return grains_;
}

bool ChannelTable::add(std::shared_ptr<ChannelEntry> entry) {
  std::unique_lock lock(mu_);
  bool replaced = false;
  if (auto it = sid_of_id_.find(entry->id); it != sid_of_id_.end()) {
    by_sid_.erase(it->second);
    replaced = true;
  }
  sid_of_id_[entry->id] = entry->channel->sid();
  by_sid_[entry->channel->sid()] = std::move(entry);
  return replaced;
}

std::shared_ptr<ChannelEntry> ChannelTable::find(const std::string& sid) const {
  std::shared_lock lock(mu_);
  auto it = by_sid_.find(sid);
  return it == by_sid_.end() ? nullptr : it->second;
}

std::shared_ptr<ChannelEntry> ChannelTable::find_id(const std::string& id) const {
  std::shared_lock lock(mu_);
  auto it = sid_of_id_.find(id);
  if (it == sid_of_id_.end()) return nullptr;
  auto e = by_sid_.find(it->second);
  return e == by_sid_.end() ? nullptr : e->second;
}

std::vector<std::string> ChannelTable::drop_if(
    const std::function<bool(const ChannelEntry&)>& drop) {
  std::unique_lock lock(mu_);
  std::vector<std::string> dropped;
  for (auto it = by_sid_.begin(); it != by_sid_.end();) {
    if (drop(*it->second)) {
      dropped.push_back(it->second->id);
      it = erase_locked(it);
    } else {
      ++it;
    }
  }
  return dropped;
}

ChannelTable::BySid::iterator ChannelTable::erase_locked(BySid::iterator it) {
  const ChannelEntry& e = *it->second;
  if (e.ephemeral) {
    if (auto q = ephemeral_sids_.find(e.id); q != ephemeral_sids_.end()) {
      auto& sids = q->second;
      if (auto pos = std::find(sids.begin(), sids.end(), it->first); pos != sids.end()) {
        sids.erase(pos);
        --ephemeral_total_;
      }
      if (sids.empty()) ephemeral_sids_.erase(q);
    }
  } else if (auto live = sid_of_id_.find(e.id);
             live != sid_of_id_.end() && live->second == it->first) {
    sid_of_id_.erase(live);
  }
  return by_sid_.erase(it);
}

size_t ChannelTable::add_ephemeral(std::shared_ptr<ChannelEntry> entry) {
  entry->ephemeral = true;  // not yet visible to other threads
  std::unique_lock lock(mu_);
  size_t dropped = 0;
  auto& sids = ephemeral_sids_[entry->id];
  while (sids.size() >= kMaxEphemeralPerId) {
    by_sid_.erase(sids.front());
    sids.pop_front();
    --ephemeral_total_;
    ++dropped;
  }
  sids.push_back(entry->channel->sid());
  ++ephemeral_total_;
  by_sid_[entry->channel->sid()] = std::move(entry);
  return dropped;
}

bool ChannelTable::drop(const std::string& sid) {
  std::unique_lock lock(mu_);
  auto it = by_sid_.find(sid);
  if (it == by_sid_.end()) return false;
  erase_locked(it);
  return true;
}

size_t ChannelTable::drop_idle_ephemeral(std::chrono::milliseconds idle) {
  {
    std::shared_lock lock(mu_);  // the common case: nothing to drop
    if (ephemeral_total_ == 0) return 0;
  }
  std::unique_lock lock(mu_);
  size_t dropped = 0;
  for (auto q = ephemeral_sids_.begin(); q != ephemeral_sids_.end();) {
    auto& sids = q->second;
    for (auto s = sids.begin(); s != sids.end();) {
      auto it = by_sid_.find(*s);
      if (it == by_sid_.end() || !it->second->alive(idle)) {
        if (it != by_sid_.end()) by_sid_.erase(it);
        s = sids.erase(s);
        --ephemeral_total_;
        ++dropped;
      } else {
        ++s;
      }
    }
    q = sids.empty() ? ephemeral_sids_.erase(q) : std::next(q);
  }
  return dropped;
}

size_t ChannelTable::drop_ephemeral() {
  std::unique_lock lock(mu_);
  size_t dropped = ephemeral_total_;
  for (const auto& [id, sids] : ephemeral_sids_) {
    for (const auto& sid : sids) by_sid_.erase(sid);
  }
  ephemeral_sids_.clear();
  ephemeral_total_ = 0;
  return dropped;
}

size_t ChannelTable::ephemeral_count() const {
  std::shared_lock lock(mu_);
  return ephemeral_total_;
}

size_t ChannelTable::ephemeral_count(const std::string& id) const {
  std::shared_lock lock(mu_);
  auto q = ephemeral_sids_.find(id);
  return q == ephemeral_sids_.end() ? 0 : q->second.size();
}

bool ephemeral_command_allowed(std::string_view cmd) {
  return cmd == "_return" || cmd == "close" || cmd == "ping";
}

std::vector<std::string> ChannelTable::ids() const {
  std::shared_lock lock(mu_);
  std::vector<std::string> out;
  out.reserve(sid_of_id_.size());
  for (const auto& [id, _] : sid_of_id_) out.push_back(id);
  return out;
}

size_t ChannelTable::size() const {
  std::shared_lock lock(mu_);
  return by_sid_.size();
}

}  // namespace brine::master
