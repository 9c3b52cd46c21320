// The second half of load(): Salt's apply_master_config /
// apply_minion_config, root_dir prefixing and _validate_opts warnings.
#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "common/codec/python_repr.h"
#include "common/config/config_internal.h"
#include "common/config/load_internal.h"
#include "common/config/paths.h"

namespace brine::config::detail {
namespace {

// _adjust_log_file_override: log_dir re-homes log_file.
void adjust_log_file(Map& overrides, const std::string& default_log_file) {
  const Value* dir = overrides.find("log_dir");
  if (dir == nullptr || !dir->truthy() || !dir->is_string()) return;
  const std::string log_dir = dir->as_string();
  if (Value* file = overrides.find("log_file"); file != nullptr && file->truthy()) {
    if (file->is_string() && !file->as_string().starts_with('/')) {
      *file = Value(join(log_dir, file->as_string()));
    }
  } else {
    const size_t slash = default_log_file.rfind('/');
    overrides.set("log_file", join(log_dir, default_log_file.substr(slash + 1)));
  }
}

void apply_environment(Map& opts, std::vector<std::string>& warnings) {
  const Value* environment = opts.find("environment");
  if (environment == nullptr) return;
  if (const Value* saltenv = opts.find("saltenv"); saltenv != nullptr && !saltenv->is_null()) {
    warnings.push_back(
        "The 'saltenv' and 'environment' options are both set; 'environment' is "
        "ignored");
    opts.set("environment", *saltenv);
  } else {
    warnings.push_back("The 'environment' option is deprecated; use 'saltenv' instead");
    opts.set("saltenv", *environment);
  }
}

std::string str_or(const Map& opts, std::string_view key, std::string_view fallback = {}) {
  const Value* v = opts.find(key);
  return v != nullptr && v->is_string() ? v->as_string() : std::string(fallback);
}

// The socket path limit: a sock_dir much longer than cachedir moves under it.
void shorten_sock_dir(Map& opts) {
  const std::string sock_dir = str_or(opts, "sock_dir");
  const std::string cachedir = str_or(opts, "cachedir");
  if (sock_dir.size() > cachedir.size() + 10) opts.set("sock_dir", join(cachedir, ".salt-unix"));
}

void set_extension_modules(Map& opts) {
  const Value* ext = opts.find("extension_modules");
  if (ext == nullptr || !ext->truthy()) {
    opts.set("extension_modules", join(str_or(opts, "cachedir"), "extmods"));
  }
}

bool has_glob_magic(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

// _validate_file_roots / _normalize_roots / _expand_glob_path.
Value validate_roots(const Value& roots, const char* name, const char* default_dir,
                     std::vector<std::string>& warnings) {
  if (!roots.is_map()) {
    warnings.push_back(std::string("The ") + name +
                       " parameter is not properly formatted, using defaults");
    return Value::map({{"base", Value::list({default_dir})}});
  }
  Map out;
  for (const auto& [env, dirs] : roots.as_map()) {
    List raw;
    if (dirs.is_list()) {
      raw = dirs.as_list();
    } else if (dirs.is_string()) {
      raw.push_back(dirs);  // a scalar is wrapped into a list
    }
    List expanded;
    for (const Value& d : raw) {
      if (d.is_string() && has_glob_magic(d.as_string())) {
        for (auto& m : glob_sorted(d.as_string())) expanded.push_back(Value(std::move(m)));
      } else {
        expanded.push_back(d);
      }
    }
    out.set(env, Value(std::move(expanded)));
  }
  return Value(std::move(out));
}

void wrap_string_in_list(Map& opts, std::string_view key) {
  Value* v = opts.find(key);
  if (v != nullptr && v->is_string()) *v = Value::list({*v});
}

void lowercase_hash_type(Map& opts) {
  if (Value* h = opts.find("hash_type"); h != nullptr && h->is_string()) {
    std::string& s = h->as_string();
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  }
}

// Keys whose values may be log targets (udp://, file://) rather than paths.
void add_log_keys(const Map& opts, std::vector<std::string>& keys,
                  std::initializer_list<const char*> log_keys) {
  for (const char* k : log_keys) {
    const Value* v = opts.find(k);
    if (v == nullptr || v->is_null()) continue;
    if (!v->is_string() || !has_url_scheme(v->as_string())) keys.emplace_back(k);
  }
}

bool is_exactly_true(const Map& opts, std::string_view key) {
  const Value* v = opts.find(key);
  return v != nullptr && v->is_bool() && v->as_bool();
}

// salt.utils.data.is_dictlist / repack_dictlist for nodegroups.
void fix_nodegroups(Map& opts) {
  Value* ng = opts.find("nodegroups");
  if (ng == nullptr) return;
  if (ng->is_null()) {
    *ng = Value(Map{});
    return;
  }
  if (!ng->is_list()) return;
  Map repacked;
  for (const Value& item : ng->as_list()) {
    if (!item.is_map() || item.as_map().size() != 1) return;
    const auto& [k, v] = *item.as_map().begin();
    repacked.set(k, v);
  }
  *ng = Value(std::move(repacked));
}

Map start(const Map& overrides, const Value& defaults, const char* role) {
  Map opts = defaults.as_map();
  opts.set("__role", role);
  Map ov = overrides;
  adjust_log_file(ov, defaults.get_string("log_file"));
  for (auto& [k, v] : ov) opts.set(k, std::move(v));
  return opts;
}

}  // namespace

void prepend_root_dir(Map& opts, const std::vector<std::string>& keys) {
  const std::string root_dir = abspath(str_or(opts, "root_dir", "/"));
  // Brine's built-in root is "/", so Salt's def_root_dir is "".
  for (const auto& key : keys) {
    Value* v = opts.find(key);
    if (v == nullptr || !v->is_string()) continue;
    std::string path = v->as_string();
    std::optional<std::string> under_def;   // tmp_path_def_root_dir
    std::optional<std::string> under_root;  // tmp_path_root_dir
    if (path.empty() || path.starts_with('/')) under_def = path;
    if (!root_dir.empty() && (path == root_dir || path.starts_with(root_dir + "/"))) {
      under_root = path.substr(root_dir.size());
    }
    const bool def_hit = under_def && !under_def->empty();
    const bool root_hit = under_root && !under_root->empty();
    if (def_hit && !root_hit) {
      path = *under_def;
    } else if (root_hit && !def_hit) {
      path = *under_root;
    } else if (def_hit && root_hit) {
      path = *under_root;  // "" (the default root) is in every root_dir
    } else if (path.starts_with('/')) {
      continue;
    }
    *v = Value(salt_join(root_dir, path));
  }
}

Value apply_master_config(const Map& overrides, const Value& defaults, const HostInfo& host,
                          std::vector<std::string>& warnings) {
  Map opts = start(overrides, defaults, "master");
  if (const Value* eauth = opts.find("external_auth");
      eauth != nullptr && eauth->is_map() && eauth->as_map().contains("rest")) {
    if (!is_exactly_true(opts, "keep_acl_in_token")) {
      warnings.push_back(
          "The 'rest' external_auth backend requires 'keep_acl_in_token' to be "
          "True. Setting 'keep_acl_in_token' to True.");
    }
    opts.set("keep_acl_in_token", true);
  }
  apply_environment(opts, warnings);
  if (Value* backends = opts.find("fileserver_backend");
      backends != nullptr && backends->is_list()) {
    for (Value& b : backends->as_list()) {
      if (b.is_string() && (b.as_string() == "git" || b.as_string() == "hg" ||
                            b.as_string() == "svn" || b.as_string() == "minion")) {
        b = Value(b.as_string() + "fs");
      }
    }
  }
  shorten_sock_dir(opts);
  opts.set("token_dir", join(str_or(opts, "cachedir"), "tokens"));
  opts.set("syndic_dir", join(str_or(opts, "cachedir"), "syndics"));
  set_extension_modules(opts);
  {
    Value view(opts);
    opts.set("id", master_id(view, host));
  }
  std::vector<std::string> keys = {"pki_dir",          "cachedir",           "pidfile",
                                   "sock_dir",         "extension_modules",  "autosign_file",
                                   "autoreject_file",  "token_dir",          "syndic_dir",
                                   "sqlite_queue_dir", "autosign_grains_dir"};
  add_log_keys(opts, keys, {"log_file", "key_logfile", "ssh_log_file"});
  prepend_root_dir(opts, keys);
  opts.set("open_mode", is_exactly_true(opts, "open_mode"));
  opts.set("auto_accept", is_exactly_true(opts, "auto_accept"));
  opts.set("file_roots",
           validate_roots(*opts.find("file_roots"), "file_roots", "/srv/salt", warnings));
  opts.set("pillar_roots",
           validate_roots(*opts.find("pillar_roots"), "pillar_roots", "/srv/pillar", warnings));
  wrap_string_in_list(opts, "file_ignore_regex");
  wrap_string_in_list(opts, "file_ignore_glob");
  if (const Value* wt = opts.find("worker_threads");
      wt != nullptr && wt->is_int() && wt->as_int() < 3 && opts.find("peer")->truthy()) {
    warnings.push_back("The 'worker_threads' setting in '" + str_or(opts, "conf_file") +
                       "' cannot be lower than 3. Resetting it to the default value of 3.");
    opts.set("worker_threads", 3);
  }
  lowercase_hash_type(opts);
  // keep_jobs (hours) is honoured only when keep_jobs_seconds is left alone.
  const Value* kjs = opts.find("keep_jobs_seconds");
  const Value* kj = opts.find("keep_jobs");
  if (kjs != nullptr && kjs->is_int() && kjs->as_int() == 86400 && kj != nullptr && kj->is_int() &&
      kj->as_int() != 24) {
    opts.set("keep_jobs_seconds", kj->as_int() * 3600);
  }
  fix_nodegroups(opts);
  return Value(std::move(opts));
}

Value apply_minion_config(const Map& overrides, const Value& defaults,
                          std::vector<std::string>& warnings) {
  Map opts = start(overrides, defaults, "minion");
  apply_environment(opts, warnings);
  shorten_sock_dir(opts);
  opts.set("open_mode", is_exactly_true(opts, "open_mode"));
  opts.set("file_roots",
           validate_roots(*opts.find("file_roots"), "file_roots", "/srv/salt", warnings));
  opts.set("pillar_roots",
           validate_roots(*opts.find("pillar_roots"), "pillar_roots", "/srv/pillar", warnings));
  set_extension_modules(opts);
  std::vector<std::string> keys = {"pki_dir", "cachedir", "sock_dir", "extension_modules",
                                   "pidfile"};
  add_log_keys(opts, keys, {"log_file", "key_logfile"});
  prepend_root_dir(opts, keys);
  if (!opts.contains("beacons")) opts.set("beacons", Value(Map{}));
  lowercase_hash_type(opts);
  // `return` given as a list is joined with commas (Salt's _validate_opts).
  if (Value* ret = opts.find("return"); ret != nullptr && ret->is_list()) {
    std::string joined;
    for (const Value& r : ret->as_list()) {
      if (!joined.empty()) joined += ",";
      joined += codec::python_str(r);
    }
    *ret = Value(joined);
  }
  return Value(std::move(opts));
}

namespace {

bool python_int_parses(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n\r");
  size_t e = s.find_last_not_of(" \t\n\r");
  if (b == std::string::npos) return false;
  std::string t = s.substr(b, e - b + 1);
  if (t.starts_with('+') || t.starts_with('-')) t.erase(0, 1);
  if (t.empty()) return false;
  return std::all_of(t.begin(), t.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

bool python_float_parses(const std::string& s) {
  double d = 0;
  size_t b = s.find_first_not_of(" \t\n\r");
  size_t e = s.find_last_not_of(" \t\n\r");
  if (b == std::string::npos) return false;
  std::string t = s.substr(b, e - b + 1);
  if (t.starts_with('+')) t.erase(0, 1);
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
  return ec == std::errc() && p == t.data() + t.size();
}

// Salt's _validate_opts decision for one value: true = a warning.
bool type_mismatch(Type t, const Value& v) {
  if (v.is_null()) return false;
  // sdb:// values are resolved at run time in Salt; never flagged.
  if (v.is_string() && v.as_string().starts_with("sdb://")) return false;
  switch (t) {
    case Type::kAny:
      return false;
    case Type::kBool:
      return !v.is_bool();
    case Type::kInt:
      if (v.is_int()) return false;
      if (v.is_string()) return !python_int_parses(v.as_string());
      return true;  // bool, float (non-failing conversions Salt still flags), list, dict
    case Type::kFloat:
      if (v.is_number()) return false;
      if (v.is_string()) return !python_float_parses(v.as_string());
      return true;
    case Type::kStr:
      return v.is_list() || v.is_map();
    case Type::kList:
      return !v.is_list();
    case Type::kDict:
      return !v.is_map();
    case Type::kStrOrList:
      return !v.is_string() && !v.is_list();
    case Type::kStrOrDict:
      return !v.is_string() && !v.is_map();
  }
  return false;
}

std::string file_and_line(const std::string& where) {
  const size_t last = where.rfind(':');
  return last == std::string::npos ? where : where.substr(0, last);
}

}  // namespace

void check_types(Role role, const Map& overrides, const Value& opts, Loaded& loaded) {
  for (const auto& [key, value] : overrides) {
    if (key == "conf_file" || key.starts_with("__")) continue;
    const auto it = loaded.origin.find(key);
    const std::string where = it == loaded.origin.end() ? "" : it->second;
    const KeySpec* spec = find_spec(role, key);
    if (spec == nullptr) {
      loaded.warnings.push_back("unknown config key '" + key + "'" +
                                (where.empty() ? "" : " in " + file_and_line(where)));
      continue;
    }
    const Value* final_value = opts.find(key);
    const Value& v = final_value != nullptr ? *final_value : value;
    if (!type_mismatch(spec->type, v)) continue;
    loaded.warnings.push_back((where.empty() ? "" : where + ": ") + "config option '" + key +
                              "' with value " + codec::python_str(v) + " has an invalid type of " +
                              std::string(v.type_name()) + ", a " +
                              std::string(type_name(spec->type)) + " is required for this option");
  }
}

}  // namespace brine::config::detail
