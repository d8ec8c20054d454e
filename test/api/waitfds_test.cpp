// curl_multi_waitfds (libcurl 8.8): the descriptors and events the transfers wait for, the same
// view curl_multi_wait polls, curl_multi_fdset reports and SOCKETFUNCTION announced.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/select.h>

#include <vector>

#include "multi_driver.h"

using namespace evm::test;

// libcurl has it from 8.8 (and answers a NULL array with size 0 from 8.9 on, as the man page
// describes); against an older system libcurl this file checks nothing.
#if defined(EVMULTI_VERSION) || LIBCURL_VERSION_NUM >= 0x080900

TEST_CASE("curl_multi_waitfds: arguments") {
  CURLM *m = curl_multi_init();
  curl_waitfd fds[4];
  unsigned count = 99;
  CHECK(curl_multi_waitfds(nullptr, fds, 4, &count) == CURLM_BAD_HANDLE);
  CHECK(curl_multi_waitfds(m, nullptr, 4, &count) == CURLM_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_multi_waitfds(m, nullptr, 0, nullptr) == CURLM_BAD_FUNCTION_ARGUMENT);
  // Nothing added: nothing to wait for.
  CHECK(curl_multi_waitfds(m, nullptr, 0, &count) == CURLM_OK);
  CHECK(count == 0);
  count = 99;
  CHECK(curl_multi_waitfds(m, fds, 4, &count) == CURLM_OK);
  CHECK(count == 0);
  CHECK(curl_multi_waitfds(m, fds, 4, nullptr) == CURLM_OK);
  curl_multi_cleanup(m);
}

TEST_CASE("curl_multi_waitfds: the sockets curl_multi_wait and curl_multi_fdset see") {
  TestServer &srv = server();
  CURLM *m = curl_multi_init();
  // Three transfers the server holds: each waits to read on its own connection.
  std::vector<std::unique_ptr<Fetch>> held;
  for (int i = 0; i < 3; ++i) {
    held.push_back(make(srv.raw_url("/stall")));
    REQUIRE(curl_multi_add_handle(m, held.back()->easy) == CURLM_OK);
  }
  unsigned count = 0;
  int running = 0;
  for (int i = 0; i < 200; ++i) {
    REQUIRE(curl_multi_perform(m, &running) == CURLM_OK);
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    int maxfd = -1;
    REQUIRE(curl_multi_fdset(m, &r, &w, &e, &maxfd) == CURLM_OK);
    REQUIRE(curl_multi_waitfds(m, nullptr, 0, &count) == CURLM_OK);
    bool all_reading = count == 3;
    for (int fd = 0; all_reading && fd <= maxfd; ++fd)
      if (FD_ISSET(fd, &w)) all_reading = false;
    if (all_reading) break;
    curl_multi_wait(m, nullptr, 0, 20, nullptr);
  }
  REQUIRE(count == 3);

  SUBCASE("an array too small: CURLM_OUT_OF_MEMORY, and the count needed") {
    curl_waitfd one[1];
    unsigned need = 0;
    CHECK(curl_multi_waitfds(m, one, 1, &need) == CURLM_OUT_OF_MEMORY);
    CHECK(need == 3);
  }
  SUBCASE("each entry is a socket fdset reports, waiting to read") {
    curl_waitfd fds[8];
    unsigned n = 0;
    REQUIRE(curl_multi_waitfds(m, fds, 8, &n) == CURLM_OK);
    REQUIRE(n == 3);
    fd_set r, w, e;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&e);
    int maxfd = -1;
    REQUIRE(curl_multi_fdset(m, &r, &w, &e, &maxfd) == CURLM_OK);
    int in_fdset = 0;
    for (int fd = 0; fd <= maxfd; ++fd) in_fdset += FD_ISSET(fd, &r) ? 1 : 0;
    CHECK(in_fdset == 3);
    for (unsigned i = 0; i < n; ++i) {
      CAPTURE(fds[i].fd);
      CHECK(FD_ISSET(fds[i].fd, &r));
      CHECK(fds[i].events == CURL_WAIT_POLLIN);
      CHECK(fds[i].revents == 0);
      // The held connections (one per transfer) are distinct.
      for (unsigned j = 0; j < i; ++j) CHECK(fds[j].fd != fds[i].fd);
    }
    // Nothing is ready on them: curl_multi_wait and poll() over waitfds agree.
    int numfds = -1;
    CHECK(curl_multi_wait(m, nullptr, 0, 0, &numfds) == CURLM_OK);
    CHECK(numfds == 0);
    std::vector<pollfd> p;
    for (unsigned i = 0; i < n; ++i) p.push_back({fds[i].fd, POLLIN, 0});
    CHECK(poll(p.data(), p.size(), 0) == 0);
  }
  for (auto &f : held) curl_multi_remove_handle(m, f->easy);
  // Removed: nothing left to wait for.
  CHECK(curl_multi_waitfds(m, nullptr, 0, &count) == CURLM_OK);
  CHECK(count == 0);
  curl_multi_cleanup(m);
}

TEST_CASE("curl_multi_waitfds: enough to drive transfers with poll() alone") {
  TestServer &srv = server();
  CURLM *m = curl_multi_init();
  auto a = make(srv.http_url("/bytes/200000")), b = make(srv.http_url("/delay/20"));
  curl_multi_add_handle(m, a->easy);
  curl_multi_add_handle(m, b->easy);
  int running = 2;
  for (int i = 0; i < 2000 && running; ++i) {
    REQUIRE(curl_multi_perform(m, &running) == CURLM_OK);
    if (!running) break;
    curl_waitfd fds[8];
    unsigned n = 0;
    REQUIRE(curl_multi_waitfds(m, fds, 8, &n) == CURLM_OK);
    std::vector<pollfd> p;
    for (unsigned k = 0; k < n; ++k) {
      short ev = 0;
      if (fds[k].events & CURL_WAIT_POLLIN) ev |= POLLIN;
      if (fds[k].events & CURL_WAIT_POLLOUT) ev |= POLLOUT;
      p.push_back({fds[k].fd, ev, 0});
    }
    long timeout = -1;
    curl_multi_timeout(m, &timeout);
    poll(p.data(), p.size(), timeout < 0 || timeout > 100 ? 100 : static_cast<int>(timeout));
  }
  CHECK(running == 0);
  CHECK(a->status() == 200);
  CHECK(a->body.size() == 200000);
  CHECK(b->status() == 200);
  curl_multi_remove_handle(m, a->easy);
  curl_multi_remove_handle(m, b->easy);
  curl_multi_cleanup(m);
}

TEST_CASE("curl_multi_waitfds: a CONNECT_ONLY transfer watches nothing once done") {
  // Its connection stays with the handle; the multi stops watching it, and SOCKETFUNCTION
  // said so (CURL_POLL_REMOVE) if it had announced it.
  TestServer &srv = server();
  Driver d;
  auto f = make(srv.http_url("/echo"));
  curl_easy_setopt(f->easy, CURLOPT_CONNECT_ONLY, 1L);
  REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  REQUIRE(d.done.size() == 1);
  CHECK(d.done[0].second == CURLE_OK);
  unsigned count = 99;
  CHECK(curl_multi_waitfds(d.multi, nullptr, 0, &count) == CURLM_OK);
  CHECK(count == 0);
  d.check_watching_nothing();
  curl_socket_t s = CURL_SOCKET_BAD;
  CHECK(curl_easy_getinfo(f->easy, CURLINFO_ACTIVESOCKET, &s) == CURLE_OK);
  CHECK(s != CURL_SOCKET_BAD);
  size_t n = 0;
  CHECK(curl_easy_send(f->easy, "GET /echo HTTP/1.1\r\n", 20, &n) == CURLE_OK);
  CHECK(n == 20);
  CHECK(curl_multi_remove_handle(d.multi, f->easy) == CURLM_OK);
  d.check_socket_contract();
}

#endif
