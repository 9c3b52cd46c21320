#include "master/channels.h"

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
      sid_of_id_.erase(it->second->id);
      it = by_sid_.erase(it);
    } else {
      ++it;
    }
  }
  return dropped;
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
