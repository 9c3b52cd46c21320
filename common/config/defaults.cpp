// Brine's defaults: Salt 3006's key names, values and meanings
// (reference/config.md §3, §4), with Brine's own paths so that both can live
// on one host, plus the Brine-only keys. docs/configuration.md lists them.
#include <pwd.h>
#include <unistd.h>

#include "common/config/config_internal.h"

namespace brine::config {
namespace detail {
namespace {

std::string current_user() {
  // getpwuid_r would be the reentrant form; this runs once at start-up.
  if (const passwd* pw = ::getpwuid(::geteuid()); pw != nullptr && pw->pw_name != nullptr) {
    return pw->pw_name;
  }
  return "root";
}

Value list(std::initializer_list<Value> items) { return Value::list(items); }
Value dict() { return Value(Map{}); }
Value roots(const char* dir) { return Value::map({{"base", Value::list({dir})}}); }

constexpr const char* kFmtConsole = "[%(levelname)-8s] %(message)s";
constexpr const char* kFmtLogfile =
    "%(asctime)s,%(msecs)03d [%(name)-17s:%(lineno)-4d][%(levelname)-8s][%(process)d] "
    "%(message)s";

// Keys both daemons share, with the same default.
void add_common(std::vector<KeySpec>& k) {
  const auto add = [&k](std::string_view name, Value v, Type t) {
    k.push_back(KeySpec{name, std::move(v), t});
  };
  add("user", Value(current_user()), Type::kStr);
  add("root_dir", "/", Type::kStr);
  add("key_logfile", "/var/log/brine/key", Type::kStr);
  add("log_level", "warning", Type::kStr);
  add("log_level_logfile", Value(), Type::kStr);
  add("log_fmt_console", kFmtConsole, Type::kStr);
  add("log_fmt_logfile", kFmtLogfile, Type::kStr);
  add("log_datefmt", "%H:%M:%S", Type::kStr);
  add("log_datefmt_logfile", "%Y-%m-%d %H:%M:%S", Type::kStr);
  add("ipv6", Value(), Type::kBool);
  add("hash_type", "sha256", Type::kStr);
  add("keysize", 2048, Type::kInt);
  add("transport", "zeromq", Type::kStr);
  add("file_roots", roots("/srv/salt"), Type::kDict);
  add("pillar_roots", roots("/srv/pillar"), Type::kDict);
  add("renderer", "jinja|yaml", Type::kStr);
  add("failhard", false, Type::kBool);
  add("state_top", "top.sls", Type::kStr);
  add("state_top_saltenv", Value(), Type::kStr);
  add("top_file_merging_strategy", "merge", Type::kStr);
  add("env_order", list({}), Type::kList);
  add("default_top", "base", Type::kStr);
  add("state_auto_order", true, Type::kBool);
  add("state_events", false, Type::kBool);
  add("state_output", "full", Type::kStr);
  add("state_verbose", true, Type::kBool);
  add("state_output_diff", false, Type::kBool);
  add("state_output_profile", true, Type::kBool);
  add("state_output_pct", false, Type::kBool);
  add("state_compress_ids", false, Type::kBool);
  add("state_tabular", false, Type::kBool);
  add("saltenv", Value(), Type::kStr);
  add("pillarenv", Value(), Type::kStr);
  add("schedule", dict(), Type::kDict);
  add("open_mode", false, Type::kBool);
  add("permissive_pki_access", false, Type::kBool);
  // Brine-only: seconds between liveness heartbeats on the request channel.
  add("heartbeat_interval", 10, Type::kFloat);
}

std::vector<KeySpec> master_specs() {
  std::vector<KeySpec> k;
  const auto add = [&k](std::string_view name, Value v, Type t) {
    k.push_back(KeySpec{name, std::move(v), t});
  };
  add("interface", "0.0.0.0", Type::kStr);
  add("publish_port", 4505, Type::kInt);
  add("ret_port", 4506, Type::kInt);
  add("pki_dir", "/etc/brine/pki/master", Type::kStr);
  add("cachedir", "/var/cache/brine/master", Type::kStr);
  add("sock_dir", "/var/run/brine/master", Type::kStr);
  add("pidfile", "/var/run/brine-master.pid", Type::kStr);
  add("log_file", "/var/log/brine/master", Type::kStr);
  add_common(k);
  add("worker_threads", 5, Type::kInt);
  add("timeout", 5, Type::kInt);
  add("gather_job_timeout", 10, Type::kInt);
  add("keep_jobs_seconds", 86400, Type::kInt);
  add("keep_jobs", 24, Type::kInt);
  add("job_cache", true, Type::kBool);
  add("master_job_cache", "local_cache", Type::kStr);
  add("ext_job_cache", "", Type::kStr);
  add("job_cache_store_endtime", false, Type::kBool);
  add("minion_data_cache", true, Type::kBool);
  add("auto_accept", false, Type::kBool);
  add("autosign_file", Value(), Type::kStr);
  add("autoreject_file", Value(), Type::kStr);
  add("autosign_grains_dir", Value(), Type::kStr);
  add("autosign_timeout", 120, Type::kInt);
  add("max_minions", 0, Type::kInt);
  add("publisher_acl", dict(), Type::kDict);
  add("publisher_acl_blacklist", dict(), Type::kDict);
  add("external_auth", dict(), Type::kDict);
  add("token_expire", 43200, Type::kInt);
  add("keep_acl_in_token", false, Type::kBool);
  add("peer", dict(), Type::kDict);
  add("nodegroups", dict(), Type::kDict);
  add("fileserver_backend", list({"roots"}), Type::kList);
  add("file_buffer_size", 1048576, Type::kInt);
  add("file_ignore_regex", list({}), Type::kStrOrList);
  add("file_ignore_glob", list({}), Type::kStrOrList);
  add("cli_summary", false, Type::kBool);
  add("show_timeout", true, Type::kBool);
  add("show_jid", false, Type::kBool);
  add("order_masters", false, Type::kBool);
  add("syndic_wait", 5, Type::kInt);
  add("master_sign_pubkey", false, Type::kBool);
  add("master_sign_key_name", "master_sign", Type::kStr);
  add("master_pubkey_signature", "master_pubkey_signature", Type::kStr);
  add("sign_pub_messages", true, Type::kBool);
  add("publish_session", 86400, Type::kInt);
  add("rotate_aes_key", true, Type::kBool);
  add("ping_on_rotate", false, Type::kBool);
  add("require_minion_sign_messages", false, Type::kBool);
  add("drop_messages_signature_fail", false, Type::kBool);
  add("allow_minion_key_revoke", true, Type::kBool);
  add("preserve_minion_cache", false, Type::kBool);
  add("loop_interval", 60, Type::kInt);
  add("maintenance_interval", 3600, Type::kInt);
  add("zmq_filtering", false, Type::kBool);
  add("pub_hwm", 1000, Type::kInt);
  add("zmq_backlog", 1000, Type::kInt);
  add("max_open_files", 100000, Type::kInt);
  add("enable_ssh_minions", false, Type::kBool);
  add("default_include", "master.d/*.conf", Type::kStr);
  // Brine-only: seconds over which minions spread their session-key re-fetch
  // after a rotation.
  add("session_key_rotate_spread", 10, Type::kFloat);
  // Known keys without a default (absent unless set, or derived).
  for (std::string_view name : {"include", "id", "append_domain", "log_dir", "token_dir",
                                "syndic_dir", "extension_modules", "environment"}) {
    k.push_back(KeySpec{name, Value(), name == "include" ? Type::kStrOrList : Type::kStr, false});
  }
  return k;
}

std::vector<KeySpec> minion_specs() {
  std::vector<KeySpec> k;
  const auto add = [&k](std::string_view name, Value v, Type t) {
    k.push_back(KeySpec{name, std::move(v), t});
  };
  add("master", "salt", Type::kStrOrList);
  add("master_port", 4506, Type::kInt);
  add("publish_port", 4505, Type::kInt);
  add("master_type", "str", Type::kStr);
  add("module_dirs", Value::list(), Type::kList);
  add("external_module_timeout", 300, Type::kInt);
  add("cmd_blacklist_glob", Value::list(), Type::kList);
  add("cmd_whitelist_glob", Value::list(), Type::kList);
  add("master_alive_interval", 0, Type::kInt);
  add("master_failback", false, Type::kBool);
  add("master_failback_interval", 0, Type::kInt);
  add("random_master", false, Type::kBool);
  add("retry_dns", 30, Type::kFloat);
  add("retry_dns_count", Value(), Type::kInt);
  add("id", Value(), Type::kStr);
  add("append_domain", Value(), Type::kStr);
  add("minion_id_caching", true, Type::kBool);
  add("minion_id_lowercase", false, Type::kBool);
  add("minion_id_remove_domain", false, Type::kAny);
  add("pki_dir", "/etc/brine/pki/minion", Type::kStr);
  add("cachedir", "/var/cache/brine/minion", Type::kStr);
  add("sock_dir", "/var/run/brine/minion", Type::kStr);
  add("pidfile", "/var/run/brine-minion.pid", Type::kStr);
  add("log_file", "/var/log/brine/minion", Type::kStr);
  add_common(k);
  add("master_finger", "", Type::kStr);
  add("verify_master_pubkey_sign", false, Type::kBool);
  add("always_verify_signature", false, Type::kBool);
  add("acceptance_wait_time", 10, Type::kFloat);
  add("acceptance_wait_time_max", 0, Type::kFloat);
  add("rejected_retry", false, Type::kBool);
  add("auth_timeout", 5, Type::kInt);
  add("auth_tries", 7, Type::kInt);
  add("auth_safemode", false, Type::kBool);
  add("random_reauth_delay", 10, Type::kInt);
  add("random_startup_delay", 0, Type::kInt);
  add("recon_default", 1000, Type::kInt);
  add("recon_max", 10000, Type::kInt);
  add("recon_randomize", true, Type::kBool);
  add("ping_interval", 0, Type::kInt);
  add("grains", dict(), Type::kDict);
  add("grains_cache", false, Type::kBool);
  add("grains_cache_expiration", 300, Type::kInt);
  add("grains_refresh_every", 0, Type::kInt);
  add("enable_fqdns_grains", false, Type::kBool);
  add("startup_states", "", Type::kStr);
  add("sls_list", list({}), Type::kList);
  add("top_file", "", Type::kStr);
  add("multiprocessing", true, Type::kBool);
  add("process_count_max", -1, Type::kInt);
  add("minion_jid_queue_hwm", 100, Type::kInt);
  add("cache_jobs", false, Type::kBool);
  add("pub_ret", true, Type::kBool);
  add("file_client", "remote", Type::kStr);
  add("lock_saltenv", false, Type::kBool);
  add("test", false, Type::kBool);
  add("file_buffer_size", 262144, Type::kInt);
  add("module_executors", list({"direct_call"}), Type::kList);
  add("disable_modules", list({}), Type::kList);
  add("disable_grains", list({}), Type::kList);
  add("whitelist_modules", list({}), Type::kList);
  add("mine_enabled", true, Type::kBool);
  add("mine_interval", 60, Type::kInt);
  add("minion_sign_messages", false, Type::kBool);
  add("cmd_safe", true, Type::kBool);
  add("default_include", "minion.d/*.conf", Type::kStr);
  for (std::string_view name : {"include", "return", "autosign_grains", "id_function", "log_dir",
                                "extension_modules", "environment"}) {
    const Type t = name == "include" || name == "return" ? Type::kStrOrList
                   : name == "autosign_grains"           ? Type::kList
                   : name == "id_function"               ? Type::kStrOrDict
                                                         : Type::kStr;
    k.push_back(KeySpec{name, Value(), t, false});
  }
  return k;
}

}  // namespace

const std::vector<KeySpec>& key_specs(Role role) {
  static const std::vector<KeySpec> master = master_specs();
  static const std::vector<KeySpec> minion = minion_specs();
  return role == Role::kMaster ? master : minion;
}

const KeySpec* find_spec(Role role, std::string_view key) {
  for (const auto& s : key_specs(role)) {
    if (s.name == key) return &s;
  }
  return nullptr;
}

std::string_view python_type(const Value& v) { return v.type_name(); }

std::string_view type_name(Type t) {
  switch (t) {
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "int";
    case Type::kFloat:
      return "float";
    case Type::kStr:
      return "str";
    case Type::kList:
      return "list";
    case Type::kDict:
      return "dict";
    case Type::kStrOrList:
      return "str or list";
    case Type::kStrOrDict:
      return "str or dict";
    case Type::kAny:
      return "any";
  }
  return "any";
}

}  // namespace detail

Value defaults(Role role) {
  Map m;
  for (const auto& s : detail::key_specs(role)) {
    if (s.has_default) m.set(s.name, s.value);
  }
  return Value(std::move(m));
}

}  // namespace brine::config
