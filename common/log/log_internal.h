// Internal to brine_log: pieces shared by log.cpp and format.cpp.
#pragma once

#include <spdlog/formatter.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <string_view>

namespace brine::log {

// Custom spdlog flags (characters spdlog itself does not use).
inline constexpr char kSaltLevelFlag = '*';        // Salt's level name: WARNING
inline constexpr char kSaltLevelNumberFlag = '&';  // Python's levelno: 30

namespace detail {

std::string_view salt_level_name(spdlog::level::level_enum level);
// A formatter for a Python logging format and strftime date format.
std::unique_ptr<spdlog::formatter> make_formatter(std::string_view python_fmt,
                                                  std::string_view datefmt);

}  // namespace detail
}  // namespace brine::log
