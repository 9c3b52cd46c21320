#include "modules/external.h"

#include <dirent.h>
#include <dlfcn.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <mutex>

#include "common/codec/json.h"
#include "common/codec/python_repr.h"
#include "modules/binding.h"
#include "modules/brine_module.h"
#include "modules/util/process.h"

namespace brine::modules::external {

namespace {

constexpr size_t kMaxFunctions = 1000;
constexpr size_t kMaxParams = 100;
constexpr size_t kMaxDescribeBytes = size_t{4} << 20;

bool identifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool safely_owned(const struct stat& st) {
  return (st.st_uid == 0 || st.st_uid == ::geteuid()) && !(st.st_mode & (S_IWGRP | S_IWOTH));
}

std::string tail(const std::string& s, size_t n) {
  return s.size() <= n ? s : s.substr(s.size() - n);
}

// The request document both kinds receive.
std::string request_json(Call& c) {
  List args;
  for (const Parameter& p : c.function.params) args.push_back(c.get(p.name));
  for (const Value& a : c.args) args.push_back(a);
  Map req;
  req.set("fun", Value(c.function.name));
  req.set("args", Value(std::move(args)));
  req.set("kwargs", Value(c.kwargs));
  req.set("params", Value(c.params));
  req.set("opts", c.ctx.opts);
  req.set("grains", c.ctx.grains());
  req.set("pillar", c.ctx.pillar);
  req.set("jid", Value(c.ctx.jid));
  return codec::json_dump(Value(std::move(req)));
}

Result<Value> parse_response(std::string_view text, Call& c, const std::string& origin) {
  auto v = codec::json_parse(text, origin);
  if (!v) {
    return execution_error("external module " + origin +
                           " returned invalid JSON: " + v.error().to_string());
  }
  if (!v->is_map()) {
    return execution_error("external module " + origin + " returned a " + v->type_name() +
                           ", not a JSON object");
  }
  if (const Value* err = v->find("error"); err && !err->is_null()) {
    std::string msg = err->is_string() ? err->as_string() : codec::python_str(*err);
    std::string type = v->get_string("error_type");
    if (type.empty() || type == "CommandExecutionError") return execution_error(msg);
    if (type == "SaltInvocationError") return invocation_error(msg);
    if (type == "TypeError") return type_error(msg);
    if (type == "CommandNotFoundError") return command_not_found(msg);
    return exception_error(type, msg);
  }
  const Value* ret = v->find("return");
  if (!ret) {
    return execution_error("external module " + origin + " returned neither 'return' nor 'error'");
  }
  if (const Value* rc = v->find("retcode"); rc && rc->is_int()) {
    c.ctx.retcode = static_cast<int>(rc->as_int());
  }
  return *ret;
}

// --- executables -------------------------------------------------------------

class ExecInvoker : public Invoker {
 public:
  ExecInvoker(std::string path, int64_t timeout) : path_(std::move(path)), timeout_(timeout) {}

  Result<Value> invoke(Call& c) const override {
    process::Options o;
    o.argv = {path_};
    o.input = request_json(c);
    o.timeout = std::chrono::seconds(timeout_);
    o.cancel = c.ctx.cancel;
    auto r = process::run(o);
    if (!r)
      return execution_error("Unable to run external module " + path_ + ": " + r.error().message);
    if (!r->err.empty()) c.ctx.logger().debug("{} stderr: {}", path_, tail(r->err, 4096));
    if (r->timed_out) {
      return execution_error("external module " + path_ + " timed out after " +
                             std::to_string(timeout_) + " seconds");
    }
    if (r->cancelled) {
      return execution_error("external module " + path_ + " stopped: job killed by signal " +
                             std::to_string(r->cancelled));
    }
    if (r->truncated) return execution_error("external module " + path_ + " wrote too much output");
    auto resp = parse_response(r->out, c, path_);
    if (!resp && r->exit_code != 0 && r->out.find_first_not_of(" \t\r\n") == std::string::npos) {
      return execution_error("external module " + path_ + " exited with status " +
                             std::to_string(r->exit_code) +
                             (r->err.empty() ? std::string() : ": " + tail(r->err, 2000)));
    }
    return resp;
  }

 private:
  std::string path_;
  int64_t timeout_;
};

class ExecSource : public ModuleSource {
 public:
  ExecSource(std::string path, std::string name) : path_(std::move(path)), name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  const std::string& origin() const override { return path_; }

  Result<std::vector<Function>> load(const Value& opts) override {
    process::Options o;
    o.argv = {path_, "--brine-describe"};
    o.timeout = std::chrono::seconds(kDescribeTimeoutSeconds);
    o.max_output = kMaxDescribeBytes;
    auto r = process::run(o);
    if (!r) return make_error(Errc::kUnavailable, path_ + ": " + r.error().message);
    if (r->timed_out) return make_error(Errc::kTimeout, path_ + ": --brine-describe timed out");
    if (r->exit_code != 0) {
      return make_error(Errc::kUnavailable, path_ + ": --brine-describe exited with status " +
                                                std::to_string(r->exit_code) +
                                                (r->err.empty() ? "" : ": " + tail(r->err, 1000)));
    }
    auto d = parse_description(r->out, name_, path_);
    if (!d) return d.error();
    if (!d->availability.ok) return make_error(Errc::kUnavailable, d->availability.reason);
    int64_t timeout = opts.get_int("external_module_timeout", kDefaultTimeoutSeconds);
    auto invoker = std::make_shared<ExecInvoker>(path_, timeout > 0 ? timeout : 0);
    for (Function& f : d->functions) f.invoker = invoker;
    return std::move(d->functions);
  }

 private:
  std::string path_;
  std::string name_;
};

// --- shared objects ------------------------------------------------------------

struct SharedObject {
  void* handle = nullptr;
  int (*abi_version)() = nullptr;
  const char* (*describe)() = nullptr;
  int (*call)(const char*, char**) = nullptr;
  void (*release)(char*) = nullptr;
  bool thread_safe = false;
  mutable std::mutex mu;
};

class SoInvoker : public Invoker {
 public:
  SoInvoker(std::shared_ptr<SharedObject> so, std::string path)
      : so_(std::move(so)), path_(std::move(path)) {}

  Result<Value> invoke(Call& c) const override {
    std::string req = request_json(c);
    char* resp = nullptr;
    int rc;
    {
      std::unique_lock<std::mutex> lock(so_->mu, std::defer_lock);
      if (!so_->thread_safe) lock.lock();
      rc = so_->call(req.c_str(), &resp);
    }
    std::string text = resp ? std::string(resp) : std::string();
    if (resp) so_->release(resp);
    if (rc != 0) {
      if (!text.empty()) {
        auto r = parse_response(text, c, path_);
        if (!r) return r;
      }
      return execution_error("external module " + path_ + " failed (status " + std::to_string(rc) +
                             ")" + (text.empty() ? std::string() : ": " + tail(text, 2000)));
    }
    return parse_response(text, c, path_);
  }

 private:
  std::shared_ptr<SharedObject> so_;
  std::string path_;
};

class SoSource : public ModuleSource {
 public:
  SoSource(std::string path, std::string name) : path_(std::move(path)), name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  const std::string& origin() const override { return path_; }

  Result<std::vector<Function>> load(const Value&) override {
    auto so = std::make_shared<SharedObject>();
    // Never dlclose'd: functions and strings of the module stay valid.
    so->handle = ::dlopen(path_.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!so->handle) {
      const char* e = ::dlerror();
      return make_error(Errc::kUnavailable, std::string("dlopen failed: ") + (e ? e : "unknown"));
    }
    auto sym = [&](const char* name) { return ::dlsym(so->handle, name); };
    so->abi_version = reinterpret_cast<int (*)()>(sym("brine_module_abi_version"));
    so->describe = reinterpret_cast<const char* (*)()>(sym("brine_module_describe"));
    so->call = reinterpret_cast<int (*)(const char*, char**)>(sym("brine_module_call"));
    so->release = reinterpret_cast<void (*)(char*)>(sym("brine_module_free"));
    if (!so->abi_version || !so->describe || !so->call || !so->release) {
      return make_error(Errc::kUnavailable,
                        path_ + ": missing brine_module_* symbols (see brine_module.h)");
    }
    int version = so->abi_version();
    if (version != BRINE_MODULE_ABI_VERSION) {
      return make_error(Errc::kUnsupported, path_ + ": module ABI version " +
                                                std::to_string(version) + ", Brine implements " +
                                                std::to_string(BRINE_MODULE_ABI_VERSION));
    }
    const char* text = so->describe();
    if (!text)
      return make_error(Errc::kUnavailable, path_ + ": brine_module_describe returned NULL");
    std::string_view view(text, ::strnlen(text, kMaxDescribeBytes + 1));
    if (view.size() > kMaxDescribeBytes) {
      return make_error(Errc::kInvalidArgument, path_ + ": description too large");
    }
    auto d = parse_description(view, name_, path_);
    if (!d) return d.error();
    if (!d->availability.ok) return make_error(Errc::kUnavailable, d->availability.reason);
    so->thread_safe = d->thread_safe;
    auto invoker = std::make_shared<SoInvoker>(so, path_);
    for (Function& f : d->functions) f.invoker = invoker;
    return std::move(d->functions);
  }

 private:
  std::string path_;
  std::string name_;
};

Result<Parameter> parse_param(const Value& p, const std::string& where) {
  Parameter out;
  if (p.is_string()) {
    out.name = p.as_string();
  } else if (p.is_map()) {
    out.name = p.get_string("name");
    if (const Value* d = p.find("default")) out.def = *d;
    std::string type = p.get_string("type", "any");
    static constexpr std::pair<std::string_view, Type> kTypes[] = {
        {"any", Type::kAny},   {"str", Type::kString}, {"int", Type::kInt}, {"float", Type::kFloat},
        {"bool", Type::kBool}, {"list", Type::kList},  {"dict", Type::kMap}};
    bool known = false;
    for (const auto& [n, t] : kTypes) {
      if (n == type) {
        out.type = t;
        known = true;
      }
    }
    if (!known) {
      return make_error(Errc::kInvalidArgument, where + ": unknown type '" + type +
                                                    "' (any, str, int, float, bool, list, dict)");
    }
  } else {
    return make_error(Errc::kInvalidArgument,
                      where + ": a parameter is a name or {\"name\": ..., \"default\": ...}");
  }
  if (!identifier(out.name)) {
    return make_error(Errc::kInvalidArgument,
                      where + ": invalid parameter name '" + out.name + "'");
  }
  return out;
}

}  // namespace

Result<Description> parse_description(std::string_view json, const std::string& name,
                                      const std::string& origin) {
  auto v = codec::json_parse(json, origin + " (description)");
  if (!v) return v.error();
  if (!v->is_map()) {
    return make_error(Errc::kInvalidArgument, origin + ": the description must be a JSON object");
  }
  std::string declared = v->get_string("module");
  if (declared != name) {
    return make_error(Errc::kInvalidArgument, origin + ": describes module '" + declared +
                                                  "' but its file name makes it '" + name + "'");
  }
  Description d;
  if (const Value* a = v->find("available"); a && !a->truthy()) {
    d.availability = Availability::no(v->get_string("reason"));
  }
  d.thread_safe = v->get_bool("thread_safe", false);
  const Value* fns = v->find("functions");
  if (!fns || !fns->is_map()) {
    return make_error(Errc::kInvalidArgument, origin + ": 'functions' must be an object");
  }
  if (fns->as_map().size() > kMaxFunctions) {
    return make_error(Errc::kInvalidArgument, origin + ": too many functions");
  }
  for (const auto& [fname, spec] : fns->as_map()) {
    std::string where = origin + ": functions." + fname;
    if (!identifier(fname)) {
      return make_error(Errc::kInvalidArgument, origin + ": invalid function name '" + fname + "'");
    }
    if (!spec.is_map()) return make_error(Errc::kInvalidArgument, where + ": must be an object");
    Function f;
    f.name = fname;
    f.doc = spec.get_string("doc");
    f.summary = spec.get_string("summary", f.doc.substr(0, f.doc.find('\n')));
    const Value* params = spec.find("params");
    if (!params) {
      f.varargs = f.varkwargs = true;  // no declaration: accept anything
    } else {
      if (!params->is_list() || params->as_list().size() > kMaxParams) {
        return make_error(Errc::kInvalidArgument, where + ".params: must be a list (at most " +
                                                      std::to_string(kMaxParams) + ")");
      }
      for (const Value& p : params->as_list()) {
        auto param = parse_param(p, where + ".params");
        if (!param) return param.error();
        f.params.push_back(std::move(*param));
      }
      f.varargs = spec.get_bool("varargs", false);
      f.varkwargs = spec.get_bool("kwargs", false);
    }
    f.module = name;
    f.full_name = name + "." + fname;
    BRINE_TRY(check_parameters(f));
    d.functions.push_back(std::move(f));
  }
  return d;
}

std::unique_ptr<ModuleSource> executable_module(std::string path, std::string name) {
  return std::make_unique<ExecSource>(std::move(path), std::move(name));
}

std::unique_ptr<ModuleSource> shared_object_module(std::string path, std::string name) {
  return std::make_unique<SoSource>(std::move(path), std::move(name));
}

std::vector<std::string> module_dirs(const Value& opts) {
  auto is_dir = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  };
  std::vector<std::string> out;
  if (const Value* dirs = opts.find("module_dirs")) {
    List list = dirs->is_list() ? dirs->as_list() : List{*dirs};
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      if (!it->is_string() || it->as_string().empty()) continue;
      std::string base = it->as_string();
      if (is_dir(base + "/modules")) {
        out.push_back(base + "/modules");
      } else if (is_dir(base + "/_modules")) {
        out.push_back(base + "/_modules");
      }
    }
  }
  std::string ext = opts.get_string("extension_modules");
  if (!ext.empty() && is_dir(ext + "/modules")) out.push_back(ext + "/modules");
  return out;
}

void register_external(Registry& registry, const Value& opts, spdlog::logger* log) {
  auto warn = [&](const std::string& msg) {
    if (log) log->warn("{}", msg);
  };
  for (const std::string& dir : module_dirs(opts)) {
    struct stat dst {};
    if (::stat(dir.c_str(), &dst) != 0) continue;
    if (!safely_owned(dst)) {
      warn("ignoring module directory '" + dir +
           "': it must be owned by root or the minion's user and not writable by others");
      continue;
    }
    DIR* d = ::opendir(dir.c_str());
    if (!d) continue;
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.' && e->d_name[0] != '_') names.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& file : names) {
      std::string path = dir + "/" + file;
      struct stat st {};
      if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
      std::string name = file.substr(0, file.find('.'));
      bool so = file.size() > 3 && file.ends_with(".so");
      if (!so && ::access(path.c_str(), X_OK) != 0) {
        if (log) log->debug("ignoring '{}': not executable", path);
        continue;
      }
      if (!safely_owned(st)) {
        warn("ignoring module '" + path +
             "': it must be owned by root or the minion's user and not writable by others");
        continue;
      }
      if (!identifier(name)) {
        warn("ignoring module '" + path + "': '" + name + "' is not a valid module name");
        continue;
      }
      auto source = so ? shared_object_module(path, name) : executable_module(path, name);
      if (auto st2 = registry.add_external(std::move(source)); !st2) warn(st2.error().message);
    }
  }
}

}  // namespace brine::modules::external
