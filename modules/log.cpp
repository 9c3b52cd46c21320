// log: write to the minion log from templates and the CLI (Salt's
// salt/modules/log.py). A message with %s placeholders takes the extra
// positional arguments, as Python's logging does.
#include <spdlog/spdlog.h>

#include "modules/binding.h"
#include "modules/builtin.h"

namespace brine::modules::log {

namespace {

std::string format(Call& c) {
  std::string msg = c.str("message");
  if (c.args.empty()) return msg;
  std::string out;
  size_t next = 0;
  for (size_t i = 0; i < msg.size(); ++i) {
    if (msg[i] == '%' && i + 1 < msg.size()) {
      char t = msg[i + 1];
      if (t == '%') {
        out += '%';
        ++i;
        continue;
      }
      if ((t == 's' || t == 'r' || t == 'd') && next < c.args.size()) {
        const Value& a = c.args[next++];
        out += a.is_string() && t != 'r' ? a.as_string() : coerce_to_str(a);
        ++i;
        continue;
      }
    }
    out += msg[i];
  }
  return out;
}

Result<Value> emit(Call& c, spdlog::level::level_enum level) {
  c.ctx.logger().log(level, "{}", format(c));
  return Value();
}

Result<Value> critical(Call& c) { return emit(c, spdlog::level::critical); }
Result<Value> error(Call& c) { return emit(c, spdlog::level::err); }
Result<Value> exception(Call& c) { return emit(c, spdlog::level::err); }
Result<Value> warning(Call& c) { return emit(c, spdlog::level::warn); }
Result<Value> info(Call& c) { return emit(c, spdlog::level::info); }
Result<Value> debug(Call& c) { return emit(c, spdlog::level::debug); }

constexpr Param kMessage[] = {{"message"}};

#define BRINE_LOG_DOC(level)              \
  "Log message at level " level           \
  ".\n\nCLI Example:\n\n.. code-block:: " \
  "bash\n\n    salt '*' log." level " 'Hello %s' world\n"

constexpr FunctionSpec kFunctions[] = {
    {"critical", critical, "Log at CRITICAL", BRINE_LOG_DOC("critical"), kMessage, true, true},
    {"debug", debug, "Log at DEBUG", BRINE_LOG_DOC("debug"), kMessage, true, true},
    {"error", error, "Log at ERROR", BRINE_LOG_DOC("error"), kMessage, true, true},
    {"exception", exception, "Log at ERROR", BRINE_LOG_DOC("exception"), kMessage, true, true},
    {"info", info, "Log at INFO", BRINE_LOG_DOC("info"), kMessage, true, true},
    {"warning", warning, "Log at WARNING", BRINE_LOG_DOC("warning"), kMessage, true, true},
};

#undef BRINE_LOG_DOC

}  // namespace

const ModuleSpec kModule{"log", always_available, kFunctions};

}  // namespace brine::modules::log
