// brine::master::JobManager: the master's side of a job.
//
// publish(): allocate a jid, work out the expected minions (accepted keys, and
// for grain targets the grains each connected minion reported), record the job
// in the job cache, fire salt/job/<jid>/new and the bare <jid> event, and hand
// the load to the publisher. on_return(): store a minion's return (the id is the
// channel's authenticated id, never a field of the payload), fire
// salt/job/<jid>/ret/<id>. runner(): brine-run's jobs.* and manage.* functions.
//
// Thread-safety: every method may be called from any worker thread.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "common/values/value.h"
#include "master/acl.h"
#include "master/channels.h"
#include "master/events.h"
#include "master/keystore.h"

namespace brine::jobcache {
class JobCache;
}

namespace brine::master {

class JobManager {
 public:
  using Publish = std::function<void(const Value& load)>;
  JobManager(const Value& opts, EventBus& events, ChannelTable& channels, const KeyStore& keys,
             const PublisherAcl& acl, Publish publish);
  ~JobManager();
  Status open();

  // `request` is the CLI's load; `user` the authenticated local user ("root"
  // for the master's own user), checked against publisher_acl.
  Value publish(const Value& request, const std::string& user);
  // Stores `id`'s return and fires salt/job/<jid>/ret/<id>; returns the jid it
  // was stored under ("" when dropped: invalid jid, extra return). A jid of
  // "req" is a brine-call return (Salt's salt-call): the master allocates a
  // jid and records the job as Salt's store_job does (tgt = id, tgt_type glob,
  // arg = fun_args, expected minions [id]).
  std::string on_return(const std::string& id, Value envelope);
  Value returns(const std::string& jid);
  Value runner(const std::string& fun, const List& args, const Map& kwargs);
  void clean();

 private:
  const Value& opts_;
  EventBus& events_;
  ChannelTable& channels_;
  const KeyStore& keys_;
  const PublisherAcl& acl_;
  // Records a "req" return's job; returns its new jid ("" when it cannot).
  std::string record_req_job(const std::string& id, Value& envelope);

  Publish publish_;
  std::unique_ptr<jobcache::JobCache> cache_;
};

}  // namespace brine::master
