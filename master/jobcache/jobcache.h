// brine::jobcache: the job cache and everything around it, in one include.
//   job_cache.h   JobCache interface, JobFilter, make_job_cache, keep_jobs_seconds
//   jid.h         jid generation, validation, StartTime rendering, parse_time
//   jobs.h        brine-run jobs.* return shapes over a JobCache
#pragma once

#include "master/jobcache/jid.h"
#include "master/jobcache/job_cache.h"
#include "master/jobcache/jobs.h"
