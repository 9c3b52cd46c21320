#include "minion/call/options.h"

#include <charconv>

namespace brine::call {

namespace {

enum class Arg { kNone, kRequired };

using Setter = Status (*)(Options&, const std::string&);

struct Spec {
  const char* short_name;  // "-c" or nullptr
  const char* long_name;   // "--config-dir"
  Arg arg;
  Setter set;
  const char* help;
};

Status int_value(std::string_view option, const std::string& value, std::optional<int>& out) {
  int i = 0;
  auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), i);
  if (value.empty() || ec != std::errc() || p != value.data() + value.size()) {
    return make_error(Errc::kInvalidArgument,
                      "option " + std::string(option) + ": invalid integer value: '" + value + "'");
  }
  out = i;
  return ok();
}

Status no_parse(Options& o, const std::string& value) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string k = value.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!k.empty()) o.no_parse.push_back(k);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return ok();
}

#define BRINE_FLAG(field)                        \
  [](Options& o, const std::string&) -> Status { \
    o.field = true;                              \
    return ok();                                 \
  }
#define BRINE_VALUE(field)                         \
  [](Options& o, const std::string& v) -> Status { \
    o.field = v;                                   \
    return ok();                                   \
  }

constexpr Spec kSpecs[] = {
    {nullptr, "--local", Arg::kNone, BRINE_FLAG(local),
     "Run without a master: states and files from file_roots, pillar from pillar_roots."},
    {"-c", "--config-dir", Arg::kRequired, BRINE_VALUE(config_dir),
     "Configuration directory (default: $BRINE_CONFIG_DIR or /etc/brine)."},
    {nullptr, "--out", Arg::kRequired, BRINE_VALUE(out),
     "Outputter: nested, json, yaml, txt, raw, newline_values_only, quiet."},
    {nullptr, "--output", Arg::kRequired, BRINE_VALUE(out), "Same as --out."},
    {nullptr, "--out-indent", Arg::kRequired,
     [](Options& o, const std::string& v) { return int_value("--out-indent", v, o.out_indent); },
     "Indent for json/yaml; negative = one line."},
    {nullptr, "--output-indent", Arg::kRequired,
     [](Options& o, const std::string& v) { return int_value("--output-indent", v, o.out_indent); },
     "Same as --out-indent."},
    {nullptr, "--out-file", Arg::kRequired, BRINE_VALUE(out_file),
     "Write the output to this file."},
    {nullptr, "--output-file", Arg::kRequired, BRINE_VALUE(out_file), "Same as --out-file."},
    {nullptr, "--out-file-append", Arg::kNone, BRINE_FLAG(out_file_append),
     "Append to --out-file instead of truncating it."},
    {nullptr, "--no-color", Arg::kNone, BRINE_FLAG(no_color), "Never color the output."},
    {nullptr, "--force-color", Arg::kNone, BRINE_FLAG(force_color),
     "Color the output even when not on a terminal."},
    {nullptr, "--retcode-passthrough", Arg::kNone, BRINE_FLAG(retcode_passthrough),
     "Exit with the function's retcode."},
    {"-l", "--log-level", Arg::kRequired, BRINE_VALUE(log_level),
     "Console log level: all garbage trace debug profile info warning error critical quiet."},
    {nullptr, "--log-file", Arg::kRequired, BRINE_VALUE(log_file), "Also log to this file."},
    {nullptr, "--log-file-level", Arg::kRequired, BRINE_VALUE(log_file_level),
     "Level for --log-file."},
    {"-g", "--grains", Arg::kNone, BRINE_FLAG(grains), "Print the grains and exit."},
    {nullptr, "--id", Arg::kRequired, BRINE_VALUE(id), "Use this minion id."},
    {nullptr, "--master", Arg::kRequired, BRINE_VALUE(master), "Use this master."},
    {"-t", "--timeout", Arg::kRequired,
     [](Options& o, const std::string& v) { return int_value("--timeout", v, o.timeout); },
     "Seconds to wait for each answer of the master (default: auth_timeout)."},
    {nullptr, "--file-root", Arg::kRequired, BRINE_VALUE(file_root),
     "Use DIR as file_roots (base)."},
    {nullptr, "--pillar-root", Arg::kRequired, BRINE_VALUE(pillar_root),
     "Use DIR as pillar_roots (base)."},
    {"-d", "--doc", Arg::kNone, BRINE_FLAG(doc),
     "Print the documentation of FUNCTION (or of every function)."},
    {nullptr, "--metadata", Arg::kNone, BRINE_FLAG(metadata),
     "Print the whole return (jid, retcode, return)."},
    {nullptr, "--no-parse", Arg::kRequired, no_parse,
     "Do not type these kwargs (comma separated)."},
    {nullptr, "--version", Arg::kNone, BRINE_FLAG(version), "Print the version and exit."},
    {"-V", "--versions-report", Arg::kNone, BRINE_FLAG(versions_report),
     "Print the versions of Brine and its dependencies."},
    {"-h", "--help", Arg::kNone, BRINE_FLAG(help), "Show this help and exit."},
};

#undef BRINE_FLAG
#undef BRINE_VALUE

const Spec* find(std::string_view name) {
  for (const Spec& s : kSpecs) {
    if ((s.short_name && name == s.short_name) || name == s.long_name) return &s;
  }
  return nullptr;
}

bool negative_number(std::string_view w) {
  if (w.size() < 2 || w[0] != '-') return false;
  double d = 0;
  auto [p, ec] = std::from_chars(w.data() + 1, w.data() + w.size(), d);
  return ec == std::errc() && p == w.data() + w.size();
}

}  // namespace

Result<Options> parse_options(std::span<const std::string> args) {
  Options o;
  bool options_done = false;
  bool have_fun = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& w = args[i];
    if (!options_done && w == "--") {
      options_done = true;
      continue;
    }
    bool looks_like_option = !options_done && w.size() > 1 && w[0] == '-' && !negative_number(w);
    if (!looks_like_option) {
      if (!have_fun) {
        o.fun = w;
        have_fun = true;
      } else {
        o.words.push_back(w);
      }
      continue;
    }
    std::string name = w, value;
    bool inline_value = false;
    if (w.starts_with("--")) {
      auto eq = w.find('=');
      if (eq != std::string::npos) {
        name = w.substr(0, eq);
        value = w.substr(eq + 1);
        inline_value = true;
      }
    } else if (w.size() > 2) {
      name = w.substr(0, 2);  // -lDEBUG
      value = w.substr(2);
      inline_value = true;
    }
    const Spec* s = find(name);
    if (!s) return make_error(Errc::kInvalidArgument, "no such option: " + name);
    if (s->arg == Arg::kRequired && !inline_value) {
      if (i + 1 >= args.size()) {
        return make_error(Errc::kInvalidArgument, name + " option requires 1 argument");
      }
      value = args[++i];
    } else if (s->arg == Arg::kNone && inline_value) {
      if (!w.starts_with("--")) {
        return make_error(Errc::kInvalidArgument, "no such option: " + w);
      }
      return make_error(Errc::kInvalidArgument, name + " option does not take a value");
    }
    BRINE_TRY(s->set(o, value));
  }
  if (o.no_color && o.force_color) {
    return make_error(Errc::kInvalidArgument,
                      "The options --no-color/--force-color are mutually exclusive");
  }
  return o;
}

std::string usage() { return "Usage: brine-call [options] <function> [arguments]\n"; }

std::string help() {
  std::string out = usage() + "\nRun a Brine execution module function on this host.\n\nOptions:\n";
  for (const Spec& s : kSpecs) {
    std::string names = s.short_name ? std::string(s.short_name) + ", " : "    ";
    names += s.long_name;
    if (s.arg == Arg::kRequired) names += "=VALUE";
    out += "  " + names;
    out += names.size() < 30 ? std::string(30 - names.size(), ' ') : "\n" + std::string(32, ' ');
    out += s.help;
    out += "\n";
  }
  return out;
}

}  // namespace brine::call
