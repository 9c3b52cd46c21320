// brine::master::JobClient: what `brine` does for one job, as a library.
//
// publish() sends a job to the local master and returns the jid and the
// minions expected to answer; wait() then collects their returns from the
// master's event bus (with a catch-up query to the job cache, so a return
// fired before the subscription settled is not lost), and implements Salt's
// timeout algorithm: after `timeout` seconds it asks the silent minions with
// saltutil.find_job whether they are still running the job and keeps waiting
// for those that are (cli.md §1.5).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/transport/transport.h"
#include "common/values/value.h"
#include "master/local_client.h"

namespace brine::master {

struct Published {
  std::string jid;
  std::vector<std::string> minions;
  std::vector<std::string> missing;  // listed ids without an accepted key
};

struct WaitOptions {
  int timeout_s = 5;
  int gather_job_timeout_s = 10;
};

struct NoReturn {
  std::string id;
  bool connected = true;  // false: "[Not connected]"
};

class JobClient {
 public:
  static Result<std::unique_ptr<JobClient>> connect(const Value& opts);

  // `load` holds tgt, tgt_type, fun, arg (wire form) and optional fields.
  Result<Published> publish(Value load);

  // Calls on_return(id, envelope) for each return as it arrives (returns from
  // minions outside `minions` are passed too) until every expected minion has
  // returned or the timeout algorithm gives up; the rest are returned.
  std::vector<NoReturn> wait(
      const Published& job, const WaitOptions& opts,
      const std::function<void(const std::string&, const Value&)>& on_return,
      const std::function<void(size_t returned, size_t expected)>& progress = {});

  LocalClient& local() { return *local_; }

 private:
  JobClient() = default;
  void await_subscription();
  // Returns stored for jid (catch-up), as {id: envelope}.
  Value stored_returns(const std::string& jid);
  // Ids of `ids` that report still running `jid` within gather_job_timeout.
  std::set<std::string> still_running(const std::string& jid, const std::set<std::string>& ids,
                                      int gather_timeout_s);
  std::set<std::string> connected();
  void drain(const std::string& jid, const std::function<void(const std::string&, const Value&)>& f,
             std::chrono::milliseconds wait);

  Value opts_;
  std::unique_ptr<LocalClient> local_;
  std::unique_ptr<transport::Subscriber> events_;
};

}  // namespace brine::master
