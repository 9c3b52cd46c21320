// brine-minion: parse options, load config, serve (see minion/minion.h).
#include "common/daemon/cli.h"
#include "minion/minion.h"

int main(int argc, char** argv) {
  auto boot = brine::daemon::boot(argc, argv, brine::config::Role::kMinion, "brine-minion");
  if (boot.exit_code >= 0) return boot.exit_code;
  int rc = brine::minion::Minion(boot.opts).run();
  brine::daemon::shutdown(boot.opts);
  return rc;
}
