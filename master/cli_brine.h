// brine: Salt's `salt` command. Publishes a job through the local master and
// prints the returns as they arrive (cli.md §1). A library entry point so tests
// can run it in-process; main_brine.cpp is one line.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace brine::master {

int brine_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace brine::master
