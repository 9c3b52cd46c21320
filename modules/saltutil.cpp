// saltutil: running-job management and refreshes (the part of Salt's
// salt/modules/saltutil.py that acts on this minion). Jobs live in the
// minion's job pool, reached through Context::jobs; brine-call --local has no
// pool, so the job functions say so.
#include <fnmatch.h>
#include <signal.h>
#include <string.h>

#include <cctype>

#include "modules/binding.h"
#include "modules/builtin.h"
#include "modules/grains/gather.h"

namespace brine::modules::saltutil {

namespace {

Result<JobControl*> job_control(Call& c) {
  if (c.ctx.jobs) return c.ctx.jobs;
  return execution_error(c.function.full_name +
                         " needs the running minion's job pool, which brine-call --local does "
                         "not have");
}

Result<int> parse_signal(const Value& v) {
  if (v.is_int()) return static_cast<int>(v.as_int());
  std::string s = v.is_string() ? v.as_string() : coerce_to_str(v);
  auto i = coerce(Value(s), Type::kInt);
  if (i && i->is_int()) return static_cast<int>(i->as_int());
  std::string name;
  for (char ch : s) name += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (name.starts_with("SIG")) name = name.substr(3);
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = ::sigabbrev_np(sig);
    if (abbrev && name == abbrev) return sig;
  }
  return type_error("invalid literal for int() with base 10: '" + s + "'");
}

Result<Value> running(Call& c) {
  auto jobs = job_control(c);
  if (!jobs) return jobs.error();
  Value r = (*jobs)->running();
  return r.is_list() ? r : Value(List{});
}

Result<Value> is_running(Call& c) {
  auto all = running(c);
  if (!all) return all;
  const std::string pattern = c.str("fun");
  List out;
  for (const Value& job : all->as_list()) {
    if (::fnmatch(pattern.c_str(), job.get_string("fun").c_str(), 0) == 0) out.push_back(job);
  }
  return Value(std::move(out));
}

Result<Value> find_job(Call& c) {
  auto jobs = job_control(c);
  if (!jobs) return jobs.error();
  Value r = (*jobs)->find_job(c.str("jid"));
  return r.is_map() ? r : Value(Map{});
}

Result<Value> send(Call& c, const std::string& jid, int sig) {
  auto jobs = job_control(c);
  if (!jobs) return jobs.error();
  auto r = (*jobs)->signal_job(jid, sig);
  if (!r) return r.error();
  return Value(*r);
}

Result<Value> signal_job(Call& c) {
  auto sig = parse_signal(c.get("sig"));
  if (!sig) return sig.error();
  return send(c, c.str("jid"), *sig);
}

Result<Value> term_job(Call& c) { return send(c, c.str("jid"), SIGTERM); }
Result<Value> kill_job(Call& c) { return send(c, c.str("jid"), SIGKILL); }

Result<Value> signal_all(Call& c, int sig) {
  auto all = running(c);
  if (!all) return all;
  List out;
  for (const Value& job : all->as_list()) {
    auto r = send(c, job.get_string("jid"), sig);
    if (!r) return r;
    out.push_back(std::move(*r));
  }
  return Value(std::move(out));
}

Result<Value> term_all_jobs(Call& c) { return signal_all(c, SIGTERM); }
Result<Value> kill_all_jobs(Call& c) { return signal_all(c, SIGKILL); }

Result<Value> refresh_grains(Call& c) {
  bool refresh_pillar = true;
  std::string invalid;
  for (const auto& [k, v] : c.kwargs) {
    if (k.starts_with("__")) continue;
    if (k == "refresh_pillar") {
      refresh_pillar = v.truthy();
    } else if (k != "clean_pillar_cache") {
      invalid += (invalid.empty() ? "" : ", ") + k + "=" + coerce_to_str(v);
    }
  }
  if (!invalid.empty()) {
    return invocation_error("The following keyword arguments are not valid: " + invalid);
  }
  if (c.ctx.jobs) {
    // The minion re-gathers and shares them with later jobs.
    BRINE_TRY(c.ctx.jobs->refresh_grains(refresh_pillar));
    return Value(true);
  }
  // brine-call: later calls of this process see the fresh grains.
  c.ctx.grains() = grains::gather(c.ctx.opts, &c.ctx.logger());
  return Value(true);
}

Result<Value> refresh_modules(Call&) { return Value(true); }

constexpr Param kJid[] = {{"jid", {}, Type::kString}};
constexpr Param kSignal[] = {{"jid", {}, Type::kString}, {"sig"}};
constexpr Param kFun[] = {{"fun", {}, Type::kString}};

constexpr FunctionSpec kFunctions[] = {
    {"find_job", find_job, "The running job's data, or {}",
     R"(Return the data for a specific job id that is currently running.

jid
    The job id to search for and return data.

CLI Example:

.. code-block:: bash

    salt '*' saltutil.find_job <job id>

Note, the above will return empty data if the job has finished running.
)",
     kJid},
    {"is_running", is_running, "Running jobs whose function matches a glob",
     R"(If the named function is running return the data associated with it/them.
The argument can be a glob

CLI Example:

.. code-block:: bash

    salt '*' saltutil.is_running state.highstate
)",
     kFun},
    {"kill_all_jobs", kill_all_jobs, "Send SIGKILL to every running job",
     R"(Sends a kill signal (SIGKILL 9) to all currently running jobs

CLI Example:

.. code-block:: bash

    salt '*' saltutil.kill_all_jobs
)"},
    {"kill_job", kill_job, "Send SIGKILL to a job",
     R"(Sends a kill signal (SIGKILL 9) to the named salt job's process

CLI Example:

.. code-block:: bash

    salt '*' saltutil.kill_job <job id>
)",
     kJid},
    {"refresh_grains",
     refresh_grains,
     "Re-gather the grains",
     R"(Refresh the minion's grains without syncing custom grains modules from
``salt://_grains``.

refresh_pillar : True
    Set to ``False`` to keep pillar data from being refreshed.

CLI Examples:

.. code-block:: bash

    salt '*' saltutil.refresh_grains
)",
     {},
     false,
     true},
    {"refresh_modules",
     refresh_modules,
     "Refresh the module list (always True)",
     R"(Signal the minion to refresh the module and grain data. Built-in modules
are compiled in and external modules are described on first use, so this
returns True.

CLI Example:

.. code-block:: bash

    salt '*' saltutil.refresh_modules
)",
     {},
     false,
     true},
    {"running", running, "The jobs running on this minion",
     R"(Return the data on all running salt processes on the minion

CLI Example:

.. code-block:: bash

    salt '*' saltutil.running
)"},
    {"signal_job", signal_job, "Send a signal to a job",
     R"(Sends a signal to the named salt job's process

CLI Example:

.. code-block:: bash

    salt '*' saltutil.signal_job <job id> 15
)",
     kSignal},
    {"term_all_jobs", term_all_jobs, "Send SIGTERM to every running job",
     R"(Sends a termination signal (SIGTERM 15) to all currently running jobs

CLI Example:

.. code-block:: bash

    salt '*' saltutil.term_all_jobs
)"},
    {"term_job", term_job, "Send SIGTERM to a job",
     R"(Sends a termination signal (SIGTERM 15) to the named salt job's process

CLI Example:

.. code-block:: bash

    salt '*' saltutil.term_job <job id>
)",
     kJid},
};

}  // namespace

const ModuleSpec kModule{"saltutil", always_available, kFunctions};

}  // namespace brine::modules::saltutil
