// brine-swarm: N virtual Brine minions in one process (see runner.h, swarm.h).
#include <string>
#include <vector>

#include "tests/bench/swarm/runner.h"

int main(int argc, char** argv) {
  return brine::swarm::main_with_args(std::vector<std::string>(argv, argv + argc));
}
