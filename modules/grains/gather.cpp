// Process/configuration grains, the static grains file, and assembly.
#include "modules/grains/gather.h"

#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <array>

#include "common/codec/yaml.h"
#include "common/crypto/core.h"
#include "modules/util/data.h"
#include "modules/util/text.h"

#ifndef BRINE_VERSION
#define BRINE_VERSION "0.0.0"
#endif

namespace brine::modules::grains {

namespace {

List version_info(std::string_view v) {
  List out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t dot = v.find('.', start);
    std::string part(v.substr(start, dot == std::string_view::npos ? dot : dot - start));
    if (!part.empty() && part.find_first_not_of("0123456789") == std::string::npos &&
        part.size() < 18) {
      out.emplace_back(static_cast<int64_t>(std::stoll(part)));
    } else {
      out.emplace_back(part);
    }
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

}  // namespace

void add_process_grains(Map& g, const Value& opts) {
  std::string id = opts.get_string("id");
  g.set("id", Value(id));
  // Salt's get_server_id: abs(int(sha256(id).hexdigest(), 16) % 2**31), i.e.
  // the low 31 bits of the big-endian digest.
  auto digest = crypto::sha256(id);
  uint32_t low = (uint32_t{digest[28]} << 24) | (uint32_t{digest[29]} << 16) |
                 (uint32_t{digest[30]} << 8) | uint32_t{digest[31]};
  g.set("server_id", Value(static_cast<int64_t>(low & 0x7FFFFFFFu)));
  const Value* master = opts.find("master");
  g.set("master", master ? *master : Value(""));
  if (const Value* ad = opts.find("append_domain")) g.set("append_domain", *ad);

  g.set("pid", Value(static_cast<int64_t>(::getpid())));
  uid_t uid = ::geteuid();
  gid_t gid = ::getegid();
  g.set("uid", Value(static_cast<int64_t>(uid)));
  g.set("gid", Value(static_cast<int64_t>(gid)));
  std::array<char, 16384> buf{};
  passwd pw{};
  passwd* pres = nullptr;
  if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &pres) == 0 && pres) {
    g.set("username", Value(pw.pw_name));
  } else {
    g.set("username", Value());
  }
  group gr{};
  group* gres = nullptr;
  if (::getgrgid_r(gid, &gr, buf.data(), buf.size(), &gres) == 0 && gres) {
    g.set("groupname", Value(gr.gr_name));
  } else {
    g.set("groupname", Value());
  }
  char cwd[PATH_MAX] = {};
  g.set("cwd", Value(::getcwd(cwd, sizeof cwd) ? std::string(cwd) : std::string()));
  const char* path = ::getenv("PATH");
  std::string p(text::strip(path ? path : ""));
  g.set("path", Value(p));
  List systempath;
  size_t start = 0;
  while (true) {
    size_t colon = p.find(':', start);
    systempath.emplace_back(p.substr(start, colon == std::string::npos ? colon : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  g.set("systempath", Value(std::move(systempath)));
  const char* shell = ::getenv("SHELL");
  g.set("shell", Value(shell && *shell ? shell : "/bin/sh"));
  g.set("saltversion", Value(BRINE_VERSION));
  g.set("saltversioninfo", Value(version_info(BRINE_VERSION)));
  g.set("brineversion", Value(BRINE_VERSION));
  g.set("brineversioninfo", Value(version_info(BRINE_VERSION)));
}

Value core(const Value& opts) {
  Map g;
  add_os_grains(g, opts);
  add_network_grains(g, opts);
  add_process_grains(g, opts);
  return Value(std::move(g));
}

std::string grains_file_path(const Value& opts) {
  std::string conf = opts.get_string("conf_file");
  if (!conf.empty()) {
    auto slash = conf.rfind('/');
    return (slash == std::string::npos ? std::string(".") : conf.substr(0, slash)) + "/grains";
  }
  std::string dir = opts.get_string("config_dir", "/etc/brine");
  return dir + "/grains";
}

Result<Value> read_grains_file(const std::string& path) {
  auto text = text::read_file(path, size_t{4} << 20);
  if (!text) {
    if (text.error().code == Errc::kNotFound) return Value(Map{});
    return text.error();
  }
  auto v = codec::yaml_load(*text, path);
  if (!v) return v.error();
  if (v->is_null()) return Value(Map{});
  if (!v->is_map()) {
    return make_error(Errc::kInvalidArgument,
                      path + ": the grains file must hold a mapping, not a " + v->type_name());
  }
  return v;
}

Value gather(const Value& opts, spdlog::logger* log) {
  Value g = core(opts);
  auto file = read_grains_file(grains_file_path(opts));
  if (file) {
    for (const auto& [k, v] : file->as_map()) g.as_map().set(k, v);
  } else if (log) {
    log->error("ignoring the static grains file: {}", file.error().to_string());
  }
  if (const Value* static_grains = opts.find("grains"); static_grains && static_grains->is_map()) {
    for (const auto& [k, v] : static_grains->as_map()) g.as_map().set(k, v);
  }
  return g;
}

}  // namespace brine::modules::grains
