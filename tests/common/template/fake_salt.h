// A fake execution-module caller for template tests: the same functions, with
// the same behaviour, as FakeSalt in oracle.py (grains.get, grains.filter_by,
// pillar.get, config.get, defaults.merge, defaults.deepcopy, slsutil.merge,
// file.join/basename/dirname, test.echo, test.arg, cmd.fail).
#pragma once

#include "common/template/jinja.h"
#include "common/values/value.h"

namespace brine::jinja::testing {

// Reads grains/pillar/opts from `context` (copied).
Caller fake_caller(const Map& context);

// Debian 12 grains as oracle.DEBIAN12_GRAINS has them.
Value debian12_grains();

}  // namespace brine::jinja::testing
