// brine-run: Salt's salt-run (see master/cli_run.h).
#include <iostream>

#include "master/cli_run.h"

int main(int argc, char** argv) {
  return brine::master::run_main(std::vector<std::string>(argv, argv + argc), std::cout, std::cerr);
}
