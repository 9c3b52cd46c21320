#include "tests/bench/swarm/executor.h"

#include <signal.h>

#include <charconv>
#include <cmath>
#include <optional>
#include <random>

#include "modules/builtin.h"
#include "modules/cancel.h"

namespace brine::swarm {

namespace {

constexpr int64_t kMaxSleepS = 86400;

std::optional<int64_t> as_seconds(const Value& v) {
  if (v.is_int()) return v.as_int();
  if (v.is_float() && std::isfinite(v.as_float()) && std::trunc(v.as_float()) == v.as_float() &&
      std::fabs(v.as_float()) < 1e15) {
    return static_cast<int64_t>(v.as_float());
  }
  if (v.is_string()) {
    const std::string& s = v.as_string();
    int64_t out = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && p == s.data() + s.size()) return out;
  }
  return std::nullopt;
}

// The delay a test.sleep / test.rand_sleep call asks for, when its arguments
// are the plain valid forms; nullopt sends the call through the registry
// (which then reports the argument error exactly as a real minion does).
std::optional<std::chrono::milliseconds> sleep_delay(std::string_view fun,
                                                     const modules::SplitArgs& split) {
  const bool rand = fun == "test.rand_sleep";
  const std::string_view param = rand ? "max" : "length";
  if (split.args.size() > 1) return std::nullopt;
  for (const auto& [k, _] : split.kwargs) {
    if (k != param) return std::nullopt;
  }
  std::optional<int64_t> seconds;
  if (!split.args.empty()) {
    if (split.kwargs.find(param)) return std::nullopt;  // given twice: a TypeError
    seconds = as_seconds(split.args[0]);
  } else if (const Value* v = split.kwargs.find(param)) {
    seconds = as_seconds(*v);
  } else if (rand) {
    seconds = 60;  // test.rand_sleep(max=60)
  }
  if (!seconds) return std::nullopt;
  int64_t s = std::clamp<int64_t>(*seconds, 0, kMaxSleepS);
  if (rand) {
    thread_local std::mt19937_64 rng{std::random_device{}()};
    s = std::uniform_int_distribution<int64_t>(0, s)(rng);
  }
  return std::chrono::milliseconds(s * 1000);
}

List arg_list(const Value& load) {
  const Value* a = load.find("arg");
  return a && a->is_list() ? a->as_list() : List{};
}

}  // namespace

struct Executor::Single {
  modules::JobReturn ret;
  std::chrono::milliseconds delay{0};
};

Executor::Executor(Value opts) : opts_(std::move(opts)), registry_(opts_) {
  // Both tables are constant and valid; add() fails only on a duplicate name.
  (void)registry_.add(modules::test::kModule);
  (void)registry_.add(modules::saltutil::kModule);
}

Executor::Single Executor::run_one(const Value& fun, const List& args, const Value& load,
                                   const GrainsFn& grains, modules::JobControl* jobs,
                                   int cancelled_with) const {
  Single out;
  std::string name = fun.is_string() ? fun.as_string() : "";
  auto split = modules::split_publication_args(args);
  const bool sleeper = name == "test.sleep" || name == "test.rand_sleep";
  if (sleeper && cancelled_with == 0) {
    if (auto d = sleep_delay(name, split)) {
      out.ret.ret = Value(true);
      out.delay = *d;
      return out;
    }
  }
  modules::Context ctx(registry_, opts_, pillar_);
  ctx.jobs = jobs;
  ctx.pub = &load;
  ctx.jid = load.get_string("jid");
  // Built only if the function reads them; a copy, so saltutil.refresh_grains
  // (which rewrites the context's grains with this host's) changes nothing.
  ctx.grains_loader = grains;
  // A sleeper reaching the registry must never block a worker: its token is
  // already cancelled, so it returns at once (with the killed-job error).
  std::optional<modules::CancelToken> token;
  if (sleeper) {
    token.emplace();
    token->request(cancelled_with ? cancelled_with : SIGTERM);
    ctx.cancel = &*token;
  }
  out.ret = registry_.execute(name, split.args, split.kwargs, ctx);
  return out;
}

Value Executor::envelope(Value env, const Value& load, std::string_view id) const {
  env["id"] = std::string(id);
  env["jid"] = load.get_string("jid");
  const Value* fun = load.find("fun");
  env["fun"] = fun ? *fun : Value("");
  env["fun_args"] = Value(arg_list(load));
  if (!load.get_string("user").empty()) env["user"] = load.get_string("user");
  if (const Value* md = load.find("metadata")) env["metadata"] = *md;
  return env;
}

JobOutcome Executor::run(const Value& load, std::string_view id, const GrainsFn& grains,
                         modules::JobControl* jobs) const {
  JobOutcome out;
  const Value* fun = load.find("fun");
  List args = arg_list(load);
  if (fun && fun->is_list()) {
    // Multi-function job: arg is a list of per-function arg lists.
    Value ret = Value::map(), retcode = Value::map(), success = Value::map();
    const auto& funs = fun->as_list();
    for (size_t i = 0; i < funs.size(); ++i) {
      if (!funs[i].is_string()) continue;
      List fargs;
      if (i < args.size() && args[i].is_list()) fargs = args[i].as_list();
      auto one = run_one(funs[i], fargs, load, grains, jobs, 0);
      out.delay += one.delay;
      ret[funs[i].as_string()] = std::move(one.ret.ret);
      retcode[funs[i].as_string()] = one.ret.retcode;
      success[funs[i].as_string()] = one.ret.success;
    }
    out.envelope = envelope(Value::map({{"return", std::move(ret)},
                                        {"retcode", std::move(retcode)},
                                        {"success", std::move(success)}}),
                            load, id);
    return out;
  }
  auto one = run_one(fun ? *fun : Value(""), args, load, grains, jobs, 0);
  out.delay = one.delay;
  Value env = Value::map({{"return", std::move(one.ret.ret)},
                          {"retcode", one.ret.retcode},
                          {"success", one.ret.success}});
  if (!one.ret.out.empty()) env["out"] = one.ret.out;
  out.envelope = envelope(std::move(env), load, id);
  return out;
}

Value Executor::killed(const Value& load, std::string_view id, const GrainsFn& grains,
                       int sig) const {
  const Value* fun = load.find("fun");
  auto one = run_one(fun ? *fun : Value(""), arg_list(load), load, grains, nullptr,
                     sig > 0 ? sig : SIGTERM);
  Value env = Value::map({{"return", std::move(one.ret.ret)},
                          {"retcode", one.ret.retcode},
                          {"success", one.ret.success}});
  if (!one.ret.out.empty()) env["out"] = one.ret.out;
  return envelope(std::move(env), load, id);
}

}  // namespace brine::swarm
