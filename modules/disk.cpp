// disk: filesystem usage from df(1) (Salt's salt/modules/disk.py). Values are
// the strings df prints, as in Salt.
#include <spdlog/spdlog.h>
#include <unistd.h>

#include "modules/builtin.h"
#include "modules/util/text.h"

namespace brine::modules::disk {

namespace {

Availability has_df(const Value&) {
  for (const char* p : {"/bin/df", "/usr/bin/df"}) {
    if (::access(p, X_OK) == 0) return Availability::yes();
  }
  return Availability::no("df is not installed");
}

Result<std::string> clean_flags(Call& c, const char* caller) {
  const Value& args = c.get("args");
  if (args.is_null()) return std::string();
  std::string s = args.is_string() ? args.as_string() : "";
  if (!args.is_string()) return execution_error(std::string("Invalid flag passed to ") + caller);
  static constexpr std::string_view kAllowed = "aBhHiklPtTxv";
  for (char f : s) {
    if (kAllowed.find(f) == std::string_view::npos) {
      return execution_error(std::string("Invalid flag passed to ") + caller);
    }
  }
  return s;
}

// Runs df through cmd.run (as Salt does, so its exit status is the job's) and
// returns the data rows, each with a multi-word filesystem name rejoined.
Result<std::vector<std::vector<std::string>>> df_rows(Call& c, List argv) {
  if (::access("/etc/mtab", F_OK) != 0) {
    c.ctx.logger().error("df cannot run without /etc/mtab");
    return std::vector<std::vector<std::string>>{};
  }
  Map kwargs{{"python_shell", Value(false)}};
  auto out = c.ctx.registry.call("cmd.run", List{Value(std::move(argv))}, kwargs, c.ctx);
  if (!out) return out.error();
  std::vector<std::vector<std::string>> rows;
  std::string pending;
  const std::string output = out->is_string() ? out->as_string() : std::string();
  for (auto line : text::splitlines(output)) {
    if (line.empty() || line.starts_with("Filesystem")) continue;
    std::string joined = pending.empty() ? std::string(line) : pending + " " + std::string(line);
    auto words = text::split_ws(joined);
    if (words.size() == 1) {  // a long filesystem name wraps onto its own line
      pending = joined;
      continue;
    }
    pending.clear();
    std::vector<std::string> comps(words.begin(), words.end());
    auto digits = [](const std::string& s) {
      return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
    };
    while (comps.size() >= 2 && !digits(comps[1])) {
      comps[0] += " " + comps[1];
      comps.erase(comps.begin() + 1);
    }
    if (comps.size() < 2) continue;
    rows.push_back(std::move(comps));
  }
  return rows;
}

std::string mountpoint(const std::vector<std::string>& comps, size_t from) {
  std::string m;
  for (size_t i = from; i < comps.size(); ++i) m += (i > from ? " " : "") + comps[i];
  return m;
}

Result<Value> usage(Call& c) {
  auto flags = clean_flags(c, "disk.usage");
  if (!flags) return flags.error();
  List argv{Value("df"), Value("-P")};
  if (!flags->empty()) argv.emplace_back("-" + *flags);
  auto rows = df_rows(c, std::move(argv));
  if (!rows) return rows.error();
  Map ret;
  for (const auto& comps : *rows) {
    if (comps.size() < 6) {
      c.ctx.logger().error("Problem parsing disk usage information");
      return Value(Map{});
    }
    ret.set(mountpoint(comps, 5), Value::map({{"filesystem", Value(comps[0])},
                                              {"1K-blocks", Value(comps[1])},
                                              {"used", Value(comps[2])},
                                              {"available", Value(comps[3])},
                                              {"capacity", Value(comps[4])}}));
  }
  return Value(std::move(ret));
}

Result<Value> inodeusage(Call& c) {
  auto flags = clean_flags(c, "disk.inodeusage");
  if (!flags) return flags.error();
  List argv{Value("df"), Value("-iP")};
  if (!flags->empty()) argv.emplace_back("-" + *flags);
  auto rows = df_rows(c, std::move(argv));
  if (!rows) return rows.error();
  Map ret;
  for (const auto& comps : *rows) {
    if (comps.size() < 6) continue;
    ret.set(mountpoint(comps, 5), Value::map({{"inodes", Value(comps[1])},
                                              {"used", Value(comps[2])},
                                              {"free", Value(comps[3])},
                                              {"use", Value(comps[4])},
                                              {"filesystem", Value(comps[0])}}));
  }
  return Value(std::move(ret));
}

Result<Value> percent(Call& c) {
  auto rows = df_rows(c, List{Value("df"), Value("-P")});
  if (!rows) return rows.error();
  Map ret;
  for (const auto& comps : *rows) {
    if (comps.size() >= 6) ret.set(mountpoint(comps, 5), Value(comps[4]));
  }
  if (c.has("args")) {
    std::string part = c.str("args");
    if (const Value* v = ret.find(part)) return *v;
    c.ctx.logger().error("Problem parsing disk usage information: Partition '{}' does not exist!",
                         part);
    return Value(Map{});
  }
  return Value(std::move(ret));
}

constexpr Param kArgs[] = {{"args", "None"}};

constexpr FunctionSpec kFunctions[] = {
    {"inodeusage", inodeusage, "Inode usage per mount point",
     R"(Return inode usage information for volumes mounted on this minion

CLI Example:

.. code-block:: bash

    salt '*' disk.inodeusage
)",
     kArgs},
    {"percent", percent, "Used capacity per mount point",
     R"(Return partition information for volumes mounted on this minion

CLI Example:

.. code-block:: bash

    salt '*' disk.percent /var
)",
     kArgs},
    {"usage", usage, "Usage per mount point, from df -P",
     R"(Return usage information for volumes mounted on this minion

args
    Extra df flags from ``aBhHiklPtTxv`` (``disk.usage args=h``).

CLI Example:

.. code-block:: bash

    salt '*' disk.usage
)",
     kArgs},
};

}  // namespace

const ModuleSpec kModule{"disk", has_df, kFunctions};

}  // namespace brine::modules::disk
