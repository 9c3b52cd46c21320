// Hostname, address, interface, gateway and DNS grains.
#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "modules/grains/gather.h"
#include "modules/util/netinfo.h"
#include "modules/util/text.h"

namespace brine::modules::grains {

namespace {

List addresses_of(const Value& iface, const char* proto, bool with_secondary, bool typed) {
  List out;
  if (const Value* list = iface.find(proto); list && list->is_list()) {
    for (const Value& e : list->as_list()) out.emplace_back(e.get_string("address"));
  }
  if (with_secondary) {
    if (const Value* list = iface.find("secondary"); list && list->is_list()) {
      for (const Value& e : list->as_list()) {
        if (!typed || e.get_string("type") == proto) out.emplace_back(e.get_string("address"));
      }
    }
  }
  return out;
}

// /proc/net/route and /proc/net/ipv6_route instead of `ip route show`:
// the gateway address, True for a default route without one, else False.
Value default_gateway_v4() {
  auto text = text::read_file("/proc/net/route", 1 << 20);
  if (!text) return Value(false);
  for (auto line : text::splitlines(*text)) {
    auto cols = text::split_ws(line);
    if (cols.size() < 8 || cols[1] != "00000000" || cols[7] != "00000000") continue;
    uint32_t gw = static_cast<uint32_t>(std::strtoul(std::string(cols[2]).c_str(), nullptr, 16));
    if (gw == 0) return Value(true);
    in_addr a{};
    a.s_addr = gw;  // already in network byte order as the kernel prints it
    char buf[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &a, buf, sizeof buf);
    return Value(std::string(buf));
  }
  return Value(false);
}

Value default_gateway_v6() {
  auto text = text::read_file("/proc/net/ipv6_route", 4 << 20);
  if (!text) return Value(false);
  for (auto line : text::splitlines(*text)) {
    auto cols = text::split_ws(line);
    if (cols.size() < 10) continue;
    if (cols[0] != "00000000000000000000000000000000" || cols[1] != "00") continue;
    if (cols[9] == "lo") continue;  // unreachable default routes live on lo
    std::string_view hop = cols[4];
    if (hop == "00000000000000000000000000000000") return Value(true);
    in6_addr a{};
    for (int i = 0; i < 16 && hop.size() == 32; ++i) {
      a.s6_addr[i] = static_cast<uint8_t>(std::strtoul(
          std::string(hop.substr(static_cast<size_t>(i) * 2, 2)).c_str(), nullptr, 16));
    }
    char buf[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET6, &a, buf, sizeof buf);
    return Value(std::string(buf));
  }
  return Value(false);
}

// Salt's salt.utils.dns.parse_resolv.
Value parse_resolv(const std::string& path) {
  auto text = text::read_file(path, 1 << 20);
  if (!text) return Value(Map{});
  List nameservers, ip4, ip6, search, sortlist, options;
  std::string domain;
  auto push_unique = [](List& l, const std::string& s) {
    if (std::find(l.begin(), l.end(), Value(s)) == l.end()) l.emplace_back(s);
  };
  for (auto line : text::splitlines(*text)) {
    auto words = text::split_ws(line);
    if (words.empty()) continue;
    std::string directive(words[0]);
    for (char& c : directive) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::vector<std::string> args;
    for (size_t i = 1; i < words.size(); ++i) {
      if (words[i][0] == '#' || words[i][0] == ';') break;
      args.emplace_back(words[i]);
    }
    if (args.empty()) continue;
    if (directive == "nameserver") {
      auto a = net::parse_address(args[0]);
      if (!a) continue;
      char buf[INET6_ADDRSTRLEN] = {};
      ::inet_ntop(a->family, a->bytes.data(), buf, sizeof buf);
      push_unique(nameservers, buf);
      push_unique(a->family == AF_INET ? ip4 : ip6, buf);
    } else if (directive == "domain") {
      domain = args[0];
    } else if (directive == "search") {
      search.clear();
      for (auto& s : args) search.emplace_back(s);
    } else if (directive == "sortlist") {
      for (auto& s : args) push_unique(sortlist, s);
    } else if (directive == "options") {
      push_unique(options, args[0]);
    }
  }
  Map out;
  out.set("nameservers", Value(std::move(nameservers)));
  out.set("ip4_nameservers", Value(std::move(ip4)));
  out.set("ip6_nameservers", Value(std::move(ip6)));
  out.set("sortlist", Value(std::move(sortlist)));
  out.set("domain", Value(domain));
  out.set("search", Value(std::move(search)));
  out.set("options", Value(std::move(options)));
  return Value(std::move(out));
}

List reverse_names(const List& addrs) {
  std::vector<std::string> names;
  for (const Value& a : addrs) {
    auto addr = net::parse_address(a.as_string());
    if (!addr || net::is_loopback(*addr)) continue;
    sockaddr_storage ss{};
    socklen_t len = 0;
    if (addr->family == AF_INET) {
      auto* in = reinterpret_cast<sockaddr_in*>(&ss);
      in->sin_family = AF_INET;
      std::memcpy(&in->sin_addr, addr->bytes.data(), 4);
      len = sizeof(sockaddr_in);
    } else {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
      in6->sin6_family = AF_INET6;
      std::memcpy(&in6->sin6_addr, addr->bytes.data(), 16);
      len = sizeof(sockaddr_in6);
    }
    char host[NI_MAXHOST] = {};
    if (::getnameinfo(reinterpret_cast<sockaddr*>(&ss), len, host, sizeof host, nullptr, 0,
                      NI_NAMEREQD) == 0) {
      names.emplace_back(host);
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  List out;
  for (auto& n : names) out.emplace_back(n);
  return out;
}

}  // namespace

void add_network_grains(Map& g, const Value& opts) {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  g.set("localhost", Value(std::string(host)));
  std::string fqdn = net::fqdn();
  g.set("fqdn", Value(fqdn));
  auto dot = fqdn.find('.');
  g.set("host", Value(fqdn.substr(0, dot)));
  g.set("domain", Value(dot == std::string::npos ? std::string() : fqdn.substr(dot + 1)));

  Value ifaces = net::interfaces();
  List v4 = net::ip_addrs(ifaces, "", true);
  List v6 = net::ip_addrs6(ifaces, "", true);
  g.set("ipv4", Value(v4));
  g.set("ipv6", Value(v6));
  g.set("fqdn_ip4", Value(v4.empty() ? List{} : net::resolve(fqdn, AF_INET)));
  g.set("fqdn_ip6", Value(v6.empty() ? List{} : net::resolve(fqdn, AF_INET6)));
  if (opts.get_bool("enable_fqdns_grains", false)) {
    List all = v4;
    all.insert(all.end(), v6.begin(), v6.end());
    g.set("fqdns", Value(reverse_names(all)));
  } else {
    g.set("fqdns", Value(List{}));
  }

  Map ip_if, ip4_if, ip6_if, hw;
  for (const auto& [name, info] : ifaces.as_map()) {
    List both = addresses_of(info, "inet", false, false);
    for (Value& a : addresses_of(info, "inet6", false, false)) both.push_back(std::move(a));
    for (Value& a : addresses_of(info, "secondary", false, false)) both.push_back(std::move(a));
    ip_if.set(name, Value(std::move(both)));
    ip4_if.set(name, Value(addresses_of(info, "inet", true, true)));
    ip6_if.set(name, Value(addresses_of(info, "inet6", true, true)));
    if (const Value* mac = info.find("hwaddr")) hw.set(name, *mac);
  }
  g.set("ip_interfaces", Value(std::move(ip_if)));
  g.set("ip4_interfaces", Value(std::move(ip4_if)));
  g.set("ip6_interfaces", Value(std::move(ip6_if)));
  g.set("hwaddr_interfaces", Value(std::move(hw)));

  Value gw4 = default_gateway_v4(), gw6 = default_gateway_v6();
  g.set("ip_gw", Value(gw4.truthy() || gw6.truthy()));
  g.set("ip4_gw", gw4);
  g.set("ip6_gw", gw6);

  Value dns = parse_resolv(::access("/run/systemd/resolve/resolv.conf", R_OK) == 0
                               ? "/run/systemd/resolve/resolv.conf"
                               : "/etc/resolv.conf");
  if (dns.is_map() && !dns.as_map().empty()) g.set("dns", dns);
}

}  // namespace brine::modules::grains
