#include "modules/cmd/runner.h"

#include <fnmatch.h>
#include <grp.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "common/codec/python_repr.h"
#include "modules/binding.h"
#include "modules/util/data.h"
#include "modules/util/process.h"
#include "modules/util/render.h"
#include "modules/util/text.h"

namespace brine::modules::cmd {

namespace {

std::string default_shell() {
  const char* s = ::getenv("SHELL");
  return s && *s ? std::string(s) : std::string("/bin/sh");
}

struct UserInfo {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name, home, shell;
};

std::optional<UserInfo> lookup_user(const std::string& name) {
  std::array<char, 16384> buf{};
  passwd pw{};
  passwd* res = nullptr;
  if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &res) != 0 || !res) {
    return std::nullopt;
  }
  return UserInfo{pw.pw_uid, pw.pw_gid, pw.pw_name, pw.pw_dir ? pw.pw_dir : "/",
                  pw.pw_shell ? pw.pw_shell : "/bin/sh"};
}

std::optional<UserInfo> current_user() {
  std::array<char, 16384> buf{};
  passwd pw{};
  passwd* res = nullptr;
  if (::getpwuid_r(::geteuid(), &pw, buf.data(), buf.size(), &res) != 0 || !res) {
    return std::nullopt;
  }
  return UserInfo{pw.pw_uid, pw.pw_gid, pw.pw_name, pw.pw_dir ? pw.pw_dir : "/",
                  pw.pw_shell ? pw.pw_shell : "/bin/sh"};
}

// Salt's _log_cmd: the first word, for log lines that should not show secrets.
std::string log_cmd(const Value& cmd) {
  if (cmd.is_list()) {
    return cmd.as_list().empty() ? std::string() : coerce_to_str(cmd.as_list()[0]);
  }
  const std::string line = cmd.is_string() ? cmd.as_string() : coerce_to_str(cmd);
  auto words = text::split_ws(line);
  return words.empty() ? std::string() : std::string(words[0]);
}

int level_of(const std::string& name) {
  static constexpr std::pair<std::string_view, spdlog::level::level_enum> kLevels[] = {
      {"all", spdlog::level::trace},        {"garbage", spdlog::level::trace},
      {"trace", spdlog::level::trace},      {"debug", spdlog::level::debug},
      {"profile", spdlog::level::debug},    {"info", spdlog::level::info},
      {"warning", spdlog::level::warn},     {"error", spdlog::level::err},
      {"critical", spdlog::level::critical}};
  for (const auto& [n, l] : kLevels) {
    if (n == name) return l;
  }
  return spdlog::level::info;
}

// The environment the child gets, Salt's order: runas user's basics, the
// `env` argument, the C locale defaults, the minion's own environment.
Result<std::vector<std::string>> build_env(Call& c, const std::optional<UserInfo>& runas) {
  Map env;
  const Value& e = c.get("env");
  if (e.is_map()) {
    env = e.as_map();
  } else if (e.is_list()) {
    for (const Value& item : e.as_list()) {  // Salt's repack_dictlist
      if (item.is_map()) {
        for (const auto& [k, v] : item.as_map()) env.set(k, v);
      }
    }
  }
  Map run_env;
  if (!c.flag("clean_env")) {
    for (char** p = environ; p && *p; ++p) {
      std::string_view kv = *p;
      auto eq = kv.find('=');
      if (eq != std::string_view::npos) run_env.set(kv.substr(0, eq), Value(kv.substr(eq + 1)));
    }
  }
  if (runas) {
    run_env.set("USER", Value(runas->name));
    run_env.set("LOGNAME", Value(runas->name));
    run_env.set("HOME", Value(runas->home));
    run_env.set("SHELL", Value(runas->shell));
  }
  if (c.flag("reset_system_locale", true)) {
    for (const char* k : {"LC_CTYPE", "LC_NUMERIC", "LC_TIME", "LC_COLLATE", "LC_MONETARY",
                          "LC_MESSAGES", "LC_PAPER", "LC_NAME", "LC_ADDRESS", "LC_TELEPHONE",
                          "LC_MEASUREMENT", "LC_IDENTIFICATION", "LANGUAGE"}) {
      if (!env.contains(k)) env.set(k, Value("C"));
    }
  }
  for (auto& [k, v] : env) {
    if (v.is_null()) {
      c.ctx.logger().error(
          "Environment variable '{}' passed without a value. Setting value to an empty string", k);
      run_env.set(k, Value(""));
    } else {
      run_env.set(k, Value(v.is_string() ? v.as_string() : coerce_to_str(v)));
    }
  }
  if (!env.contains("NOTIFY_SOCKET")) run_env.erase("NOTIFY_SOCKET");
  if (c.has("prepend_path")) {
    std::string path = run_env.contains("PATH") ? run_env["PATH"].as_string() : std::string();
    run_env.set("PATH", Value(c.str("prepend_path") + ":" + path));
  }
  std::vector<std::string> out;
  out.reserve(run_env.size());
  for (const auto& [k, v] : run_env) {
    if (k.find('=') != std::string::npos || k.find('\0') != std::string::npos) {
      return invocation_error("invalid environment variable name '" + k + "'");
    }
    out.push_back(k + "=" + v.as_string());
  }
  return out;
}

bool cmd_permitted(Call& c, const std::string& cmdline) {
  auto globs = [&](std::string_view key) {
    const Value* v = data::config_lookup(c.ctx, key);
    return v && v->is_list() ? v->as_list() : List{};
  };
  for (const Value& g : globs("cmd_blacklist_glob")) {
    if (g.is_string() && ::fnmatch(g.as_string().c_str(), cmdline.c_str(), 0) == 0) return false;
  }
  List white = globs("cmd_whitelist_glob");
  if (white.empty()) return true;
  for (const Value& g : white) {
    if (g.is_string() && ::fnmatch(g.as_string().c_str(), cmdline.c_str(), 0) == 0) return true;
  }
  return false;
}

// Salt's str(timeout) in the timeout message: 5 -> "5", 1.5 -> "1.5".
Result<std::optional<double>> timeout_of(const Value& t, std::string* text) {
  if (t.is_null()) return std::optional<double>{};
  Value v = t;
  if (v.is_string()) {
    auto r = coerce(v, Type::kFloat);
    if (!r) return execution_error("Error: timeout " + t.as_string() + " must be a number");
    v = *r;
  }
  if (!v.is_number() || v.is_bool()) {
    return execution_error("Error: timeout " + coerce_to_str(t) + " must be a number");
  }
  *text = coerce_to_str(t);
  double secs = v.as_number();
  if (!std::isfinite(secs) || secs <= 0) return std::optional<double>{};
  return std::optional<double>{secs};
}

}  // namespace

// Salt's _run. Returns {pid, retcode, stdout, stderr} and sets the job retcode.
Result<Value> run_core(Call& c, bool python_shell, bool merge_stderr, bool bg) {
  Context& ctx = c.ctx;
  const std::string loglevel_name = c.str("output_loglevel", "debug");
  const bool quiet = loglevel_name == "quiet";
  const auto out_level = static_cast<spdlog::level::level_enum>(level_of(loglevel_name));

  std::optional<UserInfo> runas;
  std::string runas_name = c.str("runas");
  if (!runas_name.empty()) {
    runas = lookup_user(runas_name);
    if (!runas) return execution_error("User '" + runas_name + "' is not available");
    if (::geteuid() != 0 && runas->uid != ::geteuid()) {
      return execution_error("runas user '" + runas_name + "' needs the minion to run as root");
    }
  }
  std::optional<gid_t> group_gid;
  if (c.has("group")) {
    std::string g = c.str("group");
    std::array<char, 16384> buf{};
    group gr{};
    group* res = nullptr;
    if (::getgrnam_r(g.c_str(), &gr, buf.data(), buf.size(), &res) != 0 || !res) {
      return execution_error("Group '" + g + "' is not available");
    }
    if (::geteuid() != 0) {
      return execution_error("group '" + g + "' needs the minion to run as root");
    }
    group_gid = gr.gr_gid;
  }

  std::string shell = c.has("shell") ? c.str("shell") : default_shell();
  if (!shell.empty() && (::access(shell.c_str(), X_OK) != 0)) {
    return execution_error("The shell " + shell + " is not available");
  }
  // template=jinja renders the command and cwd first (Salt's _render_cmd).
  Value rendered_cmd;
  std::string cwd = c.str("cwd");
  if (c.has("template")) {
    const std::string engine = c.str("template");
    const std::string saltenv = c.str("saltenv");
    if (const Value& raw = c.get("cmd"); raw.is_string()) {
      auto r = render::template_string(ctx, engine, raw.as_string(), saltenv);
      if (!r) return r.error();
      rendered_cmd = Value(*r);
    }
    if (!cwd.empty()) {
      auto r = render::template_string(ctx, engine, cwd, saltenv);
      if (!r) return r.error();
      cwd = *r;
    }
  }
  const Value& cmd = rendered_cmd.is_null() ? c.get("cmd") : rendered_cmd;

  if (cwd.empty()) {
    if (runas) {
      cwd = runas->home;
    } else if (const char* home = ::getenv("HOME"); home && *home) {
      cwd = home;
    } else if (auto me = current_user()) {
      cwd = me->home;
    } else {
      cwd = "/";
    }
    if (::access(cwd.c_str(), R_OK) != 0) cwd = "/";
  }

  std::string cmd_text = cmd.is_string() ? cmd.as_string() : coerce_to_str(cmd);
  if (c.kwargs.contains("__pub_jid") && !cmd_permitted(c, cmd_text)) {
    return execution_error("The shell command \"" + cmd_text + "\" is not permitted");
  }

  auto env = build_env(c, runas);
  if (!env) return env.error();

  std::optional<mode_t> umask;
  if (c.has("umask")) {
    std::string u = c.str("umask");
    u.erase(0, u.find_first_not_of('0'));
    if (u.empty()) return execution_error("Zero umask is not allowed.");
    mode_t m = 0;
    for (char ch : u) {
      if (ch < '0' || ch > '7' || m > 0777) {
        return execution_error("Invalid umask: '" + c.str("umask") + "'");
      }
      m = static_cast<mode_t>(m * 8 + static_cast<mode_t>(ch - '0'));
    }
    umask = m;
  }

  struct stat st {};
  if (cwd.empty() || cwd[0] != '/' || ::stat(cwd.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return execution_error("Specified cwd '" + cwd + "' either not absolute or does not exist");
  }

  // argv, and the text Salt shows for the command in timeout messages.
  process::Options o;
  std::string shown;
  if (python_shell) {
    o.argv = {shell.empty() ? std::string("/bin/sh") : shell, "-c"};
    if (cmd.is_list()) {
      for (const Value& a : cmd.as_list()) o.argv.push_back(coerce_to_str(a));
    } else {
      o.argv.push_back(cmd_text);
    }
    shown = cmd.is_list() ? codec::python_repr(cmd) : cmd_text;
  } else if (cmd.is_list()) {
    List shown_list;
    for (const Value& a : cmd.as_list()) {
      o.argv.push_back(a.is_string() ? a.as_string() : coerce_to_str(a));
      shown_list.emplace_back(o.argv.back());
    }
    shown = codec::python_repr(Value(std::move(shown_list)));
  } else {
    auto words = text::shlex_split(cmd_text);
    if (!words) return invocation_error(words.error().message);
    List shown_list;
    for (auto& w : *words) shown_list.emplace_back(w);
    o.argv = std::move(*words);
    shown = codec::python_repr(Value(std::move(shown_list)));
  }
  if (o.argv.empty()) return invocation_error("no command given");

  std::vector<int64_t> success_retcodes{0};
  if (c.has("success_retcodes")) {
    success_retcodes.clear();
    for (const Value& v : text::split_input(c.get("success_retcodes"))) {
      auto i = coerce(v, Type::kInt);
      if (!i || !i->is_int()) {
        return invocation_error("success_retcodes must be a list of integers");
      }
      success_retcodes.push_back(i->as_int());
    }
  }

  std::string timeout_text;
  auto timeout = timeout_of(c.get("timeout"), &timeout_text);
  if (!timeout) return timeout.error();

  if (!quiet) {
    ctx.logger().info("Executing command {}{}{} {}{}in directory '{}'{}", cmd.is_list() ? "" : "'",
                      log_cmd(cmd), cmd.is_list() ? "" : "'",
                      runas ? "as user '" + runas_name + "' " : std::string(),
                      group_gid ? "in group '" + c.str("group") + "' " : std::string(), cwd,
                      bg ? ". Executing command in the background, no output will be logged." : "");
  }

  o.env = std::move(*env);
  o.cwd = cwd;
  if (c.has("stdin")) {
    std::string in = c.str("stdin");
    if (!c.kwargs.find("stdin_raw_newlines") || !c.kwargs.find("stdin_raw_newlines")->truthy()) {
      for (size_t p = 0; (p = in.find("\\n", p)) != std::string::npos;) {
        in.replace(p, 2, "\n");
        ++p;
      }
    }
    o.input = std::move(in);
  }
  o.merge_stderr = merge_stderr;
  o.umask = umask;
  if (runas || group_gid) {
    UserInfo who = runas ? *runas : current_user().value_or(UserInfo{});
    process::Credentials cred{who.uid, group_gid.value_or(who.gid), {}};
    if (group_gid) {
      cred.groups.push_back(*group_gid);
    } else {
      int n = 64;
      std::vector<gid_t> groups(static_cast<size_t>(n));
      if (::getgrouplist(who.name.c_str(), who.gid, groups.data(), &n) < 0) {
        groups.resize(static_cast<size_t>(n));
        ::getgrouplist(who.name.c_str(), who.gid, groups.data(), &n);
      }
      groups.resize(static_cast<size_t>(std::max(n, 0)));
      cred.groups = std::move(groups);
    }
    o.credentials = std::move(cred);
  }
  if (*timeout) {
    o.timeout = std::chrono::milliseconds(static_cast<int64_t>(std::ceil(**timeout * 1000.0)));
  }
  o.cancel = ctx.cancel;
  o.detach = bg;  // a background command outlives the job, as in Salt

  auto r = process::run(o);
  if (!r) {
    Map context;
    context.set("cwd", Value(cwd));
    context.set("shell", Value(python_shell));
    if (*timeout) context.set("timeout", c.get("timeout"));
    return execution_error("Unable to run command '" + (quiet ? std::string("REDACTED") : shown) +
                           "' with the context '" + codec::python_repr(Value(context)) +
                           "', reason: " + r.error().message);
  }
  Map ret;
  ret.set("pid", Value(static_cast<int64_t>(r->pid)));
  if (bg) {
    ret.set("retcode", Value());
    ret.set("stdout", Value(""));
    ret.set("stderr", Value(""));
    return Value(std::move(ret));
  }
  if (r->timed_out) {
    ret.set("retcode", Value(1));
    ret.set("stdout", Value(shown + " : Timed out after " + timeout_text + " seconds"));
    ret.set("stderr", Value(""));
    ctx.retcode = c.flag("ignore_retcode") ? 0 : 1;
    if (!quiet)
      ctx.logger().error("Command '{}' timed out after {} seconds", log_cmd(cmd), timeout_text);
    return Value(std::move(ret));
  }
  if (r->cancelled) {
    return execution_error("Command '" + log_cmd(cmd) + "' was stopped: job killed by signal " +
                           std::to_string(r->cancelled));
  }
  std::string out = text::sanitize_utf8(std::move(r->out));
  std::string err = text::sanitize_utf8(std::move(r->err));
  if (r->truncated) ctx.logger().warn("output of '{}' truncated", log_cmd(cmd));
  if (c.flag("rstrip", true)) {
    out.resize(text::rstrip(out).size());
    err.resize(text::rstrip(err).size());
  }
  int64_t retcode = r->exit_code;
  if (std::find(success_retcodes.begin(), success_retcodes.end(), retcode) !=
      success_retcodes.end()) {
    retcode = 0;
  }
  auto any_in = [](const Value& list, const std::string& hay) {
    for (const Value& v : text::split_input(list)) {
      std::string needle = v.is_string() ? v.as_string() : coerce_to_str(v);
      if (hay.find(needle) != std::string::npos) return true;
    }
    return false;
  };
  if ((c.has("success_stdout") && any_in(c.get("success_stdout"), out)) ||
      (c.has("success_stderr") && any_in(c.get("success_stderr"), err))) {
    retcode = 0;
  }
  ctx.retcode = c.flag("ignore_retcode") ? 0 : static_cast<int>(retcode);
  if (!quiet) {
    auto lvl = out_level;
    if (!c.flag("ignore_retcode") && retcode != 0) {
      lvl = std::max(lvl, spdlog::level::err);
      ctx.logger().error("Command '{}' failed with return code: {}", log_cmd(cmd), retcode);
    }
    if (!out.empty()) ctx.logger().log(lvl, "stdout: {}", out);
    if (!err.empty()) ctx.logger().log(lvl, "stderr: {}", err);
    if (retcode) ctx.logger().log(lvl, "retcode: {}", retcode);
  }
  ret.set("retcode", Value(retcode));
  ret.set("stdout", Value(std::move(out)));
  ret.set("stderr", Value(std::move(err)));
  return Value(std::move(ret));
}

// Salt's _python_shell_default: None means True for direct job calls (they
// carry __pub_jid) or when cmd_safe is False.
bool python_shell_default(Call& c) {
  const Value& ps = c.get("python_shell");
  if (!ps.is_null()) return ps.truthy();
  const Value* jid = c.kwargs.find("__pub_jid");
  if (jid && jid->truthy()) return true;
  const Value* safe = c.ctx.opts.find("cmd_safe");
  return safe && safe->is_bool() && !safe->as_bool();
}

}  // namespace brine::modules::cmd
