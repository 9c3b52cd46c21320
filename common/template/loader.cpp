#include "common/template/loader.h"

#include <sys/stat.h>

#include <fstream>
#include <sstream>

namespace brine::jinja {
namespace {

constexpr size_t kMaxTemplateBytes = size_t{64} << 20;

std::string dirname(std::string_view p) {
  size_t slash = p.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(p.substr(0, slash));
}

}  // namespace

Result<std::string> resolve_template_name(std::string_view name, std::string_view current) {
  std::string_view n = name;
  if (n.starts_with("salt://")) n.remove_prefix(7);
  if (n.empty()) return make_error(Errc::kInvalidArgument, "empty template name");
  if (n.find('\0') != std::string_view::npos) {
    return make_error(Errc::kInvalidArgument, "template name contains a NUL byte");
  }
  if (n.front() == '/') {
    return make_error(Errc::kPermissionDenied,
                      "template path '" + std::string(name) +
                          "' is absolute; paths are relative to the file roots");
  }
  std::string joined;
  bool relative = n == "." || n == ".." || n.starts_with("./") || n.starts_with("../");
  if (relative) {
    std::string base = dirname(current);
    joined = base.empty() ? std::string(n) : base + "/" + std::string(n);
  } else {
    joined = std::string(n);
  }
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= joined.size(); ++i) {
    if (i == joined.size() || joined[i] == '/') {
      std::string part = joined.substr(start, i - start);
      start = i + 1;
      if (part.empty() || part == ".") continue;
      if (part == "..") {
        if (parts.empty()) {
          return make_error(Errc::kPermissionDenied, "template path '" + std::string(name) +
                                                         "' ascends outside of the file roots");
        }
        parts.pop_back();
        continue;
      }
      parts.push_back(std::move(part));
    }
  }
  if (parts.empty())
    return make_error(Errc::kInvalidArgument, "template name '" + std::string(name) + "' is empty");
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

Result<std::string> Loader::resolve(std::string_view name, std::string_view current) const {
  return resolve_template_name(name, current);
}

FileRootsLoader::FileRootsLoader(std::vector<std::string> roots) : roots_(std::move(roots)) {}

Result<LoadedSource> FileRootsLoader::load(std::string_view canonical) {
  for (const auto& root : roots_) {
    std::string path = root;
    if (!path.empty() && path.back() != '/') path += '/';
    path += canonical;
    struct stat st;
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (static_cast<size_t>(st.st_size) > kMaxTemplateBytes) {
      return make_error(Errc::kInvalidArgument, "template '" + path + "' is larger than 64 MiB");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(Errc::kIo, "cannot read template '" + path + "'");
    std::ostringstream ss;
    ss << in.rdbuf();
    return LoadedSource{ss.str(), path};
  }
  return make_error(Errc::kNotFound, "'" + std::string(canonical) + "' is not in the file roots");
}

MemoryLoader::MemoryLoader(std::map<std::string, std::string> files) {
  for (auto& [k, v] : files) files_.emplace(k, std::move(v));
}

void MemoryLoader::add(std::string name, std::string text) {
  std::lock_guard lock(mu_);
  files_[std::move(name)] = std::move(text);
}

Result<LoadedSource> MemoryLoader::load(std::string_view canonical) {
  std::lock_guard lock(mu_);
  auto it = files_.find(canonical);
  if (it == files_.end())
    return make_error(Errc::kNotFound, "'" + std::string(canonical) + "' does not exist");
  return LoadedSource{it->second, std::string()};
}

}  // namespace brine::jinja
