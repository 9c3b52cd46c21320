#include "modules/util/netinfo.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netpacket/packet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <vector>

namespace brine::modules::net {

namespace {

std::string hex_mac(const unsigned char* a, int len) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < len; ++i) {
    if (i) out += ':';
    out += kHex[a[i] >> 4];
    out += kHex[a[i] & 15];
  }
  return out;
}

std::string ntop(int family, const void* addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family, addr, buf, sizeof buf);
  return buf;
}

int prefix_len(const uint8_t* mask, size_t n) {
  int bits = 0;
  for (size_t i = 0; i < n; ++i) bits += __builtin_popcount(mask[i]);
  return bits;
}

std::string v6_scope(const in6_addr& a) {
  if (IN6_IS_ADDR_LOOPBACK(&a)) return "host";
  if (IN6_IS_ADDR_LINKLOCAL(&a)) return "link";
  if (IN6_IS_ADDR_SITELOCAL(&a)) return "site";
  return "global";
}

// The interface a label ("eth0:1") belongs to.
std::string base_name(std::string_view label) {
  return std::string(label.substr(0, label.find(':')));
}

}  // namespace

Value interfaces() {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return Value(Map{});
  struct Iface {
    unsigned index = 0;
    Map data;
    std::vector<std::pair<uint32_t, uint32_t>> nets;  // (network, mask) of IPv4 so far
  };
  std::map<std::string, Iface> by_name;
  auto iface = [&](const std::string& name) -> Iface& {
    auto [it, inserted] = by_name.try_emplace(name);
    if (inserted) it->second.index = ::if_nametoindex(name.c_str());
    return it->second;
  };
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_name) continue;
    std::string label = a->ifa_name;
    Iface& f = iface(base_name(label));
    if (!f.data.contains("up")) f.data.set("up", Value((a->ifa_flags & IFF_UP) != 0));
    if (!a->ifa_addr) continue;
    int family = a->ifa_addr->sa_family;
    if (family == AF_PACKET) {
      f.data.set("up", Value((a->ifa_flags & IFF_UP) != 0));
      auto* ll = reinterpret_cast<sockaddr_ll*>(a->ifa_addr);
      if (ll->sll_halen > 0 && ll->sll_halen <= 8) {
        f.data.set("hwaddr", Value(hex_mac(ll->sll_addr, ll->sll_halen)));
      }
    } else if (family == AF_INET) {
      auto* in = reinterpret_cast<sockaddr_in*>(a->ifa_addr);
      uint32_t addr = ntohl(in->sin_addr.s_addr);
      uint32_t mask = 0;
      std::string netmask;
      if (a->ifa_netmask) {
        auto* m = reinterpret_cast<sockaddr_in*>(a->ifa_netmask);
        mask = ntohl(m->sin_addr.s_addr);
        netmask = ntop(AF_INET, &m->sin_addr);
      }
      Value broadcast;
      if ((a->ifa_flags & IFF_BROADCAST) && a->ifa_broadaddr) {
        auto* b = reinterpret_cast<sockaddr_in*>(a->ifa_broadaddr);
        if (b->sin_addr.s_addr != 0) broadcast = Value(ntop(AF_INET, &b->sin_addr));
      }
      bool secondary = false;
      for (auto [net, m] : f.nets) {
        if (m == mask && (addr & mask) == net) secondary = true;
      }
      f.nets.emplace_back(addr & mask, mask);
      Map entry;
      if (secondary) entry.set("type", Value("inet"));
      entry.set("address", Value(ntop(AF_INET, &in->sin_addr)));
      entry.set("netmask", Value(netmask));
      entry.set("broadcast", broadcast);
      entry.set("label", Value(label));
      f.data[secondary ? "secondary" : "inet"].push_back(Value(std::move(entry)));
    } else if (family == AF_INET6) {
      auto* in6 = reinterpret_cast<sockaddr_in6*>(a->ifa_addr);
      int plen = 128;
      if (a->ifa_netmask) {
        auto* m = reinterpret_cast<sockaddr_in6*>(a->ifa_netmask);
        plen = prefix_len(m->sin6_addr.s6_addr, 16);
      }
      Map entry;
      entry.set("address", Value(ntop(AF_INET6, &in6->sin6_addr)));
      entry.set("prefixlen", Value(std::to_string(plen)));
      entry.set("scope", Value(v6_scope(in6->sin6_addr)));
      f.data["inet6"].push_back(Value(std::move(entry)));
    }
  }
  ::freeifaddrs(list);
  std::vector<std::pair<unsigned, std::string>> order;
  for (const auto& [name, f] : by_name) order.emplace_back(f.index, name);
  std::sort(order.begin(), order.end());
  Map out;
  for (const auto& [idx, name] : order) out.set(name, Value(std::move(by_name[name].data)));
  return Value(std::move(out));
}

bool Address::operator<(const Address& o) const {
  if (family != o.family) return family < o.family;
  return bytes < o.bytes;
}

std::optional<Address> parse_address(std::string_view text) {
  std::string s(text);
  if (auto pct = s.find('%'); pct != std::string::npos) s.resize(pct);  // fe80::1%eth0
  Address a;
  in_addr v4{};
  in6_addr v6{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    a.family = AF_INET;
    std::memcpy(a.bytes.data(), &v4, 4);
    return a;
  }
  if (::inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    a.family = AF_INET6;
    std::memcpy(a.bytes.data(), &v6, 16);
    return a;
  }
  return std::nullopt;
}

namespace {

bool in_net(const Address& a, const Address& net, int prefix) {
  if (a.family != net.family) return false;
  int total = a.family == AF_INET ? 32 : 128;
  if (prefix < 0 || prefix > total) return false;
  for (int bit = 0; bit < prefix; ++bit) {
    int byte = bit / 8, shift = 7 - bit % 8;
    if (((a.bytes[byte] >> shift) & 1) != ((net.bytes[byte] >> shift) & 1)) return false;
  }
  return true;
}

bool in_cidr(const Address& a, std::string_view cidr) {
  auto slash = cidr.find('/');
  auto net = parse_address(cidr.substr(0, slash));
  if (!net) return false;
  int prefix = net->family == AF_INET ? 32 : 128;
  if (slash != std::string_view::npos) {
    std::string p(cidr.substr(slash + 1));
    if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos || p.size() > 3) {
      return false;
    }
    prefix = std::stoi(p);
  }
  return in_net(a, *net, prefix);
}

}  // namespace

bool is_loopback(const Address& a) {
  return a.family == AF_INET ? a.bytes[0] == 127 : in_cidr(a, "::1/128");
}

bool is_private(const Address& a) {
  // Python's ipaddress private networks (3.10).
  static constexpr std::string_view kV4[] = {
      "0.0.0.0/8",       "10.0.0.0/8",     "127.0.0.0/8",  "169.254.0.0/16",    "172.16.0.0/12",
      "192.0.0.0/29",    "192.0.0.170/31", "192.0.2.0/24", "192.168.0.0/16",    "198.18.0.0/15",
      "198.51.100.0/24", "203.0.113.0/24", "240.0.0.0/4",  "255.255.255.255/32"};
  static constexpr std::string_view kV6[] = {
      "::1/128",     "::/128",        "::ffff:0:0/96", "100::/64", "2001::/23",
      "2001:2::/48", "2001:db8::/32", "2001:10::/28",  "fc00::/7", "fe80::/10"};
  if (a.family == AF_INET) {
    for (auto n : kV4) {
      if (in_cidr(a, n)) return true;
    }
    return false;
  }
  for (auto n : kV6) {
    if (in_cidr(a, n)) return true;
  }
  return false;
}

bool in_subnet(std::string_view cidr, const Address& addr) { return in_cidr(addr, cidr); }

namespace {

List collect(const Value& ifaces, std::string_view interface, bool include_loopback,
             const char* proto) {
  std::set<Address> found;
  std::map<Address, std::string> text;
  if (!ifaces.is_map()) return {};
  for (const auto& [name, info] : ifaces.as_map()) {
    if (!interface.empty() && name != interface) continue;
    auto take = [&](const Value* list, bool check_type) {
      if (!list || !list->is_list()) return;
      for (const Value& entry : list->as_list()) {
        if (check_type && entry.get_string("type") != proto) continue;
        std::string s = entry.get_string("address");
        auto a = parse_address(s);
        if (!a || (is_loopback(*a) && !include_loopback)) continue;
        if (found.insert(*a).second) text[*a] = s;
      }
    };
    take(info.find(proto), false);
    take(info.find("secondary"), true);
  }
  List out;
  for (const Address& a : found) out.emplace_back(text[a]);
  return out;
}

}  // namespace

List ip_addrs(const Value& ifaces, std::string_view interface, bool include_loopback) {
  return collect(ifaces, interface, include_loopback, "inet");
}

List ip_addrs6(const Value& ifaces, std::string_view interface, bool include_loopback) {
  return collect(ifaces, interface, include_loopback, "inet6");
}

std::string fqdn() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) return "localhost";
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_TCP;
  hints.ai_flags = AI_CANONNAME;
  addrinfo* res = nullptr;
  std::string out;
  if (::getaddrinfo(host, nullptr, &hints, &res) == 0) {
    for (addrinfo* r = res; r; r = r->ai_next) {
      if (r->ai_canonname && *r->ai_canonname) {
        out = r->ai_canonname;
        break;
      }
    }
    ::freeaddrinfo(res);
  }
  return out.empty() ? std::string(host) : out;
}

List resolve(const std::string& name, int family) {
  addrinfo hints{};
  hints.ai_family = family;
  addrinfo* res = nullptr;
  List out;
  if (::getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0) return out;
  std::set<std::string> seen;
  for (addrinfo* r = res; r; r = r->ai_next) {
    std::string s;
    if (r->ai_family == AF_INET) {
      s = ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(r->ai_addr)->sin_addr);
    } else if (r->ai_family == AF_INET6) {
      s = ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(r->ai_addr)->sin6_addr);
    }
    if (!s.empty() && seen.insert(s).second) out.emplace_back(s);
  }
  ::freeaddrinfo(res);
  return out;
}

}  // namespace brine::modules::net
