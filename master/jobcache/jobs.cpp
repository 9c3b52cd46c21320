#include "master/jobcache/jobs.h"

#include <algorithm>

#include "master/jobcache/filter.h"
#include "master/jobcache/jid.h"

namespace brine::jobcache {
namespace {

constexpr const char* kNoJob = "Cannot contact returner or no job with this jid";

Error invalid_jid(std::string_view jid) {
  return make_error(Errc::kInvalidArgument, "invalid jid '" + std::string(jid.substr(0, 64)) + "'");
}

// The load as Salt's local_cache get_load returns it: the saved load plus
// "Minions" (sorted) when the job has expected minions. Null when unknown.
Result<Value> load_with_minions(JobCache& cache, std::string_view jid) {
  auto load = cache.get_load(jid);
  if (!load) {
    if (load.error().code == Errc::kNotFound) return Value();
    return std::move(load).error();
  }
  auto minions = cache.get_minions(jid);
  if (minions && !minions->empty() && load->is_map()) {
    List ids;
    for (auto& id : *minions) ids.emplace_back(std::move(id));
    (*load)["Minions"] = Value(std::move(ids));
  }
  return load;
}

// get_jid's entries: {return, retcode, success, out} as stored.
Value result_entry(const Value& envelope) {
  if (!envelope.is_map() || !envelope.find("return")) {
    return Value::map({{"return", envelope}});
  }
  Map out;
  for (const char* key : {"return", "retcode", "success", "out"}) {
    if (const Value* v = envelope.find(key)) out.set(key, *v);
  }
  return Value(std::move(out));
}

Result<Value> results(JobCache& cache, std::string_view jid) {
  auto rets = cache.get_returns(jid);
  if (!rets) return std::move(rets).error();
  Map out;
  if (rets->is_map()) {
    for (const auto& [id, env] : rets->as_map()) out.set(id, result_entry(env));
  }
  return Value(std::move(out));
}

}  // namespace

Value format_job_instance(const Value& load, bool with_minions) {
  if (!load.is_map() || load.as_map().empty()) return Value::map({{"Error", kNoJob}});
  auto get = [&](const char* key, Value fallback) {
    const Value* v = load.find(key);
    return v ? *v : fallback;
  };
  Map ret;
  ret.set("Function", get("fun", "unknown-function"));
  Value args = get("arg", Value::list());
  ret.set("Arguments", args.is_list() ? args : Value::list());
  ret.set("Target", get("tgt", "unknown-target"));
  ret.set("Target-type", get("tgt_type", "list"));
  ret.set("User", get("user", "root"));
  if (const Value* meta = job_metadata(load)) ret.set("Metadata", *meta);
  if (with_minions) {
    if (const Value* m = load.find("Minions")) ret.set("Minions", *m);
  }
  return Value(std::move(ret));
}

Result<Value> list_jobs(JobCache& cache, const JobFilter& filter) {
  auto jobs = cache.list_jobs(filter);
  if (!jobs) return std::move(jobs).error();
  Map out;
  if (jobs->is_map()) {
    out.reserve(jobs->as_map().size());
    for (const auto& [jid, load] : jobs->as_map()) {
      Value entry = format_job_instance(load);
      entry["StartTime"] = jid_to_start_time(jid);
      out.set(jid, std::move(entry));
    }
  }
  return Value(std::move(out));
}

Result<Value> list_job(JobCache& cache, std::string_view jid) {
  if (!valid_jid(jid)) return invalid_jid(jid);
  auto load = load_with_minions(cache, jid);
  if (!load) return std::move(load).error();
  Map ret;
  ret.set("jid", std::string(jid));
  Value fmt = format_job_instance(*load, /*with_minions=*/true);
  for (auto& [k, v] : fmt.as_map()) ret.set(k, std::move(v));
  ret.set("StartTime", jid_to_start_time(jid));
  auto res = results(cache, jid);
  if (!res) return std::move(res).error();
  ret.set("Result", std::move(*res));
  return Value(std::move(ret));
}

Result<Value> print_job(JobCache& cache, std::string_view jid) {
  if (!valid_jid(jid)) return invalid_jid(jid);
  auto load = load_with_minions(cache, jid);
  if (!load) return std::move(load).error();
  Value entry = format_job_instance(*load, /*with_minions=*/true);
  entry["StartTime"] = jid_to_start_time(jid);
  auto res = results(cache, jid);
  if (!res) return std::move(res).error();
  entry["Result"] = std::move(*res);
  return Value::map({{std::string(jid), std::move(entry)}});
}

Result<Value> lookup_jid(JobCache& cache, std::string_view jid, bool missing) {
  auto job = list_job(cache, jid);
  if (!job) return std::move(job).error();
  const Value* returns = job->find("Result");
  Map ret;
  std::string outputter;
  if (returns && returns->is_map()) {
    for (const auto& [id, entry] : returns->as_map()) {
      const Value* r = entry.find("return");
      ret.set(id, r ? *r : Value());
      if (outputter.empty()) {
        const Value* out = entry.find("out");
        // Salt looks at the first return only.
        if (out && out->is_string() && &entry == &returns->as_map().begin()->second) {
          outputter = out->as_string();
        }
      }
    }
  }
  if (missing) {
    if (const Value* minions = job->find("Minions"); minions && minions->is_list()) {
      for (const auto& id : minions->as_list()) {
        if (id.is_string() && !ret.contains(id.as_string())) {
          ret.set(id.as_string(), "Minion did not return");
        }
      }
    }
  }
  if (!outputter.empty()) {
    return Value::map({{"outputter", outputter}, {"data", Value(std::move(ret))}});
  }
  return Value(std::move(ret));
}

}  // namespace brine::jobcache
