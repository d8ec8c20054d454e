// CURLMOPT_TIMERFUNCTION: when a deadline is reported, changed and cancelled, and a
// transfer run by the timer alone (see multi_driver.h).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "multi_driver.h"

using namespace evm::test;

TEST_CASE("TIMERFUNCTION: 0 on add_handle, -1 once nothing is pending") {
  TestServer &srv = server();
  SUBCASE("a transfer that finishes on a socket event cancels its pending deadline") {
    Driver d;
    auto f = make(srv.http_url("/delay/50"), 5000);  // a deadline far away stays armed
    REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    REQUIRE(d.timer_calls.size() == 1);
    CHECK(d.timer_calls[0].ms == 0);  // "run me now"
    REQUIRE(d.run_all());
    REQUIRE(d.done.size() == 1);
    CHECK(d.done[0].second == CURLE_OK);
    REQUIRE(d.timer_calls.size() >= 3);
    CHECK(d.timer_calls[d.timer_calls.size() - 2].ms > 0);
    CHECK(d.timer_calls.back().ms == -1);
    CHECK_FALSE(d.timer_armed());
    for (size_t i = 1; i < d.timer_calls.size(); ++i)
      CHECK_FALSE((d.timer_calls[i].ms == -1 && d.timer_calls[i - 1].ms == -1));
    long t = 0;
    CHECK(curl_multi_timeout(d.multi, &t) == CURLM_OK);
    CHECK(t == -1);
    curl_multi_remove_handle(d.multi, f->easy);
    d.check_socket_contract();
  }
  SUBCASE("after plain transfers no timer is left armed") {
    // The app's timer is one-shot: once it fired, libcurl owes no -1 for it; any deadline
    // reported after that must be cancelled with -1 when the last transfer finishes.
    Driver d;
    std::vector<std::unique_ptr<Fetch>> fetches;
    for (int i = 0; i < 3; ++i) fetches.push_back(make(srv.http_url("/bytes/100")));
    for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    REQUIRE(d.run_all());
    CHECK(d.done.size() == 3);
    CHECK_FALSE(d.timer_armed());
    long t = 0;
    CHECK(curl_multi_timeout(d.multi, &t) == CURLM_OK);
    CHECK(t == -1);
    for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
    d.check_socket_contract();
  }
  SUBCASE("removing the only handle before it ran cancels the timer") {
    Driver d;
    auto f = make(srv.http_url("/bytes/100"));
    REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    REQUIRE(d.timer_calls.size() == 1);
    CHECK(d.timer_calls[0].ms == 0);
    REQUIRE(curl_multi_remove_handle(d.multi, f->easy) == CURLM_OK);
    REQUIRE(d.timer_calls.size() == 2);
    CHECK(d.timer_calls[1].ms == -1);
    long t = 0;
    CHECK(curl_multi_timeout(d.multi, &t) == CURLM_OK);
    CHECK(t == -1);
  }
}

TEST_CASE(
    "TIMERFUNCTION reports a TIMEOUT_MS deadline, and only when the earliest deadline changes") {
  TestServer &srv = server();
  Driver d;
  constexpr long kTimeout = 1000;
  auto stall = make(srv.raw_url("/stall"), kTimeout);
  auto start = Clock::now();
  auto expect = start + std::chrono::milliseconds(kTimeout);
  auto near = [](Clock::time_point a, Clock::time_point b, int ms) {
    return a > b - std::chrono::milliseconds(ms) && a < b + std::chrono::milliseconds(ms);
  };
  REQUIRE(curl_multi_add_handle(d.multi, stall->easy) == CURLM_OK);
  // Run until the request is sent and the transfer waits for the response, and past any
  // short-lived connect-phase timers (libcurl 7.88 has a 200 ms one).
  REQUIRE(d.run_until([&] {
    for (auto &c : d.socket_calls)
      if (c.easy == stall->easy && c.what == CURL_POLL_IN) return true;
    return false;
  }));
  d.run_until([&] { return ms_since(start) > 300; });
  REQUIRE(d.running == 1);
  REQUIRE(d.timer_armed());
  REQUIRE(!d.timer_calls.empty());
  // Never asked to wake up later than the transfer's timeout; now asked for exactly that.
  for (auto &c : d.timer_calls)
    if (c.ms >= 0) CHECK(c.deadline() < expect + std::chrono::milliseconds(30));
  auto reported = d.timer_calls.back().deadline();
  CHECK(near(reported, expect, 60));
  std::vector<curl_socket_t> fds = d.fds_of(stall->easy);
  REQUIRE(fds.size() == 1);

  size_t timers_before = d.timer_calls.size();
  size_t sockets_before = d.socket_calls.size();
  SUBCASE("events that do not change the deadline do not re-report it") {
    ForeignFd foreign;
    CHECK(d.action(foreign.fd(), CURL_CSELECT_IN) == CURLM_OK);
    CHECK(d.action(foreign.fd(), 0) == CURLM_OK);
    CHECK(d.running == 1);
    // A spurious wake-up of the transfer's own socket: nothing to read yet.
    CHECK(d.action(fds[0], CURL_CSELECT_IN) == CURLM_OK);
    CHECK(d.action(fds[0], 0) == CURLM_OK);
    CHECK(d.running == 1);
    for (int i = 0; i < 3; ++i) d.step(10);  // quiet socket: nothing happens
    CHECK(d.timer_calls.size() == timers_before);
    CHECK(d.socket_calls.size() == sockets_before);
    CHECK(d.done.empty());
  }
  SUBCASE("another transfer's deadlines come and go, then the old deadline is back") {
    auto quick = make(srv.http_url("/bytes/100"));
    REQUIRE(curl_multi_add_handle(d.multi, quick->easy) == CURLM_OK);
    REQUIRE(d.timer_calls.size() == timers_before + 1);
    CHECK(d.timer_calls.back().ms == 0);
    REQUIRE(d.run_until([&] { return d.is_done(quick->easy); }));
    CHECK(*d.result_of(quick->easy) == CURLE_OK);
    curl_multi_remove_handle(d.multi, quick->easy);
    REQUIRE(d.run_until([&] { return d.timer_armed() && near(d.deadline, reported, 15); }, 400));
    CHECK(d.running == 1);
    CHECK(ms_since(start) < kTimeout - 100);
    // Every report was a change: no two in a row name the same deadline.
    for (size_t i = timers_before + 1; i < d.timer_calls.size(); ++i) {
      auto &a = d.timer_calls[i - 1], &b = d.timer_calls[i];
      if (a.ms > 0 && b.ms > 0) CHECK_FALSE(near(a.deadline(), b.deadline(), 2));
    }
  }
  curl_multi_remove_handle(d.multi, stall->easy);
  CHECK_FALSE(d.timer_armed());  // nothing pending any more
  d.check_socket_contract();
}

// libcurl 7.88 fails the socket contract here: the connect-phase timeout closes the socket
// first and reports CURL_POLL_REMOVE afterwards.
TEST_CASE("TIMEOUT_MS 200 against /stall times out when only CURL_SOCKET_TIMEOUT is driven") {
  TestServer &srv = server();
  for (const std::string &url : {srv.raw_url("/stall"), srv.http_url("/stall")}) {
    CAPTURE(url);
    Driver d;
    d.socket_events = false;
    auto f = make(url, 200);
    auto start = Clock::now();
    REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    CHECK(d.timer_calls.at(0).ms == 0);
    REQUIRE(d.run_until([&] { return !d.done.empty(); }, 2000));
    long took = ms_since(start);
    CHECK(d.done[0].first == f->easy);
    CHECK(d.done[0].second == CURLE_OPERATION_TIMEDOUT);
    CHECK(took >= 190);
    CHECK(took < 1000);
    CHECK(d.running == 0);
    CHECK_FALSE(d.timer_armed());  // the 200 ms timer fired; nothing else was asked for
    curl_multi_remove_handle(d.multi, f->easy);
    d.check_socket_contract();
  }
}
