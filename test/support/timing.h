// Measuring time in tests.
#pragma once

#include <chrono>

namespace evm::test {

using Clock = std::chrono::steady_clock;

inline long ms_since(Clock::time_point t0) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

}  // namespace evm::test
