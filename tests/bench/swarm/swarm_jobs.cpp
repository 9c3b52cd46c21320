// Swarm publications, jobs and returns (see swarm.h).
#include <unistd.h>

#include "common/codec/msgpack.h"
#include "common/log/log.h"
#include "tests/bench/swarm/swarm_impl.h"

namespace brine::swarm {

// ------------------------------------------------------------------ Delivery

std::shared_ptr<const Delivery::Prepared> Delivery::prepare(const std::string& payload) {
  auto decode = [](const std::string& bytes) {
    auto p = std::make_shared<Prepared>();
    auto load = codec::msgpack_unpack(bytes);
    if (!load || !load->is_map()) return std::shared_ptr<const Prepared>();
    p->load = std::move(*load);
    // Salt's minion-side check (targeting.md §1), as minion.cpp matches().
    auto type = matcher::parse_target_type(p->load.get_string("tgt_type", "glob"));
    const Value* tgt = p->load.find("tgt");
    if (type && tgt) {
      std::string delim = p->load.get_string("delimiter", ":");
      matcher::Target target{*tgt, *type, delim.empty() ? ':' : delim[0]};
      const Value* ng = p->load.find("nodegroups");
      auto m = matcher::Matcher::compile(target, ng ? *ng : Value());
      if (m) p->matcher = std::move(*m);
    }
    return std::shared_ptr<const Prepared>(std::move(p));
  };
  std::lock_guard lock(mu_);
  if (payload_.empty() && !prepared_) {
    payload_ = payload;
    prepared_ = decode(payload);
    return prepared_;
  }
  if (payload == payload_) return prepared_;
  return decode(payload);
}

// ------------------------------------------------------------------ per-minion job table

// The minion's job pool as saltutil sees it: the jobs whose return is still
// due (sleeping or slow minions).
class Swarm::Impl::Jobs : public modules::JobControl {
 public:
  Jobs(Impl& s, Minion& m) : s_(s), m_(m) {}

  Value running() override {
    std::lock_guard lock(m_.mu);
    List out;
    for (const auto& [jid, load] : m_.running) out.push_back(with_pid(load));
    return Value(std::move(out));
  }

  Value find_job(std::string_view jid) override {
    std::lock_guard lock(m_.mu);
    auto it = m_.running.find(std::string(jid));
    return it == m_.running.end() ? Value::map() : with_pid(it->second);
  }

  Result<std::string> signal_job(std::string_view jid, int sig) override {
    Value load;
    {
      std::lock_guard lock(m_.mu);
      auto it = m_.running.find(std::string(jid));
      if (it == m_.running.end()) return std::string();
      load = std::move(it->second);
      m_.running.erase(it);
    }
    // The job ends now with the error a killed job returns; its scheduled
    // return finds the jid gone and stays quiet.
    auto env = std::make_shared<const Value>(s_.executor.killed(
        load, m_.id, [this] { return s_.grains_of(m_); }, sig));
    s_.post_return(m_, std::move(env), std::string(jid), milliseconds(0), false);
    return "Signal " + std::to_string(sig) + " sent to job " + std::string(jid) + " at pid " +
           std::to_string(::getpid());
  }

  Status refresh_grains(bool) override {
    size_t i = m_.slot;
    Impl* s = &s_;
    s_.pool->post([s, i](RequestPort& port) { s->send_grains(i, port); });
    return ok();
  }

 private:
  static Value with_pid(const Value& load) {
    Value d = load;
    d["pid"] = static_cast<int64_t>(::getpid());
    return d;
  }
  Impl& s_;
  Minion& m_;
};

// ------------------------------------------------------------------ publications

std::optional<Swarm::Impl::Seen> Swarm::Impl::verify_frame(std::string_view bytes,
                                                           const crypto::PublicKey& master) {
  std::string key(bytes);
  {
    std::lock_guard lock(seen_mu);
    if (auto it = seen.find(key); it != seen.end()) return it->second;
  }
  auto header = protocol::peek_frame(bytes);
  if (!header) return std::nullopt;
  Seen s;
  if (header->type == protocol::MessageType::kRotate) {
    auto notice = protocol::open_rotate_notice(bytes, master);
    if (!notice) {
      log->debug("dropping rotation notice: {}", notice.error().to_string());
      return std::nullopt;
    }
    s.rotate_kid = notice->kid;
  } else if (header->type == protocol::MessageType::kPublication) {
    // One signature check for the whole swarm.
    auto verified = protocol::verify_publication_signature(bytes, master);
    if (!verified) {
      log->debug("dropping publication: {}", verified.error().to_string());
      return std::nullopt;
    }
    s.delivery = std::make_shared<Delivery>(std::move(*verified));
  } else {
    return std::nullopt;
  }
  std::lock_guard lock(seen_mu);
  auto [it, added] = seen.emplace(key, s);
  if (added) {
    seen_order.push_back(std::move(key));
    if (seen_order.size() > kMaxSeen) {
      seen.erase(seen_order.front());
      seen_order.pop_front();
    }
  }
  return it->second;
}

void Swarm::Impl::on_pub_frame(size_t connection, size_t connections, std::string_view bytes) {
  ++n.publications;
  auto master = pinned();
  if (!master) return;  // nobody authenticated yet: nobody could read it
  auto seen_frame = verify_frame(bytes, *master);
  if (!seen_frame) {
    ++n.bad_frames;
    return;
  }
  // This connection's share of the minions.
  const size_t lo = connection * minions.size() / connections;
  const size_t hi = (connection + 1) * minions.size() / connections;
  if (lo >= hi) return;
  if (seen_frame->rotate_kid) {
    if (connection == 0) ++n.rotations;
    for (size_t i = lo; i < hi; ++i) {
      Minion& m = *minions[i];
      std::lock_guard lock(m.mu);
      if (m.state == MinionState::kAccepted && m.verifier &&
          !m.verifier->has_kid(*seen_frame->rotate_kid)) {
        schedule_key_fetch_locked(m);
      }
    }
    return;
  }
  auto d = seen_frame->delivery;
  for (size_t k = lo / kDeliveryChunk; k * kDeliveryChunk < hi; ++k) {
    size_t a = std::max(lo, k * kDeliveryChunk), b = std::min(hi, (k + 1) * kDeliveryChunk);
    strand_post(k, d, a, b);
  }
}

// ------------------------------------------------------------------ strands

size_t StrandQueue::push(const std::shared_ptr<Delivery>& d, size_t lo, size_t hi) {
  size_t dropped = 0;
  for (size_t i = lo; i < hi;) {
    if (waiting_[i - base_] >= kMaxMinionBacklog) {
      ++dropped;
      ++i;
      continue;
    }
    // A run of minions with room: one item (or the back item, extended).
    size_t j = i;
    while (j < hi && waiting_[j - base_] < kMaxMinionBacklog) ++waiting_[j++ - base_];
    if (!items_.empty() && items_.back().delivery == d && items_.back().hi == i) {
      items_.back().hi = j;
    } else {
      items_.push_back(Item{nullptr, d, i, j});
    }
    i = j;
  }
  return dropped;
}

void StrandQueue::push(std::function<void()> task) {
  items_.push_back(Item{std::move(task), nullptr, 0, 0});
}

std::optional<StrandQueue::Item> StrandQueue::pop() {
  if (items_.empty()) return std::nullopt;
  Item item = std::move(items_.front());
  items_.pop_front();
  // Read off the minions' sockets: room for the next publications.
  if (item.delivery) {
    for (size_t i = item.lo; i < item.hi; ++i) --waiting_[i - base_];
  }
  return item;
}

void Swarm::Impl::strand_post(size_t k, std::function<void()> item) {
  Strand& st = *strands[k];
  {
    std::lock_guard lock(st.mu);
    st.queue.push(std::move(item));
    if (st.active) return;
    st.active = true;
  }
  strand_wake(k);
}

void Swarm::Impl::strand_post(size_t k, const std::shared_ptr<Delivery>& d, size_t lo, size_t hi) {
  Strand& st = *strands[k];
  {
    std::lock_guard lock(st.mu);
    size_t dropped = st.queue.push(d, lo, hi);
    if (dropped > 0) n.overflow += dropped;
    if (dropped == hi - lo || st.active) return;
    st.active = true;
  }
  strand_wake(k);
}

void Swarm::Impl::strand_wake(size_t k) {
  pool->post([this, k](RequestPort&) { strand_drain(k); });
}

void Swarm::Impl::strand_drain(size_t k) {
  Strand& st = *strands[k];
  // A bounded batch, then yield the worker so returns and heartbeats interleave.
  for (int n = 0; n < 8; ++n) {
    std::optional<StrandQueue::Item> item;
    {
      std::lock_guard lock(st.mu);
      item = st.queue.pop();
      if (!item) {
        st.active = false;
        return;
      }
    }
    if (item->task) {
      item->task();
    } else {
      for (size_t i = item->lo; i < item->hi && !stopping; ++i) {
        deliver(*minions[i], item->delivery, /*may_hold=*/true);
      }
    }
  }
  strand_wake(k);
}

void Swarm::Impl::install_key(Minion& m, uint64_t ep,
                              std::shared_ptr<protocol::SessionKeyUpdate> update) {
  std::deque<std::shared_ptr<Delivery>> held;
  {
    std::lock_guard lock(m.mu);
    if (m.epoch != ep || !m.verifier) return;
    // The key reply's floor is the master's latest serial, which would refuse
    // every publication held while the key was missing (they are older). They
    // were received live, after the rotation, so let them through: the floor
    // drops to just below the oldest held serial under this key.
    uint64_t floor = update->pub_serial;
    for (const auto& d : m.held) {
      if (d->pub.kid() == update->session.kid && d->pub.serial() > 0) {
        floor = std::min(floor, d->pub.serial() - 1);
      }
    }
    m.verifier->set_session_key(std::move(update->session), floor);
    held.swap(m.held);
  }
  for (auto& d : held) deliver(m, d, /*may_hold=*/false);
}

void Swarm::Impl::deliver(Minion& m, const std::shared_ptr<Delivery>& d, bool may_hold) {
  std::string payload;
  {
    std::lock_guard lock(m.mu);
    if (m.state != MinionState::kAccepted || !m.verifier) return;
    auto opened = m.verifier->open(d->pub);
    if (!opened) {
      if (opened.error().code == protocol::kPubUnknownKey && may_hold) {
        // Signed by our master under a key we do not have yet: fetch it.
        if (m.held.size() < kMaxHeld) m.held.push_back(d);
        schedule_key_fetch_locked(m);
      } else if (opened.error().code == protocol::kPubReplayed) {
        ++n.refused;
      }
      return;
    }
    payload = std::move(opened->payload);
  }
  auto prepared = d->prepare(payload);
  if (!prepared || !prepared->matcher) return;  // malformed load or target: no match
  static const Value kNoPillar = Value::map();
  // Only targets that read grains get the minion's own copy.
  std::optional<Value> own;
  if (prepared->matcher->needs_minion_data()) own = grains_of(m);
  const Value* grains = own ? &*own : &base_grains;
  if (!prepared->matcher->match(matcher::MinionFacts{m.id, grains, &kNoPillar})) return;
  const Value& load = prepared->load;
  std::string jid = load.get_string("jid");
  ++n.jobs;
  Jobs jobs(*this, m);
  JobOutcome out = executor.run(
      load, m.id, [this, &m] { return grains_of(m); }, &jobs);
  milliseconds delay = out.delay + (m.slow ? milliseconds(opts.slow_ms) : milliseconds(0));
  bool pending = delay.count() > 0;
  if (pending) {
    std::lock_guard lock(m.mu);
    // A duplicate publication of a running job is ignored (minion/jobs.cpp).
    if (!m.running.emplace(jid, load).second) return;
  }
  post_return(m, std::make_shared<const Value>(std::move(out.envelope)), std::move(jid), delay,
              pending);
}

// ------------------------------------------------------------------ returns

void Swarm::Impl::post_return(Minion& m, std::shared_ptr<const Value> envelope, std::string jid,
                              milliseconds delay, bool pending) {
  size_t i = m.slot;
  pool->post_after(
      delay, [this, i, envelope = std::move(envelope), jid = std::move(jid),
              pending](RequestPort& port) { send_return(i, envelope, jid, 0, pending, port); });
}

void Swarm::Impl::send_return(size_t i, const std::shared_ptr<const Value>& envelope,
                              const std::string& jid, int attempt, bool pending,
                              RequestPort& port) {
  Minion& m = *minions[i];
  {
    std::lock_guard lock(m.mu);
    if (m.state == MinionState::kGone) return;
    // A pending job killed meanwhile has already sent its own return.
    if (pending && m.running.erase(jid) == 0) return;
  }
  std::shared_ptr<protocol::Channel> used;
  auto r = call(m, port, Value::map({{"cmd", "_return"}, {"load", *envelope}}), &used);
  if (r && !r->error_frame) {
    ++n.returns_sent;
    return;
  }
  if (r && r->error_frame) reauth(m, used.get());
  if (stopping || attempt + 1 >= kReturnAttempts) {
    ++n.returns_failed;
    log->debug("'{}': could not return job '{}'", m.id, jid);
    return;
  }
  pool->post_after(milliseconds(200 * (attempt + 1)),
                   [this, i, envelope, jid, attempt](RequestPort& p) {
                     send_return(i, envelope, jid, attempt + 1, false, p);
                   });
}

void Swarm::Impl::send_grains(size_t i, RequestPort& port) {
  Minion& m = *minions[i];
  (void)call(m, port, Value::map({{"cmd", "_grains"}, {"grains", grains_of(m)}}));
}

}  // namespace brine::swarm
