// Rendering a string as a Jinja template the way execution modules do it
// (cmd.* with template=jinja): Salt's context (salt, grains, pillar, opts,
// saltenv), `salt['mod.fun']` calls going through this job's registry, and
// imports resolved in the saltenv's file_roots.
//
// Thread-safety: as the Context (one job).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "modules/registry.h"

namespace brine::modules::render {

// Renders `text` with the named engine (only "jinja" today). Errors:
// execution errors with Salt's texts, "Attempted to render file paths with
// unavailable engine X" and "Failed to execute cmd with error: <why>".
Result<std::string> template_string(Context& ctx, std::string_view engine, std::string_view text,
                                    std::string_view saltenv);

// Salt's render pipeline for slsutil.renderer: `pipeline` is "jinja",
// "jinja|yaml", "yaml", "json", ... applied left to right. The template is
// `text` named `name` (a filesystem path, "salt://rel/path" or "<string>");
// imports resolve in the saltenv's file_roots and next to a local file.
// `extra` joins the context (sls, saltenv and any kwargs). Returns the text
// when the last step is jinja, else the data. Errors name the template.
Result<Value> render_pipeline(Context& ctx, std::string_view pipeline, std::string_view text,
                              std::string_view name, const Map& extra);

}  // namespace brine::modules::render
