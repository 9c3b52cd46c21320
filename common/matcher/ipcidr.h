// IP address / network parsing and membership for `-S` / `S@` targets,
// following Python's ipaddress module as Salt uses it.
//
// A target is parsed as an address first (ipaddress.ip_address), then as a
// network (ipaddress.ip_network, strict: host bits set is an error). IPv4 is
// strict dotted-quad (no leading zeros, no shorthand); IPv6 is RFC 4291 text
// (inet_pton). Networks accept `/prefixlen`, and for IPv4 also a dotted
// netmask (`/255.0.0.0`) or hostmask (`/0.255.255.255`). A bare address as a
// network is /32 or /128.
//
// Thread-safety: pure values and functions.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/result.h"
#include "common/values/value.h"

namespace brine::matcher {

struct IpAddress {
  int version = 4;                  // 4 or 6
  std::array<uint8_t, 16> bytes{};  // v4 uses the first 4
  bool operator==(const IpAddress& o) const { return version == o.version && bytes == o.bytes; }
};

struct IpNetwork {
  IpAddress base;
  int prefix = 32;
  bool contains(const IpAddress& a) const;
};

std::optional<IpAddress> parse_ip_address(std::string_view text);
// Error text follows Python's ValueError messages in spirit
// ("'10.1.2.3/8' has host bits set").
Result<IpNetwork> parse_ip_network(std::string_view text);

// A parsed `-S` target: either one address or a network.
struct IpTarget {
  bool is_network = false;
  IpAddress address;
  IpNetwork network;
  int version() const { return is_network ? network.base.version : address.version; }
};

// Error (kInvalidArgument): "invalid IP/CIDR target 'x'".
Result<IpTarget> parse_ip_target(std::string_view text);

// Salt's ipcidr_match against a grains value: the `ipv4` or `ipv6` grain
// (by the target's version) must be a list; an address target matches when an
// equal address is in it, a network when any member lies inside. Unparseable
// members are skipped.
bool ip_target_matches(const IpTarget& target, const Value& grains);

}  // namespace brine::matcher
