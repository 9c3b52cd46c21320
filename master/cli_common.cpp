#include "master/cli_common.h"

#include <iostream>

#include "common/config/config.h"
#include "common/log/log.h"
#include "common/output/output.h"

namespace brine::master {

Result<Value> load_client_config(const std::string& config_dir, const std::string& log_level) {
  auto loaded = config::load(config::Role::kMaster, {config_dir});
  if (!loaded) return loaded.error();
  Value opts = std::move(loaded->opts);
  std::string iface = opts.get_string("interface");
  if (iface == "0.0.0.0") opts["interface"] = "127.0.0.1";
  if (iface == "::") opts["interface"] = "::1";
  log::Options lo;
  auto level =
      log::parse_level(log_level.empty() ? opts.get_string("log_level", "warning") : log_level);
  if (!level) return level.error();
  lo.console = *level;
  BRINE_TRY(log::setup(lo));
  return opts;
}

Printer::Printer(OutputSettings s, std::ostream& out) : s_(std::move(s)), out_(out) {
  if (!s_.out_file.empty()) {
    file_ = std::make_unique<std::ofstream>(s_.out_file,
                                            s_.out_file_append ? std::ios::app : std::ios::trunc);
  }
}

void Printer::print(const Value& data, const std::string& outputter, int retcode) {
  output::Options o;
  o.color = s_.color && !file_;
  o.retcode = retcode;
  if (s_.indent) o.indent = *s_.indent;
  std::string name = !s_.out.empty() ? s_.out : outputter.empty() ? "nested" : outputter;
  auto text = output::render(name, data, o);
  raw(text ? output::display_text(*text) : text.error().to_string() + "\n");
}

void Printer::raw(const std::string& text) {
  if (file_) {
    *file_ << text;
    file_->flush();
  } else {
    out_ << text << std::flush;
  }
}

}  // namespace brine::master
