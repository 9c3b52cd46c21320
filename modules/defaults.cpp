// defaults: merging defaults dicts from templates (Salt's
// salt/modules/defaults.py, the parts that need no file server).
#include "modules/builtin.h"
#include "modules/util/data.h"

namespace brine::modules::defaults {

namespace {

Result<Value> merge(Call& c) {
  Value dest = c.get("dest");
  const Value& src = c.get("src");
  if (!dest.is_map() || !src.is_map()) {
    return exception_error("TypeError",
                           "Cannot update using non-dict types in dictupdate.update()");
  }
  data::update(dest.as_map(), src.as_map(), true, c.flag("merge_lists"));
  return dest;
}

Result<Value> deepcopy(Call& c) { return c.get("source"); }

constexpr Param kMerge[] = {{"dest", {}, Type::kMap},
                            {"src", {}, Type::kMap},
                            {"merge_lists", "False", Type::kBool},
                            {"in_place", "True", Type::kBool}};
constexpr Param kSource[] = {{"source"}};

constexpr FunctionSpec kFunctions[] = {
    {"deepcopy", deepcopy, "A deep copy of a value",
     R"(defaults.deepcopy
    Allows deep copy of objects in formulas.

    By default, Python does not copy objects,
    it creates bindings between a target and an object.

It is more typical to use this in a templating language in formulas,
instead of directly on the command-line.
)",
     kSource},
    {"merge", merge, "Merge src into dest recursively",
     R"(defaults.merge
    Allows deep merging of dicts in formulas.

merge_lists : False
    If True, it will also merge lists instead of replace their items.

in_place : True
    If True, it will merge into dest dict,
    if not it will make a new copy from that dict and return it.

CLI Example:

.. code-block:: bash

    salt '*' defaults.merge '{a: b}' '{d: e}'

It is more typical to use this in a templating language in formulas,
instead of directly on the command-line.
)",
     kMerge},
};

}  // namespace

const ModuleSpec kModule{"defaults", always_available, kFunctions};

}  // namespace brine::modules::defaults
