// cmd: run commands (Salt's salt/modules/cmdmod.py).
//
// A command string runs through `<shell> -c` when python_shell is true
// (the default for direct job calls, as in Salt) and is shlex-split and
// executed directly otherwise; lists are executed as argv. Nothing here builds
// a shell string out of system data. Children run in their own process group,
// die on timeout (SIGKILL to the group) and when the job is killed.
#include <string>

#include "modules/builtin.h"
#include "modules/cmd/runner.h"
#include "modules/util/process.h"

namespace brine::modules::cmd {

namespace {

Result<Value> run(Call& c) {
  auto r = run_core(c, python_shell_default(c), c.flag("redirect_stderr", true), c.flag("bg"));
  if (!r) return r;
  if (c.flag("raise_err") && r->get_int("retcode") != 0) {
    return execution_error(c.flag("hide_output") ? "" : r->get_string("stdout"));
  }
  return c.flag("hide_output") ? Value("") : Value(r->get_string("stdout"));
}

Result<Value> shell(Call& c) {
  auto r = run_core(c, true, true, c.flag("bg"));
  if (!r) return r;
  return c.flag("hide_output") ? Value("") : Value(r->get_string("stdout"));
}

Result<Value> run_all(Call& c) {
  auto r = run_core(c, python_shell_default(c), c.flag("redirect_stderr", false));
  if (!r) return r;
  if (c.flag("hide_output")) {
    r->as_map().set("stdout", Value(""));
    r->as_map().set("stderr", Value(""));
  }
  return r;
}

Result<Value> run_stdout(Call& c) {
  auto r = run_core(c, python_shell_default(c), false);
  if (!r) return r;
  return c.flag("hide_output") ? Value("") : Value(r->get_string("stdout"));
}

Result<Value> run_stderr(Call& c) {
  auto r = run_core(c, python_shell_default(c), false);
  if (!r) return r;
  return c.flag("hide_output") ? Value("") : Value(r->get_string("stderr"));
}

Result<Value> retcode(Call& c) {
  auto r = run_core(c, python_shell_default(c), false);
  if (!r) return r;
  return Value(r->get_int("retcode"));
}

Result<Value> run_bg(Call& c) {
  auto r = run_core(c, python_shell_default(c), false, true);
  if (!r) return r;
  return Value::map({{"pid", *r->find("pid")}});
}

Result<Value> which(Call& c) {
  std::string found = process::which(c.str("cmd"), process::default_path());
  return found.empty() ? Value() : Value(found);
}

Result<Value> has_exec(Call& c) {
  return Value(!process::which(c.str("cmd"), process::default_path()).empty());
}

// --- documentation ---------------------------------------------------------

constexpr std::string_view kCommonDoc = R"(
    cwd
        The directory to run the command in. Defaults to the home directory of
        ``runas`` (or of the minion's user). Must be absolute and exist.
    stdin
        A string fed to the command's standard input ("\n" sequences become
        newlines unless ``stdin_raw_newlines=True``).
    runas
        Run as this user (the minion must run as root).
    group
        Run with this primary group (root only).
    shell
        The shell used with ``python_shell=True``. Defaults to ``$SHELL`` or
        ``/bin/sh``.
    python_shell
        True: run through ``<shell> -c`` (pipes, redirects, globbing). False:
        the command is split like a shell would (shlex) and executed directly.
        Defaults to True for direct job calls and False for calls from other
        modules and states, as in Salt.
    env
        A dict (or a list of one-key dicts) of environment variables. Values
        are not shell-expanded.
    clean_env
        Start from an empty environment instead of the minion's.
    rstrip
        Strip trailing whitespace from the output (default True).
    umask
        The umask (octal) for the command.
    output_loglevel
        Level at which the output is logged (``quiet`` logs nothing).
    hide_output
        Return empty output (the command still runs).
    timeout
        Seconds before the command's process group is killed.
    reset_system_locale
        Default the LC_* variables to ``C`` (default True).
    ignore_retcode
        Do not treat a non-zero exit status as a failure of the job.
    prepend_path
        Prepended to ``$PATH``.
    success_retcodes, success_stdout, success_stderr
        Exit codes, or substrings of the output, that count as success.
)";

// Docstrings are assembled once: summary text + the common keyword list + example.
std::string make_doc(std::string_view head, std::string_view example) {
  return std::string(head) + std::string(kCommonDoc) + std::string(example);
}

constexpr Param kRunParams[] = {
    {"cmd"},
    {"cwd", "None", Type::kString},
    {"stdin", "None", Type::kString},
    {"runas", "None", Type::kString},
    {"group", "None", Type::kString},
    {"shell", "None", Type::kString},
    {"python_shell", "None"},
    {"env", "None"},
    {"clean_env", "False", Type::kBool},
    {"template", "None"},
    {"rstrip", "True", Type::kBool},
    {"umask", "None"},
    {"output_encoding", "None"},
    {"output_loglevel", "'debug'", Type::kString},
    {"log_callback", "None"},
    {"hide_output", "False", Type::kBool},
    {"timeout", "None"},
    {"reset_system_locale", "True", Type::kBool},
    {"ignore_retcode", "False", Type::kBool},
    {"saltenv", "None"},
    {"use_vt", "False", Type::kBool},
    {"redirect_stderr", "True", Type::kBool},
    {"bg", "False", Type::kBool},
    {"password", "None"},
    {"encoded_cmd", "False", Type::kBool},
    {"raise_err", "False", Type::kBool},
    {"prepend_path", "None", Type::kString},
    {"success_retcodes", "None"},
    {"success_stdout", "None"},
    {"success_stderr", "None"},
};

constexpr Param kRunAllParams[] = {
    {"cmd"},
    {"cwd", "None", Type::kString},
    {"stdin", "None", Type::kString},
    {"runas", "None", Type::kString},
    {"group", "None", Type::kString},
    {"shell", "None", Type::kString},
    {"python_shell", "None"},
    {"env", "None"},
    {"clean_env", "False", Type::kBool},
    {"template", "None"},
    {"rstrip", "True", Type::kBool},
    {"umask", "None"},
    {"output_encoding", "None"},
    {"output_loglevel", "'debug'", Type::kString},
    {"log_callback", "None"},
    {"hide_output", "False", Type::kBool},
    {"timeout", "None"},
    {"reset_system_locale", "True", Type::kBool},
    {"ignore_retcode", "False", Type::kBool},
    {"saltenv", "None"},
    {"use_vt", "False", Type::kBool},
    {"redirect_stderr", "False", Type::kBool},
    {"password", "None"},
    {"encoded_cmd", "False", Type::kBool},
    {"prepend_path", "None", Type::kString},
    {"success_retcodes", "None"},
    {"success_stdout", "None"},
    {"success_stderr", "None"},
};

// run_stdout, run_stderr.
constexpr Param kRunStreamParams[] = {
    {"cmd"},
    {"cwd", "None", Type::kString},
    {"stdin", "None", Type::kString},
    {"runas", "None", Type::kString},
    {"group", "None", Type::kString},
    {"shell", "None", Type::kString},
    {"python_shell", "None"},
    {"env", "None"},
    {"clean_env", "False", Type::kBool},
    {"template", "None"},
    {"rstrip", "True", Type::kBool},
    {"umask", "None"},
    {"output_encoding", "None"},
    {"output_loglevel", "'debug'", Type::kString},
    {"log_callback", "None"},
    {"hide_output", "False", Type::kBool},
    {"timeout", "None"},
    {"reset_system_locale", "True", Type::kBool},
    {"ignore_retcode", "False", Type::kBool},
    {"saltenv", "None"},
    {"use_vt", "False", Type::kBool},
    {"password", "None"},
    {"prepend_path", "None", Type::kString},
    {"success_retcodes", "None"},
    {"success_stdout", "None"},
    {"success_stderr", "None"},
};

constexpr Param kRetcodeParams[] = {
    {"cmd"},
    {"cwd", "None", Type::kString},
    {"stdin", "None", Type::kString},
    {"runas", "None", Type::kString},
    {"group", "None", Type::kString},
    {"shell", "None", Type::kString},
    {"python_shell", "None"},
    {"env", "None"},
    {"clean_env", "False", Type::kBool},
    {"template", "None"},
    {"umask", "None"},
    {"output_encoding", "None"},
    {"output_loglevel", "'debug'", Type::kString},
    {"log_callback", "None"},
    {"timeout", "None"},
    {"reset_system_locale", "True", Type::kBool},
    {"ignore_retcode", "False", Type::kBool},
    {"saltenv", "None"},
    {"use_vt", "False", Type::kBool},
    {"password", "None"},
    {"success_retcodes", "None"},
    {"success_stdout", "None"},
    {"success_stderr", "None"},
};

constexpr Param kShellParams[] = {
    {"cmd"},
    {"cwd", "None", Type::kString},
    {"stdin", "None", Type::kString},
    {"runas", "None", Type::kString},
    {"group", "None", Type::kString},
    {"shell", "None", Type::kString},
    {"env", "None"},
    {"clean_env", "False", Type::kBool},
    {"template", "None"},
    {"rstrip", "True", Type::kBool},
    {"umask", "None"},
    {"output_encoding", "None"},
    {"output_loglevel", "'debug'", Type::kString},
    {"log_callback", "None"},
    {"hide_output", "False", Type::kBool},
    {"timeout", "None"},
    {"reset_system_locale", "True", Type::kBool},
    {"ignore_retcode", "False", Type::kBool},
    {"saltenv", "None"},
    {"use_vt", "False", Type::kBool},
    {"bg", "False", Type::kBool},
    {"password", "None"},
    {"prepend_path", "None", Type::kString},
    {"success_retcodes", "None"},
    {"success_stdout", "None"},
    {"success_stderr", "None"},
};

constexpr Param kRunBgParams[] = {
    {"cmd"},
    {"cwd", "None", Type::kString},
    {"runas", "None", Type::kString},
    {"group", "None", Type::kString},
    {"shell", "None", Type::kString},
    {"python_shell", "None"},
    {"env", "None"},
    {"clean_env", "False", Type::kBool},
    {"template", "None"},
    {"umask", "None"},
    {"timeout", "None"},
    {"output_encoding", "None"},
    {"output_loglevel", "'debug'", Type::kString},
    {"log_callback", "None"},
    {"reset_system_locale", "True", Type::kBool},
    {"ignore_retcode", "False", Type::kBool},
    {"saltenv", "None"},
    {"prepend_path", "None", Type::kString},
    {"success_retcodes", "None"},
};

constexpr Param kCmdOnly[] = {{"cmd", {}, Type::kString}};

}  // namespace

// The docstrings of the run family share the keyword list; they are built at
// static-initialisation time into these strings (string_views into them live
// as long as the program).
namespace {
const std::string kDocRun = make_doc(
    "Execute the passed command and return the output as a string.\n\n"
    "Standard error is merged into the output (``redirect_stderr=True``). A\n"
    "non-zero exit status becomes the job's retcode unless ``ignore_retcode``.\n\n"
    "Keyword arguments:\n",
    "\nCLI Example:\n\n.. code-block:: bash\n\n"
    "    salt '*' cmd.run \"ls -l | awk '/foo/{print \\\\$2}'\"\n"
    "    salt '*' cmd.run 'grep f' stdin='one\\ntwo\\nthree'\n"
    "    salt '*' cmd.run cmd='sed -e s/=/:/g'\n");
const std::string kDocRunAll = make_doc(
    "Execute the passed command and return a dict of pid, retcode, stdout and\n"
    "stderr (``redirect_stderr=True`` merges stderr into stdout).\n\nKeyword arguments:\n",
    "\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cmd.run_all \"ls -l | awk '/foo/{print "
    "\\\\$2}'\"\n");
const std::string kDocRunStdout =
    make_doc("Execute a command, and only return the standard out.\n\nKeyword arguments:\n",
             "\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cmd.run_stdout 'ls -l'\n");
const std::string kDocRunStderr = make_doc(
    "Execute a command and only return the standard error.\n\nKeyword arguments:\n",
    "\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cmd.run_stderr 'ls /nonexistent'\n");
const std::string kDocRetcode = make_doc(
    "Execute a shell command and return the command's return code.\n\nKeyword arguments:\n",
    "\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cmd.retcode 'test -f /etc/hosts'\n");
const std::string kDocRunBg = make_doc(
    "Execute the passed command in the background and return its pid at once\n"
    "({\"pid\": N}). The command runs in its own session, outlives the job and\n"
    "its output is discarded.\n\nKeyword arguments:\n",
    "\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cmd.run_bg \"sleep 60; touch "
    "/tmp/done\"\n");
const std::string kDocShell = make_doc(
    "Execute the passed command through the shell (``python_shell=True``\n"
    "always) and return the output as a string.\n\nKeyword arguments:\n",
    "\nCLI Example:\n\n.. code-block:: bash\n\n    salt '*' cmd.shell 'ls -l | wc -l'\n");

constexpr std::string_view kDocWhich =
    R"(Returns the path of an executable available on the minion, None otherwise

CLI Example:

.. code-block:: bash

    salt '*' cmd.which cat
)";
constexpr std::string_view kDocHasExec =
    R"(Returns true if the executable is available on the minion, false otherwise

CLI Example:

.. code-block:: bash

    salt '*' cmd.has_exec cat
)";

const FunctionSpec kFunctions[] = {
    {"has_exec", has_exec, "Whether an executable is on the PATH", kDocHasExec, kCmdOnly},
    {"retcode", retcode, "Run a command, return its exit code", kDocRetcode, kRetcodeParams, false,
     true},
    {"run", run, "Run a command, return its output", kDocRun, kRunParams, false, true},
    {"run_all", run_all, "Run a command, return pid/retcode/stdout/stderr", kDocRunAll,
     kRunAllParams, false, true},
    {"run_bg", run_bg, "Start a command in the background, return its pid", kDocRunBg, kRunBgParams,
     false, true},
    {"run_stderr", run_stderr, "Run a command, return its stderr", kDocRunStderr, kRunStreamParams,
     false, true},
    {"run_stdout", run_stdout, "Run a command, return its stdout", kDocRunStdout, kRunStreamParams,
     false, true},
    {"shell", shell, "Run a command through the shell", kDocShell, kShellParams, false, true},
    {"which", which, "Path of an executable, or None", kDocWhich, kCmdOnly},
};
}  // namespace

const ModuleSpec kModule{"cmd", always_available, kFunctions};

}  // namespace brine::modules::cmd
