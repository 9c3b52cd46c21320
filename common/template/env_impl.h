// Environment internals shared by the interpreter (internal).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/template/ast.h"
#include "common/template/jinja.h"
#include "common/template/lexer.h"
#include "common/template/symbols.h"

namespace brine::jinja {

struct Environment::Impl {
  Impl() = default;
  ~Impl();  // releases `builtins`
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  Options options;
  LexOptions lex;
  std::shared_ptr<Loader> loader;
  Caller caller;
  Symbols symbols;
  // range, dict, namespace...: immortal objects owned here (made once per
  // Environment, read-only, so concurrent renders may share them).
  std::vector<std::pair<Sym, Val>> builtins;

  std::mutex mu;
  std::map<std::string, std::shared_ptr<const Template>, std::less<>> cache;

  // load_yaml results by document text: a run renders the same map.jinja
  // defaults many times. Bounded; parsed documents are immutable and shared.
  std::mutex yaml_mu;
  std::unordered_map<std::string, std::shared_ptr<const Value>> yaml_cache;
  static constexpr size_t kYamlCacheEntries = 512;
  static constexpr size_t kYamlCacheMaxText = 256 * 1024;

  // Compiles (once) the template with this canonical name. Faults: kNotFound
  // (message names the template), kSyntax located in the template.
  R<std::shared_ptr<const Template>> get(const std::string& canonical);
  R<std::shared_ptr<const Template>> compile(std::string_view source, std::string name,
                                             std::string path);
};

}  // namespace brine::jinja
