// mine: Salt mine data. Brine has no mine yet, so mine.get answers {} the
// way Salt does when no minion published the function.
#include "modules/builtin.h"

namespace brine::modules::mine {

namespace {

Result<Value> get(Call&) { return Value(Map{}); }

constexpr Param kGet[] = {{"tgt"},
                          {"fun"},
                          {"tgt_type", "'glob'", Type::kString},
                          {"exclude_minion", "False", Type::kBool}};

constexpr FunctionSpec kFunctions[] = {
    {"get", get, "Mine data of matching minions (always {} for now)",
     R"(Get data from the mine.

tgt
    Target whose mine data to get.

fun
    Function to get the mine data of.

tgt_type
    Default ``glob``. Target type to use with ``tgt``.

exclude_minion
    Excludes the current minion from the result set.

Brine does not collect mine data yet: the answer is always ``{}``, which is
what Salt returns when no targeted minion has data for ``fun``.

CLI Example:

.. code-block:: bash

    salt '*' mine.get '*' network.interfaces
)",
     kGet, false, true},
};

}  // namespace

const ModuleSpec kModule{"mine", always_available, kFunctions};

}  // namespace brine::modules::mine
