// brine: Salt's salt (see master/cli_brine.h).
#include <iostream>

#include "master/cli_brine.h"

int main(int argc, char** argv) {
  return brine::master::brine_main(std::vector<std::string>(argv, argv + argc), std::cout,
                                   std::cerr);
}
