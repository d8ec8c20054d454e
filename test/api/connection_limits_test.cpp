// Connection limits and the pending queue: CURLMOPT_MAX_HOST_CONNECTIONS,
// CURLMOPT_MAX_TOTAL_CONNECTIONS, CURLMOPT_MAXCONNECTS (see multi_driver.h).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "multi_driver.h"

using namespace evm::test;

namespace {

// Runs `n` transfers of `path` on one multi with `opt` = `value`; returns the server's new
// connections.
uint64_t run_limited(CURLMoption opt, long value, int n, const std::string &path,
                     std::vector<CURL *> *order = nullptr) {
  TestServer &srv = server();
  Driver d;
  REQUIRE(curl_multi_setopt(d.multi, opt, value) == CURLM_OK);
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < n; ++i) fetches.push_back(make(srv.http_url(path)));
  uint64_t before = srv.connections_accepted();
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  uint64_t opened = srv.connections_accepted() - before;
  REQUIRE(d.done.size() == fetches.size());
  int ok = 0;
  for (auto &[easy, result] : d.done) ok += result == CURLE_OK;
  CHECK(ok == n);
  for (auto &f : fetches) CHECK(f->body == "ok\n");
  if (order) {
    std::vector<CURL *> want;
    for (auto &f : fetches) want.push_back(f->easy);
    order->clear();
    for (auto &[easy, result] : d.done) order->push_back(easy);
    CHECK(*order == want);
    if (tracing())
      for (auto *e : *order)
        fprintf(stderr, "order %ld\n", long(std::find(want.begin(), want.end(), e) - want.begin()));
  }
  for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
  d.check_socket_contract();
  return opened;
}

}  // namespace

TEST_CASE("CURLMOPT_MAX_HOST_CONNECTIONS 3: 30 transfers share exactly 3 connections") {
  CHECK(run_limited(CURLMOPT_MAX_HOST_CONNECTIONS, 3, 30, "/delay/30") == 3);
}

TEST_CASE("CURLMOPT_MAX_TOTAL_CONNECTIONS 2: 20 transfers share exactly 2 connections") {
  CHECK(run_limited(CURLMOPT_MAX_TOTAL_CONNECTIONS, 2, 20, "/delay/20") == 2);
}

// Our pending queue is a FIFO (DESIGN.md); libcurl 7.88 gives no such guarantee.
TEST_CASE("pending transfers start in the order they were added") {
  std::vector<CURL *> order;
  CHECK(run_limited(CURLMOPT_MAX_HOST_CONNECTIONS, 1, 10, "/delay/5", &order) == 1);
  std::vector<CURL *> order2;
  CHECK(run_limited(CURLMOPT_MAX_TOTAL_CONNECTIONS, 1, 10, "/delay/5", &order2) == 1);
}

TEST_CASE("CURLMOPT_MAXCONNECTS 1 keeps one idle connection") {
  TestServer &srv = server();
  Driver d;
  REQUIRE(curl_multi_setopt(d.multi, CURLMOPT_MAXCONNECTS, 1L) == CURLM_OK);
  auto batch = [&](int round) {
    std::vector<std::unique_ptr<Fetch>> fetches;
    for (int i = 0; i < 4; ++i) fetches.push_back(make(srv.http_url("/delay/60")));
    uint64_t before = srv.connections_accepted();
    d.done.clear();
    for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    REQUIRE(d.run_all());
    REQUIRE(d.done.size() == 4);
    for (auto &[easy, result] : d.done) CHECK(result == CURLE_OK);
    for (auto &f : fetches) CHECK(f->body == "ok\n");
    for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
    CAPTURE(round);
    return srv.connections_accepted() - before;
  };
  CHECK(batch(1) == 4);  // all four in parallel
  uint64_t second = batch(2);
  CHECK(second >= 3);  // at most one was kept
  CHECK(second <= 4);
  d.check_socket_contract();
}
