// Field reports about 0 ms timeouts (curl #3537, #17144): an application that runs a 0 ms
// timeout from inside TIMERFUNCTION recursed without end, and event loops that round 0 up to
// their 1 ms timer resolution added a millisecond to every transfer. The adapter serves a
// 0 ms timeout asked for inside its own socket_action (a done callback adding the next
// handle) before it returns to the loop, so a chain of transfers costs one wake-up each (the
// response arriving), not two (the response, then a timer), and the loop never sleeps
// between them. Counted in loop turns, not measured in time.
#include <doctest/doctest.h>

#include <string>

#include "adapter_harness.h"

using namespace evm::test;
using namespace std::chrono_literals;

namespace {

// `total` transfers of `path` one after another, each added from the previous one's done
// callback; returns the loop turns it took.
int chain(Harness &h, const std::string &url, size_t total) {
  h.on_done = [&](Job &) {
    if (h.jobs.size() < total) h.add(url);
  };
  h.add(url);
  int turns = 0;
  REQUIRE(h.run_until(
      [&] {
        ++turns;
        return h.done_count == total;
      },
      30s));
  return turns - 1;  // the last check ends the run, it is no turn
}

}  // namespace

TEST_CASE("zero timer: 2,000 chained keep-alive transfers take one loop turn each (curl #17144)") {
  constexpr size_t kTotal = 2000;
  TestServer &srv = server();
  Harness h;
  REQUIRE(h.attach());
  uint64_t accepted = srv.connections_accepted();
  int turns = chain(h, srv.raw_url("/ok/3"), kTotal);
  MESSAGE(std::string(LoopBackend::kName)
          << ": " << turns << " loop turns for " << kTotal << " transfers");
  size_t ok = 0;
  for (auto &j : h.jobs) ok += j->result == CURLE_OK && j->fetch.body == "abc";
  CHECK(ok == kTotal);
  CHECK(srv.connections_accepted() - accepted == 1);  // one keep-alive connection throughout
  // One turn per response; a 0 ms timer through the backend would add a second (and, rounded
  // to 1 ms, a sleep) to each. Measured: 2,002 turns (4,001 without the adapter's in-turn
  // path); a tenth more is slack for a slow response on a loaded machine (an idle turn of the
  // harness's own 50 ms tick).
  CHECK(turns <= static_cast<int>(kTotal + kTotal / 10));
}

// The same chain where each added handle fails at once (no I/O at all): the adapter serves
// the 0 ms timeouts in bounded rounds (it never recurses into the multi), and still needs
// only a few turns for the lot.
TEST_CASE(
    "zero timer: 1,000 handles failing at once, each added by the last, need few turns (curl "
    "#3537)") {
  constexpr size_t kTotal = 1000;
  Harness h;
  REQUIRE(h.attach());
  int turns = chain(h, "nosuch://127.0.0.1/", kTotal);
  MESSAGE(std::string(LoopBackend::kName)
          << ": " << turns << " loop turns for " << kTotal << " failures");
  for (auto &j : h.jobs) CHECK(j->result == CURLE_UNSUPPORTED_PROTOCOL);
  // 64 rounds per event at most (DESIGN.md): about 16 turns, far below one per handle.
  CHECK(turns >= 2);
  CHECK(turns <= static_cast<int>(kTotal) / 32);
}
