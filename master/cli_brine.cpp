#include "master/cli_brine.h"

#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "common/cli/args.h"
#include "common/cli/batch.h"
#include "common/codec/yaml.h"
#include "common/matcher/matcher.h"
#include "common/output/output.h"
#include "master/cli_common.h"
#include "master/client.h"

namespace brine::master {
namespace {
namespace po = boost::program_options;

constexpr const char* kUsage = "Usage: brine [options] '<target>' <function> [arguments]";

struct Options {
  std::string config_dir, log_level;
  int timeout = 0;
  bool async = false, verbose = false, show_jid = false, static_out = false, hide_timeout = false,
       no_color = false, force_color = false, summary = false, preview = false, doc = false,
       failhard = false;
  std::string batch, out, out_file, metadata;
  int subset = 0;
  double batch_wait = 0;
  int out_indent = 0;
  bool out_indent_set = false, out_file_append = false;
  std::string tgt_type = "glob";
  std::string delimiter = ":";
  std::string args_separator = ",";
  std::vector<std::string> words;
};

int usage_error(std::ostream& err, const std::string& msg) {
  err << kUsage << "\n\nbrine: error: " << msg << "\n";
  return kExitUsage;
}

// Worst retcode of an envelope (dict retcodes: multi-function jobs).
int retcode_of(const Value& env) {
  const Value* rc = env.find("retcode");
  if (!rc) return 0;
  if (rc->is_int()) return static_cast<int>(rc->as_int());
  int worst = 0;
  if (rc->is_map()) {
    for (const auto& [_, v] : rc->as_map()) {
      if (v.is_int()) worst = std::max(worst, static_cast<int>(v.as_int()));
    }
  }
  return worst;
}

class BrineCommand {
 public:
  BrineCommand(Options o, Value opts, std::ostream& out, std::ostream& err)
      : o_(std::move(o)), opts_(std::move(opts)), err_(err), printer_(settings(), out) {}

  int run() {
    auto load = build_load();
    if (!load)
      return load.error().code == Errc::kInvalidArgument ? 42
                                                         : usage_error(err_, load.error().message);
    auto client = JobClient::connect(opts_);
    if (!client) {
      err_ << "brine: error: " << client.error().to_string() << "\n";
      return 2;
    }
    client_ = std::move(*client);
    if (o_.preview) {
      (*load)["preview"] = true;
      auto job = client_->publish(*load);
      if (!job) {
        err_ << "ERROR: " << job.error().message << "\n";
        return 2;
      }
      List ids;
      for (auto& id : job->minions) ids.emplace_back(id);
      printer_.print(Value(std::move(ids)), "nested");
      return 0;
    }
    if (o_.doc) return run_doc(*load);
    if (o_.subset > 0) {
      auto narrowed = subset_load(*load);
      if (!narrowed) {
        err_ << "ERROR: " << narrowed.error().message << "\n";
        return 2;
      }
      *load = std::move(*narrowed);
    }
    if (!o_.batch.empty()) return run_batch(*load);
    return run_once(*load, nullptr);
  }

 private:
  OutputSettings settings() const {
    OutputSettings s;
    s.out = o_.out == "text" ? "txt" : o_.out;
    if (o_.out_indent_set) s.indent = o_.out_indent;
    s.color = o_.force_color || (!o_.no_color && ::isatty(STDOUT_FILENO));
    s.out_file = o_.out_file;
    s.out_file_append = o_.out_file_append;
    return s;
  }

  // tgt, tgt_type, fun, arg from the words (cli.md §1.3, §1.4).
  Result<Value> build_load() {
    if (o_.words.empty()) {
      err_ << "Cannot execute command without defining a target.\n\n" << kUsage << "\n";
      return make_error(Errc::kInvalidArgument, "no target");
    }
    if (o_.words.size() < 2) {
      err_ << "Incomplete options passed.\n\n" << kUsage << "\n";
      return make_error(Errc::kInvalidArgument, "no function");
    }
    Value load = Value::map();
    std::string tgt = o_.words[0];
    load["tgt"] = o_.tgt_type == "list" ? matcher::list_target_from_cli(tgt) : Value(tgt);
    load["tgt_type"] = o_.tgt_type;
    if (o_.delimiter != ":") load["delimiter"] = o_.delimiter;
    std::vector<std::string> rest(o_.words.begin() + 2, o_.words.end());
    auto fun = cli::parse_job_call(o_.words[1], rest, o_.args_separator);
    if (!fun) {
      err_ << fun.error().message << "\n";
      return make_error(Errc::kInvalidArgument, fun.error().message);
    }
    load["fun"] = fun->fun;
    load["arg"] = fun->arg;
    load["ret"] = "";
    if (o_.timeout > 0) load["timeout"] = o_.timeout;
    if (!o_.metadata.empty()) {
      // Salt yamlifies --metadata and attaches it to the publication; minions
      // echo it in their returns and the job cache keeps it.
      auto md = codec::yaml_load(o_.metadata, "--metadata");
      if (!md) {
        err_ << "brine: error: --metadata: " << md.error().message << "\n";
        return make_error(Errc::kInvalidArgument, md.error().message);
      }
      load["metadata"] = std::move(*md);
    }
    return load;
  }

  // Runs `load` and collects every return as {id: return}, without printing.
  Result<Value> collect(const Value& load) {
    auto job = client_->publish(load);
    if (!job) return job.error();
    Value got = Value::map();
    if (job->minions.empty()) return got;
    client_->wait(*job, wait_options(), [&](const std::string& id, const Value& env) {
      const Value* ret = env.find("return");
      got[id] = ret ? *ret : Value();
    });
    return got;
  }

  // Salt's -d/--doc: sys.doc on the target, each function's text printed once
  // (the first minion that documents it wins), sorted by name.
  int run_doc(const Value& load) {
    auto got = collect(load);
    if (!got) {
      err_ << "ERROR: " << got.error().message << "\n";
      return 2;
    }
    if (got->as_map().empty()) {
      err_ << "No minions found to gather docs from\n";
      return 2;
    }
    std::map<std::string, Value> docs;
    for (const auto& [id, ret] : got->as_map()) {
      if (ret.is_string()) {
        err_ << ret.as_string() << "\n";
        continue;
      }
      if (!ret.is_map()) continue;
      for (const auto& [fun, text] : ret.as_map()) {
        bool empty = text.is_null() || (text.is_string() && text.as_string().empty());
        if (!empty && !docs.count(fun)) docs.emplace(fun, text);
      }
    }
    for (const auto& [fun, text] : docs) {
      if (!o_.out.empty()) {
        printer_.print(Value::map({{fun, text}}), "nested");
      } else {
        printer_.raw(fun + ":\n" + (text.is_string() ? text.as_string() : "") + "\n\n");
      }
    }
    return 0;
  }

  // Salt's --subset=N: asks the target for sys.list_functions, keeps N random
  // minions that have the function, and targets them as a list.
  Result<Value> subset_load(const Value& load) {
    Value probe = load;
    probe["fun"] = "sys.list_functions";
    probe["arg"] = Value::list();
    auto got = collect(probe);
    if (!got) return got.error();
    std::string wanted = load.get_string("fun");
    std::vector<std::string> ids;
    for (const auto& [id, ret] : got->as_map()) {
      if (!ret.is_list()) continue;
      for (const auto& f : ret.as_list()) {
        if (f.is_string() && f.as_string() == wanted) {
          ids.push_back(id);
          break;
        }
      }
    }
    std::shuffle(ids.begin(), ids.end(), std::mt19937{std::random_device{}()});
    if (ids.size() > static_cast<size_t>(o_.subset)) ids.resize(static_cast<size_t>(o_.subset));
    List tgt;
    for (auto& id : ids) tgt.emplace_back(id);
    Value narrowed = load;
    narrowed["tgt"] = Value(std::move(tgt));
    narrowed["tgt_type"] = "list";
    narrowed.as_map().erase("delimiter");
    return narrowed;
  }

  WaitOptions wait_options() const {
    WaitOptions w;
    w.timeout_s = o_.timeout > 0 ? o_.timeout : static_cast<int>(opts_.get_int("timeout", 5));
    w.gather_job_timeout_s = static_cast<int>(opts_.get_int("gather_job_timeout", 10));
    return w;
  }

  // One job; `returned` collects retcodes by id (batch mode passes it in).
  int run_once(Value load, std::map<std::string, int>* returned) {
    auto job = client_->publish(load);
    if (!job) {
      err_ << "ERROR: " << job.error().message << "\n";
      return 2;
    }
    if (job->minions.empty()) {
      printer_.raw("No minions matched the target. No command was sent, no jid was assigned.\n");
      err_ << "ERROR: No return received\n";
      return 2;
    }
    if (o_.async) {
      printer_.raw("Executed command with job ID: " + job->jid + "\n");
      return 0;
    }
    if (o_.verbose) {
      std::string line = "Executing job with jid " + job->jid;
      printer_.raw(line + "\n" + std::string(line.size(), '-') + "\n\n");
    }
    if (o_.show_jid) printer_.raw("jid: " + job->jid + "\n");

    bool tty = ::isatty(STDERR_FILENO);
    Value collected = Value::map();
    std::map<std::string, int> codes;
    auto on_return = [&](const std::string& id, const Value& env) {
      int rc = retcode_of(env);
      codes[id] = rc;
      const Value* ret = env.find("return");
      if (o_.static_out) {
        collected[id] = ret ? *ret : Value();
        return;
      }
      if (tty) err_ << "\r\033[K" << std::flush;
      printer_.print(Value::map({{id, ret ? *ret : Value()}}), env.get_string("out"), rc);
    };
    auto progress = [&](size_t got, size_t expected) {
      if (tty && got < expected) err_ << "\rreturned " << got << "/" << expected << std::flush;
    };
    auto missing = client_->wait(*job, wait_options(), on_return, progress);
    if (tty) err_ << "\r\033[K" << std::flush;
    // -L ids without an accepted key are reported like silent minions.
    for (const auto& id : job->missing) missing.push_back({id, false});
    bool show_missing = !o_.hide_timeout || o_.verbose;
    for (const auto& n : missing) {
      if (!show_missing) continue;
      codes[n.id] = 1;
      if (o_.static_out) {
        collected[n.id] = output::no_return_text(job->jid, n.connected);
      } else {
        printer_.print(Value::map({{n.id, output::no_return_text(job->jid, n.connected)}}),
                       "no_return", 1);
      }
    }
    if (o_.static_out) printer_.print(collected, "", 0);
    if (o_.summary && o_.out.empty()) print_summary(*job, codes, missing);
    if (returned) {
      for (auto& [id, rc] : codes) (*returned)[id] = rc;
      return 0;
    }
    bool failed = std::any_of(codes.begin(), codes.end(), [](auto& kv) { return kv.second != 0; });
    if (codes.empty()) {
      err_ << "ERROR: No return received\n";
      return 2;
    }
    if (failed) {
      err_ << "ERROR: Minions returned with non-zero exit code\n";
      return 1;
    }
    return 0;
  }

  void print_summary(const Published& job, const std::map<std::string, int>& codes,
                     const std::vector<NoReturn>& missing) {
    size_t errors = 0;
    for (auto& [id, rc] : codes) {
      bool is_missing =
          std::any_of(missing.begin(), missing.end(), [&](auto& n) { return n.id == id; });
      if (rc != 0 && !is_missing) ++errors;
    }
    std::string dash(43, '-');
    printer_.raw("\n" + dash + "\nSummary\n" + dash + "\n# of minions targeted: " +
                 std::to_string(job.minions.size() + job.missing.size()) +
                 "\n# of minions returned: " + std::to_string(codes.size() - missing.size()) +
                 "\n# of minions that did not return: " + std::to_string(missing.size()) +
                 "\n# of minions with errors: " + std::to_string(errors) + "\n" + dash + "\n");
  }

  // Salt's batch mode (cli.md §1.6): ping to learn who is up, then waves.
  int run_batch(const Value& load) {
    auto size = cli::parse_batch_size(o_.batch);
    if (!size) {
      printer_.raw(size.error().message + "\n");
      return 1;
    }
    Value ping = load;
    ping["fun"] = "test.ping";
    ping["arg"] = Value::list();
    auto job = client_->publish(ping);
    if (!job || job->minions.empty()) {
      printer_.raw("No minions matched the target. No command was sent, no jid was assigned.\n");
      return 2;
    }
    std::vector<std::string> up;
    auto missing = client_->wait(*job, wait_options(),
                                 [&](const std::string& id, const Value&) { up.push_back(id); });
    for (const auto& n : missing) {
      printer_.raw("Minion " + n.id + " did not respond. No job will be sent.\n");
    }
    std::sort(up.begin(), up.end());
    size_t wave = std::max<size_t>(1, size->resolve(up.size()));
    std::map<std::string, int> codes;
    for (size_t i = 0; i < up.size(); i += wave) {
      std::vector<std::string> ids(
          up.begin() + static_cast<ptrdiff_t>(i),
          up.begin() + static_cast<ptrdiff_t>(std::min(up.size(), i + wave)));
      std::string list;
      for (size_t k = 0; k < ids.size(); ++k) list += (k ? ", '" : "'") + ids[k] + "'";
      printer_.raw("\nExecuting run on [" + list + "]\n\n");
      Value part = load;
      List tgt;
      for (auto& id : ids) tgt.emplace_back(id);
      part["tgt"] = Value(std::move(tgt));
      part["tgt_type"] = "list";
      part.as_map().erase("delimiter");
      std::map<std::string, int> got;
      run_once(part, &got);
      bool failed = false;
      for (auto& id : ids) {
        auto it = got.find(id);
        if (it == got.end()) printer_.raw("Minion '" + id + "' failed to respond to job sent\n");
        if (it == got.end() || it->second > 0) failed = true;
      }
      codes.insert(got.begin(), got.end());
      if (failed && o_.failhard) {
        // Salt's --failhard: no new batch after a failure or a silent minion.
        for (size_t k = i + wave; k < up.size(); ++k) codes.emplace(up[k], 1);
        printer_.raw("ERROR: Minions returned with non-zero exit code\n");
        break;
      }
      if (o_.batch_wait > 0 && i + wave < up.size()) {
        std::this_thread::sleep_for(
            std::chrono::milliseconds(static_cast<int>(o_.batch_wait * 1000)));
      }
    }
    int worst = 0;
    for (auto& [_, rc] : codes) worst = std::max(worst, rc);
    return worst;
  }

  Options o_;
  Value opts_;
  std::ostream& err_;
  Printer printer_;
  std::unique_ptr<JobClient> client_;
};

}  // namespace

int brine_main(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Options o;
  bool pcre = false, list = false, grain = false, grain_pcre = false, pillar = false,
       pillar_pcre = false, ipcidr = false, nodegroup = false, compound = false;
  po::options_description desc("Options");
  // clang-format off
  desc.add_options()
    ("help,h", "show this help message and exit")
    ("version", "show program's version number and exit")
    ("config-dir,c", po::value(&o.config_dir), "configuration directory (default /etc/brine)")
    ("log-level,l", po::value(&o.log_level), "console log level")
    ("timeout,t", po::value(&o.timeout), "seconds to wait before asking silent minions (config: timeout)")
    ("async", po::bool_switch(&o.async), "publish and print the jid without waiting")
    ("verbose,v", po::bool_switch(&o.verbose), "print the jid and report silent minions")
    ("show-jid", po::bool_switch(&o.show_jid), "print the jid before the results")
    ("static,s", po::bool_switch(&o.static_out), "print all returns at once at the end")
    ("hide-timeout", po::bool_switch(&o.hide_timeout), "do not report minions that did not return")
    ("summary", po::bool_switch(&o.summary), "print a summary after the results")
    ("batch,b", po::value(&o.batch), "run in batches of N minions or N%")
    ("batch-size", po::value(&o.batch), "same as --batch")
    ("batch-wait", po::value(&o.batch_wait), "seconds to wait between batches")
    ("out", po::value(&o.out), "outputter: nested, json, yaml, txt, raw, quiet, newline_values_only")
    ("output", po::value(&o.out), "same as --out")
    ("out-indent", po::value(&o.out_indent), "indent for json/yaml (negative: one line)")
    ("out-file", po::value(&o.out_file), "write output to this file")
    ("out-file-append", po::bool_switch(&o.out_file_append), "append to --out-file")
    ("no-color", po::bool_switch(&o.no_color), "disable colors")
    ("force-color", po::bool_switch(&o.force_color), "color even when not writing to a terminal")
    ("doc,d", po::bool_switch(&o.doc), "print the documentation of a function or module (sys.doc)")
    ("subset", po::value(&o.subset), "run on N random targeted minions that have the function")
    ("failhard", po::bool_switch(&o.failhard), "batch: stop after the first failing minion")
    ("metadata", po::value(&o.metadata), "YAML data attached to the job (kept in the job cache)")
    ("preview-target", po::bool_switch(&o.preview), "show the expected minions; publish nothing")
    ("pcre,E", po::bool_switch(&pcre), "target is a regular expression on the id")
    ("list,L", po::bool_switch(&list), "target is a list of ids")
    ("grain,G", po::bool_switch(&grain), "target is grain:glob")
    ("grain-pcre,P", po::bool_switch(&grain_pcre), "target is grain:regex")
    ("pillar,I", po::bool_switch(&pillar), "target is pillar:glob")
    ("pillar-pcre,J", po::bool_switch(&pillar_pcre), "target is pillar:regex")
    ("ipcidr,S", po::bool_switch(&ipcidr), "target is an IP address or CIDR network")
    ("nodegroup,N", po::bool_switch(&nodegroup), "target is a nodegroup name")
    ("compound,C", po::bool_switch(&compound), "target is a compound expression")
    ("delimiter", po::value(&o.delimiter), "delimiter for grain/pillar keys (default :)")
    ("args-separator", po::value(&o.args_separator), "separator of multi-function arguments")
    ("words", po::value(&o.words), "target, function, arguments");
  // clang-format on
  po::positional_options_description pos;
  pos.add("words", -1);
  po::variables_map vm;
  try {
    std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1), args.end());
    po::store(
        po::command_line_parser(rest)
            .options(desc)
            .positional(pos)
            .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
            .run(),
        vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    return usage_error(err, e.what());
  }
  if (vm.count("help")) {
    out << kUsage << "\n\n" << desc;
    return 0;
  }
  if (vm.count("version")) {
    out << "brine " << BRINE_VERSION << "\n";
    return 0;
  }
  std::vector<std::pair<bool, const char*>> types = {
      {pcre, "pcre"},        {list, "list"},
      {grain, "grain"},      {grain_pcre, "grain_pcre"},
      {pillar, "pillar"},    {pillar_pcre, "pillar_pcre"},
      {ipcidr, "ipcidr"},    {nodegroup, "nodegroup"},
      {compound, "compound"}};
  int chosen = 0;
  for (auto& [on, name] : types) {
    if (on) {
      ++chosen;
      o.tgt_type = name;
    }
  }
  if (chosen > 1) return usage_error(err, "only one targeting option may be given");
  if (o.subset < 0) return usage_error(err, "--subset must be a positive number");
  if (o.doc) {
    // Salt: `-d [target] [fun]`; the target defaults to '*', the call becomes
    // sys.doc with the function (or module) as its one argument.
    if (o.words.size() < 2) o.words.insert(o.words.begin(), "*");
    if (o.words.size() < 2) o.words.push_back("sys.doc");
    if (o.words[1] != "sys.doc") o.words.insert(o.words.begin() + 1, "sys.doc");
    if (o.words.size() > 3) {
      return usage_error(err, "You can only get documentation for one method at one time.");
    }
  }
  o.out_indent_set = vm.count("out-indent") > 0;
  auto opts = load_client_config(o.config_dir, o.log_level);
  if (!opts) {
    err << "brine: error: " << opts.error().to_string() << "\n";
    return 2;
  }
  return BrineCommand(std::move(o), std::move(*opts), out, err).run();
}

}  // namespace brine::master
