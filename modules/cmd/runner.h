// The engine behind cmd.run & co. (Salt's cmdmod._run), shared by the
// functions in modules/cmd.cpp. Internal to brine_modules.
//
// Thread-safety: as the Context (one job).
#pragma once

#include "common/result.h"
#include "common/values/value.h"
#include "modules/registry.h"

namespace brine::modules::cmd {

// Runs c.get("cmd") with the cmd.* keyword arguments bound in `c` (cwd,
// stdin, runas, group, shell, env, clean_env, template, rstrip, umask,
// output_loglevel, timeout, reset_system_locale, ignore_retcode,
// prepend_path, success_retcodes, success_stdout, success_stderr).
// python_shell: through `<shell> -c`; merge_stderr: one stream (cmd.run);
// bg: detached, returns at once. Returns {pid, retcode, stdout, stderr} and
// sets the job retcode (unless ignore_retcode). Errors: Salt's
// CommandExecutionError / SaltInvocationError texts.
Result<Value> run_core(Call& c, bool python_shell, bool merge_stderr, bool bg = false);

// Salt's _python_shell_default: an explicit python_shell, else true for direct
// job calls (they carry __pub_jid) or when cmd_safe is false.
bool python_shell_default(Call& c);

}  // namespace brine::modules::cmd
