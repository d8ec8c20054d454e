// curl #3537: applications (boost.asio wrappers, most often) ran curl_multi_socket_action
// from inside TIMERFUNCTION when it said 0 ms, and the multi answered with another 0 ms
// timeout from inside that call, recursing until the stack ran out. libcurl 7.88 refuses the
// inner call with CURLM_RECURSIVE_API_CALL (checked with a small program against the system
// libcurl), so TIMERFUNCTION is never entered twice; an application that runs the timeout
// next in its loop instead gets every transfer done, with a bounded number of timer calls and
// actions per transfer, not an endless stream of 0 ms timeouts (curl #12113).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "multi_driver.h"

using namespace evm::test;

namespace {

// Sequential transfers over one keep-alive connection: each finished one is removed and the
// next one added, from the loop (after the action that finished it).
struct Chain {
  Driver &d;
  std::string url;
  size_t total;
  std::vector<std::unique_ptr<Fetch>> fetches;
  size_t seen = 0;
  int ok = 0;

  Chain(Driver &driver, std::string u, size_t n) : d(driver), url(std::move(u)), total(n) {
    d.after_action = [this] { next(); };
  }
  ~Chain() { d.after_action = nullptr; }
  void add() {
    fetches.push_back(make(url, 10000));
    REQUIRE(curl_multi_add_handle(d.multi, fetches.back()->easy) == CURLM_OK);
  }
  void next() {
    for (; seen < d.done.size(); ++seen) {
      ok += d.done[seen].second == CURLE_OK;
      CHECK(curl_multi_remove_handle(d.multi, d.done[seen].first) == CURLM_OK);
      if (fetches.size() < total) add();
    }
  }
  bool run() {
    add();
    return d.run_until([&] { return d.done.size() == total; }, 30000);
  }
};

}  // namespace

TEST_CASE(
    "zero timeout: socket_action from inside TIMERFUNCTION is refused, no recursion (curl #3537)") {
  TestServer &srv = server();
  Driver d;
  int depth = 0, deepest = 0, zero_calls = 0, inner_calls = 0, refused = 0;
  d.timer_hook = [&](long ms) {
    ++depth;
    deepest = std::max(deepest, depth);
    if (ms == 0) {
      ++zero_calls;
      // What the reporters' loops did: run it right here.
      int running = 0;
      ++inner_calls;
      refused += curl_multi_socket_action(d.multi, CURL_SOCKET_TIMEOUT, 0, &running) ==
                 CURLM_RECURSIVE_API_CALL;
    }
    --depth;
  };
  Chain c(d, srv.raw_url("/ok/3"), 200);
  uint64_t accepted = srv.connections_accepted();
  // The refused inner call leaves the timeout armed in the Driver, which runs it next turn.
  REQUIRE(c.run());
  CHECK(c.ok == 200);
  CHECK(deepest == 1);
  CHECK(zero_calls >= 200);  // every add asks for 0 ms
  CHECK(refused == inner_calls);
  CHECK(srv.connections_accepted() - accepted == 1);
  d.check_socket_contract();
}

TEST_CASE(
    "zero timeout: 1,000 chained transfers cost a bounded number of timer calls (curl #3537)") {
  TestServer &srv = server();
  constexpr size_t kTotal = 1000;
  Driver d;
  int actions = 0, timer_calls = 0, zero_calls = 0;
  d.timer_hook = [&](long ms) {
    ++timer_calls;
    zero_calls += ms == 0;
  };
  Chain c(d, srv.raw_url("/ok/3"), kTotal);
  auto chained = d.after_action;
  d.after_action = [&] {
    ++actions;
    chained();
  };
  uint64_t accepted = srv.connections_accepted();
  REQUIRE(c.run());
  MESSAGE(actions << " actions, " << timer_calls << " TIMERFUNCTION calls (" << zero_calls
                  << " of 0 ms) for " << kTotal << " transfers");
  CHECK(c.ok == static_cast<int>(kTotal));
  CHECK(srv.connections_accepted() - accepted == 1);
  // Per transfer: the add's 0 ms timeout and the action it asks for, then the response's.
  // (Measured: exactly 2 actions, 3 timer calls and one 0 ms among them per transfer; a tenth
  // more is slack for a response that arrives in two pieces.)
  const int n = static_cast<int>(kTotal);
  CHECK(actions <= 2 * n + n / 10);
  CHECK(timer_calls <= 3 * n + n / 10);
  CHECK(zero_calls <= n + n / 10);
  d.check_socket_contract();
}
