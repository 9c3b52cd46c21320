// brine::jinja: a Jinja2 (3.1) engine configured the way Salt 3006 configures
// Jinja for SLS files, pillar and file templates.
//
//   auto loader = std::make_shared<jinja::FileRootsLoader>(std::vector<std::string>{"/srv/salt"});
//   jinja::Environment env(jinja::Options{}, loader, caller);
//   Map ctx = jinja::sls_context("/srv/salt/web/init.sls", "web");
//   ctx.set("grains", grains); ctx.set("pillar", pillar); ctx.set("opts", opts);
//   ctx.set("saltenv", "base");
//   Result<std::string> text = env.render_file("web/init.sls", ctx);
//
// Semantics (see docs/templating.md): SandboxedEnvironment, StrictUndefined,
// extensions do/loopcontrols/with, Salt's filters, tests and globals, the
// context's keys as globals (visible in imported templates without `with
// context`), values printed as Python's str() prints them.
//
// Errors come back as brine::Error with Salt's wording:
//   code kParse for syntax errors, kInvalidArgument for render errors
//   (undefined variables, type errors, `raise`), kNotFound for a missing
//   top-level template; message e.g.
//     "Jinja variable 'foo' is undefined; line 12\n\n---\n...    <======================\n...\n---"
//   and `where` = "<template name>:<line>".
// A template can never crash the caller: nesting, recursion, output size and
// range() are bounded.
//
// Thread-safety: an Environment may be shared by threads; renders run
// concurrently (the compiled-template cache is locked). The Caller must be
// thread-safe if renders run concurrently.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/template/loader.h"
#include "common/values/value.h"

namespace brine::jinja {

// Calls an execution-module function for `salt['mod.fun'](...)` /
// `salt.mod.fun(...)`. Arguments are converted copies; a function that
// changes a dict or list argument in place (defaults.merge, slsutil.update)
// changes `args`/`kwargs`, and the engine writes the change back into the
// template's object, so `{% do salt['defaults.merge'](a, b) %}` updates `a`.
// An error is reported as "Problem running salt function in Jinja template".
using Caller = std::function<Result<Value>(std::string_view fun, List& args, Map& kwargs)>;

struct Options {
  bool trim_blocks = false;
  bool lstrip_blocks = false;
  // Jinja's keep_trailing_newline. Salt leaves it False and instead appends
  // the top-level template's final newline after rendering (salt_final_newline),
  // so included/imported templates lose their last newline, as in Salt.
  bool keep_trailing_newline = false;
  bool salt_final_newline = true;
  std::string block_start_string = "{%";
  std::string block_end_string = "%}";
  std::string variable_start_string = "{{";
  std::string variable_end_string = "}}";
  std::string comment_start_string = "{#";
  std::string comment_end_string = "#}";
  // Salt's allow_undefined: jinja2.Undefined instead of StrictUndefined.
  bool allow_undefined = false;
  // Hostile-template bounds.
  size_t max_output_bytes = size_t{256} << 20;
  int max_call_depth = 150;  // macro calls, includes, imports, recursive loops

  // From Salt's `jinja_env` / `jinja_sls_env` dict (keys case-insensitive:
  // trim_blocks, lstrip_blocks, keep_trailing_newline, *_string, newline_sequence
  // must be "\n"). Unknown keys are ignored with no error, as Salt warns and
  // ignores them; a wrong type is an error naming the key.
  static Result<Options> from_value(const Value& jinja_env);
};

// Salt's generate_sls_context(tmplpath, sls): tplpath, tplfile, tpldir,
// tpldot, slspath, sls_path, slsdotpath, slscolonpath (plus "sls").
Map sls_context(std::string_view tplpath, std::string_view sls);

class Environment {
 public:
  Environment(Options options, std::shared_ptr<Loader> loader, Caller caller = {});
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  // Renders a template through the loader (compiled once per Environment).
  // When `context` has "sls" but no "tplfile", sls_context() of the template
  // is added.
  Result<std::string> render_file(std::string_view name, const Map& context);
  // Renders source text; `name` is used for relative imports and messages.
  Result<std::string> render_string(std::string_view source, const Map& context,
                                    std::string_view name = "<string>");

  const Options& options() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace brine::jinja
