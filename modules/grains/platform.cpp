// Hardware, virtualisation, init system and systemd grains (the parts of
// Salt's core.py that read DMI, CPUID, /proc/1 and systemd), natively.
#include "modules/grains/platform.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include <algorithm>
#include <cctype>
#include <cstring>

#include "modules/util/process.h"
#include "modules/util/text.h"

namespace brine::modules::grains {

namespace {

using text::read_trimmed;

void add_hardware(Map& g) {
  if (!text::is_directory("/sys/class/dmi/id")) return;
  static constexpr std::pair<const char*, const char*> kFiles[] = {
      {"biosversion", "bios_version"}, {"biosvendor", "bios_vendor"},
      {"boardname", "board_name"},     {"productname", "product_name"},
      {"manufacturer", "sys_vendor"},  {"biosreleasedate", "bios_date"},
      {"uuid", "product_uuid"},        {"serialnumber", "product_serial"}};
  for (const auto& [key, file] : kFiles) {
    auto r = text::read_file(std::string("/sys/class/dmi/id/") + file, 4096);
    if (!r) continue;  // missing, or not readable by this user
    std::string v = text::sanitize_utf8(std::string(text::strip(*r)));
    if (std::string_view(key) == "uuid") v = text::ascii_lower(v);
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
      std::string vendor_id = text::ascii_lower(read_trimmed(base + "/vendor", 64));
      std::string device_id = text::ascii_lower(read_trimmed(base + "/device", 64));
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
  if (text::is_directory("/proc/vz")) {
    if (text::path_exists("/proc/vz/version"))
      virt = "openvzhn";
    else if (text::path_exists("/proc/vz/veinfo"))
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
  if (text::is_directory("/proc/sys/xen") || text::is_directory("/sys/bus/xen") ||
      text::is_directory("/proc/xen")) {
    if (text::path_exists("/proc/xen/xsd_kva")) {
      subtype = "Xen Dom0";
    } else if (g.find("productname") && g.find("productname")->as_string() == "HVM domU") {
      subtype = "Xen HVM DomU";
    } else if (auto caps = text::read_file("/proc/xen/capabilities", 4096)) {
      subtype = caps->find("control_d") == std::string::npos ? "Xen PV DomU" : "Xen Dom0";
    } else if (text::is_directory("/sys/bus/xen/drivers/xenconsole")) {
      subtype = "Xen PV DomU";
    }
    if (text::ascii_lower(subtype).find("dom") != std::string::npos) virt = "xen";
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

std::string init_system() {
  if (text::path_exists("/run/systemd/system")) return "systemd";
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
      std::string l = text::ascii_lower(*bin);
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

}  // namespace

void add_platform_grains(Map& g, const Value& opts) {
  add_systemd(g);
  g.set("init", Value(init_system()));
  if (opts.get_bool("enable_gpu_grains", true) && opts.get_bool("enable_lspci", true)) {
    add_gpus(g);
  } else {
    g.set("num_gpus", Value(0));
    g.set("gpus", Value(List{}));
  }
  add_hardware(g);
}

void add_virtual_grains(Map& g) { add_virtual(g); }

}  // namespace brine::modules::grains
