#include "common/template/symbols.h"

namespace brine::jinja {

Symbols::Symbols() {
  for (const char* n :
       {"loop", "caller", "varargs", "kwargs", "self", "super", "pillar", "grains", "opts"})
    intern(n);
}

Sym Symbols::intern(std::string_view name) {
  {
    std::shared_lock lock(mu_);
    auto it = index_.find(name);
    if (it != index_.end()) return it->second;
  }
  std::unique_lock lock(mu_);
  auto it = index_.find(name);
  if (it != index_.end()) return it->second;
  names_.emplace_back(name);
  Sym s = static_cast<Sym>(names_.size() - 1);
  index_.emplace(names_.back(), s);
  return s;
}

std::string_view Symbols::name(Sym s) const {
  std::shared_lock lock(mu_);
  return names_[s];
}

}  // namespace brine::jinja
