// pillar: read this minion's pillar (Salt's salt/modules/pillar.py). Brine
// answers from the in-memory pillar the job was given; items() does not yet
// fetch a fresh compilation from the master.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "modules/binding.h"
#include "modules/builtin.h"
#include "modules/util/data.h"

namespace brine::modules::pillar {

namespace {

const Value& pillar_of(Call& c) {
  static const Value kEmpty{Map{}};
  return c.ctx.pillar.is_map() ? c.ctx.pillar : kEmpty;
}

Result<Value> get(Call& c) {
  const Value& pillar = pillar_of(c);
  const std::string key = c.str("key");
  const std::string delim = c.str("delimiter", ":");
  const Value& def = c.get("default");
  if (c.flag("merge")) {
    bool merge_lists = c.has("merge_nested_lists") ? c.flag("merge_nested_lists")
                                                   : c.ctx.opts.get_bool("pillar_merge_lists");
    const Value* found = data::traverse(pillar, key, delim);
    if (def.is_map()) {
      Value ret = found ? *found : Value(Map{});
      if (ret.is_map()) {
        Value merged = def;
        data::update(merged.as_map(), ret.as_map(), true, merge_lists);
        return merged;
      }
      c.ctx.logger().error(
          "pillar.get: Default ({}) is a dict, but the returned pillar value ({}) is of type "
          "'{}'. Merge will be skipped.",
          coerce_to_str(def), coerce_to_str(ret), ret.type_name());
    } else if (def.is_list()) {
      Value ret = found ? *found : Value(List{});
      if (ret.is_list()) {
        Value merged = def;
        for (const Value& v : ret.as_list()) {
          auto& l = merged.as_list();
          if (std::find(l.begin(), l.end(), v) == l.end()) l.push_back(v);
        }
        return merged;
      }
      c.ctx.logger().error(
          "pillar.get: Default ({}) is a list, but the returned pillar value ({}) is of type "
          "'{}'. Merge will be skipped.",
          coerce_to_str(def), coerce_to_str(ret), ret.type_name());
    } else {
      c.ctx.logger().error(
          "pillar.get: Default ({}) is of type '{}', must be a dict or list to merge. Merge will "
          "be skipped.",
          coerce_to_str(def), def.type_name());
    }
  }
  const Value* found = data::traverse(pillar, key, delim);
  return found ? *found : def;
}

Result<Value> items(Call& c) {
  Value ret = pillar_of(c);
  if (const Value& override_ = c.get("pillar"); override_.is_map()) {
    data::update(ret.as_map(), override_.as_map());
  }
  return ret;
}

Result<Value> item(Call& c) {
  const Value& pillar = pillar_of(c);
  Value def = c.kwargs.contains("default") ? *c.kwargs.find("default") : Value("");
  std::string delim = c.kwargs.contains("delimiter") ? coerce_to_str(*c.kwargs.find("delimiter"))
                                                     : std::string(":");
  Map ret;
  for (const Value& a : c.args) {
    std::string key = a.is_string() ? a.as_string() : coerce_to_str(a);
    const Value* v = data::traverse(pillar, key, delim);
    ret.set(key, v ? *v : def);
  }
  return Value(std::move(ret));
}

Result<Value> raw(Call& c) {
  const Value& pillar = pillar_of(c);
  if (!c.has("key")) return pillar;
  const Value* v = pillar.find(c.str("key"));
  return v ? *v : Value(Map{});
}

Result<Value> ls(Call& c) {
  List out;
  for (const auto& [k, v] : pillar_of(c).as_map()) out.emplace_back(k);
  return Value(std::move(out));
}

Result<Value> keys(Call& c) {
  const std::string key = c.str("key");
  const Value* v = data::traverse(pillar_of(c), key, c.str("delimiter", ":"));
  if (!v) return exception_error("KeyError", "'Pillar key not found: " + key + "'");
  if (!v->is_map())
    return exception_error("ValueError", "Pillar value in key " + key + " is not a dict");
  List out;
  for (const auto& [k, val] : v->as_map()) out.emplace_back(k);
  return Value(std::move(out));
}

Value obfuscated(const Value& v) {
  if (v.is_map()) {
    Map m;
    for (const auto& [k, val] : v.as_map()) m.set(k, obfuscated(val));
    return Value(std::move(m));
  }
  if (v.is_list()) {
    List l;
    for (const Value& val : v.as_list()) l.push_back(obfuscated(val));
    return Value(std::move(l));
  }
  return Value(std::string("<") + v.type_name() + ">");
}

Result<Value> obfuscate(Call& c) { return obfuscated(pillar_of(c)); }

Result<Value> filter_by(Call& c) {
  return data::filter_by(c.get("lookup_dict"), c.str("pillar"), pillar_of(c), c.get("merge"),
                         c.str("default", "default"), c.get("base"));
}

constexpr Param kGet[] = {{"key", {}, Type::kString},
                          {"default", "''"},
                          {"merge", "False", Type::kBool},
                          {"merge_nested_lists", "None"},
                          {"delimiter", "':'", Type::kString},
                          {"pillarenv", "None"},
                          {"saltenv", "None"}};
constexpr Param kItems[] = {
    {"pillar", "None"}, {"pillar_enc", "None"}, {"pillarenv", "None"}, {"saltenv", "None"}};
constexpr Param kRaw[] = {{"key", "None", Type::kString}};
constexpr Param kKeys[] = {{"key", {}, Type::kString}, {"delimiter", "':'", Type::kString}};
constexpr Param kFilterBy[] = {{"lookup_dict"},
                               {"pillar", {}, Type::kString},
                               {"merge", "None"},
                               {"default", "'default'", Type::kString},
                               {"base", "None"}};

constexpr std::string_view kGetDoc =
    R"(Attempt to retrieve the named value from the pillar, if the named value is
not available return the passed default. The default return is an empty
string.

The value can also represent a value in a nested dict using a ":" delimiter
for the dict. This means that if a dict in pillar looks like this::

    {'pkg': {'apache': 'httpd'}}

To retrieve the value associated with the ``apache`` key in the ``pkg``
dict this key can be passed as::

    pkg:apache

merge : False
    If ``True``, the retrieved values will be merged into the passed
    default. When the default and the retrieved value are both
    dictionaries, the dictionaries will be recursively merged; when both
    are lists, the retrieved items not already in the default are appended.

merge_nested_lists
    Merge lists inside merged dictionaries too (defaults to the
    ``pillar_merge_lists`` option).

delimiter
    Specify an alternate delimiter to use when traversing a nested dict.

CLI Example:

.. code-block:: bash

    salt '*' pillar.get pkg:apache
)";

constexpr FunctionSpec kFunctions[] = {
    {"fetch", get, "Alias of pillar.get", kGetDoc, kGet},
    {"filter_by", filter_by, "Pick a dict entry by a pillar value",
     R"(Return the first match in a dictionary of target patterns

CLI Example:

.. code-block:: bash

    salt '*' pillar.filter_by '{web: Serve it up, db: I query, default: x_x}' role
)",
     kFilterBy},
    {"get", get, "A pillar value by (nested) key, or default", kGetDoc, kGet},
    {"item",
     item,
     "Named pillar keys as a dict",
     R"(Return one or more pillar entries from the in-memory pillar data.

delimiter
    Delimiter used to traverse nested dictionaries.

default
    The value returned for keys that are not found (default '').

CLI Examples:

.. code-block:: bash

    salt '*' pillar.item foo
    salt '*' pillar.item foo:bar
    salt '*' pillar.item foo bar baz
)",
     {},
     true,
     true},
    {"items", items, "The whole pillar",
     R"(Returns the pillar data of the minion. Brine answers from the pillar the
job was given; a ``pillar`` dict argument is merged over it.

CLI Example:

.. code-block:: bash

    salt '*' pillar.items
)",
     kItems, true, true},
    {"keys", keys, "Keys of a nested pillar dict",
     R"(Attempt to retrieve a list of keys from the named value from the pillar.

CLI Example:

.. code-block:: bash

    salt '*' pillar.keys web:sites
)",
     kKeys},
    {"ls",
     ls,
     "Top-level pillar keys",
     R"(Calls the master for a fresh pillar, generates the pillar data on the
fly (same as :py:func:`items`), but only shows the available main keys.

CLI Examples:

.. code-block:: bash

    salt '*' pillar.ls
)",
     {},
     true,
     true},
    {"obfuscate",
     obfuscate,
     "The pillar with values replaced by their types",
     R"(Same as :py:func:`items`, but replace pillar values with a simple type
indication.

CLI Example:

.. code-block:: bash

    salt '*' pillar.obfuscate
)",
     {},
     true,
     true},
    {"raw", raw, "The in-memory pillar (or one top-level key)",
     R"(Return the raw pillar data that is currently loaded into the minion.

CLI Example:

.. code-block:: bash

    salt '*' pillar.raw
    salt '*' pillar.raw key='roles'
)",
     kRaw},
};

}  // namespace

const ModuleSpec kModule{"pillar", always_available, kFunctions};

}  // namespace brine::modules::pillar
