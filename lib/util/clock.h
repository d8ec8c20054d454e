// Monotonic time used for deadlines and transfer timings.
#pragma once

#include <chrono>
#include <cstdint>

namespace evm {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Micros = std::chrono::microseconds;

inline TimePoint now() { return Clock::now(); }

inline int64_t micros_between(TimePoint from, TimePoint to) {
  return std::chrono::duration_cast<Micros>(to - from).count();
}

// Milliseconds until `deadline`, rounded up so a timer armed with it never fires early.
inline long millis_until(TimePoint deadline, TimePoint t) {
  if (deadline <= t) return 0;
  auto us = micros_between(t, deadline);
  return static_cast<long>((us + 999) / 1000);
}

}  // namespace evm
