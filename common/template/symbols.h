// Identifier interning (internal): template names become small integers so
// scope lookups compare integers. One table per Environment; thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace brine::jinja {

using Sym = uint32_t;

class Symbols {
 public:
  Symbols();
  Sym intern(std::string_view name);
  // The name of an interned symbol; the view stays valid for the table's life.
  std::string_view name(Sym s) const;

  // Symbols every environment has, interned first in this order.
  static constexpr Sym kLoop = 0, kCaller = 1, kVarargs = 2, kKwargs = 3, kSelf = 4, kSuper = 5;
  // Salt's context globals (served natively by salt['pillar.get'] and friends).
  static constexpr Sym kPillar = 6, kGrains = 7, kOpts = 8;

 private:
  mutable std::shared_mutex mu_;
  std::deque<std::string> names_;
  std::unordered_map<std::string_view, Sym> index_;
};

}  // namespace brine::jinja
