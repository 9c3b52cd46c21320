#include "common/cli/batch.h"

#include <charconv>
#include <cmath>
#include <string>

namespace brine::cli {
namespace {

Error invalid(std::string_view text) {
  return make_error(Errc::kInvalidArgument, "Invalid batch data sent: " + std::string(text) +
                                                "\nData must be in the form of %10, 10% or 3");
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

size_t BatchSize::resolve(size_t minions) const {
  if (!percent) return static_cast<size_t>(value);
  double res = value / 100.0 * static_cast<double>(minions);
  return static_cast<size_t>(res < 1 ? std::ceil(res) : std::floor(res));
}

Result<BatchSize> parse_batch_size(std::string_view text) {
  BatchSize b;
  if (text.find('%') != std::string_view::npos) {
    // Python: float(text.strip("%")).
    std::string_view s = text;
    while (!s.empty() && s.front() == '%') s.remove_prefix(1);
    while (!s.empty() && s.back() == '%') s.remove_suffix(1);
    s = trim(s);
    if (!s.empty() && s.front() == '+') s.remove_prefix(1);
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v) || v <= 0) {
      return invalid(text);
    }
    b.percent = true;
    b.value = v;
    return b;
  }
  std::string_view s = trim(text);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  long long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size() || v <= 0) return invalid(text);
  b.value = static_cast<double>(v);
  return b;
}

}  // namespace brine::cli
