#include "modules/registry.h"

#include <fnmatch.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "common/cli/args.h"
#include "modules/binding.h"

namespace brine::modules {

struct Registry::Module {
  std::string name;
  AvailabilityFn available = nullptr;    // built-in tables
  std::unique_ptr<ModuleSource> source;  // external modules
  std::vector<Function> functions;
  mutable std::once_flag once;
  mutable Availability availability;
  mutable bool disabled = false;  // disable_modules / whitelist_modules: not loaded at all
};

Availability always_available(const Value&) { return Availability::yes(); }

Value JobControl::find_job(std::string_view jid) {
  Value jobs = running();
  if (jobs.is_list()) {
    for (auto& job : jobs.as_list()) {
      if (const Value* j = job.find("jid"); j && j->is_string() && j->as_string() == jid) {
        return job;
      }
    }
  }
  return Value(Map{});
}

// ---------------------------------------------------------------------------
// Context and Call

Context::Context(const Registry& registry_, const Value& opts_, const Value& pillar_)
    : registry(registry_), opts(opts_), pillar(pillar_) {}

Value& Context::grains() {
  if (!grains_) {
    owned_grains_ = grains_loader ? grains_loader() : Value(Map{});
    if (!owned_grains_.is_map()) owned_grains_ = Value(Map{});
    grains_ = &owned_grains_;
  }
  return *grains_;
}

spdlog::logger& Context::logger() const {
  if (log) return *log;
  static const std::shared_ptr<spdlog::logger> silent = std::make_shared<spdlog::logger>(
      "brine.modules.silent", std::make_shared<spdlog::sinks::null_sink_mt>());
  return *silent;
}

const Value& Call::get(std::string_view name) const {
  static const Value kNull;
  const Value* v = params.find(name);
  return v ? *v : kNull;
}

std::string Call::str(std::string_view name, std::string_view fallback) const {
  const Value& v = get(name);
  if (v.is_string()) return v.as_string();
  if (v.is_null()) return std::string(fallback);
  return coerce_to_str(v);
}

int64_t Call::integer(std::string_view name, int64_t fallback) const {
  const Value& v = get(name);
  if (v.is_int()) return v.as_int();
  if (v.is_float()) return static_cast<int64_t>(v.as_float());
  if (v.is_bool()) return v.as_bool() ? 1 : 0;
  if (v.is_string()) {
    if (auto r = coerce(v, Type::kInt); r && r->is_int()) return r->as_int();
  }
  return fallback;
}

bool Call::flag(std::string_view name, bool fallback) const {
  const Value& v = get(name);
  return v.is_null() ? fallback : v.truthy();
}

// ---------------------------------------------------------------------------
// Errors

namespace {
constexpr std::string_view kTypeErrorTag = "TypeError";
constexpr std::string_view kCommandNotFoundTag = "CommandNotFoundError";
}  // namespace

Error invocation_error(std::string message) {
  return make_error(Errc::kInvalidArgument, std::move(message));
}
Error type_error(std::string message) {
  return make_error(Errc::kInvalidArgument, std::move(message), std::string(kTypeErrorTag));
}
Error command_not_found(std::string message) {
  return make_error(Errc::kNotFound, std::move(message), std::string(kCommandNotFoundTag));
}
Error exception_error(std::string python_type, std::string message) {
  return make_error(Errc::kInternal, std::move(message), std::move(python_type));
}
Error execution_error(std::string message, Errc code) {
  if (code == Errc::kInvalidArgument || code == Errc::kInternal) code = Errc::kIo;
  return make_error(code, std::move(message));
}

namespace {

Failure classify(const Error& e) {
  if (e.where == kTypeErrorTag) return Failure::kArguments;
  if (e.where == kCommandNotFoundTag) return Failure::kCommandNotFound;
  if (e.code == Errc::kInternal) return Failure::kException;
  if (e.code == Errc::kInvalidArgument) return Failure::kInvocation;
  return Failure::kExecution;
}

std::string salt_error_string(const Function& f, const Error& e) {
  switch (classify(e)) {
    case Failure::kArguments:
      return "Passed invalid arguments to " + f.full_name + ": " + e.message + "\n" + f.doc;
    case Failure::kCommandNotFound:
      return "Command required for '" + f.full_name + "' not found: " + e.message;
    case Failure::kException:
      return "The minion function caused an exception: " +
             (e.where.empty() ? std::string("Exception") : e.where) + ": " + e.message;
    case Failure::kInvocation:
      return "ERROR executing '" + f.full_name + "': " + e.message;
    default:
      return "ERROR: " + (e.where.empty() ? e.message : e.to_string());
  }
}

int retcode_from_return(const Value& ret, int explicit_retcode) {
  if (explicit_retcode != 0) return explicit_retcode;
  if (ret.is_map()) {
    for (const char* key : {"result", "success"}) {
      if (const Value* v = ret.find(key); v && !v->truthy()) return 1;
    }
  }
  return 0;
}

// The minion's log line for a failed call (Salt's _thread_return).
void log_failure(spdlog::logger& log, const Function& f, Failure failure, const Error& e) {
  switch (failure) {
    case Failure::kInvocation:
      log.error("Problem executing '{}': {}", f.full_name, e.message);
      break;
    case Failure::kArguments:
      log.warn("Passed invalid arguments to {}: {}", f.full_name, e.message);
      break;
    case Failure::kCommandNotFound:
      log.debug("Command required for '{}' not found: {}", f.full_name, e.message);
      break;
    case Failure::kException:
      log.warn("The minion function caused an exception: {}: {}",
               e.where.empty() ? "Exception" : e.where, e.message);
      break;
    default:
      log.error("A command in '{}' had a problem: {}", f.full_name, e.to_string());
  }
}

bool is_kwarg_word(std::string_view s, size_t& eq) {
  // ^([^\d\W][\w.-]*)=(?!=)(.*)$ with ASCII word characters.
  auto word = [](unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; };
  if (s.empty() || !word(static_cast<unsigned char>(s[0])) ||
      std::isdigit(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  size_t i = 1;
  while (i < s.size() && (word(static_cast<unsigned char>(s[i])) || s[i] == '.' || s[i] == '-')) {
    ++i;
  }
  if (i >= s.size() || s[i] != '=') return false;
  if (i + 1 < s.size() && s[i + 1] == '=') return false;
  eq = i;
  return true;
}

}  // namespace

SplitArgs split_publication_args(const List& arg) {
  SplitArgs out;
  for (const Value& a : arg) {
    if (a.is_map()) {
      const Value* marker = a.find("__kwarg__");
      if (marker && marker->is_bool() && marker->as_bool()) {
        for (const auto& [k, v] : a.as_map()) {
          if (k != "__kwarg__") out.kwargs.set(k, v);
        }
        continue;
      }
    } else if (a.is_string()) {
      size_t eq = 0;
      if (is_kwarg_word(a.as_string(), eq)) {
        out.kwargs.set(a.as_string().substr(0, eq),
                       cli::yamlify(std::string_view(a.as_string()).substr(eq + 1)));
        continue;
      }
    }
    out.args.push_back(a);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Registry

Registry::Registry(Value opts) : opts_(std::move(opts)) {}
Registry::~Registry() = default;

Status Registry::add(const ModuleSpec& spec) {
  if (spec.name.empty() || spec.name.find('.') != std::string_view::npos) {
    return make_error(Errc::kInvalidArgument,
                      "invalid module name '" + std::string(spec.name) + "'");
  }
  if (modules_.contains(spec.name)) {
    return make_error(Errc::kAlreadyExists,
                      "module '" + std::string(spec.name) + "' is already registered");
  }
  auto m = std::make_unique<Module>();
  m->name = spec.name;
  m->available = spec.available ? spec.available : always_available;
  m->functions.reserve(spec.functions.size());
  for (const FunctionSpec& fs : spec.functions) {
    Function f;
    f.module = spec.name;
    f.name = fs.name;
    f.full_name = m->name + "." + f.name;
    if (!fs.fn) {
      return make_error(Errc::kInvalidArgument, f.full_name + ": no entry point");
    }
    for (const Function& other : m->functions) {
      if (other.name == f.name) {
        return make_error(Errc::kInvalidArgument, f.full_name + ": defined twice");
      }
    }
    f.fn = fs.fn;
    f.summary = fs.summary;
    f.doc = fs.doc;
    f.varargs = fs.varargs;
    f.varkwargs = fs.varkwargs;
    for (const Param& p : fs.params) {
      Parameter param{std::string(p.name), std::nullopt, p.type};
      if (!p.def.empty()) {
        auto v = parse_python_literal(p.def);
        if (!v) {
          return make_error(Errc::kInvalidArgument,
                            f.full_name + ": parameter '" + param.name + "': " + v.error().message);
        }
        param.def = std::move(*v);
      }
      f.params.push_back(std::move(param));
    }
    BRINE_TRY(check_parameters(f));
    m->functions.push_back(std::move(f));
  }
  modules_.emplace(m->name, std::move(m));
  return ok();
}

Status Registry::add_external(std::unique_ptr<ModuleSource> source) {
  const std::string& name = source->name();
  if (name.empty() || name.find('.') != std::string::npos) {
    return make_error(Errc::kInvalidArgument,
                      source->origin() + ": invalid module name '" + name + "'");
  }
  if (modules_.contains(name)) {
    return make_error(Errc::kAlreadyExists, source->origin() + ": module '" + name +
                                                "' is already registered; this one is ignored");
  }
  auto m = std::make_unique<Module>();
  m->name = name;
  m->source = std::move(source);
  modules_.emplace(m->name, std::move(m));
  return ok();
}

Registry::Module* Registry::module(std::string_view name) const {
  auto it = modules_.find(name);
  return it == modules_.end() ? nullptr : it->second.get();
}

void Registry::ensure_loaded(Module& m) const {
  std::call_once(m.once, [&] {
    // Salt does not load modules named in disable_modules, or missing from a
    // non-empty whitelist_modules.
    auto listed = [&](const char* key) -> std::optional<bool> {
      const Value* list = opts_.find(key);
      if (!list || !list->is_list() || list->as_list().empty()) return std::nullopt;
      for (const Value& v : list->as_list()) {
        if (v.is_string() && v.as_string() == m.name) return true;
      }
      return false;
    };
    if (listed("disable_modules").value_or(false) || !listed("whitelist_modules").value_or(true)) {
      m.disabled = true;
      m.availability = Availability::no("disabled by the minion configuration");
      return;
    }
    if (!m.source) {
      m.availability = m.available(opts_);
      return;
    }
    auto loaded = m.source->load(opts_);
    if (!loaded) {
      m.availability = Availability::no(loaded.error().to_string());
      return;
    }
    for (Function& f : *loaded) {
      f.module = m.name;
      f.full_name = m.name + "." + f.name;
      if (auto st = check_parameters(f); !st) {
        m.availability = Availability::no(st.error().message);
        return;
      }
    }
    m.functions = std::move(*loaded);
    m.availability = Availability::yes();
  });
}

std::optional<Availability> Registry::availability(std::string_view name) const {
  Module* m = module(name);
  if (!m) return std::nullopt;
  ensure_loaded(*m);
  return m->availability;
}

const Function* Registry::find(std::string_view fun) const {
  auto dot = fun.find('.');
  if (dot == std::string_view::npos) return nullptr;
  Module* m = module(fun.substr(0, dot));
  if (!m) return nullptr;
  ensure_loaded(*m);
  if (!m->availability.ok) return nullptr;
  std::string_view name = fun.substr(dot + 1);
  for (const Function& f : m->functions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string Registry::missing_fun_string(std::string_view fun) const {
  std::string_view mod = fun.substr(0, fun.find('.'));
  if (Module* m = module(mod)) {
    ensure_loaded(*m);
    if (!m->availability.ok && !m->disabled) {
      std::string s = "'" + std::string(mod) + "' __virtual__ returned False";
      if (!m->availability.reason.empty()) s += ": " + m->availability.reason;
      return s;
    }
  }
  return "'" + std::string(fun) + "' is not available.";
}

std::vector<std::string> Registry::list_modules() const {
  std::vector<std::string> out;
  for (const auto& [name, m] : modules_) {
    ensure_loaded(*m);
    if (m->availability.ok && !m->functions.empty()) out.push_back(name);
  }
  return out;
}

std::vector<std::string> Registry::list_functions() const {
  std::vector<std::string> out;
  for (const auto& [name, m] : modules_) {
    ensure_loaded(*m);
    if (!m->availability.ok) continue;
    for (const Function& f : m->functions) out.push_back(f.full_name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<Value> Registry::invoke(const Function& f, const List& args, const Map& kwargs, Context& ctx,
                               bool inject_pub) const {
  auto bound = bind_arguments(f, args, kwargs, ctx);
  if (!bound) return bound.error();
  Call& call = *bound;
  if (inject_pub && f.varkwargs && ctx.pub && ctx.pub->is_map()) {
    for (const auto& [k, v] : ctx.pub->as_map()) call.kwargs.set("__pub_" + k, v);
  }
  try {
    if (f.fn) return f.fn(call);
    if (f.invoker) return f.invoker->invoke(call);
    return exception_error("RuntimeError", f.full_name + " has no implementation");
  } catch (const std::exception& e) {
    return exception_error("Exception", e.what());
  } catch (...) {
    return exception_error("Exception", "unknown C++ exception");
  }
}

Result<Value> Registry::call(std::string_view fun, const List& args, const Map& kwargs,
                             Context& ctx) const {
  const Function* f = find(fun);
  if (!f) return make_error(Errc::kNotFound, missing_fun_string(fun));
  return invoke(*f, args, kwargs, ctx, /*inject_pub=*/false);
}

JobReturn Registry::execute(std::string_view fun, const List& args, const Map& kwargs,
                            Context& ctx) const {
  const auto start = std::chrono::steady_clock::now();
  JobReturn out;
  const Function* f = find(fun);
  if (!f) {
    // Salt answers with the docs of functions sharing the prefix, if any.
    std::string missing = missing_fun_string(fun);
    Map docs;
    std::string pattern = std::string(fun) + "*";
    for (const std::string& name : list_functions()) {
      if (::fnmatch(pattern.c_str(), name.c_str(), 0) == 0) {
        if (const Function* g = find(name)) docs.set(name, Value(g->doc));
      }
    }
    if (!docs.empty()) {
      docs.set(fun, Value(missing));
      out.ret = Value(std::move(docs));
    } else {
      out.ret = Value(missing);
    }
    out.retcode = 1;
    out.success = false;
    out.out = "nested";
    out.failure = Failure::kUnknownFunction;
    out.error_message = missing;
    return out;
  }

  ctx.retcode = 0;
  auto r = invoke(*f, args, kwargs, ctx, /*inject_pub=*/true);
  out.duration = std::chrono::steady_clock::now() - start;
  if (r) {
    out.retcode = retcode_from_return(*r, ctx.retcode);
    out.ret = std::move(*r);
  } else {
    const Error& e = r.error();
    out.failure = classify(e);
    out.error_message = e.message;
    out.ret = Value(salt_error_string(*f, e));
    out.retcode = 1;
    out.out = "nested";
    if (ctx.log_failures) log_failure(ctx.logger(), *f, out.failure, e);
  }
  out.success = out.retcode == 0;
  ctx.logger().debug("'{}' took {:.3f} ms", f->full_name,
                     std::chrono::duration<double, std::milli>(out.duration).count());
  return out;
}

}  // namespace brine::modules
