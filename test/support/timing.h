// Measuring time in tests, and waiting for a condition with a deadline.
#pragma once

#include <chrono>
#include <thread>

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

// The same for a condition another thread or process brings about: checks it every 2 ms.
template <class Pred>
bool wait_until(Pred &&done, std::chrono::milliseconds timeout = std::chrono::seconds(3)) {
  return wait_until(done, timeout,
                    [] { std::this_thread::sleep_for(std::chrono::milliseconds(2)); });
}

}  // namespace evm::test
