#include "common/config/minion_id.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "common/codec/python_repr.h"

namespace brine::config {
namespace {

// Brine's built-in config dir without the leading '/': the cache file lives
// under root_dir, not under -c (as Salt's CONFIG_DIR).
constexpr std::string_view kConfigDirRelative = "etc/brine";

class SystemHost final : public HostInfo {
 public:
  std::string hostname() const override {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0) return "";
    return buf.data();
  }

  // Python's socket.getfqdn(): resolve the name, reverse-resolve its first
  // address, and take the first of (canonical name, aliases) holding a dot.
  std::string fqdn(const std::string& raw) const override {
    std::string name = raw;
    if (name.empty() || name == "0.0.0.0" || name == "::") name = hostname();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    if (::getaddrinfo(name.c_str(), nullptr, &hints, &res) != 0 || res == nullptr) return name;
    hostent he{};
    hostent* result = nullptr;
    std::array<char, 8192> buf{};
    int err = 0;
    const void* addr = nullptr;
    socklen_t len = 0;
    if (res->ai_family == AF_INET) {
      addr = &reinterpret_cast<sockaddr_in*>(res->ai_addr)->sin_addr;
      len = sizeof(in_addr);
    } else {
      addr = &reinterpret_cast<sockaddr_in6*>(res->ai_addr)->sin6_addr;
      len = sizeof(in6_addr);
    }
    const int family = res->ai_family;
    const int rc = ::gethostbyaddr_r(addr, len, family, &he, buf.data(), buf.size(), &result, &err);
    ::freeaddrinfo(res);
    if (rc != 0 || result == nullptr || result->h_name == nullptr) return name;
    std::vector<std::string> names{result->h_name};
    for (char** a = result->h_aliases; a != nullptr && *a != nullptr; ++a) names.emplace_back(*a);
    for (const auto& n : names) {
      if (n.find('.') != std::string::npos) return n;
    }
    return names.front();
  }

  std::string node() const override {
    utsname u{};
    if (::uname(&u) != 0) return "";
    return u.nodename;
  }

  std::optional<std::string> read_file(const std::string& path) const override {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  std::vector<std::string> ip_addrs() const override {
    std::vector<uint32_t> addrs;
    ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return {};
    for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
      const uint32_t a = ntohl(reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr.s_addr);
      if ((a >> 24) == 127) continue;
      if (std::find(addrs.begin(), addrs.end(), a) == addrs.end()) addrs.push_back(a);
    }
    ::freeifaddrs(list);
    std::sort(addrs.begin(), addrs.end());
    std::vector<std::string> out;
    for (uint32_t a : addrs) {
      in_addr ia{htonl(a)};
      std::array<char, INET_ADDRSTRLEN> buf{};
      ::inet_ntop(AF_INET, &ia, buf.data(), buf.size());
      out.emplace_back(buf.data());
    }
    return out;
  }
};

// Salt's DistinctList: keeps the first occurrence of each usable name.
class Candidates {
 public:
  void add(const std::string& name) {
    if (name.empty() || skipped(name)) return;
    if (std::find(names_.begin(), names_.end(), name) != names_.end()) return;
    names_.push_back(name);
  }
  std::string first() const { return names_.empty() ? "" : names_.front(); }

 private:
  static bool skipped(const std::string& name) {
    // re.match: anchored at the start only.
    static const std::regex kLocal(
        R"(^(localhost.*|ip6-.*|127[.]\d|0\.0\.0\.0|::1.*|ipv6-.*|fe00::.*|fe02::.*|1.0.0.*.ip6.arpa))");
    return std::regex_search(name, kLocal);
  }
  std::vector<std::string> names_;
};

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) words.push_back(std::move(cur)), cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) words.push_back(std::move(cur));
  return words;
}

std::string strip(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool is_ipv4(const std::string& s) {
  in_addr a{};
  return ::inet_pton(AF_INET, s.c_str(), &a) == 1;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The cached id, if the cache file holds a usable one.
// Read through `host`, like every other host fact, so tests see a fake cache.
std::optional<std::string> read_cached_id(const Value& opts, const HostInfo& host) {
  auto text = host.read_file(minion_id_cache_path(opts));
  if (!text) return std::nullopt;
  std::string line = strip(text->substr(0, text->find('\n')));
  if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
  if (line.empty() || line == "localhost") return std::nullopt;
  return line;
}

std::string remove_domain(const Value& setting, std::string id) {
  if (setting.is_bool()) {
    if (setting.as_bool()) id = id.substr(0, id.find('.'));
    return id;
  }
  if (!setting.is_string() || setting.as_string().empty()) return id;
  const std::string suffix = "." + setting.as_string();
  if (id.size() >= suffix.size() && lower(id.substr(id.size() - suffix.size())) == lower(suffix)) {
    id.resize(id.size() - suffix.size());
  }
  return id;
}

std::string append_domain(const Value& opts, const std::string& id) {
  const Value* domain = opts.find("append_domain");
  if (domain == nullptr || !domain->is_string() || domain->as_string().empty()) return id;
  const std::string& d = domain->as_string();
  if (id.ends_with(d) || id.ends_with('.')) return id;
  return id + "." + d;
}

struct GotId {
  std::string id;
  bool generated = false;
};

// Salt's get_id() minus the caching: the cache file, else a generated id.
Result<GotId> get_id(const Value& opts, const HostInfo& host) {
  if (opts.get_bool("minion_id_caching", true)) {
    if (auto cached = read_cached_id(opts, host)) return GotId{*cached, false};
  }
  if (const Value* f = opts.find("id_function"); f != nullptr && f->truthy()) {
    return make_error(Errc::kUnsupported,
                      "id_function is not supported by Brine; set 'id' in the minion config",
                      "id_function");
  }
  std::string id = generate_minion_id(host);
  if (opts.get_bool("minion_id_lowercase", false)) id = lower(id);
  if (const Value* rd = opts.find("minion_id_remove_domain"); rd != nullptr && rd->truthy()) {
    id = remove_domain(*rd, id);
  }
  return GotId{id, true};
}

}  // namespace

const HostInfo& system_host_info() {
  static const SystemHost host;
  return host;
}

std::string generate_minion_id(const HostInfo& host) {
  Candidates c;
  const std::string hostname = host.hostname();
  c.add(host.fqdn(hostname));
  c.add(host.node());
  c.add(hostname);
  for (const char* file : {"/etc/hostname", "/etc/nodename", "/etc/hosts"}) {
    auto text = host.read_file(file);
    if (!text) continue;
    std::istringstream lines(*text);
    std::string line;
    while (std::getline(lines, line)) {
      const auto words = split_words(strip(strip(line).substr(0, strip(line).find('#'))));
      if (words.empty()) continue;
      if (words[0].substr(0, 4) == "127." || words[0].substr(0, 3) == "::1" || words.size() == 1) {
        for (const auto& w : words) c.add(w);
      }
    }
  }
  for (const auto& ip : host.ip_addrs()) c.add(ip);
  const std::string first = c.first();
  return first.empty() ? "localhost" : first;
}

std::string minion_id_cache_path(const Value& opts) {
  std::string root = opts.get_string("root_dir", "/");
  if (root.empty()) root = "/";
  return (std::filesystem::path(root) / kConfigDirRelative / "minion_id").string();
}

Status check_minion_id(std::string_view id) {
  if (id.empty() || id.find('/') != std::string_view::npos ||
      id.find('\\') != std::string_view::npos || id.find('\0') != std::string_view::npos) {
    return make_error(Errc::kInvalidArgument,
                      "invalid minion id '" + std::string(id) +
                          "': it must not be empty or contain '/', '\\' or NUL",
                      "id");
  }
  return ok();
}

Result<ResolvedId> resolve_minion_id(Value& opts, const HostInfo& host) {
  ResolvedId out;
  bool ip_based = false;
  const Value* configured = opts.find("id");
  if (configured != nullptr && configured->truthy()) {
    out.id = configured->is_string() ? configured->as_string() : codec::python_str(*configured);
  } else {
    auto got = get_id(opts, host);
    if (!got) return got.error();
    out.id = got->id;
    if (got->generated) {
      ip_based = is_ipv4(out.id);
      if (opts.get_bool("minion_id_caching", true)) {
        const std::filesystem::path cache = minion_id_cache_path(opts);
        std::error_code ec;
        std::filesystem::create_directories(cache.parent_path(), ec);
        std::ofstream f(cache, std::ios::trunc);
        f << out.id;
        f.close();
        if (!f) out.warnings.push_back("could not cache the minion id in '" + cache.string() + "'");
      }
    }
  }
  if (!ip_based) out.id = append_domain(opts, out.id);
  BRINE_TRY(check_minion_id(out.id));
  opts["id"] = out.id;
  return out;
}

Result<std::string> resolve_minion_id(Value& opts) {
  auto r = resolve_minion_id(opts, system_host_info());
  if (!r) return r.error();
  return r->id;
}

std::string master_id(const Value& opts, const HostInfo& host) {
  if (const Value* id = opts.find("id"); id != nullptr && id->truthy()) {
    return append_domain(opts, id->is_string() ? id->as_string() : codec::python_str(*id));
  }
  auto got = get_id(opts, host);
  std::string id = got ? got->id : generate_minion_id(host);
  if (!is_ipv4(id)) id = append_domain(opts, id);
  return id + "_master";
}

}  // namespace brine::config
