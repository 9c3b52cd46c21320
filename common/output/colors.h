// Internal: Salt's color table (salt.utils.color.get_colors), ANSI SGR
// sequences as salt.utils.textformat.TextFormat builds them ("\033[0;<codes>m").
#pragma once

#include <string_view>

namespace brine::output {

struct Colors {
  std::string_view red, light_red, green, light_green, yellow, light_yellow, blue, light_blue,
      magenta, light_magenta, cyan, light_cyan, endc;
};

inline Colors colors(bool use) {
  if (!use) return Colors{};
  return Colors{
      "\033[0;31m",   "\033[0;1;31m", "\033[0;32m",   "\033[0;1;32m", "\033[0;33m",
      "\033[0;1;33m", "\033[0;34m",   "\033[0;1;34m", "\033[0;35m",   "\033[0;1;35m",
      "\033[0;36m",   "\033[0;1;36m", "\033[0;0m",
  };
}

}  // namespace brine::output
