#include <algorithm>
#include <exception>
#include <new>

#include "common/template/env_impl.h"
#include "common/template/errors.h"
#include "common/template/interp.h"
#include "common/template/parser.h"

namespace brine::jinja {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

LexOptions lex_options(const Options& o) {
  LexOptions l;
  l.block_start = o.block_start_string;
  l.block_end = o.block_end_string;
  l.variable_start = o.variable_start_string;
  l.variable_end = o.variable_end_string;
  l.comment_start = o.comment_start_string;
  l.comment_end = o.comment_end_string;
  l.trim_blocks = o.trim_blocks;
  l.lstrip_blocks = o.lstrip_blocks;
  l.keep_trailing_newline = o.keep_trailing_newline;
  return l;
}

}  // namespace

Result<Options> Options::from_value(const Value& jinja_env) {
  Options o;
  if (!jinja_env.is_map()) return o;  // Salt ignores a non-dict jinja_env
  for (const auto& [key, v] : jinja_env.as_map()) {
    std::string k = lower(key);
    auto want_bool = [&](bool* out) -> Status {
      if (!v.is_bool()) {
        return make_error(Errc::kInvalidArgument,
                          "expected a boolean, got '" + std::string(v.type_name()) + "'", k);
      }
      *out = v.as_bool();
      return {};
    };
    auto want_str = [&](std::string* out) -> Status {
      if (!v.is_string() || v.as_string().empty()) {
        return make_error(Errc::kInvalidArgument, "expected a non-empty string", k);
      }
      *out = v.as_string();
      return {};
    };
    if (k == "trim_blocks") {
      BRINE_TRY(want_bool(&o.trim_blocks));
    } else if (k == "lstrip_blocks") {
      BRINE_TRY(want_bool(&o.lstrip_blocks));
    } else if (k == "keep_trailing_newline") {
      BRINE_TRY(want_bool(&o.keep_trailing_newline));
    } else if (k == "block_start_string") {
      BRINE_TRY(want_str(&o.block_start_string));
    } else if (k == "block_end_string") {
      BRINE_TRY(want_str(&o.block_end_string));
    } else if (k == "variable_start_string") {
      BRINE_TRY(want_str(&o.variable_start_string));
    } else if (k == "variable_end_string") {
      BRINE_TRY(want_str(&o.variable_end_string));
    } else if (k == "comment_start_string") {
      BRINE_TRY(want_str(&o.comment_start_string));
    } else if (k == "comment_end_string") {
      BRINE_TRY(want_str(&o.comment_end_string));
    } else if (k == "newline_sequence") {
      if (!v.is_string() || v.as_string() != "\n") {
        return make_error(Errc::kUnsupported, "only \"\\n\" is supported", k);
      }
    } else if (k == "line_statement_prefix" || k == "line_comment_prefix") {
      if (!v.is_null())
        return make_error(Errc::kUnsupported, "line statements are not supported", k);
    }
    // Other keys: Salt logs "Jinja2 environment <k> is not recognized" and ignores them.
  }
  return o;
}

Map sls_context(std::string_view tplpath, std::string_view sls) {
  Map ctx;
  std::string slspath(sls);
  std::replace(slspath.begin(), slspath.end(), '.', '/');
  if (!tplpath.empty()) {
    std::string tmpl(tplpath);
    if (sls.empty()) {
      size_t slash = tmpl.rfind('/');
      if (slash != std::string::npos) tmpl = tmpl.substr(slash + 1);
    } else if (tmpl.ends_with(slspath + ".sls")) {
      tmpl = tmpl.substr(tmpl.size() - (4 + slspath.size()));
    } else if (tmpl.ends_with(slspath + "/init.sls")) {
      tmpl = tmpl.substr(tmpl.size() - (9 + slspath.size()));
    }
    size_t slash = tmpl.rfind('/');
    slspath = slash == std::string::npos ? std::string() : tmpl.substr(0, slash);
    std::string dot = slspath;
    std::replace(dot.begin(), dot.end(), '/', '.');
    ctx.set("tplpath", std::string(tplpath));
    ctx.set("tplfile", tmpl);
    ctx.set("tpldir", slspath.empty() ? std::string(".") : slspath);
    ctx.set("tpldot", dot);
  }
  auto repl = [&](char c) {
    std::string s = slspath;
    std::replace(s.begin(), s.end(), '/', c);
    return s;
  };
  ctx.set("slspath", slspath);
  ctx.set("slsdotpath", repl('.'));
  ctx.set("slscolonpath", repl(':'));
  ctx.set("sls_path", repl('_'));
  return ctx;
}

R<std::shared_ptr<const Template>> Environment::Impl::compile(std::string_view source,
                                                              std::string name, std::string path) {
  JASSIGN(std::unique_ptr<Template> t, parse_template(source, std::move(name), lex, symbols));
  t->path = std::move(path);
  return std::shared_ptr<const Template>(std::move(t));
}

R<std::shared_ptr<const Template>> Environment::Impl::get(const std::string& canonical) {
  {
    std::lock_guard lock(mu);
    auto it = cache.find(canonical);
    if (it != cache.end()) return it->second;
  }
  if (!loader)
    return fault(FaultKind::kNotFound,
                 "Template '" + canonical + "' not found: no loader configured");
  Result<LoadedSource> src = loader->load(canonical);
  if (!src) {
    return fault(src.error().code == Errc::kNotFound ? FaultKind::kNotFound : FaultKind::kOther,
                 "Template '" + canonical + "' not found: " + src.error().message);
  }
  JASSIGN(std::shared_ptr<const Template> t, compile(src->text, canonical, src->path));
  std::lock_guard lock(mu);
  auto [it, inserted] = cache.emplace(canonical, t);
  return it->second;
}

Environment::Environment(Options options, std::shared_ptr<Loader> loader, Caller caller)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->lex = lex_options(impl_->options);
  impl_->loader = std::move(loader);
  impl_->caller = std::move(caller);
  for (auto& [name, v] : make_builtin_globals()) {
    impl_->builtins.emplace_back(impl_->symbols.intern(name), std::move(v));
  }
}

Environment::Impl::~Impl() {
  for (auto& [sym, v] : builtins) v.release_immortal();
}

Environment::~Environment() = default;

const Options& Environment::options() const { return impl_->options; }

namespace {

Result<std::string> run(Environment::Impl& impl, std::shared_ptr<const Template> tmpl,
                        const Map& context) {
  Interp in(impl, impl.options);
  R<std::string> out = [&]() -> R<std::string> {
    try {
      return in.render_top(tmpl, context);
    } catch (const std::bad_alloc&) {
      return fault(FaultKind::kOther, "out of memory while rendering");
    } catch (const std::exception& e) {
      return fault(FaultKind::kOther, std::string("internal error while rendering: ") + e.what());
    }
  }();
  if (!out) {
    const Fault& f = *out.error();
    const Template* failing =
        f.template_name.empty() ? tmpl.get() : in.find_template(f.template_name);
    if (f.parse)
      return to_error(f, tmpl->name, f.source, failing ? failing->path : std::string_view());
    if (!failing) failing = tmpl.get();
    return to_error(f, tmpl->name, failing->source, failing->path);
  }
  if (impl.options.salt_final_newline && tmpl->source.ends_with('\n')) out->push_back('\n');
  return std::move(*out);
}

}  // namespace

Result<std::string> Environment::render_file(std::string_view name, const Map& context) {
  Result<std::string> canonical =
      impl_->loader ? impl_->loader->resolve(name, "") : Result<std::string>(std::string(name));
  if (!canonical) return canonical.error();
  R<std::shared_ptr<const Template>> t = impl_->get(*canonical);
  if (!t) return to_error(*t.error(), *canonical, t.error()->source, std::string_view());
  if (context.contains("sls") && !context.contains("tplfile")) {
    Map ctx = context;
    const Value* sls = context.find("sls");
    std::string path = (*t)->path.empty() ? (*t)->name : (*t)->path;
    Map extra = sls_context(path, sls->is_string() ? sls->as_string() : std::string());
    for (auto& [k, v] : extra) ctx.set(k, std::move(v));
    return run(*impl_, *t, ctx);
  }
  return run(*impl_, *t, context);
}

Result<std::string> Environment::render_string(std::string_view source, const Map& context,
                                               std::string_view name) {
  R<std::shared_ptr<const Template>> t = impl_->compile(source, std::string(name), std::string());
  if (!t) return to_error(*t.error(), name, source, std::string_view());
  return run(*impl_, *t, context);
}

}  // namespace brine::jinja
