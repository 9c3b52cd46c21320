// The return shapes of brine-run's jobs.* runners (Salt's salt/runners/jobs.py),
// as pure functions over a JobCache, so brine-run prints what salt-run prints:
//
//   list_jobs  -> {jid: {Function, Arguments, Target, Target-type, User,
//                  [Metadata], StartTime}}
//   lookup_jid -> {minion: return}; when the returns carry an outputter
//                 (`out`, e.g. highstate): {"outputter": out, "data": {...}}
//   list_job   -> {jid, Function, Arguments, Target, Target-type, User,
//                  [Metadata], [Minions], StartTime, Result: {minion: {return,
//                  retcode, success, [out]}}}
//   print_job  -> {jid: {..., StartTime, Result}}
//
// StartTime is rendered from the jid ("2024, Mar 01 10:15:02.123456"). A jid
// the cache does not know gives Salt's {"Error": "Cannot contact returner or
// no job with this jid", ...} entry rather than an error; an invalid jid is
// an Error (kInvalidArgument).
//
// Thread-safety: as the JobCache used.
#pragma once

#include <string_view>

#include "common/result.h"
#include "common/values/value.h"
#include "master/jobcache/job_cache.h"

namespace brine::jobcache {

// Salt's format_job_instance (plus "Minions" when `with_minions` and the load
// has them). An empty/null load gives {"Error": "..."}.
Value format_job_instance(const Value& load, bool with_minions = false);

Result<Value> list_jobs(JobCache& cache, const JobFilter& filter);
// missing=true adds "Minion did not return" for expected minions without a return.
Result<Value> lookup_jid(JobCache& cache, std::string_view jid, bool missing = false);
Result<Value> list_job(JobCache& cache, std::string_view jid);
Result<Value> print_job(JobCache& cache, std::string_view jid);

}  // namespace brine::jobcache
