// CURLMOPT_SOCKETFUNCTION and curl_multi_assign: changes reported once each, socketp handed
// back, every socket removed exactly once (see multi_driver.h).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "multi_driver.h"

using namespace evm::test;

TEST_CASE("SOCKETFUNCTION reports changes only, hands socketp back and removes each socket once") {
  TestServer &srv = server();
  Driver d;
  d.duplicate_events = true;  // spurious wake-ups must not produce repeated reports
  std::vector<std::unique_ptr<Fetch>> fetches;
  fetches.push_back(make(srv.http_url("/bytes/300000")));
  fetches.push_back(make(srv.http_url("/chunked/20000")));
  fetches.push_back(make(srv.http_url("/delay/30")));
  fetches.push_back(make(srv.raw_url("/ok/5000")));
  fetches.push_back(make(srv.raw_url("/close-after/2000")));  // server closes: we close too
  fetches.push_back(make(srv.raw_url("/http10")));
  fetches.push_back(make(srv.raw_url("/slow/3")));
  fetches.push_back(make(srv.http_url("/bytes/10")));
  curl_easy_setopt(fetches.back()->easy, CURLOPT_FORBID_REUSE, 1L);
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);

  REQUIRE(d.run_all());
  REQUIRE(d.done.size() == fetches.size());
  for (auto &[easy, result] : d.done) CHECK(result == CURLE_OK);
  CHECK(fetches[0]->body.size() == 300000);
  CHECK(fetches[5]->body == "abc");

  // The contract, checked call by call while it ran: no repeated `what` for one socket, the
  // socket still open (same inode) at REMOVE, socketp handed back on every later call
  // including REMOVE. Sockets still watched now belong to idle connections: libcurl 7.88 removes
  // them at once, evmulti watches them until they close (a server's close is noticed at once).
  CHECK(d.announces >= 1);
  std::set<curl_socket_t> idle_watched;
  for (auto &[fd, what] : d.watched) idle_watched.insert(fd);
#ifndef EVMULTI_VERSION
  CHECK(idle_watched.empty());
#endif
  // Removed sockets are unknown again, even if the connection stays cached.
  int token = 0;
  for (curl_socket_t fd : d.seen_fds)
    if (!idle_watched.count(fd)) CHECK(curl_multi_assign(d.multi, fd, &token) == CURLM_BAD_SOCKET);

  for (auto &f : fetches) CHECK(curl_multi_remove_handle(d.multi, f->easy) == CURLM_OK);
  size_t calls_before = d.socket_calls.size();
  d.cleanup();
  // Cleanup closes cached connections: those still watched are removed once, others not again.
  std::set<curl_socket_t> removed_at_cleanup;
  for (size_t i = calls_before; i < d.socket_calls.size(); ++i) {
    CHECK(d.socket_calls[i].what == CURL_POLL_REMOVE);
    CHECK(removed_at_cleanup.insert(d.socket_calls[i].fd).second);
  }
  CHECK(removed_at_cleanup == idle_watched);
  int removes_seen = 0, removes_with_token = 0;
  for (auto &c : d.socket_calls) {
    if (c.what != CURL_POLL_REMOVE) continue;
    ++removes_seen;
    CHECK(c.fd_open);
    if (c.socketp) ++removes_with_token;
  }
  CHECK(removes_seen == d.announces);
  CHECK(removes_with_token == removes_seen);
  d.check_socket_contract();
}

TEST_CASE("curl_multi_assign on a socket the multi handle does not know returns CURLM_BAD_SOCKET") {
  CURLM *m = curl_multi_init();
  ForeignFd foreign;
  int token = 0;
  CHECK(curl_multi_assign(m, foreign.fd(), &token) == CURLM_BAD_SOCKET);
  CHECK(curl_multi_assign(m, 1 << 20, &token) == CURLM_BAD_SOCKET);
  CHECK(curl_multi_assign(m, CURL_SOCKET_BAD, &token) == CURLM_BAD_SOCKET);
  CHECK(curl_multi_cleanup(m) == CURLM_OK);
}

TEST_CASE("curl_multi_assign changes the socketp handed to later calls") {
  // Re-assigning (here: to a second token at the first change) must take effect.
  TestServer &srv = server();
  Driver d;
  d.assign_tokens = false;
  int first = 1, second = 2;
  std::map<curl_socket_t, void *> expected;
  std::vector<std::string> wrong;
  d.socket_hook = [&](CURL *, curl_socket_t fd, int what) {
    void *got = d.socket_calls.back().socketp;
    auto it = expected.find(fd);
    if (it == expected.end()) {
      if (got) wrong.push_back("new socket with socketp");
      expected[fd] = &first;
      CHECK(curl_multi_assign(d.multi, fd, &first) == CURLM_OK);
      return;
    }
    if (got != it->second) wrong.push_back("socketp not handed back");
    if (what == CURL_POLL_REMOVE) {
      expected.erase(it);
    } else if (it->second == &first) {
      it->second = &second;
      CHECK(curl_multi_assign(d.multi, fd, &second) == CURLM_OK);
    }
  };
  auto f = make(srv.http_url("/bytes/200000"));
  REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  curl_multi_remove_handle(d.multi, f->easy);
  d.check_socket_contract();  // cleans up: an idle connection's socket is removed then
  CHECK(wrong.empty());
  CHECK(expected.empty());
}
