// brine::minion::JobPool: runs published jobs on the minion.
//
// Each accepted publication runs on its own thread so a long job never blocks a
// ping; at most `process_count_max` run at once (Salt's key; -1 = a built-in cap
// of 256). The pool is the modules' JobControl: saltutil.running / find_job /
// kill_job / term_job / signal_job see its table. Killing a job cancels its
// CancelToken, which kills the process group of every command it started.
//
// Returns go to `send` (the daemon's channel) with Salt's envelope: id, jid, fun,
// fun_args, return, retcode, success (and out when the executor chose one).
// Multi-function jobs return dicts keyed by function, as Salt does.
//
// Thread-safety: submit() from the control thread; JobControl methods from job
// threads; the destructor waits for running jobs after cancelling them.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common/result.h"
#include "common/values/value.h"
#include "modules/cancel.h"
#include "modules/registry.h"

namespace brine::minion {

class JobPool : public modules::JobControl {
 public:
  using Sender = std::function<Status(const Value& envelope)>;
  using GrainsRefresher = std::function<Status(bool refresh_pillar)>;
  // Called with the new grains after a job changed them (grains.setval ...).
  using GrainsChanged = std::function<void(const Value& grains)>;

  // `grains` is shared with the daemon; the pool reads and writes it under
  // `grains_mu`. Each job works on its own copy, so concurrent jobs never race.
  JobPool(const modules::Registry& registry, const Value& opts, Value& grains,
          std::mutex& grains_mu, Sender send, GrainsRefresher refresh, GrainsChanged changed);
  ~JobPool() override;

  // Starts the job described by `load` (a verified, matched publication).
  void submit(const Value& load);
  size_t active() const;

  // modules::JobControl
  Value running() override;
  Value find_job(std::string_view jid) override;
  Result<std::string> signal_job(std::string_view jid, int sig) override;
  Status refresh_grains(bool refresh_pillar) override;

 private:
  struct Job;
  void run(std::shared_ptr<Job> job);
  Value execute(Job& job);

  const modules::Registry& registry_;
  const Value& opts_;
  Value& grains_;
  std::mutex& grains_mu_;
  Sender send_;
  GrainsRefresher refresh_;
  GrainsChanged changed_;
  Value pillar_ = Value::map();
  mutable std::mutex mu_;
  std::condition_variable done_;
  std::map<std::string, std::shared_ptr<Job>> jobs_;  // by jid
  size_t max_jobs_;
  bool shutting_down_ = false;
};

}  // namespace brine::minion
