// Path helpers for config loading (internal to brine_config), with Python's
// os.path semantics where Salt's rules depend on them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace brine::config::detail {

// os.path.normpath for POSIX paths: collapses "//", "." and "..", drops a
// trailing '/', keeps a leading "//" as Python does; "" -> ".".
std::string normpath(std::string_view path);
// os.path.abspath: normpath(cwd / path) for relative paths.
std::string abspath(std::string_view path);
// os.path.expanduser: "~" and "~/x" use $HOME, "~user/x" that user's home.
std::string expanduser(std::string_view path);
// os.path.dirname / os.path.join (an absolute part restarts the path).
std::string dirname(std::string_view path);
std::string join(std::string_view a, std::string_view b);
// salt.utils.path.join(root, p): normpath(root) joined with p minus its
// leading slashes, normalised.
std::string salt_join(std::string_view root, std::string_view path);
// urllib.parse.urlparse(x).scheme != "" (udp://, file://, host:port...).
bool has_url_scheme(std::string_view value);

bool is_file(const std::string& path);
bool is_dir(const std::string& path);
// glob.glob(pattern), sorted bytewise (Salt sorts the matches).
std::vector<std::string> glob_sorted(const std::string& pattern);

}  // namespace brine::config::detail
