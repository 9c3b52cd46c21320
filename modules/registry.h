// The execution-module registry: Salt's loader and executor for Brine.
//
// A module is a constant table (ModuleSpec): its Salt name, an availability
// check (Salt's __virtual__) and one FunctionSpec per function, giving the Salt
// name, the C++ entry point, its documentation and its parameters. Built-in
// tables are listed in modules/builtin.cpp; external modules (executables and
// shared objects, modules/external.h) are added at run time and look the same
// to callers.
//
// The registry, not the module, checks arguments (Salt's load_args_and_kwargs
// followed by Python's own binding):
//   - a keyword the function does not declare, on a function without
//     **kwargs, fails the call:
//       ERROR executing 'test.echo': The following keyword arguments are not valid: foo=bar
//   - positional arguments fill declared parameters in order; extras go to
//     Call::args for *args functions and are a TypeError otherwise:
//       Passed invalid arguments to test.echo: echo() takes 1 positional argument but 2 were given
//       <docstring>
//   - a missing required parameter is a TypeError
//       (echo() missing 1 required positional argument: 'text');
//   - a declared Param::type is checked and coerced ("5" -> 5 for kInt);
//   - functions with **kwargs receive every field of the publication as
//     __pub_<field> (execute() only; call() is a module-to-module call).
//
// An Error returned by a function becomes Salt's return string (modules.md §0)
// according to its category, see the helpers below:
//   invocation_error   "ERROR executing '<fun>': <message>"          (SaltInvocationError)
//   type_error         "Passed invalid arguments to <fun>: <message>\n<doc>"   (TypeError)
//   command_not_found  "Command required for '<fun>' not found: <message>"
//   exception_error    "The minion function caused an exception: <Type>: <message>"
//   anything else      "ERROR: <message>"                               (CommandExecutionError)
// The category travels in the Error itself (Errc plus a `where` tag), so an
// Error from a lower layer (codec, filesystem) is an execution error unless it
// is Errc::kInvalidArgument, which reads as an invocation error.
//
// Job retcode (modules.md §0): the retcode the function set in Context::retcode;
// when that is 0 and the return is a dict whose "result" or "success" is falsy,
// 1; errors are 1. success = (retcode == 0).
//
// Thread-safety: add()/add_external() must finish before the registry is
// shared. After that every const method may be called from many threads at
// once (lazy availability checks and external-module descriptions are
// computed once, under std::call_once). A Context belongs to one job (one
// thread).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "common/values/value.h"

namespace spdlog {
class logger;
}

namespace brine::modules {

class CancelToken;
class Registry;
struct Call;

// ---------------------------------------------------------------------------
// Module tables

// Salt's __virtual__ result: whether a module can load here and, when not,
// why ("'<module>' __virtual__ returned False: <reason>").
struct Availability {
  bool ok = true;
  std::string reason;

  static Availability yes() { return {}; }
  static Availability no(std::string why) { return {false, std::move(why)}; }
};
using AvailabilityFn = Availability (*)(const Value& opts);
Availability always_available(const Value& opts);

// Parameter type checked (and coerced) by the registry before the call.
// kAny passes values through untouched. null is always accepted (Python None).
enum class Type : uint8_t {
  kAny,
  kString,  // str; ints, floats and bools become their Python str()
  kInt,     // int; integral floats and numeric strings are converted (int(x))
  kFloat,   // float; ints and numeric strings are converted
  kBool,    // bool; other values by Python truthiness
  kList,    // list
  kMap,     // dict
};

// One declared parameter. `def` is the default as a Python literal ("None",
// "True", "42", "1.5", "':'", "''", "[]", "{}"); empty means required.
struct Param {
  std::string_view name;
  std::string_view def = {};
  Type type = Type::kAny;
};

using Fn = Result<Value> (*)(Call&);

struct FunctionSpec {
  std::string_view name;  // Salt name: "ping", "run_all"
  Fn fn = nullptr;
  std::string_view summary;  // one line
  std::string_view doc;      // full docstring for sys.doc (includes the CLI example)
  std::span<const Param> params = {};
  bool varargs = false;    // *args
  bool varkwargs = false;  // **kwargs
};

struct ModuleSpec {
  std::string_view name;  // Salt module name: "test", "cmd"
  AvailabilityFn available = always_available;
  std::span<const FunctionSpec> functions;
};

// ---------------------------------------------------------------------------
// Run-time description of a callable function (built-in or external).

// Backend of an external function; see modules/external.h.
class Invoker {
 public:
  virtual ~Invoker() = default;
  virtual Result<Value> invoke(Call& call) const = 0;
};

struct Parameter {
  std::string name;
  std::optional<Value> def;  // nullopt: required
  Type type = Type::kAny;
};

struct Function {
  std::string full_name;  // "test.ping"
  std::string module;
  std::string name;
  Fn fn = nullptr;                         // built-in entry point, or
  std::shared_ptr<const Invoker> invoker;  // external backend
  std::string summary;
  std::string doc;
  std::vector<Parameter> params;
  bool varargs = false;
  bool varkwargs = false;
};

// Parses a Param::def literal. Error kInvalidArgument for anything else.
Result<Value> parse_python_literal(std::string_view text);

// ---------------------------------------------------------------------------
// Job context

// Implemented by the minion's job pool. May be absent (brine-call --local).
class JobControl {
 public:
  virtual ~JobControl() = default;
  // saltutil.running: one dict per running job (the publication fields plus
  // "pid"), this job included.
  virtual Value running() = 0;
  // saltutil.find_job: the running job's dict, or {} when it is not running.
  virtual Value find_job(std::string_view jid);
  // saltutil.signal_job: Salt's message, "Signal 15 sent to job <jid> at pid
  // <pid>", "Job <jid> was not running and job data has been cleaned up", or
  // "" when the jid is unknown.
  virtual Result<std::string> signal_job(std::string_view jid, int sig) = 0;
  // saltutil.refresh_grains: re-gather grains for later jobs (and report them
  // to the master); `refresh_pillar` as Salt's argument.
  virtual Status refresh_grains(bool refresh_pillar) = 0;
};

// Everything a function may read besides its arguments. One per job; not
// thread-safe. References must outlive the Context.
class Context {
 public:
  Context(const Registry& registry, const Value& opts, const Value& pillar);

  const Registry& registry;
  const Value& opts;
  const Value& pillar;
  // Logger for module messages; null means a silent logger.
  std::shared_ptr<spdlog::logger> log;
  JobControl* jobs = nullptr;
  // Cancellation of a killed job; cmd.* children and sleeps obey it. May be null.
  CancelToken* cancel = nullptr;
  // The publication (jid, fun, arg, tgt, tgt_type, ret, user, ...): its fields
  // become __pub_* kwargs. Null for calls that are not jobs.
  const Value* pub = nullptr;
  std::string jid;
  // Salt's opts["local"]: brine-call --local (no master to tell about changes).
  bool local = false;
  // The retcode a function sets (test.retcode, cmd.run's exit status).
  int retcode = 0;
  // execute() logs failed calls as Salt's minion does ("A command in 'x' had
  // a problem: ..."); brine-call prints them itself and turns this off.
  bool log_failures = true;

  // The grains, gathered on first use when no storage was given: either
  // `use_grains(&storage)` or a `grains_loader` that produces them
  // (brine-call, tests). grains.setval & co. write into this storage, so it
  // must belong to this job: give each job its own copy of the minion's
  // grains (Salt's jobs are processes with their own __grains__), never a
  // reference to grains other threads read.
  Value& grains();
  void use_grains(Value* storage) { grains_ = storage; }
  std::function<Value()> grains_loader;

  spdlog::logger& logger() const;

 private:
  Value* grains_ = nullptr;
  Value owned_grains_;
};

// What one call hands to a function.
struct Call {
  const Function& function;
  Context& ctx;
  Map params;  // every declared parameter: the bound argument or its default
  List args;   // extra positional arguments (*args functions only)
  Map kwargs;  // extra keyword arguments (**kwargs functions only), with __pub_*

  // The bound value of a declared parameter (null Value when not declared).
  const Value& get(std::string_view name) const;
  // Convenience readers over get(): a missing/null value gives the fallback.
  std::string str(std::string_view name, std::string_view fallback = {}) const;
  int64_t integer(std::string_view name, int64_t fallback = 0) const;
  bool flag(std::string_view name, bool fallback = false) const;
  bool has(std::string_view name) const { return !get(name).is_null(); }
};

// ---------------------------------------------------------------------------
// Errors in Salt's categories (see the header comment).

Error invocation_error(std::string message);
Error type_error(std::string message);
Error command_not_found(std::string message);
Error exception_error(std::string python_type, std::string message);
Error execution_error(std::string message, Errc code = Errc::kIo);

// How a job failed, for callers that print differently per case (brine-call).
enum class Failure : uint8_t {
  kNone,
  kUnknownFunction,  // no such function (or module unavailable here)
  kInvocation,       // SaltInvocationError
  kArguments,        // TypeError
  kCommandNotFound,
  kExecution,  // CommandExecutionError
  kException,  // anything else
};

struct JobReturn {
  Value ret;  // the function's return, or Salt's error string / docs dict
  int retcode = 0;
  bool success = true;
  std::string out;  // "nested" for errors, else empty (caller's default)
  Failure failure = Failure::kNone;
  std::string error_message;  // the bare message behind a failure
  std::chrono::nanoseconds duration{0};
};

// Splits a publication's `arg` list (Salt's wire form) into positional values
// and kwargs: a dict carrying "__kwarg__": true contributes its other keys as
// kwargs, and a string of the form `name=value` (identifier, '=', not '==')
// becomes a kwarg with its value typed by Salt's CLI rules (yamlify), as the
// minion side of Salt's parse_input does.
struct SplitArgs {
  List args;
  Map kwargs;
};
SplitArgs split_publication_args(const List& arg);

// ---------------------------------------------------------------------------

// Describes an external module lazily (modules/external.h implements it).
class ModuleSource {
 public:
  virtual ~ModuleSource() = default;
  virtual const std::string& name() const = 0;
  // Where it comes from, for messages ("/srv/ext/modules/hello").
  virtual const std::string& origin() const = 0;
  // Loads the description; called at most once, on first use.
  virtual Result<std::vector<Function>> load(const Value& opts) = 0;
};

class Registry {
 public:
  // `opts` (the minion config) is kept for availability checks and external
  // module descriptions.
  explicit Registry(Value opts = {});
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registers a built-in table. Errors: kAlreadyExists for a module name that
  // is already present; kInvalidArgument for a bad table (duplicate function,
  // unparsable default, default before a required parameter).
  Status add(const ModuleSpec& spec);
  // Registers an external module, described on first use. kAlreadyExists for
  // a taken name (a built-in cannot be replaced).
  Status add_external(std::unique_ptr<ModuleSource> source);

  // Runs a job function with Salt's executor semantics (argument checks,
  // __pub_* injection when ctx.pub is set, error strings, retcode rule). Never
  // throws; a C++ exception escaping a function becomes an exception error.
  JobReturn execute(std::string_view fun, const List& args, const Map& kwargs, Context& ctx) const;
  // Module-to-module (and Jinja salt[...]) call: argument checks, no __pub_*,
  // errors returned as they are. Unknown function: kNotFound
  // "'x.y' is not available.".
  Result<Value> call(std::string_view fun, const List& args, const Map& kwargs, Context& ctx) const;

  // The function, or nullptr when unknown or its module is unavailable here.
  const Function* find(std::string_view fun) const;
  // Salt's missing_fun_string: "'x.y' is not available." or
  // "'x' __virtual__ returned False: <reason>".
  std::string missing_fun_string(std::string_view fun) const;
  // Sorted names of available modules / of all available functions ("mod.fun").
  std::vector<std::string> list_modules() const;
  std::vector<std::string> list_functions() const;
  // Availability of a module by name (nullopt when unknown).
  std::optional<Availability> availability(std::string_view module) const;

  const Value& opts() const { return opts_; }

 private:
  struct Module;
  Module* module(std::string_view name) const;
  void ensure_loaded(Module& m) const;
  Result<Value> invoke(const Function& f, const List& args, const Map& kwargs, Context& ctx,
                       bool inject_pub) const;

  Value opts_;
  std::map<std::string, std::unique_ptr<Module>, std::less<>> modules_;
};

}  // namespace brine::modules
