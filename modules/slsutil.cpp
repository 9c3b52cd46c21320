// slsutil: helpers for SLS and Jinja (Salt's salt/modules/slsutil.py): merging
// and (de)serialising.
#include <fstream>
#include <iterator>

#include "common/codec/json.h"
#include "common/codec/yaml.h"
#include "common/template/loader.h"
#include "modules/binding.h"
#include "modules/builtin.h"
#include "modules/util/data.h"
#include "modules/util/render.h"

namespace brine::modules::slsutil {

namespace {

Result<Value> update(Call& c) {
  Value dest = c.get("dest");
  const Value& upd = c.get("upd");
  if (!dest.is_map() || !upd.is_map()) {
    return exception_error("TypeError",
                           "Cannot update using non-dict types in dictupdate.update()");
  }
  data::update(dest.as_map(), upd.as_map(), c.flag("recursive_update", true),
               c.flag("merge_lists"));
  return dest;
}

Result<Value> merge(Call& c) {
  std::string strategy = c.str("strategy", "smart");
  std::string renderer = c.str("renderer", "yaml");
  if (strategy == "smart") {
    std::string last =
        renderer.substr(renderer.rfind('|') == std::string::npos ? 0 : renderer.rfind('|') + 1);
    strategy = (last == "yamlex" || renderer.starts_with("yamlex_")) ? "aggregate" : "recurse";
  }
  return data::merge(c.get("obj_a"), c.get("obj_b"), strategy, c.flag("merge_lists"));
}

// Keyword options the serializers understand, taken from **kwargs.
const Value* option(Call& c, const char* name) {
  const Value* v = c.kwargs.find(name);
  return v && !v->is_null() ? v : nullptr;
}

Result<Value> serialize(Call& c) {
  const std::string serializer = c.str("serializer");
  const Value& obj = c.get("obj");
  if (serializer == "json") {
    codec::JsonDumpOptions o;
    if (const Value* v = option(c, "indent"); v && v->is_int())
      o.indent = static_cast<int>(v->as_int());
    if (const Value* v = option(c, "sort_keys")) o.sort_keys = v->truthy();
    if (const Value* v = option(c, "ensure_ascii")) o.ensure_ascii = v->truthy();
    return Value(codec::json_dump(obj, o));
  }
  if (serializer == "yaml") {
    codec::YamlDumpOptions o;
    o.default_flow_style_none = true;
    if (const Value* v = option(c, "default_flow_style")) {
      o.default_flow_style_none = false;
      o.flow = v->truthy();
    }
    if (const Value* v = option(c, "indent"); v && v->is_int())
      o.indent = static_cast<int>(v->as_int());
    std::string out = codec::yaml_dump(obj, o);
    if (out.ends_with("\n...\n")) {
      out.resize(out.size() - 5);
    } else if (out.ends_with("\n")) {
      out.pop_back();
    }
    return Value(out);
  }
  return execution_error("Serializer '" + serializer + "' is not available (json, yaml)");
}

Result<Value> deserialize(Call& c) {
  const std::string serializer = c.str("serializer");
  std::string text = c.str("stream_or_string");
  if (serializer == "json") {
    auto v = codec::json_parse(text, "slsutil.deserialize");
    if (!v)
      return execution_error("Could not deserialize json: " + v.error().to_string(), Errc::kParse);
    return v;
  }
  if (serializer == "yaml") {
    auto v = codec::yaml_load(text, "slsutil.deserialize");
    if (!v)
      return execution_error("Could not deserialize yaml: " + v.error().to_string(), Errc::kParse);
    return v;
  }
  return execution_error("Serializer '" + serializer + "' is not available (json, yaml)");
}

// Salt's slsutil.renderer: render a file (path=, local or salt://) or a string
// (string=) through a render pipeline and return the text or the data.
Result<Value> renderer(Call& c) {
  std::string pipeline = c.str("default_renderer", "jinja");
  Map extra;
  for (const auto& [k, v] : c.kwargs) {
    if (!k.starts_with("__")) extra.set(k, v);
  }
  if (c.has("string")) {
    return render::render_pipeline(c.ctx, pipeline, c.str("string"), "<string>", extra);
  }
  if (!c.has("path")) return invocation_error("Must pass either path or string");
  std::string path = c.str("path");
  std::string text, name = path;
  if (path.starts_with("salt://")) {
    const Value* se = extra.find("saltenv");
    std::string env =
        se && se->is_string() ? se->as_string() : c.ctx.opts.get_string("saltenv", "base");
    std::vector<std::string> roots;
    if (const Value* dirs = c.ctx.opts.traverse("file_roots:" + (env.empty() ? "base" : env));
        dirs && dirs->is_list()) {
      for (const auto& d : dirs->as_list()) {
        if (d.is_string()) roots.push_back(d.as_string());
      }
    }
    jinja::FileRootsLoader loader(std::move(roots));
    auto src = loader.load(path.substr(7));
    if (!src)
      return execution_error("Could not find " + path + ": " + src.error().message,
                             Errc::kNotFound);
    text = std::move(src->text);
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) return execution_error("Could not find " + path, Errc::kNotFound);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  return render::render_pipeline(c.ctx, pipeline, text, name, extra);
}

constexpr Param kRenderer[] = {{"path", "None", Type::kString},
                               {"string", "None", Type::kString},
                               {"default_renderer", "'jinja'", Type::kString}};

constexpr Param kUpdate[] = {{"dest", {}, Type::kMap},
                             {"upd", {}, Type::kMap},
                             {"recursive_update", "True", Type::kBool},
                             {"merge_lists", "False", Type::kBool}};
constexpr Param kMerge[] = {{"obj_a"},
                            {"obj_b"},
                            {"strategy", "'smart'", Type::kString},
                            {"renderer", "'yaml'", Type::kString},
                            {"merge_lists", "False", Type::kBool}};
constexpr Param kSerialize[] = {{"serializer", {}, Type::kString}, {"obj"}};
constexpr Param kDeserialize[] = {{"serializer", {}, Type::kString},
                                  {"stream_or_string", {}, Type::kString}};

constexpr FunctionSpec kFunctions[] = {
    {"renderer", renderer, "Render a file or string through a render pipeline",
     R"(Parse a string or file through a render pipeline (``jinja``, ``yaml``,
``json``, or several joined with ``|`` such as ``jinja|yaml``) and return the
rendered text (when the last step is ``jinja``) or data.

path
    A local path or a ``salt://`` path resolved in ``file_roots``.
string
    An inline template, used instead of ``path``.
default_renderer
    The pipeline, ``jinja`` by default.

Other keyword arguments (``saltenv``, ``sls``, ...) are passed to the template.

CLI Example:

.. code-block:: bash

    salt-call --local slsutil.renderer path=/srv/salt/x.sls default_renderer=jinja --out json
    salt '*' slsutil.renderer string='{{ grains.id }}' default_renderer='jinja|yaml'
)",
     kRenderer, false, true},
    {"deserialize", deserialize, "Parse json or yaml text",
     R"(Deserialize a Python object using one of the available
:ref:`all-salt.serializers` (``json`` and ``yaml`` in Brine).

CLI Example:

.. code-block:: bash

    salt '*' --no-parse=stream_or_string slsutil.deserialize 'json' \
        stream_or_string='{"foo": "Foo!"}'

Jinja Example:

.. code-block:: jinja

    {% set python_object = salt.slsutil.deserialize('json',
        '{"foo": "Foo!"}') %}
)",
     kDeserialize},
    {"merge", merge, "Merge two dicts with a strategy",
     R"(Merge a data structure into another by choosing a merge strategy

Strategies:

* aggregate
* list
* overwrite
* recurse
* smart

CLI Example:

.. code-block:: shell

    salt '*' slsutil.merge '{foo: Foo}' '{bar: Bar}'
)",
     kMerge},
    {"serialize", serialize, "Write a value as json or yaml text",
     R"(Serialize a Python object using one of the available
:ref:`all-salt.serializers` (``json`` and ``yaml`` in Brine).

CLI Example:

.. code-block:: bash

    salt '*' --no-parse=obj slsutil.serialize 'json' obj="{'foo': 'Foo!'}"

Jinja Example:

.. code-block:: jinja

    {% set json_string = salt.slsutil.serialize('json',
        {'foo': 'Foo!'}) %}
)",
     kSerialize, false, true},
    {"update", update, "Recursive dict update",
     R"(Merge ``upd`` recursively into ``dest``

If ``merge_lists=True``, will aggregate list object types instead of
replacing. This behavior is only activated when ``recursive_update=True``.

CLI Example:

.. code-block:: shell

    salt '*' slsutil.update '{foo: Foo}' '{bar: Bar}'
)",
     kUpdate},
};

}  // namespace

const ModuleSpec kModule{"slsutil", always_available, kFunctions};

}  // namespace brine::modules::slsutil
