#include "master/jobs.h"

#include "common/log/log.h"
#include "common/matcher/matcher.h"
#include "master/jobcache/jobcache.h"

namespace brine::master {

JobManager::JobManager(const Value& opts, EventBus& events, ChannelTable& channels,
                       const KeyStore& keys, const PublisherAcl& acl, Publish publish)
    : opts_(opts),
      events_(events),
      channels_(channels),
      keys_(keys),
      acl_(acl),
      publish_(std::move(publish)) {}

JobManager::~JobManager() = default;

Status JobManager::open() {
  auto c = jobcache::make_job_cache(opts_);
  if (!c) return c.error();
  cache_ = std::move(*c);
  return ok();
}

Value JobManager::publish(const Value& request, const std::string& user) {
  auto log = log::get("master.jobs");
  auto fail = [](std::string msg) { return Value::map({{"error", std::move(msg)}}); };
  const Value* fun = request.find("fun");
  if (!fun || !(fun->is_string() || fun->is_list())) return fail("publish needs 'fun'");
  const Value* tgt = request.find("tgt");
  if (!tgt) return fail("publish needs 'tgt'");
  std::string tgt_type = request.get_string("tgt_type", "glob");
  std::string delimiter = request.get_string("delimiter", ":");

  Value load = request;
  const Value& nodegroups = opts_.find("nodegroups") ? *opts_.find("nodegroups") : Value();
  if (tgt_type == "nodegroup") {
    // Salt expands -N on the master and publishes a compound target.
    auto expanded = matcher::expand_nodegroup(tgt->is_string() ? tgt->as_string() : "", nodegroups);
    if (!expanded) return fail(expanded.error().to_string());
    load["tgt"] = *expanded;
    load["tgt_type"] = "compound";
    tgt_type = "compound";
  }
  if (tgt_type == "compound" && nodegroups.is_map()) load["nodegroups"] = nodegroups;

  auto type = matcher::parse_target_type(tgt_type);
  if (!type) return fail(type.error().to_string());
  matcher::Target target{load["tgt"], *type, delimiter.empty() ? ':' : delimiter[0]};
  auto compiled = matcher::Matcher::compile(target, nodegroups);
  if (!compiled) return fail(compiled.error().to_string());

  auto accepted = keys_.list(KeyState::kAccepted);
  // Grains as the connected minions reported them (Salt's minion data cache).
  // Channels keep them packed; they are decoded one minion at a time, only for
  // targets that read them: expected_minions() matches an id before it asks
  // for the next one, so one decoded map is alive at a time (10,000 decoded
  // maps would be ~190 MB).
  const bool needs_grains = compiled->needs_minion_data();
  Value current_grains;
  auto facts = [&](std::string_view id) -> std::optional<matcher::MinionFacts> {
    if (!needs_grains) return std::nullopt;
    auto e = channels_.find_id(std::string(id));
    if (!e) return std::nullopt;
    current_grains = e->grains();
    if (current_grains.is_null()) return std::nullopt;
    return matcher::MinionFacts{id, &current_grains, nullptr};
  };
  auto expected = matcher::expected_minions(*compiled, accepted, facts,
                                            opts_.get_bool("minion_data_cache", true));
  if (auto allowed = acl_.authorize(user, *fun, expected.minions); !allowed) {
    log->warn("user '{}' may not publish {}: {}", user,
              fun->is_string() ? fun->as_string() : "these functions", allowed.error().message);
    return fail(allowed.error().message);
  }
  if (expected.minions.empty()) {
    return Value::map({{"jid", Value()}, {"minions", Value::list()}});
  }

  if (request.get_bool("preview")) {  // --preview-target: who would get it; publish nothing
    List ids;
    for (const auto& id : expected.minions) ids.emplace_back(id);
    return Value::map({{"jid", Value()}, {"minions", Value(std::move(ids))}});
  }
  std::string jid = jobcache::make_jid();
  load["jid"] = jid;
  load["user"] = user;
  if (!load.find("ret")) load["ret"] = "";
  if (!load.find("arg")) load["arg"] = Value::list();
  List minions, missing;
  for (const auto& id : expected.minions) minions.emplace_back(id);
  for (const auto& id : expected.missing) missing.emplace_back(id);
  if (auto s = cache_->save_load(jid, load, expected.minions); !s) {
    log->error("job cache: cannot record job '{}': {}", jid, s.error().to_string());
  }
  events_.fire(jid, Value::map({{"minions", Value(minions)}}));
  events_.fire("salt/job/" + jid + "/new", Value::map({{"jid", jid},
                                                       {"tgt", load["tgt"]},
                                                       {"tgt_type", load["tgt_type"]},
                                                       {"user", user},
                                                       {"fun", *fun},
                                                       {"arg", load["arg"]},
                                                       {"minions", Value(minions)},
                                                       {"missing", Value(missing)}}));
  publish_(load);
  log->info("published job '{}' ({}) to {} minion(s)", jid,
            fun->is_string() ? fun->as_string() : "multi", minions.size());
  return Value::map({{"jid", jid},
                     {"minions", Value(std::move(minions))},
                     {"missing", Value(std::move(missing))}});
}

std::string JobManager::record_req_job(const std::string& id, Value& envelope) {
  // Salt's salt.utils.job.store_job for jid "req": the return becomes its own
  // job, targeted at the sender by glob, its arguments the call's fun_args.
  const Value* fun = envelope.find("fun");
  if (!fun || !(fun->is_string() || fun->is_list())) {
    log::get("master.jobs")->warn("dropping a 'req' return from '{}' without 'fun'", id);
    return {};
  }
  const Value* fun_args = envelope.find("fun_args");
  Value arg = fun_args && fun_args->is_list() ? *fun_args : Value::list();
  std::string jid = jobcache::make_jid();
  Value load = Value::map(
      {{"fun", *fun}, {"arg", arg}, {"tgt", id}, {"tgt_type", "glob"}, {"jid", jid}, {"ret", ""}});
  if (const Value* user = envelope.find("user"); user && user->is_string()) load["user"] = *user;
  if (const Value* md = envelope.find("metadata")) load["metadata"] = *md;
  if (auto s = cache_->save_load(jid, load, {id}); !s) {
    log::get("master.jobs")
        ->error("job cache: cannot record job '{}' of '{}': {}", jid, id, s.error().to_string());
  }
  envelope["jid"] = jid;
  envelope["arg"] = arg;
  envelope["tgt"] = id;
  envelope["tgt_type"] = "glob";
  return jid;
}

std::string JobManager::on_return(const std::string& id, Value envelope) {
  auto log = log::get("master.jobs");
  std::string jid = envelope.get_string("jid");
  envelope["id"] = id;  // the authenticated id, whatever the payload said
  if (jid == "req") {
    jid = record_req_job(id, envelope);
    if (jid.empty()) return {};
    log->info("recorded brine-call return of '{}' as job '{}'", id, jid);
  } else if (!jobcache::valid_jid(jid)) {
    log->warn("dropping return from '{}' with an invalid jid", id);
    return {};
  }
  auto s = cache_->save_return(jid, id, envelope);
  if (!s) {
    if (s.error().code == Errc::kAlreadyExists) {
      log->warn(
          "An extra return was detected from minion {}, please verify the minion, this could be "
          "a replay attack",
          id);
    } else {
      log->error("job cache: cannot store return of '{}' for '{}': {}", id, jid,
                 s.error().to_string());
    }
    if (s.error().code == Errc::kAlreadyExists) return {};
  }
  events_.fire("salt/job/" + jid + "/ret/" + id, std::move(envelope));
  return jid;
}

Value JobManager::returns(const std::string& jid) {
  if (!jobcache::valid_jid(jid)) return Value::map({{"error", "invalid jid"}});
  auto r = cache_->get_returns(jid);
  if (!r) return Value::map({{"returns", Value::map()}});
  return Value::map({{"returns", std::move(*r)}});
}

Value JobManager::runner(const std::string& fun, const List& args, const Map& kwargs) {
  auto arg = [&](size_t i, std::string_view name) -> std::string {
    if (const Value* v = kwargs.find(name); v && v->is_string()) return v->as_string();
    if (const Value* v = kwargs.find(name); v && !v->is_null())
      return std::to_string(v->get_int(""));
    return i < args.size() && args[i].is_string() ? args[i].as_string() : "";
  };
  Result<Value> r = make_error(Errc::kNotFound, "'" + fun + "' is not available.");
  if (fun == "jobs.list_jobs") {
    jobcache::JobFilter f;
    f.search_function = arg(99, "search_function");
    f.search_target = arg(99, "search_target");
    f.start_time = arg(99, "start_time");
    f.end_time = arg(99, "end_time");
    if (const Value* md = kwargs.find("search_metadata")) f.search_metadata = *md;
    r = jobcache::list_jobs(*cache_, f);
  } else if (fun == "jobs.lookup_jid") {
    r = jobcache::lookup_jid(*cache_, arg(0, "jid"));
  } else if (fun == "jobs.list_job") {
    r = jobcache::list_job(*cache_, arg(0, "jid"));
  } else if (fun == "jobs.print_job") {
    r = jobcache::print_job(*cache_, arg(0, "jid"));
  }
  if (!r) return Value::map({{"error", r.error().to_string()}});
  return Value::map({{"return", std::move(*r)}});
}

void JobManager::clean() {
  if (!cache_) return;
  if (auto s = cache_->clean(jobcache::keep_jobs_seconds(opts_)); !s) {
    log::get("master.jobs")->warn("job cache cleanup: {}", s.error().to_string());
  }
}

}  // namespace brine::master
