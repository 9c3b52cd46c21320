// Template loaders: where `{% include %}`, `{% import %}`, `{% from %}`,
// `{% extends %}` and `import_yaml` find their files.
//
// Names resolve as Salt's SaltCacheLoader resolves them:
//   - "salt://a/b.jinja" and "a/b.jinja" are paths below the file roots;
//   - "./x" and "../x" are relative to the directory of the template doing
//     the import (Salt uses the SLS's tpldir; the two agree except when a
//     template imports from another directory before a relative import);
//   - a path that escapes the roots ("../../etc/passwd" from the top, an
//     absolute path, a ".." component left after normalisation) is refused
//     with kPermissionDenied, never read.
//
// Thread-safety: implementations must allow concurrent load() calls.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace brine::jinja {

struct LoadedSource {
  std::string text;
  std::string path;  // filesystem path (Salt's tplpath); may be empty
};

class Loader {
 public:
  virtual ~Loader() = default;
  // The canonical name ("a/b.jinja") of `name` as written in the template
  // `current` (canonical name of the importing template, "" at top level).
  // Errors: kPermissionDenied for paths escaping the roots, kInvalidArgument
  // for an empty name.
  virtual Result<std::string> resolve(std::string_view name, std::string_view current) const;
  // Reads a canonical name. kNotFound when no root has it.
  virtual Result<LoadedSource> load(std::string_view canonical) = 0;
};

// Normalises `name` (strips salt://, resolves ./ and ../ against
// dirname(current), collapses "//" and "."); the shared logic of resolve().
Result<std::string> resolve_template_name(std::string_view name, std::string_view current);

// Files below a list of root directories, searched in order (Salt's
// file_roots for one saltenv).
class FileRootsLoader : public Loader {
 public:
  explicit FileRootsLoader(std::vector<std::string> roots);
  Result<LoadedSource> load(std::string_view canonical) override;

 private:
  std::vector<std::string> roots_;
};

// In-memory files, for tests and for rendering strings that import each other.
class MemoryLoader : public Loader {
 public:
  MemoryLoader() = default;
  explicit MemoryLoader(std::map<std::string, std::string> files);
  void add(std::string name, std::string text);
  Result<LoadedSource> load(std::string_view canonical) override;

 private:
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> files_;
};

}  // namespace brine::jinja
