// OS, kernel, CPU, memory, hardware, virtualisation, init and locale grains.
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <algorithm>
#include <cctype>
#include <cstring>

#include "modules/grains/gather.h"
#include "modules/util/process.h"
#include "modules/util/text.h"

namespace brine::modules::grains {

namespace {

std::string read_trimmed(const std::string& path, size_t max = 1 << 20) {
  auto r = text::read_file(path, max);
  return r ? std::string(text::strip(*r)) : std::string();
}

bool exists(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0;
}

bool is_dir(const char* path) {
  struct stat st {};
  return ::stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// --- os-release ------------------------------------------------------------

// Salt's _REPLACE_LINUX_RE: re.sub(r"\W(?:gnu/)?linux", "", name, flags=I).
std::string strip_linux(std::string_view name) {
  std::string out;
  size_t i = 0;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < name.size()) {
    if (!word(name[i])) {
      std::string rest = lower(std::string(name.substr(i + 1, 9)));
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
    family = lower(family);
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
        g.set("lsb_" + lower(key), Value(v));
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

void add_hardware(Map& g) {
  if (!is_dir("/sys/class/dmi/id")) return;
  static constexpr std::pair<const char*, const char*> kFiles[] = {
      {"biosversion", "bios_version"}, {"biosvendor", "bios_vendor"},
      {"boardname", "board_name"},     {"productname", "product_name"},
      {"manufacturer", "sys_vendor"},  {"biosreleasedate", "bios_date"},
      {"uuid", "product_uuid"},        {"serialnumber", "product_serial"}};
  for (const auto& [key, file] : kFiles) {
    auto r = text::read_file(std::string("/sys/class/dmi/id/") + file, 4096);
    if (!r) continue;  // missing, or not readable by this user
    std::string v = text::sanitize_utf8(std::string(text::strip(*r)));
    if (std::string_view(key) == "uuid") v = lower(v);
    g.set(key, Value(v));
  }
}

void add_gpus(Map& g) {
  // PCI display controllers (class 0x03xxxx) from sysfs instead of lspci.
  List gpus;
  if (DIR* d = ::opendir("/sys/bus/pci/devices")) {
    while (dirent* e = ::readdir(d)) {
      if (e->d_name[0] == '.') continue;
      std::string base = std::string("/sys/bus/pci/devices/") + e->d_name;
      std::string cls = read_trimmed(base + "/class", 64);
      if (!cls.starts_with("0x03")) continue;
      std::string vendor_id = lower(read_trimmed(base + "/vendor", 64));
      std::string device_id = lower(read_trimmed(base + "/device", 64));
      static constexpr std::pair<std::string_view, std::string_view> kVendors[] = {
          {"0x10de", "nvidia"},       {"0x1002", "amd"},    {"0x8086", "intel"},
          {"0x1013", "cirrus logic"}, {"0x15ad", "vmware"}, {"0x102b", "matrox"},
          {"0x1a03", "aspeed"}};
      std::string vendor = "unknown";
      for (const auto& [id, name] : kVendors) {
        if (id == vendor_id) vendor = name;
      }
      gpus.push_back(
          Value::map({{"vendor", Value(vendor)}, {"model", Value(vendor_id + ":" + device_id)}}));
    }
    ::closedir(d);
  }
  g.set("num_gpus", Value(static_cast<int64_t>(gpus.size())));
  g.set("gpus", Value(std::move(gpus)));
}

// --- virtualisation ----------------------------------------------------------

std::string cpuid_hypervisor() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 31))) return {};
  __cpuid(0x40000000, a, b, c, d);
  char sig[13] = {};
  std::memcpy(sig, &b, 4);
  std::memcpy(sig + 4, &c, 4);
  std::memcpy(sig + 8, &d, 4);
  std::string s = sig;
  if (s == "KVMKVMKVM") return "kvm";
  if (s == "Microsoft Hv") return "microsoft";
  if (s == "VMwareVMware") return "vmware";
  if (s == "XenVMMXenVMM") return "xen";
  if (s == "TCGTCGTCGTCG") return "qemu";
  if (s == "bhyve bhyve ") return "bhyve";
  return {};
#else
  return {};
#endif
}

// What systemd-detect-virt would say for a VM, from DMI and CPUID.
std::string detect_vm(const Map& g) {
  std::string vendor = g.find("manufacturer") ? g.find("manufacturer")->as_string() : "";
  std::string product = g.find("productname") ? g.find("productname")->as_string() : "";
  std::string bios_vendor = g.find("biosvendor") ? g.find("biosvendor")->as_string() : "";
  if (vendor.starts_with("Amazon EC2")) return "amazon";
  if (vendor.starts_with("innotek GmbH") || product.starts_with("VirtualBox")) return "oracle";
  std::string cpu = cpuid_hypervisor();
  if (!cpu.empty()) return cpu;
  if (vendor.starts_with("QEMU")) return "qemu";
  if (vendor.starts_with("VMware")) return "vmware";
  if (vendor.starts_with("Xen")) return "xen";
  if (vendor.starts_with("Bochs") || bios_vendor.starts_with("Bochs")) return "bochs";
  if (vendor.starts_with("Microsoft Corporation") &&
      product.find("Virtual Machine") != std::string::npos) {
    return "microsoft";
  }
  return {};
}

void add_virtual(Map& g) {
  std::string virt = "physical";
  std::string subtype;
  std::string vm = detect_vm(g);
  static constexpr std::string_view kAsIs[] = {"qemu", "kvm", "oracle", "xen", "bochs", "uml"};
  if (std::find(std::begin(kAsIs), std::end(kAsIs), vm) != std::end(kAsIs)) {
    virt = vm;
  } else if (vm == "vmware") {
    virt = "VMware";
  } else if (vm == "microsoft") {
    virt = "VirtualPC";
  } else if (vm == "amazon") {
    virt = "Nitro";
    subtype = "Amazon EC2";
  }
  struct stat root {
  }, init_root{};
  if (::stat("/", &root) == 0 && ::stat("/proc/1/root/.", &init_root) == 0 &&
      (root.st_dev != init_root.st_dev || root.st_ino != init_root.st_ino)) {
    subtype = "chroot";
  }
  if (is_dir("/proc/vz")) {
    if (exists("/proc/vz/version"))
      virt = "openvzhn";
    else if (exists("/proc/vz/veinfo"))
      virt = "openvzve";
  }
  if (auto status = text::read_file("/proc/self/status", 1 << 16)) {
    for (auto line : text::splitlines(*status)) {
      if (line.starts_with("envID:")) {
        virt = std::atoll(std::string(text::strip(line.substr(6))).c_str()) != 0 ? "openvzve"
                                                                                 : "openvzhn";
      }
    }
  }
  if (is_dir("/proc/sys/xen") || is_dir("/sys/bus/xen") || is_dir("/proc/xen")) {
    if (exists("/proc/xen/xsd_kva")) {
      subtype = "Xen Dom0";
    } else if (g.find("productname") && g.find("productname")->as_string() == "HVM domU") {
      subtype = "Xen HVM DomU";
    } else if (auto caps = text::read_file("/proc/xen/capabilities", 4096)) {
      subtype = caps->find("control_d") == std::string::npos ? "Xen PV DomU" : "Xen Dom0";
    } else if (is_dir("/sys/bus/xen/drivers/xenconsole")) {
      subtype = "Xen PV DomU";
    }
    if (lower(subtype).find("dom") != std::string::npos) virt = "xen";
  }
  if (auto info = text::read_file("/proc/cpuinfo", 8 << 20);
      info && info->find("QEMU Virtual CPU") != std::string::npos) {
    virt = "kvm";
  }
  if (auto product = text::read_file("/sys/devices/virtual/dmi/id/product_name", 4096)) {
    if (product->find("VirtualBox") != std::string::npos) {
      virt = "VirtualBox";
    } else if (product->find("RHEV Hypervisor") != std::string::npos) {
      virt = "kvm";
      subtype = "rhev";
    } else if (product->find("oVirt Node") != std::string::npos) {
      virt = "kvm";
      subtype = "ovirt";
    } else if (product->find("Google") != std::string::npos) {
      virt = "gce";
    } else if (product->find("BHYVE") != std::string::npos) {
      virt = "bhyve";
    }
  }
  if (auto cg = text::read_file("/proc/1/cgroup", 1 << 20)) {
    if (cg->find(":/lxc/") != std::string::npos) {
      virt = "container";
      subtype = "LXC";
    } else if (cg->find(":/kubepods/") != std::string::npos) {
      subtype = "kubernetes";
    } else if (cg->find(":/libpod_parent/") != std::string::npos) {
      subtype = "libpod";
    } else if (cg->find(":/system.slice/docker") != std::string::npos ||
               cg->find(":/docker/") != std::string::npos ||
               cg->find(":/docker-ce/") != std::string::npos) {
      virt = "container";
      subtype = "Docker";
    }
  }
  if (subtype != "LXC") {
    if (auto env = text::read_file("/proc/1/environ", 1 << 20)) {
      if (env->find("container=lxc") != std::string::npos) {
        virt = "container";
        subtype = "LXC";
      }
    }
  }
  if (!subtype.empty() && virt == "physical") virt = "virtual";
  if (virt == "Nitro" && g.find("productname")) {
    subtype = "Amazon EC2 (" + g.find("productname")->as_string() + ")";
  }
  g.set("virtual", Value(virt));
  if (!subtype.empty()) g.set("virtual_subtype", Value(subtype));
}

// --- init, systemd, locale, misc ---------------------------------------------

std::string init_system() {
  if (exists("/run/systemd/system")) return "systemd";
  auto cmdline = text::read_file("/proc/1/cmdline", 1 << 16);
  if (!cmdline) return "unknown";
  std::vector<std::string> args;
  for (auto& c : *cmdline) {
    if (c == '\0') c = ' ';
  }
  for (auto w : text::split_ws(*cmdline)) args.emplace_back(w);
  if (args.empty()) return "unknown";
  const std::string path = process::default_path();
  std::string init_bin = process::which(args[0], path);
  if (!init_bin.empty() && init_bin.ends_with("bin/init")) {
    if (auto bin = text::read_file(init_bin, size_t{64} << 20)) {
      std::string l = lower(*bin);
      for (const char* item : {"upstart", "sysvinit", "systemd"}) {
        if (l.find(item) != std::string::npos) return item;
      }
    }
    return "unknown";
  }
  auto in_cmdline = [&](const char* name) {
    std::string p = process::which(name, path);
    return !p.empty() && std::find(args.begin(), args.end(), p) != args.end();
  };
  if (in_cmdline("supervisord")) return "supervisord";
  if (in_cmdline("dumb-init")) return "dumb-init";
  if (in_cmdline("tini")) return "tini";
  if (args.size() == 1 && args[0] == "runit") return "runit";
  if (std::find(args.begin(), args.end(), "/sbin/my_init") != args.end()) return "runit";
  return "unknown";
}

// systemd's compiled-in feature list ("+PAM +AUDIT ..."), found by mapping
// the shared library and searching it (cheaper than reading it).
std::string feature_string(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  struct stat st {};
  std::string out;
  if (::fstat(fd, &st) == 0 && st.st_size > 0 && st.st_size < (64 << 20)) {
    auto size = static_cast<size_t>(st.st_size);
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map != MAP_FAILED) {
      const char* base = static_cast<const char*>(map);
      for (const char* marker : {"+PAM +", "-PAM +", "+PAM -", "-PAM -"}) {
        const void* hit = ::memmem(base, size, marker, std::strlen(marker));
        if (!hit) continue;
        const char* start = static_cast<const char*>(hit);
        const void* end = std::memchr(start, '\0', size - static_cast<size_t>(start - base));
        size_t len = end ? static_cast<size_t>(static_cast<const char*>(end) - start) : 0;
        out.assign(start, std::min<size_t>(len, 4096));
        break;
      }
      ::munmap(map, size);
    }
  }
  ::close(fd);
  return out;
}

// systemd's version and feature string, read from libsystemd-shared instead
// of running `systemctl --version`.
void add_systemd(Map& g) {
  const std::string path = process::default_path();
  if (process::which("systemctl", path).empty() || process::which("localectl", path).empty()) {
    return;
  }
  for (const char* dir : {"/usr/lib/x86_64-linux-gnu/systemd", "/usr/lib/aarch64-linux-gnu/systemd",
                          "/usr/lib/systemd", "/lib/systemd", "/usr/lib64/systemd"}) {
    DIR* d = ::opendir(dir);
    if (!d) continue;
    std::string lib;
    while (dirent* e = ::readdir(d)) {
      std::string_view n = e->d_name;
      if (n.starts_with("libsystemd-shared-") && n.ends_with(".so")) lib = n;
    }
    ::closedir(d);
    if (lib.empty()) continue;
    std::string version = lib.substr(18, lib.size() - 18 - 3);
    std::string features = feature_string(std::string(dir) + "/" + lib);
    g.set("systemd", Value::map({{"version", Value(version)}, {"features", Value(features)}}));
    return;
  }
}

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
    if (lower(enc) == "utf8" || lower(enc) == "utf-8") enc = "UTF-8";
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
      if (!exists((base + "/device").c_str())) continue;  // loop, zram, dm-: no device
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
  add_systemd(g);
  g.set("init", Value(init_system()));
  add_distribution(g);
  add_cpu(g);
  if (opts.get_bool("enable_gpu_grains", true) && opts.get_bool("enable_lspci", true)) {
    add_gpus(g);
  } else {
    g.set("num_gpus", Value(0));
    g.set("gpus", Value(List{}));
  }
  g.set("osarch", Value(osarch(g["os_family"].as_string(), u.machine)));
  add_memory(g);
  add_hardware(g);
  add_virtual(g);
  g.set("ps", Value("ps -efHww"));
  add_osrelease_data(g);
  add_locale(g);
  add_disks(g);
  add_kernelparams(g);
  g.set("efi", Value(exists("/sys/firmware/efi/systab") || is_dir("/sys/firmware/efi")));
  std::string machine_id = read_trimmed("/etc/machine-id", 4096);
  if (machine_id.empty()) machine_id = read_trimmed("/var/lib/dbus/machine-id", 4096);
  if (!machine_id.empty()) g.set("machine_id", Value(machine_id));
}

}  // namespace brine::modules::grains
