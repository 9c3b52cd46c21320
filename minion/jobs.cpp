#include "minion/jobs.h"

#include <unistd.h>

#include <csignal>
#include <thread>

#include "common/log/log.h"

namespace brine::minion {

struct JobPool::Job {
  Value load;
  std::string jid;
  modules::CancelToken cancel;
};

namespace {
constexpr size_t kDefaultMaxJobs = 256;

// fun_args as Salt reports them: the publication's arg list.
Value fun_args_of(const Value& load) {
  const Value* a = load.find("arg");
  return a && a->is_list() ? *a : Value::list();
}
}  // namespace

JobPool::JobPool(const modules::Registry& registry, const Value& opts, Value& grains,
                 std::mutex& grains_mu, Sender send, GrainsRefresher refresh, GrainsChanged changed)
    : registry_(registry),
      opts_(opts),
      grains_(grains),
      grains_mu_(grains_mu),
      send_(std::move(send)),
      refresh_(std::move(refresh)),
      changed_(std::move(changed)) {
  int64_t max = opts.get_int("process_count_max", -1);
  max_jobs_ = max > 0 ? static_cast<size_t>(max) : kDefaultMaxJobs;
}

JobPool::~JobPool() {
  std::unique_lock lock(mu_);
  shutting_down_ = true;
  for (auto& [_, j] : jobs_) j->cancel.request(SIGTERM);
  // Job threads are detached; they erase themselves and signal when done.
  done_.wait_for(lock, std::chrono::seconds(30), [this] { return jobs_.empty(); });
}

size_t JobPool::active() const {
  std::lock_guard lock(mu_);
  return jobs_.size();
}

void JobPool::submit(const Value& load) {
  auto job = std::make_shared<Job>();
  job->load = load;
  job->jid = load.get_string("jid");
  auto log = log::get("minion.jobs");
  {
    std::lock_guard lock(mu_);
    if (shutting_down_) return;
    if (jobs_.count(job->jid)) {
      log->debug("job '{}' is already running; duplicate publication ignored", job->jid);
      return;
    }
    if (jobs_.size() >= max_jobs_) {
      log->warn("too many running jobs ({}); job '{}' not started", jobs_.size(), job->jid);
      return;
    }
    jobs_[job->jid] = job;
  }
  std::thread([this, job] { run(job); }).detach();
}

void JobPool::run(std::shared_ptr<Job> job) {
  Value envelope;
  try {
    envelope = execute(*job);
  } catch (const std::exception& e) {
    log::get("minion.jobs")->critical("job '{}' failed: {}", job->jid, e.what());
    envelope =
        Value::map({{"return", std::string("The minion function caused an exception: ") + e.what()},
                    {"retcode", 1},
                    {"success", false}});
  }
  envelope["id"] = opts_.get_string("id");
  envelope["jid"] = job->jid;
  envelope["fun"] = job->load.find("fun") ? *job->load.find("fun") : Value("");
  envelope["fun_args"] = fun_args_of(job->load);
  if (!job->load.get_string("user").empty()) envelope["user"] = job->load.get_string("user");
  if (const Value* md = job->load.find("metadata")) envelope["metadata"] = *md;
  auto st = send_(envelope);
  if (!st) {
    log::get("minion.jobs")
        ->error("could not return job '{}': {}", job->jid, st.error().to_string());
  }
  std::lock_guard lock(mu_);
  jobs_.erase(job->jid);
  done_.notify_all();
}

Value JobPool::execute(Job& job) {
  modules::Context ctx(registry_, opts_, pillar_);
  ctx.log = log::get("minion.jobs");
  ctx.jobs = this;
  ctx.cancel = &job.cancel;
  ctx.pub = &job.load;
  ctx.jid = job.jid;
  Value grains;
  {
    std::lock_guard lock(grains_mu_);
    grains = grains_;
  }
  Value before = grains;
  ctx.use_grains(&grains);
  // Publish this job's grain changes (grains.setval, append, delval) to later jobs.
  struct Commit {
    JobPool& pool;
    Value& grains;
    const Value& before;
    ~Commit() {
      if (grains == before) return;
      {
        std::lock_guard lock(pool.grains_mu_);
        pool.grains_ = grains;
      }
      if (pool.changed_) pool.changed_(grains);
    }
  } commit{*this, grains, before};

  const Value* fun = job.load.find("fun");
  const Value* arg = job.load.find("arg");
  List args = arg && arg->is_list() ? arg->as_list() : List{};
  if (fun && fun->is_list()) {
    // Multi-function job: arg is a list of per-function arg lists.
    Value ret = Value::map(), retcode = Value::map(), success = Value::map();
    const auto& funs = fun->as_list();
    for (size_t i = 0; i < funs.size(); ++i) {
      if (!funs[i].is_string()) continue;
      List fargs;
      if (i < args.size() && args[i].is_list()) fargs = args[i].as_list();
      auto split = modules::split_publication_args(fargs);
      ctx.retcode = 0;
      auto r = registry_.execute(funs[i].as_string(), split.args, split.kwargs, ctx);
      ret[funs[i].as_string()] = std::move(r.ret);
      retcode[funs[i].as_string()] = r.retcode;
      success[funs[i].as_string()] = r.success;
    }
    return Value::map({{"return", ret}, {"retcode", retcode}, {"success", success}});
  }
  std::string name = fun && fun->is_string() ? fun->as_string() : "";
  auto split = modules::split_publication_args(args);
  auto r = registry_.execute(name, split.args, split.kwargs, ctx);
  Value env =
      Value::map({{"return", std::move(r.ret)}, {"retcode", r.retcode}, {"success", r.success}});
  if (!r.out.empty()) env["out"] = r.out;
  return env;
}

Value JobPool::running() {
  std::lock_guard lock(mu_);
  List out;
  for (const auto& [jid, job] : jobs_) {
    Value d = job->load;
    d["pid"] = static_cast<int64_t>(::getpid());
    out.push_back(std::move(d));
  }
  return Value(std::move(out));
}

Value JobPool::find_job(std::string_view jid) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(std::string(jid));
  if (it == jobs_.end()) return Value::map();
  Value d = it->second->load;
  d["pid"] = static_cast<int64_t>(::getpid());
  return d;
}

Result<std::string> JobPool::signal_job(std::string_view jid, int sig) {
  std::lock_guard lock(mu_);
  auto it = jobs_.find(std::string(jid));
  if (it == jobs_.end()) return std::string();
  it->second->cancel.request(sig);
  return "Signal " + std::to_string(sig) + " sent to job " + std::string(jid) + " at pid " +
         std::to_string(::getpid());
}

Status JobPool::refresh_grains(bool refresh_pillar) {
  if (!refresh_) return make_error(Errc::kUnsupported, "grains cannot be refreshed here");
  return refresh_(refresh_pillar);
}

}  // namespace brine::minion
