// Network interface data read natively (getifaddrs), in the shapes Salt's
// salt.utils.network produces from `ip addr show`:
//
//   {"eth0": {"up": true, "hwaddr": "52:54:00:12:34:56",
//             "inet": [{"address": "10.0.0.5", "netmask": "255.255.255.0",
//                       "broadcast": "10.0.0.255", "label": "eth0"}],
//             "inet6": [{"address": "fe80::1", "prefixlen": "64", "scope": "link"}],
//             "secondary": [{"type": "inet", "address", "netmask", "broadcast", "label"}]}}
//
// An IPv4 address is "secondary" when an earlier address of the same
// interface covers the same subnet (the kernel's rule). Interfaces appear in
// interface-index order.
//
// Thread-safety: pure functions (each call reads the kernel afresh).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/values/value.h"

namespace brine::modules::net {

Value interfaces();

// Salt's ip_addrs / ip_addrs6 over interfaces(): addresses (secondary ones
// too) of one interface or all, without loopback unless asked, deduplicated
// and sorted numerically.
List ip_addrs(const Value& ifaces, std::string_view interface, bool include_loopback);
List ip_addrs6(const Value& ifaces, std::string_view interface, bool include_loopback);

// A parsed IPv4 or IPv6 address.
struct Address {
  int family = 0;  // AF_INET or AF_INET6
  std::array<uint8_t, 16> bytes{};
  bool operator<(const Address& o) const;
  bool operator==(const Address& o) const = default;
};
std::optional<Address> parse_address(std::string_view text);
// Python's ipaddress is_private / is_loopback.
bool is_private(const Address& a);
bool is_loopback(const Address& a);
// "10.0.0.0/8" contains `addr`; false for a bad network.
bool in_subnet(std::string_view cidr, const Address& addr);

// The host's canonical name: getaddrinfo(gethostname(), AI_CANONNAME), else
// the hostname (Salt's get_fqhostname).
std::string fqdn();
// Addresses `name` resolves to for one family, deduplicated.
List resolve(const std::string& name, int family);

}  // namespace brine::modules::net
