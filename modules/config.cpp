// config: look up options in opts, grains and pillar (Salt's
// salt/modules/config.py).
#include <fnmatch.h>
#include <spdlog/spdlog.h>

#include "modules/builtin.h"
#include "modules/util/data.h"

namespace brine::modules::config {

namespace {

Result<Value> get(Call& c) {
  const std::string key = c.str("key");
  const std::string delim = c.str("delimiter", ":");
  if (!c.has("merge")) {
    auto lookup = [&](const Value& layer) { return data::traverse(layer, key, delim); };
    if (!c.flag("omit_opts")) {
      if (const Value* v = lookup(c.ctx.opts)) return *v;
    }
    if (!c.flag("omit_grains")) {
      if (const Value* v = lookup(c.ctx.grains())) return *v;
    }
    if (!c.flag("omit_pillar")) {
      if (const Value* v = lookup(c.ctx.pillar)) return *v;
    }
    if (!c.flag("omit_master")) {
      if (const Value* master = c.ctx.pillar.find("master")) {
        if (const Value* v = lookup(*master)) return *v;
      }
    }
    return c.get("default");
  }
  std::string strategy = c.str("merge");
  if (strategy != "recurse" && strategy != "overwrite") {
    c.ctx.logger().warn("Unsupported merge strategy '{}'. Falling back to 'recurse'.", strategy);
    strategy = "recurse";
  }
  Value merged{Map{}};
  if (const Value* master = c.ctx.pillar.find("master"); master && master->is_map()) {
    merged = data::merge(std::move(merged), *master, strategy);
  }
  if (c.ctx.pillar.is_map()) merged = data::merge(std::move(merged), c.ctx.pillar, strategy);
  merged = data::merge(std::move(merged), c.ctx.grains(), strategy);
  if (c.ctx.opts.is_map()) merged = data::merge(std::move(merged), c.ctx.opts, strategy);
  if (const Value* v = data::traverse(merged, key, delim)) return *v;
  return c.get("default");
}

Result<Value> option(Call& c) {
  const std::string value = c.str("value");
  bool all = c.flag("omit_all");
  Value def = c.get("default");
  if (def.is_null()) def = c.flag("wildcard") ? Value(Map{}) : Value("");
  std::vector<const Value*> layers;
  if (!all && !c.flag("omit_opts")) layers.push_back(&c.ctx.opts);
  if (!all && !c.flag("omit_grains")) layers.push_back(&c.ctx.grains());
  if (!all && !c.flag("omit_pillar")) layers.push_back(&c.ctx.pillar);
  if (!all && !c.flag("omit_master")) {
    if (const Value* master = c.ctx.pillar.find("master")) layers.push_back(master);
  }
  if (!c.flag("wildcard")) {
    for (const Value* layer : layers) {
      if (const Value* v = layer->find(value)) return *v;
    }
    return def;
  }
  Map ret;
  for (const Value* layer : layers) {
    if (!layer->is_map()) continue;
    for (const auto& [k, v] : layer->as_map()) {
      if (::fnmatch(value.c_str(), k.c_str(), 0) == 0 && !ret.contains(k)) ret.set(k, v);
    }
  }
  return ret.empty() ? def : Value(std::move(ret));
}

Result<Value> items(Call& c) { return c.ctx.opts; }

Result<Value> dot_vals(Call& c) {
  const std::string prefix = c.str("value") + ".";
  Map ret;
  if (const Value* master = c.ctx.pillar.find("master"); master && master->is_map()) {
    for (const auto& [k, v] : master->as_map()) {
      if (k.starts_with(prefix)) ret.set(k, v);
    }
  }
  if (c.ctx.opts.is_map()) {
    for (const auto& [k, v] : c.ctx.opts.as_map()) {
      if (k.starts_with(prefix)) ret.set(k, v);
    }
  }
  return Value(std::move(ret));
}

constexpr Param kGet[] = {{"key", {}, Type::kString},
                          {"default", "''"},
                          {"delimiter", "':'", Type::kString},
                          {"merge", "None", Type::kString},
                          {"omit_opts", "False", Type::kBool},
                          {"omit_pillar", "False", Type::kBool},
                          {"omit_master", "False", Type::kBool},
                          {"omit_grains", "False", Type::kBool}};
constexpr Param kOption[] = {
    {"value", {}, Type::kString},          {"default", "None"},
    {"omit_opts", "False", Type::kBool},   {"omit_grains", "False", Type::kBool},
    {"omit_pillar", "False", Type::kBool}, {"omit_master", "False", Type::kBool},
    {"omit_all", "False", Type::kBool},    {"wildcard", "False", Type::kBool}};
constexpr Param kValue[] = {{"value", {}, Type::kString}};

constexpr FunctionSpec kFunctions[] = {
    {"dot_vals", dot_vals, "Options starting with '<value>.'",
     R"(Pass in a configuration value that should be preceded by the module name
and a dot, this will return a list of all read key/value pairs

CLI Example:

.. code-block:: bash

    salt '*' config.dot_vals host
)",
     kValue},
    {"get", get, "A value from opts, grains, pillar or master config",
     R"(Attempt to retrieve the named value from the minion config file, pillar,
grains or the master config. If the named value is not available, return the
value specified by the ``default`` argument. If this argument is not
specified, ``default`` falls back to an empty string.

Values can also be retrieved from nested dictionaries. Assume the below
data structure:

.. code-block:: python

    {'pkg': {'apache': 'httpd'}}

To retrieve the value associated with the ``apache`` key, in the
sub-dictionary corresponding to the ``pkg`` key, the following command can
be used:

.. code-block:: bash

    salt myminion config.get pkg:apache

The ``:`` (colon) is used to represent a nested dictionary level. This
function traverses these data stores in this order, returning the first
match found:

- Minion configuration
- Minion's grains
- Minion's pillar data
- Master configuration (requires ``pillar_opts`` to be set to ``True``)

merge
    ``recurse`` or ``overwrite``: merge the matches of every layer instead
    of returning the first one.

CLI Example:

.. code-block:: bash

    salt '*' config.get pkg:apache
    salt '*' config.get lxc.container_profile:centos merge=recurse
)",
     kGet},
    {"items", items, "The minion configuration",
     R"(Return the complete config from the currently running minion process.
This includes defaults for values not set in the config file.

CLI Example:

.. code-block:: bash

    salt '*' config.items
)"},
    {"option", option, "A top-level option from opts, grains or pillar",
     R"(Returns the setting for the specified config value. The priority for
matches is the same as in :py:func:`config.get <salt.modules.config.get>`,
only this function does not recurse into nested data structures. Another
difference between this function and :py:func:`config.get
<salt.modules.config.get>` is that it comes with a set of "sane defaults".

value
    The setting for which to return a value

default
    The value to return if the setting is not found (``''``, or ``{}``
    with ``wildcard``)

omit_opts, omit_grains, omit_pillar, omit_master, omit_all
    Skip those sources.

wildcard
    Treat ``value`` as a glob and return a dict of every match.

CLI Example:

.. code-block:: bash

    salt '*' config.option redis.host
)",
     kOption},
};

}  // namespace

const ModuleSpec kModule{"config", always_available, kFunctions};

}  // namespace brine::modules::config
