// OS, kernel, CPU, memory, hardware, virtualisation, init and locale grains.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "modules/grains/gather.h"
#include "modules/grains/platform.h"
#include "modules/util/process.h"
#include "modules/util/text.h"

namespace brine::modules::grains {

namespace {

using text::read_trimmed;

// --- os-release ------------------------------------------------------------

// Salt's _REPLACE_LINUX_RE: re.sub(r"\W(?:gnu/)?linux", "", name, flags=I).
std::string strip_linux(std::string_view name) {
  std::string out;
  size_t i = 0;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < name.size()) {
    if (!word(name[i])) {
      std::string rest = text::ascii_lower(std::string(name.substr(i + 1, 9)));
      if (rest.starts_with("gnu/linux")) {
        i += 10;
        continue;
      }
      if (rest.starts_with("linux")) {
        i += 6;
        continue;
      }
    }
    out += name[i++];
  }
  return std::string(text::strip(out));
}

std::string derive_os(const std::string& fullname, const std::string& id) {
  if (id == "astra" && fullname == "Astra Linux (Orel)") return "AstraLinuxCE";
  if (id == "astra" && fullname == "Astra Linux (Smolensk)") return "AstraLinuxSE";
  if (id == "pop" && fullname == "Pop!_OS") return "Pop";
  static constexpr std::pair<std::string_view, std::string_view> kOsNames[] = {
      {"redhatente", "RedHat"},
      {"gentoobase", "Gentoo"},
      {"archarm", "Arch ARM"},
      {"arch", "Arch"},
      {"debian", "Debian"},
      {"raspbian", "Raspbian"},
      {"fedoraremi", "Fedora"},
      {"chapeau", "Chapeau"},
      {"korora", "Korora"},
      {"amazonami", "Amazon"},
      {"alt", "ALT"},
      {"enterprise", "OEL"},
      {"oracleserv", "OEL"},
      {"cloudserve", "CloudLinux"},
      {"cloudlinux", "CloudLinux"},
      {"almalinux", "AlmaLinux"},
      {"pidora", "Fedora"},
      {"scientific", "ScientificLinux"},
      {"synology", "Synology"},
      {"nilrt", "NILinuxRT"},
      {"poky", "Poky"},
      {"manjaro", "Manjaro"},
      {"manjarolin", "Manjaro"},
      {"univention", "Univention"},
      {"antergos", "Antergos"},
      {"sles", "SUSE"},
      {"void", "Void"},
      {"slesexpand", "RES"},
      {"linuxmint", "Mint"},
      {"neon", "KDE neon"},
      {"pop", "Pop"},
      {"rocky", "Rocky"},
      {"alibabaclo", "Alinux"},
      {"mendel", "Mendel"}};
  std::string distro = strip_linux(fullname);
  std::string shortname;
  for (char c : distro) {
    if (c != ' ') shortname += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  shortname = shortname.substr(0, 10);
  for (const auto& [k, v] : kOsNames) {
    if (k == shortname) return std::string(v);
  }
  return distro;
}

std::string os_family(const std::string& os, const std::string& id, const std::string& id_like) {
  static constexpr std::pair<std::string_view, std::string_view> kFamilies[] = {
      {"Ubuntu", "Debian"},
      {"Fedora", "RedHat"},
      {"Chapeau", "RedHat"},
      {"Korora", "RedHat"},
      {"FedBerry", "RedHat"},
      {"CentOS", "RedHat"},
      {"CentOS Stream", "RedHat"},
      {"GoOSe", "RedHat"},
      {"Scientific", "RedHat"},
      {"Amazon", "RedHat"},
      {"CloudLinux", "RedHat"},
      {"AlmaLinux", "RedHat"},
      {"OVS", "RedHat"},
      {"OEL", "RedHat"},
      {"XCP", "RedHat"},
      {"XCP-ng", "RedHat"},
      {"XenServer", "RedHat"},
      {"RES", "RedHat"},
      {"Sangoma", "RedHat"},
      {"VMware Photon OS", "RedHat"},
      {"Mandrake", "Mandriva"},
      {"Mint", "Debian"},
      {"VMwareESX", "VMware"},
      {"Bluewhite64", "Bluewhite"},
      {"Slamd64", "Slackware"},
      {"SLES", "Suse"},
      {"SUSE Enterprise Server", "Suse"},
      {"SLED", "Suse"},
      {"openSUSE", "Suse"},
      {"SUSE", "Suse"},
      {"openSUSE Leap", "Suse"},
      {"openSUSE Tumbleweed", "Suse"},
      {"SLES_SAP", "Suse"},
      {"Arch ARM", "Arch"},
      {"Manjaro", "Arch"},
      {"Manjaro ARM", "Arch"},
      {"Antergos", "Arch"},
      {"EndeavourOS", "Arch"},
      {"ALT", "RedHat"},
      {"Trisquel", "Debian"},
      {"GCEL", "Debian"},
      {"Linaro", "Debian"},
      {"elementary OS", "Debian"},
      {"elementary", "Debian"},
      {"Univention", "Debian"},
      {"ScientificLinux", "RedHat"},
      {"Raspbian", "Debian"},
      {"Devuan", "Debian"},
      {"antiX", "Debian"},
      {"Kali", "Debian"},
      {"Parrot OS", "Debian"},
      {"neon", "Debian"},
      {"Cumulus", "Debian"},
      {"Deepin", "Debian"},
      {"NILinuxRT", "NILinuxRT"},
      {"KDE neon", "Debian"},
      {"Void", "Void"},
      {"IDMS", "Debian"},
      {"Funtoo", "Gentoo"},
      {"TurnKey", "Debian"},
      {"Pop", "Debian"},
      {"Rocky", "RedHat"},
      {"AstraLinuxCE", "Debian"},
      {"AstraLinuxSE", "Debian"},
      {"Alinux", "RedHat"},
      {"Mendel", "Debian"},
      {"OSMC", "Debian"}};
  for (const auto& [k, v] : kFamilies) {
    if (k == os) return std::string(v);
  }
  // Salt's _family_id + _prettify_os_family.
  std::vector<std::string> ids{id};
  for (auto w : text::split_ws(id_like)) ids.emplace_back(w);
  std::string family = ids.back();
  if (std::find(ids.begin(), ids.end(), "debian") != ids.end() ||
      std::find(ids.begin(), ids.end(), "ubuntu") != ids.end()) {
    family = "debian";
  }
  if (family == "fedora") return "RedHat";
  if (!family.empty()) {
    family = text::ascii_lower(family);
    family[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(family[0])));
  }
  return family;
}

void add_distribution(Map& g) {
  // /etc/lsb-release first (Ubuntu ships it), then os-release.
  if (auto lsb = text::read_file("/etc/lsb-release", 1 << 16)) {
    for (auto line : text::splitlines(*lsb)) {
      for (const char* key :
           {"DISTRIB_ID", "DISTRIB_RELEASE", "DISTRIB_CODENAME", "DISTRIB_DESCRIPTION"}) {
        std::string prefix = std::string(key) + "=";
        if (!line.starts_with(prefix)) continue;
        std::string v(text::strip(line.substr(prefix.size())));
        if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
        g.set("lsb_" + text::ascii_lower(key), Value(v));
      }
    }
  }
  Map osr = os_release();
  auto get = [&](const char* k) { return osr.find(k) ? osr.find(k)->as_string() : std::string(); };
  std::string name = get("NAME"), id = get("ID");
  std::string os = derive_os(name, id);
  g.set("os", Value(os));
  g.set("os_family", Value(os_family(os, id, get("ID_LIKE"))));
  std::string codename = get("VERSION_CODENAME");
  if (codename.empty() && (id == "almalinux" || id == "rocky")) {
    std::string version = get("VERSION");
    auto open = version.find('('), close = version.rfind(')');
    if (open != std::string::npos && close != std::string::npos && close > open) {
      codename = version.substr(open + 1, close - open - 1);
    }
  }
  if (codename.empty() && id == "astra") codename = get("VARIANT_ID");
  if (!codename.empty()) g.set("oscodename", Value(codename));
  g.set("osfullname", Value(std::string(text::strip(name))));
  std::string release = get("VERSION_ID");
  if (release.empty() && id == "mendel") {
    const std::string pretty = get("PRETTY_NAME");
    auto words = text::split_ws(pretty);
    if (words.size() >= 3) release = std::string(words[2]);
  }
  if (!release.empty()) g.set("osrelease", Value(release));
  if (!g.contains("lsb_distrib_id")) {
    g.set("lsb_distrib_id", Value(std::string(text::strip(name))));
    if (osr.contains("VERSION_ID")) g.set("lsb_distrib_release", Value(get("VERSION_ID")));
    if (osr.contains("VERSION_CODENAME")) {
      g.set("lsb_distrib_codename", Value(get("VERSION_CODENAME")));
    } else if (osr.contains("PRETTY_NAME")) {
      g.set("lsb_distrib_codename", Value(get("PRETTY_NAME")));
    }
  }
}

void add_osrelease_data(Map& g) {
  const Value* rel = g.find("osrelease");
  if (!rel || !rel->is_string() || rel->as_string().empty()) return;
  const std::string os = g["os"].as_string();
  const std::string release = rel->as_string();
  List info;
  size_t start = 0;
  while (true) {
    size_t dot = release.find('.', start);
    std::string part = release.substr(start, dot == std::string::npos ? dot : dot - start);
    bool digits = !part.empty() && part.find_first_not_of("0123456789") == std::string::npos;
    if (digits && part.size() < 18) {
      info.emplace_back(static_cast<int64_t>(std::stoll(part)));
    } else {
      info.emplace_back(part);
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  g.set("osrelease_info", Value(info));
  if (!info.empty() && info[0].is_int()) g.set("osmajorrelease", info[0]);
  static constexpr std::string_view kShort[] = {"Debian", "FreeBSD", "OpenBSD",
                                                "NetBSD", "Mac",     "Raspbian"};
  std::string name = std::find(std::begin(kShort), std::end(kShort), os) != std::end(kShort)
                         ? os
                         : g["osfullname"].as_string();
  std::string ver =
      (os == "Ubuntu" || os == "Pop")
          ? release
          : (info[0].is_int() ? std::to_string(info[0].as_int()) : info[0].as_string());
  g.set("osfinger", Value(name + "-" + ver));
}

std::string osarch(const std::string& family, const std::string& cpuarch) {
  if (family != "Debian") return cpuarch;
  // dpkg's architecture names, without running dpkg.
  static constexpr std::pair<std::string_view, std::string_view> kDeb[] = {
      {"x86_64", "amd64"},    {"aarch64", "arm64"},   {"i686", "i386"},
      {"i586", "i386"},       {"i386", "i386"},       {"armv7l", "armhf"},
      {"armv6l", "armel"},    {"ppc64le", "ppc64el"}, {"s390x", "s390x"},
      {"riscv64", "riscv64"}, {"mips64", "mips64el"}, {"loongarch64", "loong64"}};
  for (const auto& [k, v] : kDeb) {
    if (k == cpuarch) return std::string(v);
  }
  return cpuarch;
}

// --- CPU, memory, hardware ---------------------------------------------------

void add_cpu(Map& g) {
  int64_t num = 0;
  std::string model;
  List flags;
  if (auto info = text::read_file("/proc/cpuinfo", 8 << 20)) {
    for (auto line : text::splitlines(*info)) {
      auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string key(text::strip(line.substr(0, colon)));
      std::string_view val = text::strip(line.substr(colon + 1));
      if (key == "processor") {
        ++num;
      } else if (key == "# processors") {
        num = std::atoll(std::string(val).c_str());
      } else if (key == "vendor_id" || key == "model name" || key == "cpu") {
        model = val;
      } else if (key == "flags" || key == "Features") {
        flags.clear();
        for (auto f : text::split_ws(val)) flags.emplace_back(std::string(f));
      } else if (key == "Processor") {
        model = std::string(val.substr(0, val.find('-')));
        num = 1;
      }
    }
  }
  g.set("num_cpus", Value(num));
  g.set("cpu_model", Value(model.empty() ? std::string("Unknown") : model));
  g.set("cpu_flags", Value(std::move(flags)));
}

void add_memory(Map& g) {
  int64_t mem = 0, swap = 0;
  if (auto info = text::read_file("/proc/meminfo", 1 << 20)) {
    for (auto line : text::splitlines(*info)) {
      auto words = text::split_ws(line);
      if (words.size() < 2) continue;
      if (words[0] == "MemTotal:") mem = std::atoll(std::string(words[1]).c_str()) / 1024;
      if (words[0] == "SwapTotal:") swap = std::atoll(std::string(words[1]).c_str()) / 1024;
    }
  }
  g.set("mem_total", Value(mem));
  g.set("swap_total", Value(swap));
}

// --- locale, disks, kernel parameters ------------------------------------------

void add_locale(Map& g) {
  Map info;
  std::string loc;
  for (const char* var : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* v = ::getenv(var);
    if (v && *v) {
      loc = v;
      break;
    }
  }
  if (loc.empty() || loc == "C" || loc == "POSIX") {
    info.set("defaultlanguage", Value());
    info.set("defaultencoding", Value());
  } else {
    auto dot = loc.find('.');
    std::string lang = loc.substr(0, dot);
    std::string enc = dot == std::string::npos ? std::string() : loc.substr(dot + 1);
    enc = enc.substr(0, enc.find('@'));
    if (text::ascii_lower(enc) == "utf8" || text::ascii_lower(enc) == "utf-8") enc = "UTF-8";
    info.set("defaultlanguage", Value(lang));
    info.set("defaultencoding", enc.empty() ? Value() : Value(enc));
  }
  info.set("detectedencoding", Value("utf-8"));
  time_t now = ::time(nullptr);
  tm local{};
  ::localtime_r(&now, &local);
  info.set("timezone", Value(local.tm_zone ? local.tm_zone : "unknown"));
  g.set("locale_info", Value(std::move(info)));
}

void add_disks(Map& g) {
  List disks, ssds;
  if (DIR* d = ::opendir("/sys/block")) {
    std::vector<std::string> names;
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& n : names) {
      std::string base = "/sys/block/" + n;
      if (!text::path_exists((base + "/device").c_str())) continue;  // loop, zram, dm-: no device
      std::string rot = read_trimmed(base + "/queue/rotational", 16);
      (rot == "0" ? ssds : disks).emplace_back(n);
    }
  }
  g.set("disks", Value(std::move(disks)));
  g.set("ssds", Value(std::move(ssds)));
}

void add_kernelparams(Map& g) {
  auto cmdline = text::read_file("/proc/cmdline", 1 << 16);
  if (!cmdline) return;
  auto words = text::shlex_split(*cmdline);
  if (!words) return;
  List params;
  for (const std::string& w : *words) {
    auto eq = w.find('=');
    Value value;
    if (eq != std::string::npos && w.find('=', eq + 1) == std::string::npos) {
      std::string v = w.substr(eq + 1);
      while (!v.empty() && v.front() == '"') v.erase(0, 1);
      while (!v.empty() && v.back() == '"') v.pop_back();
      value = Value(v);
    }
    params.push_back(Value::list({Value(w.substr(0, eq)), value}));
  }
  g.set("kernelparams", Value(std::move(params)));
}

}  // namespace

Map os_release() {
  Map ret{{"NAME", Value("Linux")}, {"ID", Value("linux")}, {"PRETTY_NAME", Value("Linux")}};
  for (const char* path : {"/etc/os-release", "/usr/lib/os-release"}) {
    auto text = text::read_file(path, 1 << 16);
    if (!text) continue;
    for (auto raw : text::splitlines(*text)) {
      std::string_view line = text::strip(raw);
      auto eq = line.find('=');
      if (eq == std::string_view::npos || eq == 0) continue;
      std::string_view key = line.substr(0, eq);
      bool word = std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
      });
      if (!word) continue;
      std::string_view v = line.substr(eq + 1);
      if (!v.empty() && (v.front() == '"' || v.front() == '\'')) v.remove_prefix(1);
      if (!v.empty() && (v.back() == '"' || v.back() == '\'')) v.remove_suffix(1);
      std::string value;
      for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size() && std::strchr("$\"'\\`", v[i + 1])) ++i;
        value += v[i];
      }
      ret.set(key, Value(value));
    }
    break;
  }
  return ret;
}

void add_os_grains(Map& g, const Value& opts) {
  utsname u{};
  ::uname(&u);
  g.set("kernel", Value(u.sysname));
  g.set("nodename", Value(u.nodename));
  g.set("kernelrelease", Value(u.release));
  g.set("kernelversion", Value(u.version));
  g.set("cpuarch", Value(u.machine));
  if (!process::which("selinuxenabled", process::default_path()).empty()) {
    std::string enforce = read_trimmed("/sys/fs/selinux/enforce", 16);
    g.set("selinux", Value::map({{"enabled", Value(!enforce.empty())},
                                 {"enforced", Value(enforce == "1"   ? "Enforcing"
                                                    : enforce == "0" ? "Permissive"
                                                                     : "Disabled")}}));
  }
  add_platform_grains(g, opts);  // systemd, init, gpus, DMI
  add_distribution(g);
  add_cpu(g);
  g.set("osarch", Value(osarch(g["os_family"].as_string(), u.machine)));
  add_memory(g);
  add_virtual_grains(g);
  g.set("ps", Value("ps -efHww"));
  add_osrelease_data(g);
  add_locale(g);
  add_disks(g);
  add_kernelparams(g);
  g.set("efi", Value(text::path_exists("/sys/firmware/efi/systab") ||
                     text::is_directory("/sys/firmware/efi")));
  std::string machine_id = read_trimmed("/etc/machine-id", 4096);
  if (machine_id.empty()) machine_id = read_trimmed("/var/lib/dbus/machine-id", 4096);
  if (!machine_id.empty()) g.set("machine_id", Value(machine_id));
}

}  // namespace brine::modules::grains
