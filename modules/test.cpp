// test: functions for testing the connection, argument passing and the
// return path (Salt's salt/modules/test.py).
#include <gnu/libc-version.h>
#include <spdlog/version.h>
#include <sys/utsname.h>

#include <chrono>
#include <random>
#include <thread>

#include "common/codec/python_repr.h"
#include "common/crypto/core.h"
#include "modules/builtin.h"
#include "modules/cancel.h"
#include "modules/grains/gather.h"

#ifndef BRINE_VERSION
#define BRINE_VERSION "0.0.0"
#endif

namespace brine::modules::test {

namespace {

using Clock = std::chrono::steady_clock;

// Sleeps, waking early when the job is killed.
Status sleep_seconds(Call& c, double seconds) {
  auto d = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0));
  if (c.ctx.cancel) {
    if (c.ctx.cancel->wait_for(d)) {
      return execution_error("sleep interrupted: job killed by signal " +
                             std::to_string(c.ctx.cancel->requested()));
    }
    return ok();
  }
  std::this_thread::sleep_for(d);
  return ok();
}

Map clean_kwargs(const Map& kwargs) {
  Map out;
  for (const auto& [k, v] : kwargs) {
    if (!k.starts_with("__")) out.set(k, v);
  }
  return out;
}

Result<Value> ping(Call&) { return Value(true); }
Result<Value> echo(Call& c) { return c.get("text"); }
Result<Value> true_(Call&) { return Value(true); }
Result<Value> false_(Call&) { return Value(false); }
Result<Value> outputter(Call& c) { return c.get("data"); }
Result<Value> version(Call&) { return Value(BRINE_VERSION); }
Result<Value> get_opts(Call& c) { return c.ctx.opts; }

Result<Value> kwarg(Call& c) { return Value(c.kwargs); }

Result<Value> arg(Call& c) {
  return Value::map({{"args", Value(c.args)}, {"kwargs", Value(c.kwargs)}});
}

Result<Value> arg_clean(Call& c) {
  return Value::map({{"args", Value(c.args)}, {"kwargs", Value(clean_kwargs(c.kwargs))}});
}

std::string python_type(const Value& v) { return std::string("<class '") + v.type_name() + "'>"; }

Result<Value> arg_type(Call& c) {
  List args;
  for (const Value& a : c.args) args.emplace_back(python_type(a));
  Map kwargs;
  for (const auto& [k, v] : c.kwargs) kwargs.set(k, Value(python_type(v)));
  return Value::map({{"args", Value(std::move(args))}, {"kwargs", Value(std::move(kwargs))}});
}

Result<Value> arg_repr(Call& c) {
  // repr() of a tuple: "(1, 'a')", a one-element tuple "(1,)".
  std::string args = "(";
  for (size_t i = 0; i < c.args.size(); ++i) {
    if (i) args += ", ";
    args += codec::python_repr(c.args[i]);
  }
  args += c.args.size() == 1 ? ",)" : ")";
  return Value::map(
      {{"args", Value(args)}, {"kwargs", Value(codec::python_repr(Value(c.kwargs)))}});
}

Result<Value> sleep(Call& c) {
  BRINE_TRY(sleep_seconds(c, static_cast<double>(std::max<int64_t>(0, c.integer("length")))));
  return Value(true);
}

Result<Value> rand_sleep(Call& c) {
  int64_t max = std::max<int64_t>(0, c.integer("max", 60));
  std::random_device rd;
  std::uniform_int_distribution<int64_t> dist(0, max);
  BRINE_TRY(sleep_seconds(c, static_cast<double>(dist(rd))));
  return Value(true);
}

Result<Value> retcode(Call& c) {
  c.ctx.retcode = static_cast<int>(c.integer("code", 42));
  return Value(true);
}

Result<Value> exception(Call& c) {
  return exception_error("Exception", c.str("message", "Test Exception"));
}

Result<Value> fib(Call& c) {
  int64_t num = c.integer("num");
  if (num < 0) return exception_error("ValueError", "Negative number is not allowed!");
  if (num > 92) return exception_error("OverflowError", "fib(num) does not fit in 64 bits");
  auto start = Clock::now();
  int64_t a = 0, b = 1;
  for (int64_t i = 0; i < num; ++i) {
    int64_t next = a + b;
    a = b;
    b = next;
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  return Value::list({Value(a), Value(secs)});
}

Result<Value> collatz(Call& c) {
  int64_t n = c.integer("start");
  auto start = Clock::now();
  List steps;
  if (n < 1) return exception_error("ValueError", "start must be a positive integer");
  while (n != 1 && steps.size() < 1'000'000) {
    steps.emplace_back(n);
    n = n % 2 == 0 ? n / 2 : n * 3 + 1;
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  return Value::list({Value(std::move(steps)), Value(secs)});
}

Result<Value> cross_test(Call& c) {
  List args = c.get("args").is_list() ? c.get("args").as_list() : List{};
  return c.ctx.registry.call(c.str("func"), args, Map{}, c.ctx);
}

Result<Value> conf_test(Call& c) {
  return c.ctx.registry.call("config.option", List{Value("test.foo")}, Map{}, c.ctx);
}

Result<Value> opts_pkg(Call& c) {
  Value ret = c.ctx.opts.is_map() ? c.ctx.opts : Value(Map{});
  ret.as_map().set("grains", c.ctx.grains());
  return ret;
}

// Salt's hashutils.random_hash: the hex digest of str(randint(0, size)).
Result<Value> random_hash(Call& c) {
  std::string hash_type = c.str("hash_type", c.ctx.opts.get_string("hash_type", "sha256"));
  if (hash_type != "sha256") {
    return execution_error("hash_type '" + hash_type + "' is not supported (sha256)");
  }
  int64_t size = std::max<int64_t>(0, c.integer("size", 9999999999));
  std::random_device rd;
  uint64_t wide = (uint64_t{rd()} << 32) | rd();
  int64_t n = static_cast<int64_t>(wide % (static_cast<uint64_t>(size) + 1));
  return Value(crypto::hex(crypto::as_view(crypto::sha256(std::to_string(n)))));
}

Map versions_map() {
  Map out;
  out.set("Brine Version", Value::map({{"Brine", Value(BRINE_VERSION)}}));
  Map deps;
  deps.set("spdlog",
           Value(std::to_string(SPDLOG_VER_MAJOR) + "." + std::to_string(SPDLOG_VER_MINOR) + "." +
                 std::to_string(SPDLOG_VER_PATCH)));
  deps.set("glibc", Value(gnu_get_libc_version()));
  deps.set("compiler", Value("g++ " __VERSION__));
  out.set("Dependency Versions", Value(std::move(deps)));
  Map sys;
  Map osr = grains::os_release();
  utsname u{};
  ::uname(&u);
  std::string id = osr.find("ID") ? osr.find("ID")->as_string() : "linux";
  std::string ver = osr.find("VERSION_ID") ? osr.find("VERSION_ID")->as_string() : "";
  std::string code = osr.find("VERSION_CODENAME") ? osr.find("VERSION_CODENAME")->as_string() : "";
  std::string name = osr.find("NAME") ? osr.find("NAME")->as_string() : "Linux";
  sys.set("dist", Value(id + " " + ver + " " + code));
  sys.set("locale", Value("utf-8"));
  sys.set("machine", Value(u.machine));
  sys.set("release", Value(u.release));
  sys.set("system", Value(u.sysname));
  sys.set("version", Value(name + " " + ver + " " + code));
  out.set("System Versions", Value(std::move(sys)));
  return out;
}

Result<Value> versions_information(Call&) { return Value(versions_map()); }

Result<Value> versions_report(Call&) {
  Map info = versions_map();
  size_t pad = std::string_view("Not Installed").size();
  for (const auto& [section, entries] : info) {
    if (section == "Brine Version") continue;
    for (const auto& [name, v] : entries.as_map()) pad = std::max(pad, name.size());
  }
  pad += 1;
  std::string out;
  for (const auto& [section, entries] : info) {
    out += section + ":\n";
    std::vector<std::string> names;
    for (const auto& [name, v] : entries.as_map()) names.push_back(name);
    std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
      std::string la = a, lb = b;
      for (auto& ch : la) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      for (auto& ch : lb) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      return la < lb;
    });
    for (const std::string& name : names) {
      std::string v = entries.as_map().find(name)->as_string();
      out += std::string(pad > name.size() ? pad - name.size() : 0, ' ') + name + ": " +
             (v.empty() ? "Not Installed" : v) + "\n";
    }
    out += " \n";
  }
  out.resize(out.size() - 1);  // Salt joins the lines with "\n"
  return Value(out);
}

constexpr Param kText[] = {{"text"}};
constexpr Param kData[] = {{"data"}};
constexpr Param kLength[] = {{"length", {}, Type::kInt}};
constexpr Param kMax[] = {{"max", "60", Type::kInt}};
constexpr Param kCode[] = {{"code", "42", Type::kInt}};
constexpr Param kMessage[] = {{"message", "'Test Exception'", Type::kString}};
constexpr Param kNum[] = {{"num", {}, Type::kInt}};
constexpr Param kStart[] = {{"start", {}, Type::kInt}};
constexpr Param kCross[] = {{"func", {}, Type::kString}, {"args", "None"}};
constexpr Param kRandom[] = {{"size", "9999999999", Type::kInt},
                             {"hash_type", "None", Type::kString}};

constexpr FunctionSpec kFunctions[] = {
    {"arg",
     arg,
     "Return the args and kwargs passed in",
     R"(Print out the data passed into the function ``*args`` and ``kwargs``, this
is used to both test the publication data and cli argument passing, but
also to display the information available within the publication data.
Returns {"args": args, "kwargs": kwargs}.

CLI Example:

.. code-block:: bash

    salt '*' test.arg 1 "two" 3.1 txt="hello" wow='{a: 1, b: "hello"}'
)",
     {},
     true,
     true},
    {"arg_clean",
     arg_clean,
     "Like test.arg, without the __pub_* kwargs",
     R"(Like test.arg but cleans kwargs of the __pub* items

CLI Example:

.. code-block:: bash

    salt '*' test.arg_clean 1 "two" 3.1 txt="hello" wow='{a: 1, b: "hello"}'
)",
     {},
     true,
     true},
    {"arg_repr",
     arg_repr,
     "Return the repr() of the args and kwargs",
     R"(Print out the data passed into the function ``*args`` and ``kwargs``.
Returns {"args": repr(args), "kwargs": repr(kwargs)}.

CLI Example:

.. code-block:: bash

    salt '*' test.arg_repr 1 "two" 3.1 txt="hello" wow='{a: 1, b: "hello"}'
)",
     {},
     true,
     true},
    {"arg_type",
     arg_type,
     "Return the Python types of the args and kwargs",
     R"(Print out the types of the args and kwargs. This is used to test the types
of the args and kwargs passed down to the minion

CLI Example:

.. code-block:: bash

       salt '*' test.arg_type 1 'int'
)",
     {},
     true,
     true},
    {"collatz", collatz, "Collatz sequence from start, with the time taken",
     R"(Execute the collatz conjecture from the passed starting number,
returns the sequence and the time it took to compute. Used for
performance tests.

CLI Example:

.. code-block:: bash

    salt '*' test.collatz 3
)",
     kStart},
    {"conf_test", conf_test, "Return config.option('test.foo')",
     R"(Return the value for test.foo in the minion configuration file, or return
the default value

CLI Example:

.. code-block:: bash

    salt '*' test.conf_test
)"},
    {"cross_test", cross_test, "Call another function through the registry",
     R"(Execute a minion function via the __salt__ object in the test
module, used to verify that the minion functions can be called
via the __salt__ module.

CLI Example:

.. code-block:: bash

    salt '*' test.cross_test file.file_exists "['/etc/hosts']"
)",
     kCross},
    {"echo", echo, "Return the text passed in",
     R"(Return a string - used for testing the connection

CLI Example:

.. code-block:: bash

    salt '*' test.echo 'foo bar baz quo qux'
)",
     kText},
    {"exception", exception, "Raise an exception",
     R"(Raise an exception

Optionally provide an error message or output the full stack.

CLI Example:

.. code-block:: bash

    salt '*' test.exception 'Oh noes!'
)",
     kMessage},
    {"false", false_, "Always return False",
     R"(Always return False

CLI Example:

.. code-block:: bash

    salt '*' test.false
)"},
    {"fib", fib, "The num-th Fibonacci number, with the time taken",
     R"(Return the num-th Fibonacci number, and the time it took to compute in
seconds. Used for performance tests.

CLI Example:

.. code-block:: bash

    salt '*' test.fib 3
)",
     kNum},
    {"get_opts", get_opts, "Return the minion's configuration",
     R"(Return the configuration options passed to this minion

CLI Example:

.. code-block:: bash

    salt '*' test.get_opts
)"},
    {"kwarg",
     kwarg,
     "Return the kwargs passed in",
     R"(Print out the data passed into the function ``**kwargs``, this is used to
both test the publication data and cli kwarg passing, but also to display
the information available within the publication data.

CLI Example:

.. code-block:: bash

    salt '*' test.kwarg num=1 txt="two" env='{a: 1, b: "hello"}'
)",
     {},
     false,
     true},
    {"opts_pkg", opts_pkg, "The opts with the grains under 'grains'",
     R"(Return an opts package with the grains and opts for this minion.
This is primarily used to create the options used for master side
state compiling routines

CLI Example:

.. code-block:: bash

    salt '*' test.opts_pkg
)"},
    {"outputter", outputter, "Return the data passed in (for testing outputters)",
     R"(Test the outputter, pass in data to return

CLI Example:

.. code-block:: bash

    salt '*' test.outputter foobar
)",
     kData},
    {"ping", ping, "Return True (not an ICMP ping)",
     R"(Used to make sure the minion is up and responding. Not an ICMP ping.

Returns ``True``.

CLI Example:

.. code-block:: bash

    salt '*' test.ping
)"},
    {"rand_str", random_hash, "A random hex string (alias of random_hash)",
     R"(Return a random string

size
    size of the string to generate
hash_type
    hash type to use (sha256)

CLI Example:

.. code-block:: bash

    salt '*' test.rand_str
)",
     kRandom},
    {"random_hash", random_hash, "A random hex digest",
     R"(Return a hash of a random number between 0 and size

size
    upper bound of the random number
hash_type
    hash type to use (sha256)

CLI Example:

.. code-block:: bash

    salt '*' test.random_hash
)",
     kRandom},
    {"rand_sleep", rand_sleep, "Sleep a random number of seconds up to max",
     R"(Sleep for a random number of seconds, used to test long-running commands
and minions returning at differing intervals

CLI Example:

.. code-block:: bash

    salt '*' test.rand_sleep 60
)",
     kMax},
    {"retcode", retcode, "Set the job retcode to code",
     R"(Test that the returncode system is functioning correctly

CLI Example:

.. code-block:: bash

    salt '*' test.retcode 42
)",
     kCode},
    {"sleep", sleep, "Sleep for length seconds",
     R"(Instruct the minion to initiate a process that will sleep for a given
period of time.

CLI Example:

.. code-block:: bash

    salt '*' test.sleep 20
)",
     kLength},
    {"true", true_, "Always return True",
     R"(Always return True

CLI Example:

.. code-block:: bash

    salt '*' test.true
)"},
    {"version", version, "Return Brine's version",
     R"(Return the version of Brine on the minion

CLI Example:

.. code-block:: bash

    salt '*' test.version
)"},
    {"versions_information", versions_information, "Versions of Brine and its dependencies",
     R"(Report the versions of dependent and system software

CLI Example:

.. code-block:: bash

    salt '*' test.versions_information
)"},
    {"versions_report", versions_report, "Versions report as text",
     R"(Returns versions of components used by Brine

CLI Example:

.. code-block:: bash

    salt '*' test.versions_report
)"},
};

}  // namespace

const ModuleSpec kModule{"test", always_available, kFunctions};

}  // namespace brine::modules::test
