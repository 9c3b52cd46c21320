#include "common/config/paths.h"

#include <glob.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace brine::config::detail {

std::string normpath(std::string_view path) {
  if (path.empty()) return ".";
  // POSIX allows one implementation-defined leading "//"; Python keeps it.
  size_t initial = 0;
  if (path.starts_with('/')) {
    initial = (path.starts_with("//") && !path.starts_with("///")) ? 2 : 1;
  }
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view comp = path.substr(start, slash - start);
    start = slash + 1;
    if (comp.empty() || comp == ".") continue;
    if (comp == "..") {
      if ((initial == 0 && (parts.empty() || parts.back() == ".."))) {
        parts.push_back(comp);
      } else if (!parts.empty()) {
        parts.pop_back();
      }
      continue;
    }
    parts.push_back(comp);
  }
  std::string out(initial, '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out.push_back('/');
    out.append(parts[i]);
  }
  return out.empty() ? "." : out;
}

std::string abspath(std::string_view path) {
  if (path.starts_with('/')) return normpath(path);
  std::error_code ec;
  const std::string cwd = std::filesystem::current_path(ec).string();
  return normpath(join(cwd, path));
}

std::string expanduser(std::string_view path) {
  if (!path.starts_with('~')) return std::string(path);
  const size_t slash = path.find('/');
  const std::string_view user = path.substr(1, slash == std::string_view::npos ? slash : slash - 1);
  std::string home;
  if (user.empty()) {
    if (const char* h = std::getenv("HOME"); h != nullptr) {
      home = h;
    } else if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr) {
      home = pw->pw_dir;
    }
  } else if (const passwd* pw = ::getpwnam(std::string(user).c_str()); pw != nullptr) {
    home = pw->pw_dir;
  }
  if (home.empty()) return std::string(path);
  while (home.size() > 1 && home.ends_with('/')) home.pop_back();
  return home + std::string(slash == std::string_view::npos ? "" : path.substr(slash));
}

std::string dirname(std::string_view path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos) return "";
  std::string head(path.substr(0, slash + 1));
  // Python strips trailing slashes unless the head is all slashes.
  if (head.find_first_not_of('/') != std::string::npos) {
    while (head.ends_with('/')) head.pop_back();
  }
  return head;
}

std::string join(std::string_view a, std::string_view b) {
  if (b.starts_with('/') || a.empty()) return std::string(b);
  std::string out(a);
  if (!out.ends_with('/')) out.push_back('/');
  out.append(b);
  return out;
}

std::string salt_join(std::string_view root, std::string_view path) {
  const std::string r = normpath(root);
  std::string p = normpath(path);
  const size_t nz = p.find_first_not_of('/');
  p = nz == std::string::npos ? "" : p.substr(nz);
  return normpath(join(r, p));
}

bool has_url_scheme(std::string_view value) {
  // urllib.parse.urlsplit: a scheme is [A-Za-z][A-Za-z0-9+.-]* before ':'.
  const size_t colon = value.find(':');
  if (colon == std::string_view::npos || colon == 0) return false;
  if (!std::isalpha(static_cast<unsigned char>(value[0]))) return false;
  return std::all_of(value.begin(), value.begin() + static_cast<ptrdiff_t>(colon), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  });
}

bool is_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool is_dir(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> glob_sorted(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  ::globfree(&g);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace brine::config::detail
