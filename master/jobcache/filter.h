// Internal, for backends: jobs.list_jobs filters parsed once and applied to
// loads, with Salt's semantics (salt/runners/jobs.py list_jobs):
//  * search_function / search_target: comma-separated globs (fnmatch,
//    case-sensitive); a job matches when any glob matches its `fun` (or any
//    function of a multi-function job) / its `tgt` (or any item of a list tgt);
//  * start_time / end_time: the job's start (its jid time) must be at or
//    after / at or before;
//  * search_metadata: a map; the job matches when any of its keys is in the
//    job's metadata (load `metadata` or load `kwargs.metadata`) with an equal
//    value.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "master/jobcache/job_cache.h"

namespace brine::jobcache {

struct ParsedFilter {
  std::vector<std::string> functions;
  std::vector<std::string> targets;
  std::optional<int64_t> start_us;
  std::optional<int64_t> end_us;
  Value metadata;
  size_t limit = 0;
};

// Errors (kInvalidArgument): "start_time: could not parse time 'x'" (same for end_time).
Result<ParsedFilter> parse_filter(const JobFilter& filter);

// The job's metadata as format_job_instance finds it; nullptr when none.
const Value* job_metadata(const Value& load);

// Function/target/metadata tests (time is the backend's jid range).
bool filter_matches(const ParsedFilter& filter, const Value& load);

}  // namespace brine::jobcache
