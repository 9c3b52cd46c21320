// Every built-in execution module, listed explicitly (no static
// self-registration: the list is the one place to look, and tests can add
// single tables).
#include "modules/builtin.h"

namespace brine::modules {

namespace {
const ModuleSpec* const kBuiltins[] = {
    &cmd::kModule,     &config::kModule,  &defaults::kModule, &disk::kModule,
    &file::kModule,    &grains::kModule,  &key::kModule,      &log::kModule,
    &mine::kModule,    &network::kModule, &pillar::kModule,   &saltutil::kModule,
    &slsutil::kModule, &status::kModule,  &sys::kModule,      &test::kModule,
};
}  // namespace

std::span<const ModuleSpec* const> builtin_modules() { return kBuiltins; }

Status register_builtins(Registry& registry) {
  for (const ModuleSpec* spec : kBuiltins) BRINE_TRY(registry.add(*spec));
  return ok();
}

}  // namespace brine::modules
