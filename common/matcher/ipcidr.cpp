#include "common/matcher/ipcidr.h"

#include <arpa/inet.h>

#include <charconv>
#include <string>

namespace brine::matcher {
namespace {

// Python's IPv4Address: four decimal octets 0-255, 1-3 digits each, no
// leading zeros (since Python 3.9.5), nothing else.
std::optional<IpAddress> parse_v4(std::string_view s) {
  IpAddress a;
  a.version = 4;
  size_t pos = 0;
  for (int octet = 0; octet < 4; ++octet) {
    size_t end = s.find('.', pos);
    if (octet < 3 && end == std::string_view::npos) return std::nullopt;
    if (octet == 3) {
      if (end != std::string_view::npos) return std::nullopt;
      end = s.size();
    }
    std::string_view part = s.substr(pos, end - pos);
    if (part.empty() || part.size() > 3) return std::nullopt;
    if (part.size() > 1 && part[0] == '0') return std::nullopt;
    unsigned v = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > 255) return std::nullopt;
    a.bytes[static_cast<size_t>(octet)] = static_cast<uint8_t>(v);
    pos = end + 1;
  }
  return a;
}

std::optional<IpAddress> parse_v6(std::string_view s) {
  if (s.empty() || s.size() > 45) return std::nullopt;
  std::string z(s);
  IpAddress a;
  a.version = 6;
  if (inet_pton(AF_INET6, z.c_str(), a.bytes.data()) != 1) return std::nullopt;
  return a;
}

bool host_bits_clear(const IpAddress& a, int prefix) {
  const int bits = a.version == 4 ? 32 : 128;
  for (int i = prefix; i < bits; ++i) {
    if (a.bytes[static_cast<size_t>(i / 8)] & (0x80 >> (i % 8))) return false;
  }
  return true;
}

// Converts a dotted IPv4 netmask (255.255.0.0) or hostmask (0.0.255.255) to a
// prefix length; -1 when it is neither.
int v4_mask_to_prefix(const IpAddress& m) {
  uint32_t v = (uint32_t{m.bytes[0]} << 24) | (uint32_t{m.bytes[1]} << 16) |
               (uint32_t{m.bytes[2]} << 8) | uint32_t{m.bytes[3]};
  auto leading_ones = [](uint32_t x) {
    int n = 0;
    while (n < 32 && (x & (0x80000000u >> n))) ++n;
    return n;
  };
  int ones = leading_ones(v);
  if (ones == 32 || (v << ones) == 0) return ones;  // netmask
  uint32_t inv = ~v;
  int hones = leading_ones(inv);
  if (hones == 32 || (inv << hones) == 0) return hones;  // hostmask
  return -1;
}

}  // namespace

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  if (text.find(':') != std::string_view::npos) return parse_v6(text);
  return parse_v4(text);
}

bool IpNetwork::contains(const IpAddress& a) const {
  if (a.version != base.version) return false;
  for (int i = 0; i < prefix; ++i) {
    uint8_t mask = static_cast<uint8_t>(0x80 >> (i % 8));
    size_t byte = static_cast<size_t>(i / 8);
    if ((a.bytes[byte] & mask) != (base.bytes[byte] & mask)) return false;
  }
  return true;
}

Result<IpNetwork> parse_ip_network(std::string_view text) {
  auto bad = [&](std::string why) {
    return make_error(Errc::kInvalidArgument, "'" + std::string(text) + "' " + why);
  };
  size_t slash = text.find('/');
  std::string_view addr = text.substr(0, slash);
  auto base = parse_ip_address(addr);
  if (!base) return bad("does not appear to be an IPv4 or IPv6 network");
  const int bits = base->version == 4 ? 32 : 128;
  int prefix = bits;
  if (slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    if (p.empty()) return bad("has an empty prefix length");
    bool digits = p.find_first_not_of("0123456789") == std::string_view::npos;
    if (digits) {
      if (p.size() > 3) return bad("has an invalid prefix length");
      int v = 0;
      std::from_chars(p.data(), p.data() + p.size(), v);
      if (v > bits) return bad("has an invalid prefix length");
      prefix = v;
    } else if (base->version == 4) {
      auto mask = parse_v4(p);
      int v = mask ? v4_mask_to_prefix(*mask) : -1;
      if (v < 0) return bad("has an invalid netmask");
      prefix = v;
    } else {
      return bad("has an invalid prefix length");
    }
  }
  if (!host_bits_clear(*base, prefix)) return bad("has host bits set");
  return IpNetwork{*base, prefix};
}

Result<IpTarget> parse_ip_target(std::string_view text) {
  IpTarget t;
  if (auto a = parse_ip_address(text)) {
    t.address = *a;
    return t;
  }
  auto n = parse_ip_network(text);
  if (!n) {
    return make_error(Errc::kInvalidArgument,
                      "invalid IP/CIDR target '" + std::string(text) + "': " + n.error().message);
  }
  t.is_network = true;
  t.network = *n;
  return t;
}

bool ip_target_matches(const IpTarget& target, const Value& grains) {
  const Value* addrs = grains.find(target.version() == 4 ? "ipv4" : "ipv6");
  if (!addrs) return false;
  auto test = [&](const Value& item) {
    if (!item.is_string()) return false;
    auto a = parse_ip_address(item.as_string());
    if (!a) return false;
    return target.is_network ? target.network.contains(*a) : *a == target.address;
  };
  if (addrs->is_list()) {
    for (const auto& item : addrs->as_list()) {
      if (test(item)) return true;
    }
    return false;
  }
  // Python's `str(tgt) in "<string>"` would be a substring test; a single
  // address string is the only sensible reading.
  return test(*addrs);
}

}  // namespace brine::matcher
