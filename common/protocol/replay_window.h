// ReplayWindow: a sliding-window anti-replay filter (RFC 4303 §3.4.3 style)
// for one direction of one channel.
//
// Counters start at 1 and should increase, but frames may be processed out of
// order (several worker threads, several in-flight requests). The window
// accepts each counter at most once, and refuses counters older than
// `size` below the highest accepted one (they cannot be told apart from
// replays any more). Counter 0 is never valid.
//
// Use check() before the (expensive) decryption and accept() after it
// succeeded: accept() re-checks, so two threads racing with the same counter
// cannot both win. Only authenticated counters may be accepted, otherwise a
// forged high counter would slide the window and block genuine traffic.
//
// Thread-safety: none; Channel guards its windows with a mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace brine::protocol {

class ReplayWindow {
 public:
  // `size` is rounded up to a multiple of 64 (at least 64).
  explicit ReplayWindow(size_t size = 1024);

  // True when `ctr` has not been accepted yet and is inside the window.
  bool check(uint64_t ctr) const;
  // Marks `ctr` as seen; false (and no change) when check(ctr) is false.
  bool accept(uint64_t ctr);

  uint64_t highest() const { return top_; }
  size_t size() const { return bits_.size() * 64; }

 private:
  bool test_bit(uint64_t ctr) const;
  void set_bit(uint64_t ctr);
  void clear_bit(uint64_t ctr);

  uint64_t top_ = 0;            // highest accepted counter (0 = none yet)
  std::vector<uint64_t> bits_;  // bit (ctr % size) set when ctr was accepted
};

}  // namespace brine::protocol
