#include "minion/call/call.h"

#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <memory>

#include "common/cli/args.h"
#include "common/config/config.h"
#include "common/log/log.h"
#include "common/output/output.h"
#include "minion/call/remote.h"
#include "modules/builtin.h"
#include "modules/cancel.h"
#include "modules/external.h"
#include "modules/grains/gather.h"
#include "modules/registry.h"

#ifndef BRINE_VERSION
#define BRINE_VERSION "0.0.0"
#endif

namespace brine::call {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitGeneric = 1;
constexpr int kExitConfig = 2;
constexpr int kExitUnknownFunction = 255;  // Salt's sys.exit(-1)
constexpr int kExitUsage = 64;

int usage_error(Io& io, const std::string& message) {
  io.err << usage() << "brine-call: error: " << message << "\n";
  return kExitUsage;
}

// Salt's jid: the local time as %Y%m%d%H%M%S%f (20 digits).
std::string make_jid() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() %
      1000000;
  tm local{};
  ::localtime_r(&secs, &local);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d%06lld", local.tm_year + 1900,
                local.tm_mon + 1, local.tm_mday, local.tm_hour, local.tm_min, local.tm_sec,
                static_cast<long long>(micros));
  return buf;
}

std::string absolute(const std::string& path) {
  if (path.empty() || path[0] == '/') return path;
  char cwd[PATH_MAX] = {};
  return ::getcwd(cwd, sizeof cwd) ? std::string(cwd) + "/" + path : path;
}

// Prints {"local": data} through the outputter; returns false when writing
// the output file failed.
bool display(Io& io, const Options& o, const Value& opts, std::string outputter, const Value& data,
             int retcode, spdlog::logger& log) {
  output::Options oo;
  oo.indent = o.out_indent;
  if (!oo.indent) {
    if (const Value* i = opts.find("output_indent"); i && i->is_int()) {
      oo.indent = static_cast<int>(i->as_int());
    }
  }
  const Value* color_opt = opts.find("color");
  bool color_allowed = !color_opt || !color_opt->is_bool() || color_opt->as_bool();
  oo.color = o.force_color || (!o.no_color && color_allowed && io.out_is_tty && o.out_file.empty());
  oo.retcode = retcode;
  std::string warning;
  oo.warning = &warning;
  auto text = output::render(outputter, Value::map({{"local", data}}), oo);
  if (!warning.empty()) log.error("{}", warning);
  if (!text) {
    io.err << "brine-call: error: " << text.error().to_string() << "\n";
    return false;
  }
  std::string shown = output::display_text(*text);
  if (o.out_file.empty()) {
    io.out << shown;
    io.out.flush();
    return true;
  }
  std::ofstream f(o.out_file, o.out_file_append ? std::ios::app : std::ios::trunc);
  f << shown;
  if (!f) {
    io.err << "brine-call: error: cannot write to '" << o.out_file << "'\n";
    return false;
  }
  return true;
}

}  // namespace

int main(std::span<const std::string> args, Io io) {
  auto parsed = parse_options(args);
  if (!parsed) return usage_error(io, parsed.error().message);
  return run(*parsed, io);
}

int run(const Options& o, Io io) {
  if (o.help) {
    io.out << help();
    return kExitOk;
  }
  if (o.version) {
    io.out << "brine-call " << BRINE_VERSION << "\n";
    return kExitOk;
  }

  // Configuration, with the command line over it.
  auto loaded = config::load(config::Role::kMinion, config::LoadOptions{o.config_dir, nullptr});
  if (!loaded) {
    io.err << "brine-call: error: " << loaded.error().to_string() << "\n";
    return kExitConfig;
  }
  Value opts = std::move(loaded->opts);
  Map& om = opts.as_map();
  if (o.id) om.set("id", Value(*o.id));
  if (o.master) om.set("master", Value(*o.master));
  if (!o.file_root.empty()) {
    om.set("file_roots", Value::map({{"base", Value::list({Value(absolute(o.file_root))})}}));
  }
  if (!o.pillar_root.empty()) {
    om.set("pillar_roots", Value::map({{"base", Value::list({Value(absolute(o.pillar_root))})}}));
  }
  const bool local = o.local || opts.get_string("file_client") == "local" ||
                     opts.get_string("master_type") == "disable";
  if (o.local) {
    om.set("local", Value(true));
    om.set("file_client", Value("local"));
  }

  // Logging: the console at -l (or log_level); a file only with --log-file.
  std::string level_name = o.log_level.value_or(opts.get_string("log_level", "warning"));
  auto level = log::parse_level(level_name);
  if (!level) {
    if (o.log_level) return usage_error(io, level.error().message);
    level = log::Level::kWarning;
  }
  log::Options lo;
  lo.console = *level;
  lo.console_fmt = opts.get_string("log_fmt_console", std::string(log::kDefaultConsoleFormat));
  lo.file = o.log_file;
  if (o.log_file_level) {
    auto fl = log::parse_level(*o.log_file_level);
    if (!fl) return usage_error(io, fl.error().message);
    lo.file_level = *fl;
  }
  if (auto st = log::setup(lo); !st) {
    io.err << "brine-call: error: " << st.error().to_string() << "\n";
    return kExitConfig;
  }
  auto logger = log::get("minion.call");
  for (const std::string& w : loaded->warnings) logger->warn("{}", w);

  if (auto id = config::resolve_minion_id(opts); !id) {
    io.err << "brine-call: error: " << id.error().to_string() << "\n";
    return kExitConfig;
  }

  modules::Registry registry(opts);
  if (auto st = modules::register_builtins(registry); !st) {
    io.err << "brine-call: error: " << st.error().to_string() << "\n";
    return kExitGeneric;
  }
  modules::external::register_external(registry, registry.opts(), logger.get());
  const Value& ropts = registry.opts();
  auto gather = [&ropts, logger] { return modules::grains::gather(ropts, logger.get()); };

  if (o.versions_report) {
    Value pillar{Map{}};
    modules::Context ctx(registry, ropts, pillar);
    auto r = registry.call("test.versions_report", {}, {}, ctx);
    io.out << (r && r->is_string() ? r->as_string() : std::string()) << "\n";
    return kExitOk;
  }
  if (o.grains) {
    return display(io, o, ropts, o.out, gather(), 0, *logger) ? kExitOk : kExitGeneric;
  }
  if (o.doc) {
    for (const std::string& name : registry.list_functions()) {
      if (!name.starts_with(o.fun)) continue;
      const modules::Function* f = registry.find(name);
      if (f && !f->doc.empty()) io.out << name << ":\n" << f->doc << "\n\n";
    }
    return kExitOk;
  }
  if (o.fun.empty()) return usage_error(io, "Requires function, --grains or --doc");

  // With a master: authenticate first (as salt-call does), so nothing runs for
  // a minion whose key the master has not accepted.
  std::unique_ptr<MasterCaller> master;
  if (!local) {
    auto timeout = std::chrono::seconds(
        o.timeout && *o.timeout > 0 ? *o.timeout
                                    : std::max<int64_t>(1, opts.get_int("auth_timeout", 5)));
    int tries = static_cast<int>(std::clamp<int64_t>(opts.get_int("auth_tries", 7), 1, 1000));
    master = std::make_unique<MasterCaller>(ropts, timeout, tries, *logger);
    if (int code = master->authenticate(io.err); code != 0) return code;
  }

  // The job.
  cli::ParsedArgs parsed = cli::parse_args(o.words, o.no_parse);
  Value pillar =
      opts.find("pillar") && opts.find("pillar")->is_map() ? *opts.find("pillar") : Value(Map{});
  modules::Context ctx(registry, ropts, pillar);
  ctx.log = log::get("modules");
  ctx.local = local;
  ctx.log_failures = false;  // printed below, as salt-call does
  ctx.cancel = io.cancel;
  ctx.grains_loader = gather;
  ctx.jid = make_jid();
  Value pub = Value::map({{"fun", Value(o.fun)},
                          {"pid", Value(static_cast<int64_t>(::getpid()))},
                          {"jid", Value(ctx.jid)},
                          {"tgt", Value("brine-call")}});
  ctx.pub = &pub;
  modules::JobReturn jr = registry.execute(o.fun, parsed.args, parsed.kwargs, ctx);

  if (io.cancel && io.cancel->requested()) {
    int sig =
        io.interrupted && io.interrupted->load() ? io.interrupted->load() : io.cancel->requested();
    return 128 + sig;
  }

  using modules::Failure;
  switch (jr.failure) {
    case Failure::kNone:
      break;
    case Failure::kUnknownFunction:
      if (jr.ret.is_map()) {  // docs of the functions sharing the prefix
        display(io, o, ropts, o.out.empty() ? "nested" : o.out, jr.ret, jr.retcode, *logger);
        return kExitGeneric;
      }
      io.err << jr.error_message << "\n";
      return kExitUnknownFunction;
    case Failure::kArguments: {
      const modules::Function* f = registry.find(o.fun);
      io.err << "Passed invalid arguments: " << jr.error_message << ".\n\nUsage:\n"
             << (f ? f->doc : std::string()) << "\n";
      return kExitGeneric;
    }
    case Failure::kInvocation:
      io.err << jr.error_message << "\n";
      return kExitGeneric;
    case Failure::kExecution:
      io.err << "Error running '" << o.fun << "': " << jr.error_message << "\n";
      return kExitGeneric;
    case Failure::kCommandNotFound:
      io.err << "Command required for '" << o.fun << "' not found: " << jr.error_message << "\n";
      return kExitGeneric;
    case Failure::kException:
      io.err << jr.ret.as_string() << "\n";
      return kExitGeneric;
  }

  if (master) {
    // Salt: mret = ret.copy(); mret["jid"] = "req"; a failure to send is logged
    // and does not change the exit code.
    Value words = Value::list();
    for (const std::string& w : o.words) words.as_list().emplace_back(w);
    Value mret = Value::map({{"return", jr.ret},
                             {"retcode", Value(static_cast<int64_t>(jr.retcode))},
                             {"success", Value(jr.success)},
                             {"id", Value(ropts.get_string("id"))},
                             {"fun", Value(o.fun)},
                             {"fun_args", std::move(words)}});
    if (!jr.out.empty()) mret["out"] = jr.out;
    auto sent = master->send_return(std::move(mret));
    if (sent) {
      logger->debug("the master recorded the return as job '{}'", *sent);
    } else {
      logger->error("could not send the return to the master: {}", sent.error().to_string());
    }
    master->close();
  }

  Value shown = jr.ret;
  std::string outputter = o.out.empty() ? (jr.out.empty() ? "nested" : jr.out) : o.out;
  if (o.metadata) {
    shown = Value::map({{"jid", Value(ctx.jid)},
                        {"return", jr.ret},
                        {"retcode", Value(static_cast<int64_t>(jr.retcode))}});
    outputter = "nested";
  }
  if (!display(io, o, ropts, outputter, shown, jr.retcode, *logger)) return kExitGeneric;
  if (o.retcode_passthrough) return jr.retcode;
  return jr.retcode == 0 ? kExitOk : kExitGeneric;
}

}  // namespace brine::call
