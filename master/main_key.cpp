// brine-key: Salt's salt-key (see master/key_cli.h).
#include <iostream>

#include "master/key_cli.h"

int main(int argc, char** argv) {
  return brine::master::key_main(std::vector<std::string>(argv, argv + argc), std::cin, std::cout,
                                 std::cerr);
}
