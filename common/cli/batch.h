// `-b/--batch` sizes (cli.md §1.6): an absolute count (`3`) or a percentage of
// the responding minions (`10%`, also `%10`).
//
// Thread-safety: pure values and functions.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/result.h"

namespace brine::cli {

struct BatchSize {
  bool percent = false;
  double value = 0;  // count, or percent when `percent`

  // Minions per wave for `minions` responders (Salt's get_bnum): a
  // percentage is rounded up when below 1 and down otherwise; an absolute
  // count is used as is.
  size_t resolve(size_t minions) const;
};

// Error (kInvalidArgument), with Salt's text:
//   "Invalid batch data sent: X\nData must be in the form of %10, 10% or 3"
// Zero and negative sizes are rejected the same way (Salt would loop forever).
Result<BatchSize> parse_batch_size(std::string_view text);

}  // namespace brine::cli
