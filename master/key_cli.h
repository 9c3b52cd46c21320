// brine-key: Salt's salt-key, working on the master's pki_dir directly and then
// telling a running master (over the local socket) so changes apply at once.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace brine::master {

// Runs brine-key with argv; returns the process exit code. `in`/`out`/`err` are
// injectable for tests (prompts read from `in`).
int key_main(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
             std::ostream& err);

}  // namespace brine::master
