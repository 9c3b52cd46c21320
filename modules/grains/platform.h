// Hardware, virtualisation, init and systemd grains (internal to the grains
// gatherer; see gather.h).
//
// Thread-safety: reentrant.
#pragma once

#include "common/values/value.h"

namespace brine::modules::grains {

// systemd, init, gpus/num_gpus and the DMI grains (biosversion, productname,
// manufacturer, uuid, serialnumber, ...).
void add_platform_grains(Map& grains, const Value& opts);
// virtual / virtual_subtype; reads the DMI grains add_platform_grains set.
void add_virtual_grains(Map& grains);

}  // namespace brine::modules::grains
