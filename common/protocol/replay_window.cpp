#include "common/protocol/replay_window.h"

namespace brine::protocol {

ReplayWindow::ReplayWindow(size_t size) : bits_(size < 64 ? 1 : (size + 63) / 64, 0) {}

bool ReplayWindow::test_bit(uint64_t ctr) const {
  uint64_t i = ctr % size();
  return (bits_[i / 64] >> (i % 64)) & 1u;
}

void ReplayWindow::set_bit(uint64_t ctr) {
  uint64_t i = ctr % size();
  bits_[i / 64] |= uint64_t{1} << (i % 64);
}

void ReplayWindow::clear_bit(uint64_t ctr) {
  uint64_t i = ctr % size();
  bits_[i / 64] &= ~(uint64_t{1} << (i % 64));
}

bool ReplayWindow::check(uint64_t ctr) const {
  if (ctr == 0) {
    return false;
  }
  if (ctr > top_) {
    return true;
  }
  if (top_ - ctr >= size()) {
    return false;  // too old to tell from a replay
  }
  return !test_bit(ctr);
}

bool ReplayWindow::accept(uint64_t ctr) {
  if (!check(ctr)) {
    return false;
  }
  if (ctr > top_) {
    // Slide: the slots of counters top_+1 .. ctr-1 (which may still hold bits
    // of counters one window older) become "not seen".
    uint64_t advance = ctr - top_;
    if (advance >= size()) {
      for (auto& w : bits_) {
        w = 0;
      }
    } else {
      for (uint64_t c = top_ + 1; c < ctr; ++c) {
        clear_bit(c);
      }
    }
    top_ = ctr;
  }
  set_bit(ctr);
  return true;
}

}  // namespace brine::protocol
