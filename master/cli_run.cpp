// brine-run: Salt's salt-run for the runners Brine has (cli.md §4):
// jobs.list_jobs / lookup_jid / list_job / print_job (answered by the master from
// its job cache), jobs.active and manage.up / down / status (real jobs sent
// through the master, as Salt does), manage.present / not_present / alived /
// not_alived (the master's live channels, no job), and state.event (the master's
// event bus).
#include "master/cli_run.h"

#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <iostream>
#include <set>

#include "common/cli/args.h"
#include "common/codec/json.h"
#include "common/matcher/fnmatch.h"
#include "master/cli_common.h"
#include "master/client.h"
#include "master/events.h"
#include "master/keystore.h"

namespace brine::master {
namespace {
namespace po = boost::program_options;
constexpr const char* kUsage = "Usage: brine-run [options] <runner.function> [arguments]";

struct Runner {
  Value opts;
  std::string fun;
  List args;
  Map kwargs;
  int timeout = 0;
  std::ostream& err;

  std::string sarg(size_t i, std::string_view name, std::string fallback = {}) const {
    if (const Value* v = kwargs.find(name); v && v->is_string()) return v->as_string();
    if (i < args.size() && args[i].is_string()) return args[i].as_string();
    return fallback;
  }

  WaitOptions wait_options() const {
    WaitOptions w;
    w.timeout_s = timeout > 0 ? timeout : static_cast<int>(opts.get_int("timeout", 5));
    w.gather_job_timeout_s = static_cast<int>(opts.get_int("gather_job_timeout", 10));
    return w;
  }

  // Runs `fun` on the target through the master; returns {id: return}, plus the
  // ids that did not answer.
  Result<std::pair<Value, std::vector<std::string>>> job(const std::string& job_fun,
                                                         const std::string& tgt,
                                                         const std::string& tgt_type) {
    auto client = JobClient::connect(opts);
    if (!client) return client.error();
    Value load = Value::map(
        {{"tgt", tgt}, {"tgt_type", tgt_type}, {"fun", job_fun}, {"arg", Value::list()}});
    auto pub = (*client)->publish(load);
    if (!pub) return pub.error();
    Value got = Value::map();
    auto missing =
        (*client)->wait(*pub, wait_options(), [&](const std::string& id, const Value& e) {
          const Value* r = e.find("return");
          got[id] = r ? *r : Value();
        });
    std::vector<std::string> down;
    for (auto& n : missing) down.push_back(n.id);
    return std::make_pair(std::move(got), std::move(down));
  }

  Result<Value> master_runner() {
    auto client = LocalClient::connect(opts);
    if (!client) return client.error();
    auto r = (*client)->call(
        "runner", Value::map({{"fun", fun}, {"arg", Value(args)}, {"kwarg", Value(kwargs)}}),
        std::chrono::seconds(30));
    if (!r) return r.error();
    if (const Value* e = r->find("error"); e && e->is_string()) {
      return make_error(Errc::kInvalidArgument, e->as_string());
    }
    const Value* ret = r->find("return");
    return ret ? *ret : Value();
  }

  Result<std::set<std::string>> connected() {
    auto client = LocalClient::connect(opts);
    if (!client) return client.error();
    auto r = (*client)->call("connected", Value::map(), std::chrono::seconds(5));
    if (!r) return r.error();
    std::set<std::string> out;
    if (const Value* l = r->find("minions"); l && l->is_list()) {
      for (auto& id : l->as_list()) {
        if (id.is_string()) out.insert(id.as_string());
      }
    }
    return out;
  }

  Result<Value> manage() {
    if (fun == "manage.up" || fun == "manage.down" || fun == "manage.status") {
      auto r = job("test.ping", sarg(0, "tgt", "*"), sarg(1, "tgt_type", "glob"));
      if (!r) return r.error();
      List up, down;
      for (auto& [id, _] : r->first.as_map()) up.emplace_back(id);
      auto ids = r->second;
      std::sort(ids.begin(), ids.end());
      for (auto& id : ids) down.emplace_back(id);
      std::sort(up.begin(), up.end(),
                [](const Value& a, const Value& b) { return a.as_string() < b.as_string(); });
      if (fun == "manage.up") return Value(std::move(up));
      if (fun == "manage.down") return Value(std::move(down));
      return Value::map({{"up", Value(std::move(up))}, {"down", Value(std::move(down))}});
    }
    // present / alived: live channels, no job sent.
    auto live = connected();
    if (!live) return live.error();
    KeyStore keys(opts.get_string("pki_dir"));
    bool want_present =
        fun == "manage.present" || fun == "manage.alived" || fun == "manage.list_state";
    List out;
    for (auto& id : keys.list(KeyState::kAccepted)) {
      if (live->count(id) == static_cast<size_t>(want_present)) out.emplace_back(id);
    }
    return Value(std::move(out));
  }

  Result<Value> jobs_active() {
    auto r = job("saltutil.running", "*", "glob");
    if (!r) return r.error();
    Value out = Value::map();
    for (auto& [id, running] : r->first.as_map()) {
      if (!running.is_list()) continue;
      for (auto& j : running.as_list()) {
        std::string jid = j.get_string("jid");
        if (jid.empty()) continue;
        Value& entry = out[jid];
        if (!entry.find("Function")) {
          entry["Function"] = j.find("fun") ? *j.find("fun") : Value("");
          entry["Arguments"] = j.find("arg") ? *j.find("arg") : Value::list();
          entry["Target"] = j.find("tgt") ? *j.find("tgt") : Value("");
          entry["Target-type"] = j.get_string("tgt_type");
          entry["User"] = j.get_string("user");
          entry["Running"] = Value::list();
          entry["Returned"] = Value::list();
        }
        entry["Running"].push_back(Value::map({{id, j.find("pid") ? *j.find("pid") : Value()}}));
      }
    }
    return out;
  }

  int state_event(std::ostream& out) {
    std::string tagmatch = sarg(0, "tagmatch", "*");
    int64_t count = -1;
    if (const Value* c = kwargs.find("count"); c && c->is_int()) count = c->as_int();
    bool pretty = false;
    if (const Value* p = kwargs.find("pretty")) pretty = p->truthy();
    auto path = std::string(opts.get_string("sock_dir")) + "/" + kEventSocketName;
    auto sub = transport::Subscriber::connect(transport::ipc_endpoint(path));
    if (!sub) {
      err << "brine-run: error: " << sub.error().to_string() << "\n";
      return 1;
    }
    int64_t seen = 0;
    while (count < 0 || seen < count) {
      auto msg = (*sub)->receive(std::chrono::milliseconds(500));
      if (!msg) continue;
      auto ev = EventBus::decode(*msg);
      if (!ev || !matcher::fnmatch(ev->tag, tagmatch)) continue;
      codec::JsonDumpOptions jo;
      if (pretty) jo.indent = 4;
      out << ev->tag << "\t" << codec::json_dump(ev->data, jo) << "\n" << std::flush;
      ++seen;
    }
    return 0;
  }
};

}  // namespace

int run_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  std::string config_dir, log_level;
  OutputSettings os;
  int timeout = 0, indent = 0;
  bool no_color = false, quiet = false;
  std::vector<std::string> words;
  po::options_description desc("Options");
  // clang-format off
  desc.add_options()
    ("help,h", "show this help message and exit")
    ("version", "show program's version number and exit")
    ("config-dir,c", po::value(&config_dir), "configuration directory (default /etc/brine)")
    ("log-level,l", po::value(&log_level), "console log level")
    ("timeout,t", po::value(&timeout), "seconds to wait for minions (runners that send jobs)")
    ("out", po::value(&os.out), "outputter")
    ("out-indent", po::value(&indent), "indent for json/yaml")
    ("out-file", po::value(&os.out_file), "write output to this file")
    ("no-color", po::bool_switch(&no_color), "disable colors")
    ("quiet", po::bool_switch(&quiet), "print nothing")
    ("words", po::value(&words), "runner function and arguments");
  // clang-format on
  po::positional_options_description pos;
  pos.add("words", -1);
  po::variables_map vm;
  try {
    std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    po::store(po::command_line_parser(rest).options(desc).positional(pos).run(), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    err << kUsage << "\n\nbrine-run: error: " << e.what() << "\n";
    return kExitUsage;
  }
  if (vm.count("help")) {
    out << kUsage << "\n\n" << desc;
    return 0;
  }
  if (vm.count("version")) {
    out << "brine-run " << BRINE_VERSION << "\n";
    return 0;
  }
  if (words.empty()) {
    err << kUsage << "\n\nbrine-run: error: a runner function is required\n";
    return kExitUsage;
  }
  if (vm.count("out-indent")) os.indent = indent;
  os.color = !no_color && ::isatty(STDOUT_FILENO);
  if (quiet) os.out = "quiet";
  auto opts = load_client_config(config_dir, log_level);
  if (!opts) {
    err << "brine-run: error: " << opts.error().to_string() << "\n";
    return 2;
  }
  auto parsed = cli::parse_args(std::vector<std::string>(words.begin() + 1, words.end()));
  Runner r{std::move(*opts),         words[0], std::move(parsed.args),
           std::move(parsed.kwargs), timeout,  err};
  Result<Value> ret = make_error(Errc::kNotFound, "'" + r.fun + "' is not available.");
  if (r.fun == "state.event") return r.state_event(out);
  if (r.fun == "jobs.active") {
    ret = r.jobs_active();
  } else if (r.fun.starts_with("manage.")) {
    ret = r.manage();
  } else if (r.fun.starts_with("jobs.")) {
    ret = r.master_runner();
  }
  Printer printer(os, out);
  if (!ret) {
    printer.print(Value(ret.error().message), "nested", 1);
    return 1;
  }
  printer.print(*ret, "nested");
  return 0;
}

}  // namespace brine::master
