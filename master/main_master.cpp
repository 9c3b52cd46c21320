// brine-master: parse options, load config, serve (see master/master.h).
#include "common/daemon/cli.h"
#include "master/master.h"

int main(int argc, char** argv) {
  auto boot = brine::daemon::boot(argc, argv, brine::config::Role::kMaster, "brine-master");
  if (boot.exit_code >= 0) return boot.exit_code;
  int rc = brine::master::Master(boot.opts).run();
  brine::daemon::shutdown(boot.opts);
  return rc;
}
