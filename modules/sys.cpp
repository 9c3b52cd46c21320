// sys: introspection of the loaded modules (Salt's salt/modules/sysmod.py).
#include <fnmatch.h>

#include <set>

#include "modules/binding.h"
#include "modules/builtin.h"

namespace brine::modules::sys {

namespace {

bool glob_match(const std::string& pattern, const std::string& name) {
  return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

std::string arg_string(const Value& v) { return v.is_string() ? v.as_string() : coerce_to_str(v); }

Value sorted_list(const std::set<std::string>& names) {
  List out;
  for (const auto& n : names) out.emplace_back(n);
  return Value(std::move(out));
}

Result<Value> list_modules(Call& c) {
  const Registry& r = c.ctx.registry;
  std::set<std::string> mods;
  if (c.args.empty()) {
    for (auto& m : r.list_modules()) mods.insert(m);
    return sorted_list(mods);
  }
  std::vector<std::string> functions = r.list_functions();
  for (const Value& a : c.args) {
    std::string pattern = arg_string(a);
    for (const std::string& f : functions) {
      std::string mod = f.substr(0, f.find('.'));
      if (pattern.find('*') != std::string::npos ? glob_match(pattern, f) : mod == pattern) {
        mods.insert(mod);
      }
    }
  }
  return sorted_list(mods);
}

Result<Value> list_functions(Call& c) {
  std::vector<std::string> functions = c.ctx.registry.list_functions();
  if (c.args.empty()) {
    List out;
    for (auto& f : functions) out.emplace_back(f);
    return Value(std::move(out));
  }
  std::set<std::string> names;
  for (const Value& a : c.args) {
    std::string pattern = arg_string(a);
    for (const std::string& f : functions) {
      bool hit = (pattern.find('*') != std::string::npos || pattern.find('.') != std::string::npos)
                     ? glob_match(pattern, f)
                     : f.starts_with(pattern + ".");
      if (hit) names.insert(f);
    }
  }
  return sorted_list(names);
}

Result<Value> doc(Call& c) {
  const Registry& r = c.ctx.registry;
  std::vector<std::string> functions = r.list_functions();
  Map docs;
  auto add = [&](const std::string& name) {
    if (const Function* f = r.find(name)) docs.set(name, Value(f->doc));
  };
  if (c.args.empty()) {
    for (const std::string& f : functions) add(f);
    return Value(std::move(docs));
  }
  for (const Value& a : c.args) {
    std::string module = arg_string(a);
    if (module.find('*') != std::string::npos) {
      for (const std::string& f : functions) {
        if (glob_match(module, f)) add(f);
      }
      continue;
    }
    std::string target = module.empty() || module.ends_with(".") ? module : module + ".";
    for (const std::string& f : functions) {
      if (f == module || f.starts_with(target)) add(f);
    }
  }
  return Value(std::move(docs));
}

Value spec_of(const Function& f) {
  List args, defaults;
  for (const Parameter& p : f.params) {
    args.emplace_back(p.name);
    if (p.def) defaults.push_back(*p.def);
  }
  Map m;
  m.set("args", args.empty() ? Value() : Value(std::move(args)));
  m.set("defaults", defaults.empty() ? Value() : Value(std::move(defaults)));
  m.set("varargs", f.varargs ? Value(true) : Value());
  m.set("kwargs", f.varkwargs ? Value(true) : Value());
  return Value(std::move(m));
}

Result<Value> argspec(Call& c) {
  const Registry& r = c.ctx.registry;
  std::string module = c.str("module");
  Map out;
  for (const std::string& name : r.list_functions()) {
    bool hit = (module.find('*') != std::string::npos || module.find('.') != std::string::npos)
                   ? glob_match(module, name)
                   : name.starts_with(module + ".");
    if (!hit) continue;
    if (const Function* f = r.find(name)) out.set(name, spec_of(*f));
  }
  return Value(std::move(out));
}

Result<Value> reload_modules(Call&) { return Value(true); }

constexpr Param kModule_[] = {{"module", "''", Type::kString}};

constexpr FunctionSpec kFunctions[] = {
    {"argspec", argspec, "Argument specification of functions",
     R"(Return the argument specification of functions in Salt execution
modules.

CLI Example:

.. code-block:: bash

    salt '*' sys.argspec pkg.install
    salt '*' sys.argspec sys
    salt '*' sys.argspec

Module names can be specified as globs.

.. code-block:: bash

    salt '*' sys.argspec 'pkg.*'
)",
     kModule_},
    {"doc",
     doc,
     "Docstrings of functions",
     R"(Return the docstrings for all modules. Optionally, specify a module or a
function to narrow the selection.

The strings are aggregated into a single document on the master for easy
reading.

Multiple modules/functions can be specified.

CLI Example:

.. code-block:: bash

    salt '*' sys.doc
    salt '*' sys.doc sys
    salt '*' sys.doc sys.doc
    salt '*' sys.doc network.traceroute user.info

Modules can be specified as globs.

.. code-block:: bash

    salt '*' sys.doc 'sys.*'
    salt '*' sys.doc 'sys.list_*'
)",
     {},
     true},
    {"list_functions",
     list_functions,
     "Sorted names of functions",
     R"(List the functions for all modules. Optionally, specify a module or modules
from which to list.

CLI Example:

.. code-block:: bash

    salt '*' sys.list_functions
    salt '*' sys.list_functions sys
    salt '*' sys.list_functions sys user

Function names can be specified as globs.

.. code-block:: bash

    salt '*' sys.list_functions 'sys.list_*'
)",
     {},
     true,
     true},
    {"list_modules",
     list_modules,
     "Sorted names of modules",
     R"(List the modules loaded on the minion

CLI Example:

.. code-block:: bash

    salt '*' sys.list_modules

Module names can be specified as globs.

.. code-block:: bash

    salt '*' sys.list_modules 's*'
)",
     {},
     true},
    {"reload_modules", reload_modules, "Reload modules (a no-op: modules are compiled in)",
     R"(Tell the minion to reload the execution modules. Built-in modules are
compiled in and external modules are described on first use, so this only
returns True.

CLI Example:

.. code-block:: bash

    salt '*' sys.reload_modules
)"},
};

}  // namespace

const ModuleSpec kModule{"sys", always_available, kFunctions};

}  // namespace brine::modules::sys
