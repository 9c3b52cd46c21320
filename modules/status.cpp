// status: system status read from /proc (Salt's salt/modules/status.py).
#include <fnmatch.h>
#include <stdlib.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <set>

#include "modules/binding.h"
#include "modules/builtin.h"
#include "modules/util/text.h"

namespace brine::modules::status {

namespace {

Availability linux_only(const Value&) {
  if (::access("/proc/self", F_OK) != 0) return Availability::no("/proc is not mounted");
  return Availability::yes();
}

// Python's datetime.isoformat(): microseconds only when non-zero.
std::string iso_utc(double epoch) {
  double whole = std::floor(epoch);
  auto secs = static_cast<time_t>(whole);
  int micros = static_cast<int>(std::lround((epoch - whole) * 1e6));
  if (micros >= 1000000) {
    ++secs;
    micros -= 1000000;
  }
  tm t{};
  ::gmtime_r(&secs, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", t.tm_year + 1900, t.tm_mon + 1,
                t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec);
  std::string out = buf;
  if (micros) {
    std::snprintf(buf, sizeof buf, ".%06d", micros);
    out += buf;
  }
  return out;
}

int64_t logged_in_users() {
  // getutxent is not thread-safe; serialise our own use of it.
  static std::mutex mu;
  std::lock_guard lock(mu);
  int64_t n = 0;
  ::setutxent();
  while (utmpx* u = ::getutxent()) {
    if (u->ut_type == USER_PROCESS) ++n;
  }
  ::endutxent();
  return n;
}

Result<Value> uptime(Call&) {
  timespec now{};
  ::clock_gettime(CLOCK_REALTIME, &now);
  double curr = static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
  auto text = text::read_file("/proc/uptime", 4096);
  if (!text) return execution_error("File /proc/uptime was not found.");
  int64_t seconds = static_cast<int64_t>(std::atof(text->c_str()));
  double boot = curr - static_cast<double>(seconds);
  int64_t days = seconds / 86400;
  int64_t rem = seconds % 86400;
  Map ret;
  ret.set("seconds", Value(seconds));
  ret.set("since_iso", Value(iso_utc(boot)));
  ret.set("since_t", Value(static_cast<int64_t>(boot)));
  ret.set("days", Value(days));
  ret.set("time", Value(std::to_string(rem / 3600) + ":" + std::to_string(rem % 3600 / 60)));
  ret.set("users", Value(logged_in_users()));
  return Value(std::move(ret));
}

Result<Value> loadavg(Call&) {
  double avg[3] = {0, 0, 0};
  if (::getloadavg(avg, 3) != 3) return execution_error("Error getting load average");
  return Value::map(
      {{"1-min", Value(avg[0])}, {"5-min", Value(avg[1])}, {"15-min", Value(avg[2])}});
}

Result<Value> meminfo(Call&) {
  Map ret;
  auto text = text::read_file("/proc/meminfo", 1 << 20);
  if (!text) return Value(std::move(ret));
  for (auto line : text::splitlines(*text)) {
    auto comps = text::split_ws(line);
    if (comps.size() < 2) continue;
    std::string key(comps[0]);
    key.erase(std::remove(key.begin(), key.end(), ':'), key.end());
    Map entry;
    entry.set("value", Value(std::string(comps[1])));
    if (comps.size() > 2) entry.set("unit", Value(std::string(comps[2])));
    ret.set(key, Value(std::move(entry)));
  }
  return Value(std::move(ret));
}

Result<Value> cpuinfo(Call&) {
  Map ret;
  auto text = text::read_file("/proc/cpuinfo", 8 << 20);
  if (!text) return Value(std::move(ret));
  for (auto line : text::splitlines(*text)) {
    if (line.empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string key(text::strip(line.substr(0, colon)));
    std::string_view val = line.substr(colon + 1);
    if (auto next = val.find(':'); next != std::string_view::npos) val = val.substr(0, next);
    if (key == "flags") {
      List flags;
      for (auto f : text::split_ws(val)) flags.emplace_back(std::string(f));
      ret.set(key, Value(std::move(flags)));
    } else {
      ret.set(key, Value(std::string(text::strip(val))));
    }
  }
  return Value(std::move(ret));
}

// /proc/mounts escapes space, tab, newline and backslash as \ooo.
std::string unescape_mount(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      std::string oct(s.substr(i + 1, 3));
      if (oct.size() == 3 && oct.find_first_not_of("01234567") == std::string::npos) {
        out += static_cast<char>(std::stoi(oct, nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

Result<Value> diskusage(Call& c) {
  std::set<std::string> selected;
  std::vector<std::string> fstypes;
  if (c.args.empty()) {
    fstypes.emplace_back("*");
  } else {
    for (const Value& a : c.args) {
      std::string s = a.is_string() ? a.as_string() : coerce_to_str(a);
      if (s.starts_with("/")) {
        selected.insert(s);
      } else {
        fstypes.push_back(s);
      }
    }
  }
  if (!fstypes.empty()) {
    auto mounts = text::read_file("/proc/mounts", 4 << 20);
    if (!mounts) return Value(Map{});
    for (auto line : text::splitlines(*mounts)) {
      auto comps = text::split_ws(line);
      if (comps.size() < 3) continue;
      std::string fstype(comps[2]);
      for (const std::string& pattern : fstypes) {
        if (::fnmatch(pattern.c_str(), fstype.c_str(), 0) == 0) {
          selected.insert(unescape_mount(comps[1]));
          break;
        }
      }
    }
  }
  Map ret;
  for (const std::string& path : selected) {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) continue;
    auto bs = static_cast<int64_t>(st.f_bsize);
    ret.set(path, Value::map({{"available", Value(static_cast<int64_t>(st.f_bavail) * bs)},
                              {"total", Value(static_cast<int64_t>(st.f_blocks) * bs)}}));
  }
  return Value(std::move(ret));
}

Result<Value> nproc(Call&) { return Value(static_cast<int64_t>(::sysconf(_SC_NPROCESSORS_ONLN))); }

Result<Value> version(Call&) {
  auto text = text::read_file("/proc/version", 1 << 16);
  if (!text) return Value("");
  return Value(std::string(text::strip(*text)));
}

constexpr FunctionSpec kFunctions[] = {
    {"cpuinfo", cpuinfo, "/proc/cpuinfo as a dict",
     R"(Return the CPU info for this minion

CLI Example:

.. code-block:: bash

    salt '*' status.cpuinfo
)"},
    {"diskusage",
     diskusage,
     "Available and total bytes per filesystem",
     R"(Return the disk usage for this minion

Usage::

    salt '*' status.diskusage [paths and/or filesystem types]

CLI Example:

.. code-block:: bash

    salt '*' status.diskusage         # usage for all filesystems
    salt '*' status.diskusage / /tmp  # usage for / and /tmp
    salt '*' status.diskusage ext?    # usage for ext[234] filesystems
    salt '*' status.diskusage / ext?  # usage for / and all ext filesystems
)",
     {},
     true},
    {"loadavg", loadavg, "Load averages",
     R"(Return the load averages for this minion

CLI Example:

.. code-block:: bash

    salt '*' status.loadavg
)"},
    {"meminfo", meminfo, "/proc/meminfo as a dict",
     R"(Return the memory info for this minion

CLI Example:

.. code-block:: bash

    salt '*' status.meminfo
)"},
    {"nproc", nproc, "Number of online processors",
     R"(Return the number of processing units available on this system

CLI Example:

.. code-block:: bash

    salt '*' status.nproc
)"},
    {"uptime", uptime, "Uptime of the machine",
     R"(Return the uptime for this system.

CLI Example:

.. code-block:: bash

    salt '*' status.uptime
)"},
    {"version", version, "The kernel's /proc/version",
     R"(Return the system version for this minion

CLI Example:

.. code-block:: bash

    salt '*' status.version
)"},
};

}  // namespace

const ModuleSpec kModule{"status", linux_only, kFunctions};

}  // namespace brine::modules::status
