// Monotonic time used for deadlines and transfer timings.
#pragma once

#include <chrono>
#include <cstdint>

namespace evm {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Micros = std::chrono::microseconds;

inline TimePoint now() {
  return Clock::now();
}

inline int64_t micros_between(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<Micros>(to - from).count();
}

// `t` plus `ms` milliseconds, saturating at TimePoint::max(): a timeout of LONG_MAX ms means
// "practically never", not an overflow into the past.
inline TimePoint after_ms(TimePoint t, int64_t ms) {
  if (ms <= 0) return t;
  int64_t room =
      std::chrono::duration_cast<std::chrono::milliseconds>(TimePoint::max() - t).count();
  return ms >= room ? TimePoint::max() : t + std::chrono::milliseconds(ms);
}

// Milliseconds until `deadline`, rounded up so a timer armed with it never fires early.
inline long millis_until(TimePoint deadline, TimePoint t) {
  if (deadline <= t) return 0;
  auto us = micros_between(t, deadline);
  return static_cast<long>((us + 999) / 1000);
}

}  // namespace evm
