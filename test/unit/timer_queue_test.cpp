#include "event/timer_queue.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace {

struct Client final : evm::TimerClient {
  int fired = 0;
  void on_timeout(evm::TimePoint) override { ++fired; }
};

evm::TimePoint at(int ms) {
  return evm::TimePoint{} + std::chrono::milliseconds(ms);
}

}  // namespace

TEST_CASE("timer queue pops deadlines in order and only when expired") {
  evm::TimerQueue q;
  Client a, b, c;
  q.arm(a, at(30));
  q.arm(b, at(10));
  q.arm(c, at(20));
  CHECK(q.top() == &b);
  CHECK(q.pop_expired(at(5)) == nullptr);
  CHECK(q.pop_expired(at(25)) == &b);
  CHECK(q.pop_expired(at(25)) == &c);
  CHECK(q.pop_expired(at(25)) == nullptr);
  CHECK(q.size() == 1);
  CHECK(q.pop_expired(at(30)) == &a);
  CHECK(q.empty());
  CHECK_FALSE(a.queued());
}

TEST_CASE("re-arming moves a client instead of adding a second entry") {
  evm::TimerQueue q;
  Client a, b;
  q.arm(a, at(10));
  q.arm(b, at(20));
  q.arm(a, at(30));  // later: b becomes the earliest
  CHECK(q.size() == 2);
  CHECK(q.top() == &b);
  q.arm(a, at(5));  // earlier again
  CHECK(q.top() == &a);
  q.cancel(a);
  CHECK(q.top() == &b);
  CHECK_FALSE(a.queued());
  q.cancel(a);  // cancelling twice is harmless
  CHECK(q.size() == 1);
}

TEST_CASE("heap order survives random arms and cancels") {
  evm::TimerQueue q;
  std::vector<Client> clients(500);
  std::mt19937 rng(7);
  std::vector<int> deadline(clients.size(), -1);
  for (int round = 0; round < 5000; ++round) {
    size_t i = rng() % clients.size();
    if (rng() % 4 == 0) {
      q.cancel(clients[i]);
      deadline[i] = -1;
    } else {
      int d = static_cast<int>(rng() % 100000);
      q.arm(clients[i], at(d));
      deadline[i] = d;
    }
  }
  std::vector<int> expected;
  for (int d : deadline)
    if (d >= 0) expected.push_back(d);
  std::sort(expected.begin(), expected.end());
  std::vector<int> got;
  while (evm::TimerClient *c = q.pop_expired(at(1000000)))
    got.push_back(static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(c->deadline() - evm::TimePoint{})
            .count()));
  CHECK(got == expected);
}

TEST_CASE("millis_until rounds up and never goes negative") {
  auto t = at(100);
  CHECK(evm::millis_until(at(100), t) == 0);
  CHECK(evm::millis_until(at(50), t) == 0);
  CHECK(evm::millis_until(t + std::chrono::microseconds(1), t) == 1);
  CHECK(evm::millis_until(at(250), t) == 150);
}
