// IP address checks for Salt's is_ip / is_ipv4 / is_ipv6 filters (internal),
// following Python's ipaddress module (ip_address, then ip_interface) and
// Salt's _ip_options (global, link-local, loopback, multicast, private,
// public, reserved, site-local, unspecified).
#pragma once

#include <string_view>

namespace brine::jinja::ip {

// True when `text` is an address (or interface "addr/prefix") of `version`
// (4 or 6) satisfying every listed option (comma-separated; unknown ones are
// ignored as Salt does).
bool check(std::string_view text, int version, std::string_view options);

}  // namespace brine::jinja::ip
