// curl_multi_socket_action: unknown descriptors, an ev_bitmask of 0, CURL_SOCKET_TIMEOUT, and
// the running_handles it reports (see multi_driver.h).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "multi_driver.h"

using namespace evm::test;

TEST_CASE("curl_multi_socket_action on an fd the multi never saw is OK and changes nothing") {
  TestServer &srv = server();
  Driver d;
  auto a = make(srv.raw_url("/stall"));
  auto b = make(srv.http_url("/stall"));
  REQUIRE(curl_multi_add_handle(d.multi, a->easy) == CURLM_OK);
  REQUIRE(curl_multi_add_handle(d.multi, b->easy) == CURLM_OK);
  REQUIRE(
      d.run_until([&] { return d.fds_of(a->easy).size() == 1 && d.fds_of(b->easy).size() == 1; }));
  for (int i = 0; i < 5; ++i) d.step(10);
  REQUIRE(d.running == 2);
  auto watched = d.watched;
  size_t sockets = d.socket_calls.size(), timers = d.timer_calls.size();

  ForeignFd foreign;
  for (int bits : {0, CURL_CSELECT_IN, CURL_CSELECT_OUT, CURL_CSELECT_ERR,
                   CURL_CSELECT_IN | CURL_CSELECT_OUT | CURL_CSELECT_ERR}) {
    CAPTURE(bits);
    int running = -1;
    CHECK(curl_multi_socket_action(d.multi, foreign.fd(), bits, &running) == CURLM_OK);
    CHECK(running == 2);
    // Descriptor numbers far beyond anything open are just as unknown.
    running = -1;
    CHECK(curl_multi_socket_action(d.multi, 1 << 20, bits, &running) == CURLM_OK);
    CHECK(running == 2);
  }
  int left = -1;
  CHECK(curl_multi_info_read(d.multi, &left) == nullptr);
  CHECK(left == 0);
  CHECK(d.socket_calls.size() == sockets);
  CHECK(d.timer_calls.size() == timers);
  CHECK(d.watched == watched);
  curl_multi_remove_handle(d.multi, a->easy);
  curl_multi_remove_handle(d.multi, b->easy);
  d.check_socket_contract();
}

TEST_CASE("an ev_bitmask of 0 lets the library find out: whole transfers driven that way") {
  TestServer &srv = server();
  Driver d;
  d.zero_bits = true;
  std::vector<std::unique_ptr<Fetch>> fetches;
  fetches.push_back(make(srv.http_url("/bytes/400000")));
  fetches.push_back(make(srv.http_url("/bytes/1")));
  fetches.push_back(make(srv.http_url("/chunked/50000")));
  fetches.push_back(make(srv.raw_url("/ok/70000")));
  fetches.push_back(make(srv.raw_url("/close-delimited/3000")));
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  REQUIRE(d.done.size() == fetches.size());
  for (auto &[easy, result] : d.done) CHECK(result == CURLE_OK);
  CHECK(fetches[0]->body.size() == 400000);
  CHECK(fetches[1]->body == "a");
  CHECK(fetches[2]->body.size() == 50000);
  CHECK(fetches[3]->body.size() == 70000);
  CHECK(fetches[4]->body.size() == 3000);
  for (auto &f : fetches) CHECK(f->status() == 200);
  for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
  d.check_socket_contract();
}

TEST_CASE("CURL_SOCKET_TIMEOUT runs only the transfers whose deadline has passed") {
  TestServer &srv = server();
  Driver d;
  auto soon = make(srv.raw_url("/stall"), 150);
  auto later = make(srv.raw_url("/stall"), 2500);
  auto start = Clock::now();
  REQUIRE(curl_multi_add_handle(d.multi, soon->easy) == CURLM_OK);
  REQUIRE(curl_multi_add_handle(d.multi, later->easy) == CURLM_OK);
  REQUIRE(d.run_until([&] { return d.is_done(soon->easy); }, 1500));
  CHECK(*d.result_of(soon->easy) == CURLE_OPERATION_TIMEDOUT);
  CHECK(ms_since(start) < 1000);
  CHECK(d.running == 1);
  CHECK_FALSE(d.is_done(later->easy));
  // Running the timeouts early, repeatedly, touches nothing that is not due.
  for (int i = 0; i < 5; ++i) {
    CHECK(d.action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
    CHECK(d.running == 1);
  }
  CHECK(d.done.size() == 1);
  CHECK(d.fds_of(later->easy).size() == 1);
  REQUIRE(d.timer_armed());
  CHECK(d.deadline > Clock::now());
  CHECK(d.deadline < start + std::chrono::milliseconds(2530));
  curl_multi_remove_handle(d.multi, soon->easy);
  curl_multi_remove_handle(d.multi, later->easy);
  d.check_socket_contract();
}

TEST_CASE("running_handles counts the transfers not yet done") {
  TestServer &srv = server();
  Driver d;
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < 3; ++i)
    fetches.push_back(make(srv.http_url("/delay/" + std::to_string(20 + 20 * i))));
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  std::vector<std::string> mismatches;
  d.after_action = [&] {
    if (d.running + static_cast<int>(d.done.size()) != 3)
      mismatches.push_back("running " + std::to_string(d.running) + " with " +
                           std::to_string(d.done.size()) + " done");
  };
  CHECK(d.action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
  CHECK(d.running <= 3);
  CHECK(d.running >= 0);
  REQUIRE(d.run_all());
  CHECK(d.running == 0);
  CHECK(d.done.size() == 3);
  CHECK(mismatches.empty());
  // Finished: further actions keep reporting 0.
  CHECK(d.action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
  CHECK(d.running == 0);
  for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
  d.check_socket_contract();
}

TEST_CASE("a handle that fails at once is done in the first action and not counted as running") {
  TestServer &srv = server();
  Driver d;
  auto bad = make("http://");
  auto good = make(srv.http_url("/delay/50"));
  REQUIRE(curl_multi_add_handle(d.multi, bad->easy) == CURLM_OK);
  REQUIRE(curl_multi_add_handle(d.multi, good->easy) == CURLM_OK);
  CHECK(d.action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
  REQUIRE(d.done.size() == 1);
  CHECK(d.done[0].first == bad->easy);
  CHECK(d.done[0].second == CURLE_URL_MALFORMAT);
  CHECK(d.running == 1);
  REQUIRE(d.run_all());
  REQUIRE(d.done.size() == 2);
  CHECK(d.done[1].first == good->easy);
  CHECK(d.done[1].second == CURLE_OK);
  CHECK(good->body == "ok\n");
  // The failed handle never got a socket.
  CHECK(d.fds_of(bad->easy).empty());
  curl_multi_remove_handle(d.multi, bad->easy);
  curl_multi_remove_handle(d.multi, good->easy);
  d.check_socket_contract();
}
