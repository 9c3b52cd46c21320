#include "common/template/ip.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace brine::jinja::ip {
namespace {

bool parse_v4(std::string_view s, uint32_t* out) {
  uint32_t v = 0;
  int parts = 0;
  size_t i = 0;
  while (true) {
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    size_t len = i - start;
    if (len == 0 || len > 3) return false;
    if (len > 1 && s[start] == '0') return false;  // leading zeros
    uint32_t octet = 0;
    for (size_t k = start; k < i; ++k) octet = octet * 10 + static_cast<uint32_t>(s[k] - '0');
    if (octet > 255) return false;
    v = (v << 8) | octet;
    ++parts;
    if (parts == 4) break;
    if (i >= s.size() || s[i] != '.') return false;
    ++i;
  }
  if (i != s.size()) return false;
  *out = v;
  return true;
}

using V6 = std::array<uint16_t, 8>;

bool parse_v6(std::string_view s, V6* out) {
  size_t pct = s.find('%');
  if (pct != std::string_view::npos) {
    if (pct + 1 >= s.size() || s.find('/', pct) != std::string_view::npos) return false;
    s = s.substr(0, pct);
  }
  if (s.size() < 2) return false;
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ':') {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  // An embedded IPv4 address replaces the last two groups.
  std::vector<uint16_t> tail_v4;
  if (!parts.empty() && parts.back().find('.') != std::string_view::npos) {
    uint32_t v4;
    if (!parse_v4(parts.back(), &v4)) return false;
    parts.pop_back();
    parts.push_back("0");
    parts.push_back("0");
    tail_v4 = {static_cast<uint16_t>(v4 >> 16), static_cast<uint16_t>(v4 & 0xFFFF)};
  }
  if (parts.size() < 3) return false;
  if (parts.size() > 9) return false;
  int skip = -1;
  for (size_t i = 1; i + 1 < parts.size(); ++i) {
    if (parts[i].empty()) {
      if (skip >= 0) return false;
      skip = static_cast<int>(i);
    }
  }
  size_t lo = 0, hi = parts.size();
  if (skip >= 0) {
    if (parts.front().empty() && skip != 1) return false;
    if (parts.back().empty() && static_cast<size_t>(skip) != parts.size() - 2) return false;
    if (parts.front().empty()) lo = 1;
    if (parts.back().empty()) hi = parts.size() - 1;
  } else {
    if (parts.size() != 8) return false;
    if (parts.front().empty() || parts.back().empty()) return false;
  }
  std::vector<uint16_t> head, tail;
  auto hex = [](std::string_view g, uint16_t* v) {
    if (g.empty() || g.size() > 4) return false;
    uint32_t x = 0;
    for (char c : g) {
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0) return false;
      x = x * 16 + static_cast<uint32_t>(d);
    }
    *v = static_cast<uint16_t>(x);
    return true;
  };
  std::vector<uint16_t>* dst = &head;
  for (size_t i = lo; i < hi; ++i) {
    if (static_cast<int>(i) == skip) {
      dst = &tail;
      continue;
    }
    uint16_t g;
    if (!hex(parts[i], &g)) return false;
    dst->push_back(g);
  }
  if (skip >= 0) {
    if (head.size() + tail.size() > 7) return false;
  } else if (head.size() != 8) {
    return false;
  }
  V6 v{};
  for (size_t i = 0; i < head.size(); ++i) v[i] = head[i];
  for (size_t i = 0; i < tail.size(); ++i) v[8 - tail.size() + i] = tail[i];
  if (!tail_v4.empty()) {
    v[6] = tail_v4[0];
    v[7] = tail_v4[1];
  }
  *out = v;
  return true;
}

bool in4(uint32_t a, uint32_t net, int bits) {
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

constexpr uint32_t ip4(int a, int b, int c, int d) {
  return (static_cast<uint32_t>(a) << 24) | (static_cast<uint32_t>(b) << 16) |
         (static_cast<uint32_t>(c) << 8) | static_cast<uint32_t>(d);
}

bool in6(const V6& a, const V6& net, int bits) {
  for (int i = 0; i < 8 && bits > 0; ++i, bits -= 16) {
    uint16_t mask = bits >= 16 ? 0xFFFF : static_cast<uint16_t>(0xFFFF << (16 - bits));
    if ((a[static_cast<size_t>(i)] & mask) != (net[static_cast<size_t>(i)] & mask)) return false;
  }
  return true;
}

struct Props {
  bool loopback, priv, link_local, multicast, reserved, site_local, unspecified;
};

Props props4(uint32_t a) {
  Props p{};
  p.loopback = in4(a, ip4(127, 0, 0, 0), 8);
  p.link_local = in4(a, ip4(169, 254, 0, 0), 16);
  p.multicast = in4(a, ip4(224, 0, 0, 0), 4);
  p.reserved = in4(a, ip4(240, 0, 0, 0), 4);
  p.unspecified = a == 0;
  static const std::pair<uint32_t, int> kPrivate[] = {
      {ip4(0, 0, 0, 0), 8},      {ip4(10, 0, 0, 0), 8},        {ip4(127, 0, 0, 0), 8},
      {ip4(169, 254, 0, 0), 16}, {ip4(172, 16, 0, 0), 12},     {ip4(192, 0, 0, 0), 29},
      {ip4(192, 0, 0, 170), 31}, {ip4(192, 0, 2, 0), 24},      {ip4(192, 168, 0, 0), 16},
      {ip4(198, 18, 0, 0), 15},  {ip4(198, 51, 100, 0), 24},   {ip4(203, 0, 113, 0), 24},
      {ip4(240, 0, 0, 0), 4},    {ip4(255, 255, 255, 255), 32}};
  for (const auto& [net, bits] : kPrivate) {
    if (in4(a, net, bits)) p.priv = true;
  }
  return p;
}

Props props6(const V6& a) {
  Props p{};
  V6 zero{};
  V6 one{};
  one[7] = 1;
  p.loopback = a == one;
  p.unspecified = a == zero;
  p.multicast = (a[0] & 0xFF00) == 0xFF00;
  p.link_local = (a[0] & 0xFFC0) == 0xFE80;
  p.site_local = (a[0] & 0xFFC0) == 0xFEC0;
  struct Net {
    V6 n;
    int bits;
  };
  static const Net kPrivate[] = {
      {{0, 0, 0, 0, 0, 0, 0, 1}, 128},        {{0, 0, 0, 0, 0, 0, 0, 0}, 128},
      {{0, 0, 0, 0, 0, 0xFFFF, 0, 0}, 96},    {{0x100, 0, 0, 0, 0, 0, 0, 0}, 64},
      {{0x2001, 0, 0, 0, 0, 0, 0, 0}, 23},    {{0x2001, 0xDB8, 0, 0, 0, 0, 0, 0}, 32},
      {{0x2001, 0x10, 0, 0, 0, 0, 0, 0}, 28}, {{0xFC00, 0, 0, 0, 0, 0, 0, 0}, 7},
      {{0xFE80, 0, 0, 0, 0, 0, 0, 0}, 10}};
  for (const auto& n : kPrivate) {
    if (in6(a, n.n, n.bits)) p.priv = true;
  }
  static const Net kReserved[] = {
      {{0, 0, 0, 0, 0, 0, 0, 0}, 8},      {{0x100, 0, 0, 0, 0, 0, 0, 0}, 8},
      {{0x200, 0, 0, 0, 0, 0, 0, 0}, 7},  {{0x400, 0, 0, 0, 0, 0, 0, 0}, 6},
      {{0x800, 0, 0, 0, 0, 0, 0, 0}, 5},  {{0x1000, 0, 0, 0, 0, 0, 0, 0}, 4},
      {{0x4000, 0, 0, 0, 0, 0, 0, 0}, 3}, {{0x6000, 0, 0, 0, 0, 0, 0, 0}, 3},
      {{0x8000, 0, 0, 0, 0, 0, 0, 0}, 3}, {{0xA000, 0, 0, 0, 0, 0, 0, 0}, 3},
      {{0xC000, 0, 0, 0, 0, 0, 0, 0}, 3}, {{0xE000, 0, 0, 0, 0, 0, 0, 0}, 4},
      {{0xF000, 0, 0, 0, 0, 0, 0, 0}, 5}, {{0xF800, 0, 0, 0, 0, 0, 0, 0}, 6},
      {{0xFE00, 0, 0, 0, 0, 0, 0, 0}, 9}};
  for (const auto& n : kReserved) {
    if (in6(a, n.n, n.bits)) p.reserved = true;
  }
  return p;
}

bool valid_prefix(std::string_view prefix, int version) {
  if (prefix.empty()) return false;
  if (prefix.find_first_not_of("0123456789") == std::string_view::npos) {
    if (prefix.size() > 3) return false;
    int n = std::stoi(std::string(prefix));
    return n <= (version == 4 ? 32 : 128);
  }
  if (version != 4) return false;
  uint32_t mask;
  if (!parse_v4(prefix, &mask)) return false;
  // A netmask (leading ones) or a hostmask (leading zeros).
  uint32_t inv = ~mask;
  return (inv & (inv + 1)) == 0 || (mask & (mask + 1)) == 0;
}

}  // namespace

bool check(std::string_view text, int version, std::string_view options) {
  std::string_view addr = text;
  size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    if (!valid_prefix(text.substr(slash + 1), version)) return false;
  }
  Props p{};
  if (version == 4) {
    uint32_t a;
    if (!parse_v4(addr, &a)) return false;
    p = props4(a);
  } else {
    V6 a;
    if (!parse_v6(addr, &a)) return false;
    p = props6(a);
  }
  size_t start = 0;
  while (start <= options.size() && !options.empty()) {
    size_t comma = options.find(',', start);
    std::string_view opt = options.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    while (!opt.empty() && opt.front() == ' ') opt.remove_prefix(1);
    while (!opt.empty() && opt.back() == ' ') opt.remove_suffix(1);
    bool ok = true;
    if (opt == "global" || opt == "public") {
      ok = !p.priv;
    } else if (opt == "link-local" || opt == "linklocal" || opt == "ll" || opt == "link_local") {
      ok = p.link_local;
    } else if (opt == "loopback" || opt == "lo") {
      ok = p.loopback;
    } else if (opt == "multicast") {
      ok = p.multicast;
    } else if (opt == "private") {
      ok = p.priv;
    } else if (opt == "reserved") {
      ok = p.reserved;
    } else if (opt == "site-local" || opt == "sl" || opt == "site_local") {
      ok = version == 6 && p.site_local;
    } else if (opt == "unspecified") {
      ok = p.unspecified;
    }
    if (!ok) return false;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return true;
}

}  // namespace brine::jinja::ip
