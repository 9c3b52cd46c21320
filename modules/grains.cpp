// grains: read and set grains (Salt's salt/modules/grains.py). The values are
// gathered by modules/grains/; static grains persist to <config dir>/grains.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "common/codec/python_repr.h"
#include "common/codec/yaml.h"
#include "modules/binding.h"
#include "modules/builtin.h"
#include "modules/grains/gather.h"
#include "modules/util/data.h"

namespace brine::modules::grains {

namespace {

Value sanitize(const std::string& key, const Value& v) {
  if (!v.is_string()) return v;
  if (key == "serialnumber") {
    const std::string& s = v.as_string();
    size_t index = static_cast<size_t>(std::floor(static_cast<double>(s.size()) * 0.75));
    return Value(s.substr(0, index) + std::string(s.size() - index, 'X'));
  }
  if (key == "domain") return Value("DOMAINNAME");
  if (key == "fqdn" || key == "id") return Value("MINION.DOMAINNAME");
  if (key == "host" || key == "localhost" || key == "nodename") return Value("MINION");
  return v;
}

std::string delimiter_of(Call& c) { return c.str("delimiter", ":"); }

Result<Value> items(Call& c) {
  Value g = c.ctx.grains();
  if (c.flag("sanitize")) {
    for (auto& [k, v] : g.as_map()) v = sanitize(k, v);
  }
  return g;
}

Result<Value> item(Call& c) {
  Map ret;
  Value def = c.kwargs.contains("default") ? *c.kwargs.find("default") : Value("");
  std::string delim = c.kwargs.contains("delimiter") ? coerce_to_str(*c.kwargs.find("delimiter"))
                                                     : std::string(":");
  bool do_sanitize = c.kwargs.contains("sanitize") && c.kwargs.find("sanitize")->truthy();
  for (const Value& a : c.args) {
    std::string key = a.is_string() ? a.as_string() : coerce_to_str(a);
    const Value* v = data::traverse(c.ctx.grains(), key, delim);
    ret.set(key, v ? *v : def);
  }
  if (do_sanitize) {
    for (auto& [k, v] : ret) v = sanitize(k, v);
  }
  return Value(std::move(ret));
}

Result<Value> get(Call& c) {
  const Value* v = data::traverse(c.ctx.grains(), c.str("key"), delimiter_of(c));
  return v ? *v : c.get("default");
}

Result<Value> ls(Call& c) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : c.ctx.grains().as_map()) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  List out;
  for (auto& k : keys) out.emplace_back(k);
  return Value(std::move(out));
}

Result<Value> has_value(Call& c) {
  const Value* v = data::traverse(c.ctx.grains(), c.str("key"), ":");
  return Value(v && v->truthy());
}

Status write_grains_file(const std::string& path, const Value& grains) {
  std::string text = codec::yaml_dump(grains.as_map().empty() ? Value(Map{}) : grains);
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return make_error(Errc::kIo, tmp + ": " + std::strerror(errno));
  size_t off = 0;
  while (off < text.size()) {
    ssize_t n = ::write(fd, text.data() + off, text.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return make_error(Errc::kIo, tmp + ": " + std::strerror(e));
    }
    off += static_cast<size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return make_error(Errc::kIo, path + ": " + std::strerror(e));
  }
  return ok();
}

// Salt's setvals: update the static grains file and the live grains.
Result<Value> set_values(Call& c, const Value& new_grains, bool destructive, bool refresh_pillar) {
  if (!new_grains.is_map()) return execution_error("setvals grains must be a dictionary.");
  const std::string path = grains_file_path(c.ctx.opts);
  auto existing = read_grains_file(path);
  if (!existing)
    return Value("Unable to read existing grains file: " + existing.error().to_string());
  Value file = std::move(*existing);
  Value& live = c.ctx.grains();
  for (const auto& [k, v] : new_grains.as_map()) {
    if (v.is_null() && destructive) {
      file.as_map().erase(k);
      live.as_map().erase(k);
    } else {
      file.as_map().set(k, v);
      live.as_map().set(k, v);
    }
  }
  if (auto st = write_grains_file(path, file); !st) {
    c.ctx.logger().error("Unable to write to grains file at {}. Check permissions.", path);
  }
  if (!c.ctx.local && c.ctx.jobs) {
    if (auto st = c.ctx.jobs->refresh_grains(refresh_pillar); !st) {
      c.ctx.logger().warn("grains refresh failed: {}", st.error().to_string());
    }
  }
  return new_grains;
}

Result<Value> setvals(Call& c) {
  return set_values(c, c.get("grains"), c.flag("destructive"), c.flag("refresh_pillar", true));
}

Result<Value> setval(Call& c) {
  Map one;
  one.set(c.str("key"), c.get("val"));
  return set_values(c, Value(std::move(one)), c.flag("destructive"),
                    c.flag("refresh_pillar", true));
}

// Salt's nested write-back used by append/remove: rebuild the top-level value
// holding `key` (a:b:c) with `leaf` at the end.
std::pair<std::string, Value> rebuild_nested(Call& c, std::string key, Value leaf,
                                             const std::string& delim, bool create) {
  Value cur = std::move(leaf);
  while (!delim.empty() && key.find(delim) != std::string::npos) {
    auto pos = key.rfind(delim);
    std::string rest = key.substr(pos + delim.size());
    key = key.substr(0, pos);
    const Value* found = data::traverse(c.ctx.grains(), key, delim);
    Value parent = found ? *found : (create ? Value(Map{}) : Value());
    if (parent.is_map()) parent.as_map().set(rest, cur);
    cur = std::move(parent);
  }
  return {key, cur};
}

Result<Value> append(Call& c) {
  const std::string key = c.str("key");
  const std::string delim = delimiter_of(c);
  const Value* found = data::traverse(c.ctx.grains(), key, delim);
  Value grains = found ? *found : Value(List{});
  const Value& val = c.get("val");
  if (c.flag("convert") && !grains.is_list()) {
    grains = grains.is_null() ? Value(List{}) : Value::list({grains});
  }
  if (!grains.is_list()) return Value("The key " + key + " is not a valid list");
  auto& list = grains.as_list();
  if (std::find(list.begin(), list.end(), val) != list.end()) {
    return Value("The val " + coerce_to_str(val) + " was already in the list " + key);
  }
  if (val.is_list()) {
    for (const Value& v : val.as_list()) list.push_back(v);
  } else {
    list.push_back(val);
  }
  auto [top, value] = rebuild_nested(c, key, std::move(grains), delim, true);
  Map one;
  one.set(top, value);
  return set_values(c, Value(std::move(one)), false, true);
}

Result<Value> remove(Call& c) {
  const std::string key = c.str("key");
  const std::string delim = delimiter_of(c);
  const Value* found = data::traverse(c.ctx.grains(), key, delim);
  Value grains = found ? *found : Value(List{});
  const Value& val = c.get("val");
  if (!grains.is_list()) return Value("The key " + key + " is not a valid list");
  auto& list = grains.as_list();
  auto it = std::find(list.begin(), list.end(), val);
  if (it == list.end()) {
    return Value("The val " + coerce_to_str(val) + " was not in the list " + key);
  }
  list.erase(it);
  auto [top, value] = rebuild_nested(c, key, std::move(grains), delim, false);
  Map one;
  one.set(top, value);
  return set_values(c, Value(std::move(one)), false, true);
}

bool complex(const Value& v) { return v.is_map() || v.is_list(); }

// Salt's grains.set.
Result<Value> set_grain(Call& c, std::string key, const Value& val, bool force, bool destructive,
                        const std::string& delim) {
  Map ret{{"comment", Value("")}, {"changes", Value(Map{})}, {"result", Value(true)}};
  const Value* existing = data::traverse(c.ctx.grains(), key, delim);
  if (existing && *existing == val && (!val.is_null() || !destructive)) {
    ret.set("comment", Value("Grain is already set"));
    return Value(std::move(ret));
  }
  Value value = val;
  if (existing && !existing->is_null() && !force) {
    if (complex(*existing)) {
      ret.set("comment", Value("The key '" + key +
                               "' exists but is a dict or a list. Use 'force=True' to overwrite."));
      ret.set("result", Value(false));
      return Value(std::move(ret));
    }
    if (complex(val)) {
      ret.set("comment", Value("The key '" + key +
                               "' exists and the given value is a dict or a list. Use "
                               "'force=True' to overwrite."));
      ret.set("result", Value(false));
      return Value(std::move(ret));
    }
  }
  while (!delim.empty() && key.find(delim) != std::string::npos) {
    auto pos = key.rfind(delim);
    std::string rest = key.substr(pos + delim.size());
    key = key.substr(0, pos);
    const Value* found = data::traverse(c.ctx.grains(), key, delim);
    Value parent = found ? *found : Value(Map{});
    if (parent.is_map()) {
      if (value.is_null() && destructive) {
        parent.as_map().erase(rest);
      } else {
        parent.as_map().set(rest, value);
      }
    } else if (parent.is_list()) {
      bool updated = false;
      for (Value& item : parent.as_list()) {
        if (item == Value(rest)) {
          item = Value::map({{rest, value}});
          updated = true;
        } else if (item.is_map() && item.as_map().contains(rest)) {
          item.as_map().set(rest, value);
          updated = true;
        }
      }
      if (!updated) parent.as_list().push_back(Value::map({{rest, value}}));
    } else if (parent == Value(rest) || force) {
      parent = Value::map({{rest, value}});
    } else {
      ret.set("comment", Value("The key '" + key + "' value is '" + coerce_to_str(parent) +
                               "', which is different from the provided key '" + rest +
                               "'. Use 'force=True' to overwrite."));
      ret.set("result", Value(false));
      return Value(std::move(ret));
    }
    value = std::move(parent);
  }
  Map one;
  one.set(key, value);
  auto r = set_values(c, Value(std::move(one)), destructive, true);
  if (!r) return r;
  if (r->is_map()) {
    ret.set("changes", *r);
  } else {
    ret.set("comment", *r);
    ret.set("result", Value(false));
  }
  return Value(std::move(ret));
}

Result<Value> set(Call& c) {
  return set_grain(c, c.str("key"), c.get("val"), c.flag("force"), c.flag("destructive"),
                   delimiter_of(c));
}

Result<Value> delval(Call& c) {
  return set_grain(c, c.str("key"), Value(), c.flag("force"), c.flag("destructive"), ":");
}

Result<Value> delkey(Call& c) {
  return set_grain(c, c.str("key"), Value(), c.flag("force"), true, ":");
}

Result<Value> filter_by(Call& c) {
  return data::filter_by(c.get("lookup_dict"), c.str("grain", "os_family"), c.ctx.grains(),
                         c.get("merge"), c.str("default", "default"), c.get("base"));
}

constexpr Param kSanitize[] = {{"sanitize", "False", Type::kBool}};
constexpr Param kGet[] = {{"key", {}, Type::kString},
                          {"default", "''"},
                          {"delimiter", "':'", Type::kString},
                          {"ordered", "True", Type::kBool}};
constexpr Param kKey[] = {{"key", {}, Type::kString}};
constexpr Param kSetval[] = {{"key", {}, Type::kString},
                             {"val"},
                             {"destructive", "False", Type::kBool},
                             {"refresh_pillar", "True", Type::kBool}};
constexpr Param kSetvals[] = {{"grains", {}, Type::kMap},
                              {"destructive", "False", Type::kBool},
                              {"refresh_pillar", "True", Type::kBool}};
constexpr Param kAppend[] = {{"key", {}, Type::kString},
                             {"val"},
                             {"convert", "False", Type::kBool},
                             {"delimiter", "':'", Type::kString}};
constexpr Param kRemove[] = {
    {"key", {}, Type::kString}, {"val"}, {"delimiter", "':'", Type::kString}};
constexpr Param kDelval[] = {{"key", {}, Type::kString},
                             {"destructive", "False", Type::kBool},
                             {"force", "False", Type::kBool}};
constexpr Param kDelkey[] = {{"key", {}, Type::kString}, {"force", "False", Type::kBool}};
constexpr Param kSet[] = {{"key", {}, Type::kString},
                          {"val", "''"},
                          {"force", "False", Type::kBool},
                          {"destructive", "False", Type::kBool},
                          {"delimiter", "':'", Type::kString}};
constexpr Param kFilterBy[] = {{"lookup_dict"},
                               {"grain", "'os_family'", Type::kString},
                               {"merge", "None"},
                               {"default", "'default'", Type::kString},
                               {"base", "None"}};

constexpr FunctionSpec kFunctions[] = {
    {"append", append, "Append a value to a list grain",
     R"(Append a value to a list in the grains config file. If the grain doesn't
exist, the grain key is added and the value is appended to the new grain
as a list item.

key
    The grain key to be appended to

val
    The value to append to the grain key

convert
    If convert is True, convert non-list contents into a list.

delimiter
    The key can be a nested dict key (a:b:c).

CLI Example:

.. code-block:: bash

    salt '*' grains.append key val
)",
     kAppend},
    {"delkey", delkey, "Remove a grain completely",
     R"(Remove a grain completely from the grain system, this will remove the
grain key and value

key
    The grain key from which to delete the value.

force
    Force remove the grain even when it is a mapped value.

CLI Example:

.. code-block:: bash

    salt '*' grains.delkey key
)",
     kDelkey},
    {"delval", delval, "Set a grain to None (destructive removes it)",
     R"(Delete a grain value from the grains config file. This will just set the
grain value to ``None``. To completely remove the grain, run ``grains.delkey``
or pass ``destructive=True`` to ``grains.delval``.

CLI Example:

.. code-block:: bash

    salt '*' grains.delval key
)",
     kDelval},
    {"filter_by", filter_by, "Pick a dict entry by a grain value",
     R"(Look up the given grain in a given dictionary for the current OS and return
the result

Although this may occasionally be useful at the CLI, the primary intent of
this function is for use in Jinja to make short work of creating lookup
tables for OS-specific data. The grain value is matched as a glob against
the keys of ``lookup_dict``; ``default`` names the entry used when nothing
matches, ``base`` an entry merged under the result and ``merge`` a dict
merged over it.

CLI Example:

.. code-block:: bash

    salt '*' grains.filter_by '{Debian: Debheads rule, RedHat: I love my hat}'
    salt '*' grains.filter_by '{A: B, C: {D: {E: F, G: H}}}' 'xxx' '{D: {E: I, J: K}}' 'C'
)",
     kFilterBy},
    {"get", get, "A grain by (nested) key, or default",
     R"(Attempt to retrieve the named value from grains, if the named value is not
available return the passed default. The default return is an empty string.

The value can also represent a value in a nested dict using a ":" delimiter
for the dict. This means that if a dict in grains looks like this::

    {'pkg': {'apache': 'httpd'}}

To retrieve the value associated with the apache key in the pkg dict this
key can be passed::

    pkg:apache

CLI Example:

.. code-block:: bash

    salt '*' grains.get pkg:apache
    salt '*' grains.get abc::def|ghi delimiter='|'
)",
     kGet},
    {"has_value", has_value, "Whether a grain has a truthy value",
     R"(Determine whether a key exists in the grains dictionary.

Given a grains dictionary that contains the following structure::

    {'pkg': {'apache': 'httpd'}}

One would determine if the apache key in the pkg dict exists by::

    pkg:apache

CLI Example:

.. code-block:: bash

    salt '*' grains.has_value pkg:apache
)",
     kKey},
    {"item",
     item,
     "Named grains as a dict",
     R"(Return one or more grains

CLI Example:

.. code-block:: bash

    salt '*' grains.item os
    salt '*' grains.item os osrelease oscodename

Sanitized CLI Example:

.. code-block:: bash

    salt '*' grains.item host sanitize=True
)",
     {},
     true,
     true},
    {"items", items, "All grains",
     R"(Return all of the minion's grains

CLI Example:

.. code-block:: bash

    salt '*' grains.items

Sanitized CLI Example:

.. code-block:: bash

    salt '*' grains.items sanitize=True
)",
     kSanitize},
    {"ls", ls, "Sorted names of all grains",
     R"(Return a list of all available grains

CLI Example:

.. code-block:: bash

    salt '*' grains.ls
)"},
    {"remove", remove, "Remove a value from a list grain",
     R"(Remove a value from a list in the grains config file

key
    The grain key to remove.

val
    The value to remove.

delimiter
    The key can be a nested dict key (a:b:c).

CLI Example:

.. code-block:: bash

    salt '*' grains.remove key val
)",
     kRemove},
    {"set", set, "Set a (nested) grain",
     R"(Set a key to an arbitrary value. It is used like setval but works
with nested keys.

This function is conservative. It will only overwrite an entry if
its value and the given one are not a list or a dict. The ``force``
parameter is used to allow overwriting in all cases.

CLI Example:

.. code-block:: bash

    salt '*' grains.set 'apps:myApp:port' 2209
    salt '*' grains.set 'apps:myApp' '{port: 2209}'
)",
     kSet},
    {"setval", setval, "Set a static grain, persisted to the grains file",
     R"(Set a grains value in the grains config file

key
    The grain key to be set.

val
    The value to set the grain key to.

destructive
    If an operation results in a key being removed, delete the key, too.
    Defaults to False.

refresh_pillar
    Whether pillar will be refreshed. Defaults to True.

CLI Example:

.. code-block:: bash

    salt '*' grains.setval key val
    salt '*' grains.setval key "{'sub-key': 'val', 'sub-key2': 'val2'}"
)",
     kSetval},
    {"setvals", setvals, "Set several static grains",
     R"(Set new grains values in the grains config file

destructive
    If an operation results in a key being removed, delete the key, too.
    Defaults to False.

refresh_pillar
    Whether pillar will be refreshed. Defaults to True.

CLI Example:

.. code-block:: bash

    salt '*' grains.setvals "{'key1': 'val1', 'key2': 'val2'}"
)",
     kSetvals},
};

}  // namespace

const ModuleSpec kModule{"grains", always_available, kFunctions};

}  // namespace brine::modules::grains
