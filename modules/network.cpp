// network: interface and address information (Salt's salt/modules/network.py),
// read natively through modules/util/netinfo.
#include <arpa/inet.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "modules/binding.h"
#include "modules/builtin.h"
#include "modules/util/netinfo.h"
#include "modules/util/process.h"

namespace brine::modules::network {

namespace {

Result<Value> interfaces(Call&) { return net::interfaces(); }

List filter_addrs(List addrs, Call& c) {
  if (c.has("cidr")) {
    std::string cidr = c.str("cidr");
    List out;
    for (const Value& a : addrs) {
      auto addr = net::parse_address(a.as_string());
      if (addr && net::in_subnet(cidr, *addr)) out.push_back(a);
    }
    return out;
  }
  std::string type = c.str("type");
  if (type != "public" && type != "private") return addrs;
  List out;
  for (const Value& a : addrs) {
    auto addr = net::parse_address(a.as_string());
    if (addr && net::is_private(*addr) == (type == "private")) out.push_back(a);
  }
  return out;
}

Result<Value> ip_addrs(Call& c) {
  Value ifaces = net::interfaces();
  std::string iface = c.str("interface");
  if (!iface.empty() && !ifaces.find(iface)) c.ctx.logger().error("Interface {} not found.", iface);
  return Value(filter_addrs(net::ip_addrs(ifaces, iface, c.flag("include_loopback")), c));
}

Result<Value> ip_addrs6(Call& c) {
  Value ifaces = net::interfaces();
  std::string iface = c.str("interface");
  if (!iface.empty() && !ifaces.find(iface)) c.ctx.logger().error("Interface {} not found.", iface);
  List addrs = net::ip_addrs6(ifaces, iface, c.flag("include_loopback"));
  if (c.has("cidr")) return Value(filter_addrs(std::move(addrs), c));
  return Value(std::move(addrs));
}

Result<Value> get_hostname(Call&) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return Value(std::string(host));
}

Result<Value> get_fqdn(Call&) { return Value(net::fqdn()); }

// Salt's _get_iface_info error text.
std::optional<std::string> missing_iface(const Value& ifaces, const std::string& iface) {
  if (ifaces.find(iface)) return std::nullopt;
  std::string names;
  for (const auto& [name, v] : ifaces.as_map()) names += (names.empty() ? "" : "\", \"") + name;
  return "Interface \"" + iface + "\" not in available interfaces: \"" + names + "\"";
}

Result<Value> hw_addr(Call& c) {
  Value ifaces = net::interfaces();
  std::string iface = c.str("iface");
  if (auto err = missing_iface(ifaces, iface)) return Value(*err);
  return Value(ifaces.find(iface)->get_string("hwaddr"));
}

Result<Value> interface(Call& c) {
  Value ifaces = net::interfaces();
  std::string iface = c.str("iface");
  if (auto err = missing_iface(ifaces, iface)) return Value(*err);
  const Value* inet = ifaces.find(iface)->find("inet");
  return inet ? *inet : Value("");
}

Result<Value> interface_ip(Call& c) {
  Value ifaces = net::interfaces();
  std::string iface = c.str("iface");
  if (auto err = missing_iface(ifaces, iface)) return Value(*err);
  const Value* inet = ifaces.find(iface)->find("inet");
  if (!inet || !inet->is_list() || inet->as_list().empty()) return Value("");
  return Value(inet->as_list()[0].get_string("address"));
}

std::string network_of(const std::string& address, const std::string& mask_or_prefix, bool v6) {
  auto a = net::parse_address(address);
  if (!a) return {};
  int prefix = 0;
  if (v6) {
    prefix = std::atoi(mask_or_prefix.c_str());
  } else {
    auto m = net::parse_address(mask_or_prefix);
    if (!m) return {};
    for (int i = 0; i < 4; ++i) prefix += __builtin_popcount(m->bytes[static_cast<size_t>(i)]);
  }
  int total = v6 ? 128 : 32;
  prefix = std::clamp(prefix, 0, total);
  for (int bit = prefix; bit < total; ++bit) {
    a->bytes[static_cast<size_t>(bit / 8)] &= static_cast<uint8_t>(~(1u << (7 - bit % 8)));
  }
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(a->family, a->bytes.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(prefix);
}

Value subnets_for(const Value& ifaces, const Value& only, bool v6) {
  const char* proto = v6 ? "inet6" : "inet";
  const char* key = v6 ? "prefixlen" : "netmask";
  std::set<net::Address> seen;
  std::vector<std::pair<net::Address, std::string>> nets;
  for (const auto& [name, info] : ifaces.as_map()) {
    if (only.is_string() && name != only.as_string()) continue;
    if (only.is_list() && std::find(only.as_list().begin(), only.as_list().end(), Value(name)) ==
                              only.as_list().end()) {
      continue;
    }
    List addrs;
    if (const Value* l = info.find(proto); l && l->is_list()) addrs = l->as_list();
    if (const Value* l = info.find("secondary"); l && l->is_list()) {
      for (const Value& e : l->as_list()) {
        if (e.get_string("type") == proto) addrs.push_back(e);
      }
    }
    for (const Value& e : addrs) {
      auto a = net::parse_address(e.get_string("address"));
      if (!a || net::is_loopback(*a)) continue;
      std::string n = network_of(e.get_string("address"), e.get_string(key), v6);
      auto parsed = net::parse_address(n.substr(0, n.find('/')));
      if (n.empty() || !parsed) continue;
      if (std::none_of(nets.begin(), nets.end(), [&](auto& p) { return p.second == n; })) {
        nets.emplace_back(*parsed, n);
      }
    }
  }
  std::sort(nets.begin(), nets.end(), [](auto& x, auto& y) {
    return x.first == y.first ? x.second < y.second : x.first < y.first;
  });
  List out;
  for (auto& [a, n] : nets) out.emplace_back(n);
  return Value(std::move(out));
}

Result<Value> subnets(Call& c) {
  return subnets_for(net::interfaces(), c.get("interfaces"), false);
}
Result<Value> subnets6(Call&) { return subnets_for(net::interfaces(), Value(), true); }

Result<Value> in_subnet(Call& c) {
  std::string cidr = c.str("cidr");
  auto slash = cidr.find('/');
  if (!net::parse_address(cidr.substr(0, slash))) {
    c.ctx.logger().error("Invalid CIDR '{}'", cidr);
    return Value(false);
  }
  Value ifaces = net::interfaces();
  List all = net::ip_addrs(ifaces, "", false);
  for (Value& a : net::ip_addrs6(ifaces, "", false)) all.push_back(std::move(a));
  for (const Value& a : all) {
    auto addr = net::parse_address(a.as_string());
    if (addr && net::in_subnet(cidr, *addr)) return Value(true);
  }
  return Value(false);
}

Result<Value> ping(Call& c) {
  if (process::which("ping", process::default_path()).empty()) {
    return command_not_found("The 'ping' binary was not found in $PATH.");
  }
  std::string host;
  for (char ch : c.str("host").substr(0, 255)) {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' || ch == '_') {
      host += ch;
    }
  }
  List argv{Value("ping")};
  const Value& timeout = c.get("timeout");
  if (timeout.truthy()) {
    argv.emplace_back("-W");
    argv.emplace_back(coerce_to_str(timeout));
  }
  argv.emplace_back("-c");
  argv.emplace_back("4");
  argv.emplace_back(host);
  if (c.flag("return_boolean")) {
    auto r = c.ctx.registry.call("cmd.run_all", List{Value(std::move(argv))}, Map{}, c.ctx);
    if (!r) return r;
    return Value(r->get_int("retcode") == 0);
  }
  return c.ctx.registry.call("cmd.run", List{Value(std::move(argv))}, Map{}, c.ctx);
}

constexpr Param kAddrs[] = {{"interface", "None", Type::kString},
                            {"include_loopback", "False", Type::kBool},
                            {"cidr", "None", Type::kString},
                            {"type", "None", Type::kString}};
constexpr Param kAddrs6[] = {{"interface", "None", Type::kString},
                             {"include_loopback", "False", Type::kBool},
                             {"cidr", "None", Type::kString}};
constexpr Param kIface[] = {{"iface", {}, Type::kString}};
constexpr Param kSubnets[] = {{"interfaces", "None"}};
constexpr Param kCidr[] = {{"cidr", {}, Type::kString}};
constexpr Param kPing[] = {
    {"host", {}, Type::kString}, {"timeout", "False"}, {"return_boolean", "False", Type::kBool}};

constexpr FunctionSpec kFunctions[] = {
    {"get_fqdn", get_fqdn, "Fully qualified domain name",
     R"(Get fully qualified domain name

CLI Example:

.. code-block:: bash

    salt '*' network.get_fqdn
)"},
    {"get_hostname", get_hostname, "The hostname",
     R"(Get hostname

CLI Example:

.. code-block:: bash

    salt '*' network.get_hostname
)"},
    {"hw_addr", hw_addr, "MAC address of an interface",
     R"(Return the hardware address (a.k.a. MAC address) for a given interface

CLI Example:

.. code-block:: bash

    salt '*' network.hw_addr eth0
)",
     kIface},
    {"in_subnet", in_subnet, "Whether the host has an address in a CIDR",
     R"(Returns True if host is within specified subnet, otherwise False.

CLI Example:

.. code-block:: bash

    salt '*' network.in_subnet 10.0.0.0/16
)",
     kCidr},
    {"interface", interface, "IPv4 addresses of an interface",
     R"(Return the inet address for a given interface

CLI Example:

.. code-block:: bash

    salt '*' network.interface eth0
)",
     kIface},
    {"interface_ip", interface_ip, "First IPv4 address of an interface",
     R"(Return the inet address for a given interface

CLI Example:

.. code-block:: bash

    salt '*' network.interface_ip eth0
)",
     kIface},
    {"interfaces", interfaces, "All interfaces with their addresses",
     R"(Return a dictionary of information about all the interfaces on the minion

CLI Example:

.. code-block:: bash

    salt '*' network.interfaces
)"},
    {"ip_addrs", ip_addrs, "IPv4 addresses of the host",
     R"(Returns a list of IPv4 addresses assigned to the host. 127.0.0.1 is
ignored, unless 'include_loopback=True' is indicated. If 'interface' is
provided, then only IP addresses from that interface will be returned.
Providing a CIDR via 'cidr="10.0.0.0/8"' will return only the addresses
which are within that subnet. If 'type' is 'public', then only public
addresses will be returned. Ditto for 'type'='private'.

CLI Example:

.. code-block:: bash

    salt '*' network.ip_addrs
)",
     kAddrs},
    {"ip_addrs6", ip_addrs6, "IPv6 addresses of the host",
     R"(Returns a list of IPv6 addresses assigned to the host. ::1 is ignored,
unless 'include_loopback=True' is indicated. If 'interface' is provided,
then only IP addresses from that interface will be returned.
Providing a CIDR via 'cidr="2000::/3"' will return only the addresses
which are within that subnet.

CLI Example:

.. code-block:: bash

    salt '*' network.ip_addrs6
)",
     kAddrs6},
    {"ping", ping, "Ping a host (ping -c 4)",
     R"(Performs an ICMP ping to a host

return_boolean:
    Return a boolean instead of the output of ping.

timeout:
    Seconds ping waits for a response (``ping -W``).

CLI Example:

.. code-block:: bash

    salt '*' network.ping archlinux.org
    salt '*' network.ping archlinux.org return_boolean=True timeout=3
)",
     kPing},
    {"subnets", subnets, "IPv4 subnets the host is in",
     R"(Returns a list of IPv4 subnets to which the host belongs

CLI Example:

.. code-block:: bash

    salt '*' network.subnets
    salt '*' network.subnets interfaces=eth1
)",
     kSubnets},
    {"subnets6", subnets6, "IPv6 subnets the host is in",
     R"(Returns a list of IPv6 subnets to which the host belongs

CLI Example:

.. code-block:: bash

    salt '*' network.subnets6
)"},
};

}  // namespace

const ModuleSpec kModule{"network", always_available, kFunctions};

}  // namespace brine::modules::network
