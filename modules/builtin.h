// The built-in execution modules: one table per Salt module, each defined at
// the end of its own file (modules/<name>.cpp) and listed in builtin.cpp.
//
// register_builtins() adds every table to a registry; tests may instead add
// single tables (`registry.add(test::kModule)`).
#pragma once

#include <span>

#include "common/result.h"
#include "modules/registry.h"

namespace brine::modules {

namespace cmd {
extern const ModuleSpec kModule;
}
namespace config {
extern const ModuleSpec kModule;
}
namespace defaults {
extern const ModuleSpec kModule;
}
namespace disk {
extern const ModuleSpec kModule;
}
namespace file {
extern const ModuleSpec kModule;
}
namespace grains {
extern const ModuleSpec kModule;
}
namespace key {
extern const ModuleSpec kModule;
}
namespace log {
extern const ModuleSpec kModule;
}
namespace mine {
extern const ModuleSpec kModule;
}
namespace network {
extern const ModuleSpec kModule;
}
namespace pillar {
extern const ModuleSpec kModule;
}
namespace saltutil {
extern const ModuleSpec kModule;
}
namespace slsutil {
extern const ModuleSpec kModule;
}
namespace status {
extern const ModuleSpec kModule;
}
namespace sys {
extern const ModuleSpec kModule;
}
namespace test {
extern const ModuleSpec kModule;
}

// Every built-in table, in name order.
std::span<const ModuleSpec* const> builtin_modules();

// Adds every built-in table. Errors only for a broken table or a name that is
// already registered.
Status register_builtins(Registry& registry);

}  // namespace brine::modules
