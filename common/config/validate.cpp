// validate(): the values brine-master and brine-minion cannot run with are
// start-up errors naming the file and line that set them (Salt would only
// warn and then fail somewhere later).
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>

#include "common/codec/python_repr.h"
#include "common/config/config.h"

namespace brine::config {
namespace {

class Checker {
 public:
  explicit Checker(const Loaded& loaded) : loaded_(loaded) {}

  // The first failed check wins; later checks are skipped.
  Status status() const { return error_ ? Status(*error_) : ok(); }

  void integer(std::string_view key, int64_t min, int64_t max, std::string_view what = {}) {
    const Value* v = get(key);
    if (v == nullptr) return;
    if (!v->is_int()) return fail(key, "expected an integer", *v);
    if (v->as_int() < min || v->as_int() > max) {
      std::string expected = what.empty() ? range_text(min, max) : std::string(what);
      return fail(key, "expected " + expected, *v);
    }
  }

  void port(std::string_view key) { integer(key, 1, 65535, "a port number (1-65535)"); }

  void number(std::string_view key, double min, bool min_exclusive) {
    const Value* v = get(key);
    if (v == nullptr) return;
    if (!v->is_number() || std::isnan(v->as_number())) return fail(key, "expected a number", *v);
    const double d = v->as_number();
    if (d < min || (min_exclusive && d == min)) {
      return fail(key,
                  std::string("expected a number ") + (min_exclusive ? "> " : ">= ") +
                      codec::python_str(Value(static_cast<int64_t>(min))),
                  *v);
    }
  }

  void boolean(std::string_view key) {
    const Value* v = get(key);
    if (v != nullptr && !v->is_bool()) fail(key, "expected true or false", *v);
  }

  void string(std::string_view key, bool allow_null = false) {
    const Value* v = get(key);
    if (v == nullptr || (allow_null && v->is_null())) return;
    if (!v->is_string() || v->as_string().empty()) fail(key, "expected a non-empty string", *v);
  }

  void one_of(std::string_view key, std::initializer_list<std::string_view> choices) {
    const Value* v = get(key);
    if (v == nullptr) return;
    std::string list;
    for (auto c : choices) {
      if (v->is_string() && v->as_string() == c) return;
      list += list.empty() ? "" : ", ";
      list += c;
    }
    fail(key, "expected one of " + list, *v);
  }

  // Salt's transport: "zeromq" (also "zmq", as transport::parse_backend) or
  // "tcp". Master and minion must agree; validate() cannot see the other side.
  void transport(std::string_view key) {
    const Value* v = get(key);
    if (v == nullptr) return;
    if (v->is_string()) {
      const std::string& s = v->as_string();
      if (s == "zeromq" || s == "zmq" || s == "tcp") return;
    }
    fail(key, "expected 'zeromq' or 'tcp'", *v);
  }

  void log_level(std::string_view key, bool allow_null) {
    one_of_or_null(key, allow_null,
                   {"all", "garbage", "trace", "debug", "profile", "info", "warning", "error",
                    "critical", "quiet"});
  }

  void roots(std::string_view key) {
    const Value* v = get(key);
    if (v == nullptr) return;
    if (!v->is_map()) return fail(key, "expected a mapping of environment to directories", *v);
    for (const auto& [env, dirs] : v->as_map()) {
      if (!dirs.is_list())
        return fail(key, "expected a list of directories under '" + env + "'", dirs);
      for (const Value& d : dirs.as_list()) {
        if (!d.is_string()) {
          return fail(key, "expected directory names (strings) under '" + env + "'", d);
        }
      }
    }
  }

  void master_address(std::string_view key) {
    const Value* v = get(key);
    if (v == nullptr) return;
    if (v->is_string() && !v->as_string().empty()) return;
    if (v->is_list() && !v->as_list().empty()) {
      for (const Value& m : v->as_list()) {
        if (!m.is_string() || m.as_string().empty()) {
          return fail(key, "expected master addresses (strings)", m);
        }
      }
      return;
    }
    fail(key, "expected a master address or a list of them", *v);
  }

  void minion_id(std::string_view key) {
    const Value* v = get(key);
    if (v == nullptr || v->is_null() || (v->is_string() && v->as_string().empty())) return;
    if (!v->is_string()) return fail(key, "expected a string", *v);
    if (auto s = check_minion_id(v->as_string()); !s) {
      return fail(key, "must not contain '/', '\\' or NUL", *v);
    }
  }

 private:
  void one_of_or_null(std::string_view key, bool allow_null,
                      std::initializer_list<std::string_view> choices) {
    const Value* v = get(key);
    if (v == nullptr || (allow_null && v->is_null())) return;
    one_of(key, choices);
  }

  const Value* get(std::string_view key) const {
    if (error_) return nullptr;
    return loaded_.opts.find(key);
  }

  static std::string range_text(int64_t min, int64_t max) {
    if (max == INT64_MAX) return "an integer >= " + std::to_string(min);
    return "an integer between " + std::to_string(min) + " and " + std::to_string(max);
  }

  void fail(std::string_view key, const std::string& expected, const Value& got) {
    if (error_) return;
    const auto it = loaded_.origin.find(std::string(key));
    error_ = make_error(Errc::kInvalidArgument,
                        std::string(key) + ": " + expected + ", got " + codec::python_repr(got),
                        it == loaded_.origin.end() ? std::string(key) : it->second);
  }

  const Loaded& loaded_;
  std::optional<Error> error_;
};

void common_checks(Checker& c) {
  c.string("root_dir");
  c.string("pki_dir");
  c.string("cachedir");
  c.string("sock_dir");
  c.string("user");
  c.log_level("log_level", false);
  c.log_level("log_level_logfile", true);
  c.transport("transport");
  c.one_of("hash_type", {"md5", "sha1", "sha224", "sha256", "sha384", "sha512"});
  c.integer("keysize", 1, INT64_MAX);
  c.integer("file_buffer_size", 1, INT64_MAX);
  c.roots("file_roots");
  c.roots("pillar_roots");
  c.number("heartbeat_interval", 0, false);
}

}  // namespace

Status validate_master(const Loaded& loaded) {
  Checker c(loaded);
  c.string("interface");
  c.port("publish_port");
  c.port("ret_port");
  c.integer("worker_threads", 1, INT64_MAX);
  common_checks(c);
  c.number("timeout", 0, true);
  c.number("gather_job_timeout", 0, false);
  c.integer("keep_jobs_seconds", 0, INT64_MAX);
  c.integer("publish_session", 0, INT64_MAX);
  c.integer("loop_interval", 1, INT64_MAX);
  c.integer("maintenance_interval", 1, INT64_MAX);
  c.integer("max_minions", 0, INT64_MAX);
  c.integer("autosign_timeout", 0, INT64_MAX);
  c.integer("token_expire", 0, INT64_MAX);
  c.integer("pub_hwm", 0, INT64_MAX);
  c.integer("zmq_backlog", 0, INT64_MAX);
  c.integer("max_open_files", 1, INT64_MAX);
  c.boolean("job_cache");
  c.boolean("rotate_aes_key");
  c.boolean("sign_pub_messages");
  c.number("session_key_rotate_spread", 0, false);
  c.one_of("top_file_merging_strategy", {"merge", "same", "merge_all"});
  return c.status();
}

Status validate_minion(const Loaded& loaded) {
  Checker c(loaded);
  c.master_address("master");
  c.port("master_port");
  c.port("publish_port");
  c.one_of("master_type", {"str", "failover", "func", "disable"});
  c.minion_id("id");
  common_checks(c);
  c.number("acceptance_wait_time", 0, false);
  c.number("acceptance_wait_time_max", 0, false);
  c.number("auth_timeout", 0, true);
  c.integer("auth_tries", 1, INT64_MAX);
  c.number("random_reauth_delay", 0, false);
  c.number("random_startup_delay", 0, false);
  c.integer("recon_default", 0, INT64_MAX);
  c.integer("recon_max", 0, INT64_MAX);
  c.boolean("recon_randomize");
  c.number("ping_interval", 0, false);
  c.number("master_alive_interval", 0, false);
  c.number("retry_dns", 0, false);
  c.integer("process_count_max", -1, INT64_MAX);
  c.integer("minion_jid_queue_hwm", 1, INT64_MAX);
  c.boolean("multiprocessing");
  c.one_of("file_client", {"remote", "local"});
  c.one_of("top_file_merging_strategy", {"merge", "same", "merge_all"});
  return c.status();
}

Status validate(Role role, const Loaded& loaded) {
  return role == Role::kMaster ? validate_master(loaded) : validate_minion(loaded);
}

}  // namespace brine::config
