// The three documented ways to drive a multi handle, each with 1,000 concurrent transfers.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "easy_fixture.h"
#include "epoll_loop.h"
#include "shared_test_server.h"

using evm::test::TestServer;

namespace {

constexpr int kTransfers = 1000;

TestServer &server() {
  return evm::test::shared_test_server();
}

// 1,000 handles, each fetching a distinct size so bodies can be checked.
struct Batch {
  CURLM *multi = curl_multi_init();
  std::vector<std::unique_ptr<evm::test::Fetch>> fetches;
  std::map<CURL *, size_t> index;
  int done = 0, ok = 0;

  explicit Batch(int n, long max_total = 0) {
    if (max_total) curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, max_total);
    for (int i = 0; i < n; ++i) {
      fetches.push_back(std::make_unique<evm::test::Fetch>(
          server().http_url("/bytes/" + std::to_string(100 + i))));
      index[fetches.back()->easy] = static_cast<size_t>(i);
      REQUIRE(curl_multi_add_handle(multi, fetches.back()->easy) == CURLM_OK);
    }
  }
  ~Batch() {
    for (auto &f : fetches) curl_multi_remove_handle(multi, f->easy);
    fetches.clear();
    curl_multi_cleanup(multi);
  }
  void drain() {
    int left;
    while (CURLMsg *m = curl_multi_info_read(multi, &left)) {
      REQUIRE(m->msg == CURLMSG_DONE);
      ++done;
      auto &f = *fetches[index.at(m->easy_handle)];
      if (m->data.result == CURLE_OK && f.body.size() == 100 + index.at(m->easy_handle)) ++ok;
    }
  }
};

}  // namespace

TEST_CASE("curl_multi_perform with curl_multi_poll completes 1,000 concurrent transfers") {
  Batch b(kTransfers);
  int running = 1;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (running && std::chrono::steady_clock::now() < until) {
    REQUIRE(curl_multi_perform(b.multi, &running) == CURLM_OK);
    b.drain();
    if (running) REQUIRE(curl_multi_poll(b.multi, nullptr, 0, 1000, nullptr) == CURLM_OK);
  }
  b.drain();
  CHECK(running == 0);
  CHECK(b.done == kTransfers);
  CHECK(b.ok == kTransfers);
}

TEST_CASE("curl_multi_fdset with select completes 1,000 concurrent transfers") {
  // select() only holds descriptors below FD_SETSIZE; client and in-process server share this
  // process, so the connections are capped, which also exercises the pending queue.
  Batch b(kTransfers, 300);
  int running = 1;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (running && std::chrono::steady_clock::now() < until) {
    REQUIRE(curl_multi_perform(b.multi, &running) == CURLM_OK);
    b.drain();
    if (!running) break;
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    int maxfd = -1;
    REQUIRE(curl_multi_fdset(b.multi, &r, &w, &e, &maxfd) == CURLM_OK);
    long timeout = -1;
    REQUIRE(curl_multi_timeout(b.multi, &timeout) == CURLM_OK);
    if (timeout < 0 || timeout > 1000) timeout = 1000;
    timeval tv{0, static_cast<suseconds_t>(timeout * 1000)};
    if (maxfd == -1)
      select(0, nullptr, nullptr, nullptr, &tv);
    else
      REQUIRE(select(maxfd + 1, &r, &w, &e, &tv) >= 0);
  }
  b.drain();
  CHECK(running == 0);
  CHECK(b.done == kTransfers);
  CHECK(b.ok == kTransfers);
}

TEST_CASE("curl_multi_socket_action with an epoll loop completes 1,000 concurrent transfers") {
  Batch b(0);
  evm::test::EpollLoop loop;
  loop.attach(b.multi);
  for (int i = 0; i < kTransfers; ++i) {
    b.fetches.push_back(
        std::make_unique<evm::test::Fetch>(server().http_url("/bytes/" + std::to_string(100 + i))));
    b.index[b.fetches.back()->easy] = static_cast<size_t>(i);
    REQUIRE(curl_multi_add_handle(b.multi, b.fetches.back()->easy) == CURLM_OK);
  }
  CHECK(loop.timeout_ms == 0);  // adding asks to be run at once
  int running = kTransfers;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (running && std::chrono::steady_clock::now() < until) {
    loop.step(b.multi, &running);
    b.drain();
  }
  b.drain();
  CHECK(running == 0);
  CHECK(b.done == kTransfers);
  CHECK(b.ok == kTransfers);
  CHECK(loop.socket_calls.size() >= 2);  // sockets were watched and removed through the callback
}
