#include "master/client.h"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include "master/events.h"

namespace brine::master {
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

Result<std::unique_ptr<JobClient>> JobClient::connect(const Value& opts) {
  std::unique_ptr<JobClient> c(new JobClient());
  c->opts_ = opts;
  auto local = LocalClient::connect(opts);
  if (!local) return local.error();
  c->local_ = std::move(*local);
  auto path = (std::filesystem::path(opts.get_string("sock_dir")) / kEventSocketName).string();
  transport::SocketOptions so;
  so.recv_hwm = 100000;
  auto sub = transport::Subscriber::connect(transport::ipc_endpoint(path), so, "salt/job/");
  if (!sub) return sub.error();
  c->events_ = std::move(*sub);
  c->await_subscription();
  return c;
}

// A SUB socket joins asynchronously: a return fired before it has joined would
// only be found by the catch-up query. Ask the master to fire a probe event
// until one arrives, so returns are seen the moment they are stored.
void JobClient::await_subscription() {
  std::string tag = "salt/job/_probe/" + std::to_string(::getpid()) + "-" +
                    std::to_string(Clock::now().time_since_epoch().count());
  auto deadline = Clock::now() + seconds(2);
  while (Clock::now() < deadline) {
    if (!local_->call("probe", Value::map({{"tag", tag}}), seconds(2))) return;
    auto until = Clock::now() + milliseconds(3);
    while (Clock::now() < until) {
      auto msg = events_->receive(milliseconds(1));
      if (msg && msg->starts_with(tag)) return;
    }
  }
}

Result<Published> JobClient::publish(Value load) {
  auto r = local_->call("publish", Value::map({{"load", std::move(load)}}), seconds(10));
  if (!r) return r.error();
  Published p;
  p.jid = r->get_string("jid");
  for (const char* key : {"minions", "missing"}) {
    const Value* l = r->find(key);
    if (!l || !l->is_list()) continue;
    for (const auto& id : l->as_list()) {
      if (id.is_string())
        (std::string(key) == "minions" ? p.minions : p.missing).push_back(id.as_string());
    }
  }
  return p;
}

Value JobClient::stored_returns(const std::string& jid) {
  auto r = local_->call("returns", Value::map({{"jid", jid}}), seconds(5));
  if (!r) return Value::map();
  const Value* ret = r->find("returns");
  return ret && ret->is_map() ? *ret : Value::map();
}

std::set<std::string> JobClient::connected() {
  std::set<std::string> out;
  auto r = local_->call("connected", Value::map(), seconds(5));
  if (!r) return out;
  if (const Value* l = r->find("minions"); l && l->is_list()) {
    for (const auto& id : l->as_list()) {
      if (id.is_string()) out.insert(id.as_string());
    }
  }
  return out;
}

void JobClient::drain(const std::string& jid,
                      const std::function<void(const std::string&, const Value&)>& f,
                      milliseconds wait) {
  std::string prefix = "salt/job/" + jid + "/ret/";
  auto until = Clock::now() + wait;
  while (true) {
    auto left = std::chrono::duration_cast<milliseconds>(until - Clock::now());
    auto msg = events_->receive(std::max(left, milliseconds(0)));
    if (!msg) return;
    if (!msg->starts_with(prefix)) continue;
    auto ev = EventBus::decode(*msg);
    if (!ev) continue;
    f(ev->tag.substr(prefix.size()), ev->data);
    until = Clock::now();  // got one: drain what is queued without waiting further
  }
}

std::set<std::string> JobClient::still_running(const std::string& jid,
                                               const std::set<std::string>& ids,
                                               int gather_timeout_s) {
  std::set<std::string> running;
  List tgt;
  for (const auto& id : ids) tgt.emplace_back(id);
  Value load = Value::map({{"tgt", Value(std::move(tgt))},
                           {"tgt_type", "list"},
                           {"fun", "saltutil.find_job"},
                           {"arg", Value::list({jid})}});
  auto probe = publish(std::move(load));
  if (!probe) return running;
  std::set<std::string> waiting(probe->minions.begin(), probe->minions.end());
  auto take = [&](const std::string& id, const Value& env) {
    waiting.erase(id);
    const Value* ret = env.find("return");
    if (ret && ret->is_map() && !ret->as_map().empty()) running.insert(id);
  };
  auto deadline = Clock::now() + seconds(gather_timeout_s);
  while (!waiting.empty() && Clock::now() < deadline) {
    drain(probe->jid, take, milliseconds(200));
    if (waiting.empty()) break;
    Value stored = stored_returns(probe->jid);
    for (const auto& [id, env] : stored.as_map()) {
      if (waiting.count(id)) take(id, env);
    }
  }
  return running;
}

std::vector<NoReturn> JobClient::wait(
    const Published& job, const WaitOptions& o,
    const std::function<void(const std::string&, const Value&)>& on_return,
    const std::function<void(size_t, size_t)>& progress) {
  std::set<std::string> outstanding(job.minions.begin(), job.minions.end());
  std::set<std::string> seen;
  size_t expected = outstanding.size();
  auto take = [&](const std::string& id, const Value& env) {
    if (!seen.insert(id).second) return;
    outstanding.erase(id);
    on_return(id, env);
    if (progress) progress(expected - outstanding.size(), expected);
  };
  std::map<std::string, Clock::time_point> deadline;
  auto start = Clock::now();
  for (const auto& id : outstanding) deadline[id] = start + seconds(o.timeout_s);
  // Catch up early and then less often: a return stored before the event
  // subscription saw it is found within tens of milliseconds.
  int catch_ups = 0;
  constexpr int kCatchUpMs[] = {20, 50, 100, 200, 500};
  auto next_catch_up = start + milliseconds(kCatchUpMs[0]);
  while (!outstanding.empty()) {
    drain(job.jid, take, milliseconds(50));
    auto now = Clock::now();
    if (outstanding.empty()) break;
    if (now >= next_catch_up) {
      Value stored = stored_returns(job.jid);
      for (const auto& [id, env] : stored.as_map()) take(id, env);
      catch_ups = std::min(catch_ups + 1, 4);
      next_catch_up = now + milliseconds(kCatchUpMs[catch_ups]);
      if (outstanding.empty()) break;
    }
    bool any_due = false;
    for (const auto& id : outstanding) any_due |= now >= deadline[id];
    if (!any_due) continue;
    // Salt's find_job round: who of the overdue minions is still working?
    std::set<std::string> overdue;
    for (const auto& id : outstanding) {
      if (now >= deadline[id]) overdue.insert(id);
    }
    auto running = still_running(job.jid, overdue, o.gather_job_timeout_s);
    // Returns may have come in while probing.
    Value stored = stored_returns(job.jid);
    for (const auto& [id, env] : stored.as_map()) take(id, env);
    bool gave_up = true;
    for (const auto& id : overdue) {
      if (!outstanding.count(id)) continue;
      if (running.count(id)) {
        deadline[id] = Clock::now() + seconds(o.timeout_s);
        gave_up = false;
      }
    }
    if (gave_up) {
      bool all_overdue = true;
      for (const auto& id : outstanding)
        all_overdue &= !running.count(id) && Clock::now() >= deadline[id];
      if (all_overdue) break;
    }
  }
  std::vector<NoReturn> missing;
  if (outstanding.empty()) return missing;
  auto conn = connected();
  for (const auto& id : outstanding) missing.push_back({id, conn.count(id) > 0});
  return missing;
}

}  // namespace brine::master
