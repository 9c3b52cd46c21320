// file: the path helpers templates use (a small part of Salt's
// salt/modules/file.py).
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modules/binding.h"
#include "modules/builtin.h"

namespace brine::modules::file {

namespace {

// Python's os.path.expanduser for "~" and "~user".
std::string expanduser(const std::string& path) {
  if (path.empty() || path[0] != '~') return path;
  auto slash = path.find('/');
  std::string user = path.substr(1, slash == std::string::npos ? std::string::npos : slash - 1);
  std::string home;
  if (user.empty()) {
    const char* h = ::getenv("HOME");
    if (h && *h) home = h;
  }
  if (home.empty()) {
    char buf[16384];
    passwd pw{};
    passwd* res = nullptr;
    if (user.empty()) {
      ::getpwuid_r(::getuid(), &pw, buf, sizeof buf, &res);
    } else {
      ::getpwnam_r(user.c_str(), &pw, buf, sizeof buf, &res);
    }
    if (!res) return path;
    home = res->pw_dir;
  }
  return home + (slash == std::string::npos ? "" : path.substr(slash));
}

Result<Value> file_exists(Call& c) {
  struct stat st {};
  return Value(::stat(expanduser(c.str("path")).c_str(), &st) == 0 && S_ISREG(st.st_mode));
}

Result<Value> directory_exists(Call& c) {
  struct stat st {};
  return Value(::stat(expanduser(c.str("path")).c_str(), &st) == 0 && S_ISDIR(st.st_mode));
}

// Python's os.path.join.
Result<Value> join(Call& c) {
  if (c.args.empty()) return type_error("join() missing 1 required positional argument: 'a'");
  std::string out;
  for (const Value& a : c.args) {
    std::string part = a.is_string() ? a.as_string() : coerce_to_str(a);
    if (part.starts_with("/")) {
      out = part;
    } else if (out.empty() || out.ends_with("/")) {
      out += part;
    } else {
      out += "/" + part;
    }
  }
  return Value(out);
}

Result<Value> dirname(Call& c) {
  std::string p = c.str("path");
  auto slash = p.rfind('/');
  if (slash == std::string::npos) return Value("");
  std::string head = p.substr(0, slash + 1);
  if (head.find_first_not_of('/') != std::string::npos) {
    while (head.size() > 1 && head.back() == '/') head.pop_back();
  }
  return Value(head);
}

Result<Value> basename(Call& c) {
  std::string p = c.str("path");
  auto slash = p.rfind('/');
  return Value(slash == std::string::npos ? p : p.substr(slash + 1));
}

constexpr Param kPath[] = {{"path", {}, Type::kString}};

constexpr FunctionSpec kFunctions[] = {
    {"basename", basename, "Final component of a path",
     R"(Returns the final component of a pathname

CLI Example:

.. code-block:: bash

    salt '*' file.basename 'test/test.config'
)",
     kPath},
    {"directory_exists", directory_exists, "Whether a directory exists",
     R"(Tests to see if path is a valid directory.  Returns True/False.

CLI Example:

.. code-block:: bash

    salt '*' file.directory_exists /etc
)",
     kPath},
    {"dirname", dirname, "Directory part of a path",
     R"(Returns the directory component of a pathname

CLI Example:

.. code-block:: bash

    salt '*' file.dirname 'test/path/filename.config'
)",
     kPath},
    {"file_exists", file_exists, "Whether a regular file exists",
     R"(Tests to see if path is a valid file.  Returns True/False.

CLI Example:

.. code-block:: bash

    salt '*' file.file_exists /etc/passwd
)",
     kPath},
    {"join",
     join,
     "Join path components (os.path.join)",
     R"(Return a normalized file system path for the underlying OS

This can be useful at the CLI but is frequently useful when scripting
combining path variables:

.. code-block:: jinja

    {% set www_root = '/var' %}
    {% set app_dir = 'myapp' %}

    myapp_config:
      file:
        - managed
        - name: {{ salt['file.join'](www_root, app_dir, 'config.yaml') }}

CLI Example:

.. code-block:: bash

    salt '*' file.join '/' 'usr' 'local' 'bin'
)",
     {},
     true},
};

}  // namespace

const ModuleSpec kModule{"file", always_available, kFunctions};

}  // namespace brine::modules::file
