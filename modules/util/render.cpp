#include "modules/util/render.h"

#include <memory>
#include <vector>

#include "common/codec/json.h"
#include "common/codec/yaml.h"
#include "common/template/jinja.h"

namespace brine::modules::render {

namespace {

std::string saltenv_of(const Context& ctx, std::string_view saltenv) {
  std::string env = saltenv.empty() ? ctx.opts.get_string("saltenv", "base") : std::string(saltenv);
  return env.empty() ? "base" : env;
}

// A Jinja environment as Salt builds one for a job: file_roots of `env` (plus
// `extra_roots`) for imports, salt[...] through this job's registry.
Result<std::unique_ptr<jinja::Environment>> make_env(Context& ctx, const std::string& env,
                                                     std::vector<std::string> extra_roots,
                                                     bool final_newline) {
  std::vector<std::string> roots = std::move(extra_roots);
  if (const Value* fr = ctx.opts.find("file_roots")) {
    if (const Value* dirs = fr->find(env); dirs && dirs->is_list()) {
      for (const Value& d : dirs->as_list()) {
        if (d.is_string()) roots.push_back(d.as_string());
      }
    }
  }
  const Value* je = ctx.opts.find("jinja_env");
  auto options = jinja::Options::from_value(je ? *je : Value(Map{}));
  if (!options) return options.error();
  options->salt_final_newline = final_newline;
  return std::make_unique<jinja::Environment>(
      *options, std::make_shared<jinja::FileRootsLoader>(std::move(roots)),
      [&ctx](std::string_view fun, List& args, Map& kwargs) {
        return ctx.registry.call(fun, args, kwargs, ctx);
      });
}

Map base_context(Context& ctx, const std::string& env) {
  Map context;
  context.set("grains", ctx.grains());
  context.set("pillar", ctx.pillar);
  context.set("opts", ctx.opts);
  context.set("saltenv", Value(env));
  return context;
}

}  // namespace

Result<std::string> template_string(Context& ctx, std::string_view engine, std::string_view text,
                                    std::string_view saltenv) {
  if (engine != "jinja") {
    return execution_error("Attempted to render file paths with unavailable engine " +
                           std::string(engine));
  }
  std::string env = saltenv_of(ctx, saltenv);
  auto jenv = make_env(ctx, env, {}, false);
  if (!jenv)
    return execution_error("Failed to execute cmd with error: " + jenv.error().to_string());
  auto out = (*jenv)->render_string(text, base_context(ctx, env), "<cmd>");
  if (!out) return execution_error("Failed to execute cmd with error: " + out.error().to_string());
  return out;
}

Result<Value> render_pipeline(Context& ctx, std::string_view pipeline, std::string_view text,
                              std::string_view name, const Map& extra) {
  const Value* se = extra.find("saltenv");
  std::string env = saltenv_of(ctx, se && se->is_string() ? se->as_string() : "");
  std::vector<std::string> extra_roots;
  std::string template_name(name);
  if (name.starts_with("salt://")) {
    template_name = std::string(name.substr(7));
  } else if (name.starts_with("/")) {
    // A local file: its directory serves its relative imports.
    auto slash = name.rfind('/');
    extra_roots.emplace_back(name.substr(0, slash == 0 ? 1 : slash));
    template_name = std::string(name.substr(slash + 1));
  }
  Value current(std::string{text});
  size_t start = 0;
  while (start <= pipeline.size()) {
    size_t bar = pipeline.find('|', start);
    std::string step(pipeline.substr(start, bar == std::string_view::npos ? bar : bar - start));
    start = bar == std::string_view::npos ? pipeline.size() + 1 : bar + 1;
    while (!step.empty() && step.back() == ' ') step.pop_back();
    while (!step.empty() && step.front() == ' ') step.erase(0, 1);
    if (!current.is_string()) {
      return execution_error("renderer '" + step + "' got data, not text, from the previous step");
    }
    if (step == "jinja") {
      auto jenv = make_env(ctx, env, extra_roots, true);
      if (!jenv) return execution_error(jenv.error().to_string());
      Map context = base_context(ctx, env);
      for (const auto& [k, v] : extra) context.set(k, v);
      auto out = (*jenv)->render_string(current.as_string(), context, template_name);
      if (!out) return execution_error(out.error().to_string());
      current = Value(std::move(*out));
    } else if (step == "yaml") {
      auto v = codec::yaml_load(current.as_string(), name);
      if (!v) return execution_error(v.error().to_string(), Errc::kParse);
      current = std::move(*v);
    } else if (step == "json") {
      auto v = codec::json_parse(current.as_string(), name);
      if (!v) return execution_error(v.error().to_string(), Errc::kParse);
      current = std::move(*v);
    } else {
      return execution_error("renderer '" + step + "' is not available (jinja, yaml, json)");
    }
  }
  return current;
}

}  // namespace brine::modules::render
