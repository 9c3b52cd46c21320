// Executor: what a virtual minion does with a publication it matched.
//
// It runs the job through the real module registry (brine::modules, with the
// `test` and `saltutil` tables only: a swarm must not run cmd.run ten thousand
// times on the benchmark host), so argument binding, error strings and the
// retcode rule are the real minion's. Anything else answers Salt's
// "'x.y' is not available.", as a minion without that module would.
//
// Sleeping functions (test.sleep, test.rand_sleep) do not block a thread: the
// outcome carries the delay after which the return is due, and the swarm
// schedules it. While it is pending the job is "running" (saltutil.running,
// find_job see it; kill_job ends it with the error a killed sleep returns).
//
// The envelope is built exactly as minion/jobs.cpp builds it: {return, retcode,
// success, [out]} then id, jid, fun, fun_args, [user], [metadata].
//
// Thread-safety: run()/killed() may be called from many threads at once (the
// registry is immutable after construction; each call has its own Context).
#pragma once

#include <chrono>
#include <functional>
#include <string_view>

#include "common/values/value.h"
#include "modules/registry.h"

namespace brine::swarm {

struct JobOutcome {
  Value envelope;
  // When the return is due, counted from now (sleeping functions).
  std::chrono::milliseconds delay{0};
};

class Executor {
 public:
  // `opts` plays the minion config (what test.get_opts returns).
  explicit Executor(Value opts);

  // Makes the minion's grains when a function asks for them (most never do,
  // so a swarm keeps one shared base and builds a minion's copy on demand).
  using GrainsFn = std::function<Value()>;

  // Runs the publication `load` as minion `id`. `jobs` (may be null) is the
  // minion's job table for saltutil.*.
  JobOutcome run(const Value& load, std::string_view id, const GrainsFn& grains,
                 modules::JobControl* jobs) const;

  // The return of a running job killed with `sig` (what the real minion sends
  // when saltutil.kill_job interrupts test.sleep).
  Value killed(const Value& load, std::string_view id, const GrainsFn& grains, int sig) const;

  const modules::Registry& registry() const { return registry_; }

 private:
  struct Single;
  Single run_one(const Value& fun, const List& args, const Value& load, const GrainsFn& grains,
                 modules::JobControl* jobs, int cancelled_with) const;
  Value envelope(Value env, const Value& load, std::string_view id) const;

  Value opts_;
  Value pillar_ = Value::map();
  modules::Registry registry_;
};

}  // namespace brine::swarm
