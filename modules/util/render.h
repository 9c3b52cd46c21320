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

}  // namespace brine::modules::render
