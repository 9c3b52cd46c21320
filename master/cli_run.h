// brine-run: Salt's salt-run for jobs.*, manage.* and state.event (see cli_run.cpp).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace brine::master {

int run_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace brine::master
