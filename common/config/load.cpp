// load(): Salt's master_config()/minion_config() (salt/config/__init__.py)
// step by step: file lookup, includes, defaults, apply_*_config.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/codec/python_repr.h"
#include "common/codec/yaml.h"
#include "common/config/config.h"
#include "common/config/config_internal.h"
#include "common/config/load_internal.h"
#include "common/config/paths.h"

namespace brine::config {
namespace detail {
namespace {

constexpr int kMaxIncludeDepth = 16;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return make_error(Errc::kIo,
                      "cannot read configuration file: " + std::string(std::strerror(errno)), path);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Python's truthiness of the parsed document: `safe_load(f) or {}`.
Result<ConfFile> read_conf_file(const std::string& path, std::vector<std::string>& warnings) {
  auto text = read_text(path);
  if (!text) return text.error();
  ConfFile out;
  auto doc = codec::yaml_load(*text, path, &out.where);
  if (!doc) {
    if (path.ends_with("_schedule.conf")) {
      // Salt's rule for the minion's persisted schedule: set the broken file
      // aside and carry on.
      std::error_code ec;
      std::filesystem::rename(path, path + "YAMLError", ec);
      warnings.push_back("error parsing configuration file " + doc.error().to_string() +
                         "; renamed to " + path + "YAMLError");
      out.opts = Value(Map{});
      out.where.clear();
      return out;
    }
    return doc.error();
  }
  if (!doc->truthy()) {
    out.opts = Value(Map{});
    return out;
  }
  if (!doc->is_map()) {
    return make_error(
        Errc::kParse,
        std::string("configuration should be a mapping of options, not a ") + doc->type_name(),
        path);
  }
  out.opts = std::move(*doc);
  // Numeric ids are allowed and become strings.
  if (Value* id = out.opts.find("id"); id != nullptr && !id->is_string() && !id->is_null()) {
    *id = Value(codec::python_str(*id));
  }
  return out;
}

void set_origin(Loaded& loaded, const ConfFile& file) {
  for (const auto& [key, where] : file.where) loaded.origin[key] = where;
}

}  // namespace

// salt.utils.dictupdate.update(dest, upd, recursive_update=True, merge_lists)
void deep_update(Map& dest, const Map& upd, bool merge_lists) {
  for (const auto& [key, val] : upd) {
    Value* cur = dest.find(key);
    if (cur != nullptr && cur->is_map() && val.is_map()) {
      deep_update(cur->as_map(), val.as_map(), merge_lists);
    } else if (cur != nullptr && cur->is_list() && val.is_list() && merge_lists) {
      List& merged = cur->as_list();
      for (const Value& item : val.as_list()) {
        if (std::find(merged.begin(), merged.end(), item) == merged.end()) merged.push_back(item);
      }
    } else {
      dest.set(key, val);
    }
  }
}

// Salt's include_config(): every file matched by the globs, sorted per glob,
// deep-merged in order; nested includes are resolved against the including
// file's directory.
Result<ConfFile> include_config(const Value& include, const std::string& orig_path, bool verbose,
                                std::vector<std::string>& warnings, int depth) {
  ConfFile result;
  result.opts = Value(Map{});
  if (!include.truthy()) return result;
  if (depth > kMaxIncludeDepth) {
    return make_error(Errc::kInvalidArgument,
                      "includes nested more than " + std::to_string(kMaxIncludeDepth) +
                          " deep (does a file include itself?)",
                      orig_path);
  }
  std::vector<std::string> patterns;
  if (include.is_string()) {
    patterns.push_back(include.as_string());
  } else if (include.is_list()) {
    for (const Value& p : include.as_list()) {
      if (p.is_string()) patterns.push_back(p.as_string());
    }
  } else {
    warnings.push_back("'include' in " + orig_path + " must be a string or a list, not a " +
                       include.type_name() + "; ignored");
    return result;
  }
  Map& configuration = result.opts.as_map();
  for (std::string path : patterns) {
    path = expanduser(path);
    if (!path.starts_with('/')) path = join(dirname(orig_path), path);
    const auto matches = glob_sorted(path);
    if (matches.empty() && verbose) {
      warnings.push_back("Warning parsing configuration file: \"include\" path/glob '" + path +
                         "' matches no files");
    }
    for (const std::string& fn : matches) {
      if (!is_file(fn)) {
        warnings.push_back("included path '" + fn + "' is not a file; ignored");
        continue;
      }
      auto file = read_conf_file(fn, warnings);
      if (!file) return file.error();
      Map& opts = file->opts.as_map();
      // `schedule` jobs from several files are combined (same job name: the
      // later file's job wins whole).
      if (const Value* sched = opts.find("schedule"); sched != nullptr && sched->truthy()) {
        if (Value* have = configuration.find("schedule");
            have != nullptr && have->is_map() && sched->is_map()) {
          for (const auto& [job, def] : sched->as_map()) have->as_map().set(job, def);
        }
      }
      if (const Value* nested = opts.find("include"); nested != nullptr && nested->truthy()) {
        auto sub = include_config(*nested, fn, verbose, warnings, depth + 1);
        if (!sub) return sub.error();
        for (auto& [k, v] : sub->opts.as_map()) opts.set(k, std::move(v));
        for (const auto& [k, w] : sub->where) file->where[k] = w;
      }
      deep_update(configuration, opts, /*merge_lists=*/true);
      for (const auto& [k, w] : file->where) result.where[k] = w;
    }
  }
  return result;
}

}  // namespace detail

std::string resolve_config_dir(const std::string& cli_config_dir) {
  if (!cli_config_dir.empty()) return detail::abspath(detail::expanduser(cli_config_dir));
  const std::string from_env = detail::env("BRINE_CONFIG_DIR");
  if (!from_env.empty()) return detail::abspath(detail::expanduser(from_env));
  return std::string(kDefaultConfigDir);
}

Result<Loaded> load(Role role, const LoadOptions& options) {
  using namespace detail;
  Loaded loaded;
  const std::string file_name = role == Role::kMaster ? "master" : "minion";
  const char* env_var = role == Role::kMaster ? "BRINE_MASTER_CONFIG" : "BRINE_MINION_CONFIG";
  const std::string config_dir = resolve_config_dir(options.config_dir);
  if (!is_dir(config_dir)) {
    loaded.warnings.push_back("CONFIG '" + config_dir + "' directory does not exist.");
  }

  // load_config(): which file to read.
  const std::string path = join(config_dir, file_name);
  const std::string default_path = join(kDefaultConfigDir, file_name);
  std::string env_path = env(env_var);
  if (env_path.empty()) {
    if (const std::string dir = env("BRINE_CONFIG_DIR"); !dir.empty()) {
      if (const std::string p = join(dir, file_name); is_file(p)) env_path = p;
    }
  }
  std::string conf_path = env_path.empty() ? path : env_path;
  if (conf_path.empty() || !is_file(conf_path)) conf_path = path;
  if (path != default_path) conf_path = path;

  if (!is_file(conf_path) && is_file(conf_path + ".template")) {
    std::ifstream tmpl(conf_path + ".template");
    std::string first_line;
    std::getline(tmpl, first_line);
    std::ofstream out(conf_path);
    out << tmpl.rdbuf();
  }

  ConfFile main;
  main.opts = Value(Map{});
  if (::access(conf_path.c_str(), R_OK) == 0 && is_file(conf_path)) {
    auto file = read_conf_file(conf_path, loaded.warnings);
    if (!file) return file.error();
    main = std::move(*file);
    main.opts.as_map().set("conf_file", conf_path);
  }
  set_origin(loaded, main);
  Map overrides = std::move(main.opts.as_map());

  const Value base = defaults(role);
  const Value* default_include = overrides.find("default_include");
  if (default_include == nullptr) default_include = base.find("default_include");
  const Value include_value = overrides.contains("include") ? *overrides.find("include") : Value();
  const Value default_include_value = *default_include;
  for (const auto& [inc, verbose] :
       {std::pair<const Value*, bool>{&default_include_value, false}, {&include_value, true}}) {
    auto inc_conf = include_config(*inc, path, verbose, loaded.warnings, 0);
    if (!inc_conf) return inc_conf.error();
    // The included keys replace the main file's top-level keys wholesale.
    for (auto& [k, v] : inc_conf->opts.as_map()) overrides.set(k, std::move(v));
    set_origin(loaded, *inc_conf);
  }

  const HostInfo& host = options.host != nullptr ? *options.host : system_host_info();
  Value opts = role == Role::kMaster ? apply_master_config(overrides, base, host, loaded.warnings)
                                     : apply_minion_config(overrides, base, loaded.warnings);
  opts.as_map().set("config_dir", config_dir);
  if (!opts.as_map().contains("conf_file")) opts.as_map().set("conf_file", conf_path);
  check_types(role, overrides, opts, loaded);
  loaded.opts = std::move(opts);
  return loaded;
}

}  // namespace brine::config
