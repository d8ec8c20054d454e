// Measuring time in tests, and waiting for a condition with a deadline.
#pragma once

#include <chrono>

namespace evm::test {

using Clock = std::chrono::steady_clock;

inline long ms_since(Clock::time_point t0) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

// Runs `step` until `done` holds or `timeout` has passed; true if `done` held. The step is what
// makes progress: one round of an event loop, say.
template <class Pred, class Step>
bool wait_until(Pred &&done, std::chrono::milliseconds timeout, Step &&step) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    step();
  }
  return true;
}

}  // namespace evm::test
