// curl_multi_poll and curl_multi_wakeup, and curl_multi_fdset and curl_multi_timeout against
// what the callbacks said (see multi_driver.h).
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <sys/select.h>

#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "multi_driver.h"

using namespace evm::test;

TEST_CASE("curl_multi_wakeup cuts a long curl_multi_poll short") {
  TestServer &srv = server();
  CURLM *m = curl_multi_init();
  SUBCASE("from another thread, nothing added") {
    auto start = Clock::now();
    std::thread waker([m] {
      // The delay is what the test measures against: the poll must last until the wakeup.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      CHECK(curl_multi_wakeup(m) == CURLM_OK);
    });
    int n = -1;
    CHECK(curl_multi_poll(m, nullptr, 0, 10000, &n) == CURLM_OK);
    waker.join();
    long took = ms_since(start);
    CHECK(took >= 90);
    CHECK(took < 2000);
  }
  SUBCASE("from another thread, with a stalled transfer") {
    auto f = make(srv.raw_url("/stall"));
    REQUIRE(curl_multi_add_handle(m, f->easy) == CURLM_OK);
    int running = 0;
    for (int i = 0; i < 5; ++i) {
      CHECK(curl_multi_perform(m, &running) == CURLM_OK);
      curl_multi_wait(m, nullptr, 0, 20, nullptr);
    }
    CHECK(running == 1);
    auto start = Clock::now();
    std::thread waker([m] {
      // So that the wakeup comes while curl_multi_poll blocks, not before it starts.
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      CHECK(curl_multi_wakeup(m) == CURLM_OK);
    });
    CHECK(curl_multi_poll(m, nullptr, 0, 10000, nullptr) == CURLM_OK);
    waker.join();
    CHECK(ms_since(start) < 2000);
    curl_multi_remove_handle(m, f->easy);
  }
  SUBCASE("a wakeup before the poll makes it return at once") {
    CHECK(curl_multi_wakeup(m) == CURLM_OK);
    auto start = Clock::now();
    CHECK(curl_multi_poll(m, nullptr, 0, 10000, nullptr) == CURLM_OK);
    CHECK(ms_since(start) < 1000);
  }
  CHECK(curl_multi_cleanup(m) == CURLM_OK);
}

TEST_CASE("curl_multi_fdset and curl_multi_timeout agree with the callbacks") {
  TestServer &srv = server();
  Driver d;
  std::vector<std::string> disagreements;
  int checks = 0;
  auto compare = [&] {
    ++checks;
    fd_set r, w, x;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&x);
    int maxfd = -2;
    CHECK(curl_multi_fdset(d.multi, &r, &w, &x, &maxfd) == CURLM_OK);
    int want_max = d.watched.empty() ? -1 : d.watched.rbegin()->first;
    if (maxfd != want_max)
      disagreements.push_back("max_fd " + std::to_string(maxfd) + " vs " +
                              std::to_string(want_max));
    for (int fd = 0; fd < FD_SETSIZE; ++fd) {
      auto it = d.watched.find(fd);
      int want = it == d.watched.end() ? 0 : it->second;
      bool rd = FD_ISSET(fd, &r), wr = FD_ISSET(fd, &w);
      if (rd != bool(want & CURL_POLL_IN) || wr != bool(want & CURL_POLL_OUT))
        disagreements.push_back("fd " + std::to_string(fd) + " interest " + std::to_string(want) +
                                " vs fdset " + std::to_string(rd) + std::to_string(wr));
    }
    long t = -2;
    CHECK(curl_multi_timeout(d.multi, &t) == CURLM_OK);
    if (!d.timer_armed()) {
      if (t != -1) disagreements.push_back("timeout " + std::to_string(t) + " with no timer");
    } else {
      long left = static_cast<long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(d.deadline - Clock::now()).count());
      if (left < 0) left = 0;
      if (t < 0 || std::labs(t - left) > 10)
        disagreements.push_back("timeout " + std::to_string(t) + " vs timer " +
                                std::to_string(left));
    }
  };
  compare();  // empty multi: nothing to watch, no timeout
  std::vector<std::unique_ptr<Fetch>> fetches;
  fetches.push_back(make(srv.http_url("/bytes/200000")));
  fetches.push_back(make(srv.http_url("/delay/50")));
  fetches.push_back(make(srv.raw_url("/slow/3")));
  fetches.push_back(make(srv.raw_url("/stall"), 300));
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  d.after_action = compare;
  REQUIRE(d.run_all());
  compare();
  CHECK(checks > 5);
  for (auto &s : disagreements) FAIL_CHECK(s);
  REQUIRE(d.done.size() == 4);
  for (auto &[easy, result] : d.done)
    CHECK(result == (easy == fetches[3]->easy ? CURLE_OPERATION_TIMEDOUT : CURLE_OK));
  for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
  d.check_socket_contract();
}
