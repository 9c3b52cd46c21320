#include "modules/util/render.h"

#include <memory>
#include <vector>

#include "common/template/jinja.h"

namespace brine::modules::render {

Result<std::string> template_string(Context& ctx, std::string_view engine, std::string_view text,
                                    std::string_view saltenv) {
  if (engine != "jinja") {
    return execution_error("Attempted to render file paths with unavailable engine " +
                           std::string(engine));
  }
  std::string env = saltenv.empty() ? ctx.opts.get_string("saltenv", "base") : std::string(saltenv);
  if (env.empty()) env = "base";
  std::vector<std::string> roots;
  if (const Value* fr = ctx.opts.find("file_roots")) {
    if (const Value* dirs = fr->find(env); dirs && dirs->is_list()) {
      for (const Value& d : dirs->as_list()) {
        if (d.is_string()) roots.push_back(d.as_string());
      }
    }
  }
  auto options = jinja::Options::from_value(ctx.opts.find("jinja_env") ? *ctx.opts.find("jinja_env")
                                                                       : Value(Map{}));
  if (!options)
    return execution_error("Failed to execute cmd with error: " + options.error().to_string());
  options->salt_final_newline = false;
  jinja::Environment jenv(*options, std::make_shared<jinja::FileRootsLoader>(std::move(roots)),
                          [&ctx](std::string_view fun, List& args, Map& kwargs) {
                            return ctx.registry.call(fun, args, kwargs, ctx);
                          });
  Map context;
  context.set("grains", ctx.grains());
  context.set("pillar", ctx.pillar);
  context.set("opts", ctx.opts);
  context.set("saltenv", Value(env));
  auto out = jenv.render_string(text, context, "<cmd>");
  if (!out) return execution_error("Failed to execute cmd with error: " + out.error().to_string());
  return out;
}

}  // namespace brine::modules::render
