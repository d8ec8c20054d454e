// Easy handles in and out of a multi handle: removed mid-transfer, re-added, left in at
// curl_multi_cleanup, listed by curl_multi_get_handles (see multi_driver.h).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "multi_driver.h"

using namespace evm::test;

TEST_CASE("removing a handle mid-transfer stops it cleanly and spares the others") {
  TestServer &srv = server();
  for (const std::string &path :
       {std::string("/slow/100"), std::string("/stall"), std::string("/stall-body")}) {
    CAPTURE(path);
    Driver d;
    auto victim = make(srv.raw_url(path));
    std::vector<std::unique_ptr<Fetch>> others;
    others.push_back(make(srv.http_url("/bytes/100000")));
    others.push_back(make(srv.raw_url("/ok/20000")));
    others.push_back(make(srv.http_url("/delay/60")));
    REQUIRE(curl_multi_add_handle(d.multi, victim->easy) == CURLM_OK);
    for (auto &f : others) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    // Until the victim waits for (more of) its response.
    REQUIRE(d.run_until([&] {
      for (auto &c : d.socket_calls)
        if (c.easy == victim->easy && c.what == CURL_POLL_IN) return true;
      return false;
    }));
    for (int i = 0; i < 4; ++i) d.step(15);
    REQUIRE_FALSE(d.is_done(victim->easy));
    std::vector<curl_socket_t> fds = d.fds_of(victim->easy);
    REQUIRE(fds.size() == 1);
    REQUIRE(d.watched.count(fds[0]));

    size_t before = d.socket_calls.size();
    REQUIRE(curl_multi_remove_handle(d.multi, victim->easy) == CURLM_OK);
    // Its socket got its REMOVE during the call, while still open.
    bool removed = false;
    for (size_t i = before; i < d.socket_calls.size(); ++i)
      if (d.socket_calls[i].fd == fds[0] && d.socket_calls[i].what == CURL_POLL_REMOVE) {
        removed = true;
        CHECK(d.socket_calls[i].fd_open);
      }
    CHECK(removed);
    CHECK_FALSE(d.watched.count(fds[0]));

    size_t after_remove = d.socket_calls.size();
    REQUIRE(d.run_all());
    for (size_t i = after_remove; i < d.socket_calls.size(); ++i)
      CHECK(d.socket_calls[i].easy != victim->easy);
    CHECK_FALSE(d.is_done(victim->easy));  // no message for a removed handle
    REQUIRE(d.done.size() == others.size());
    for (auto &[easy, result] : d.done) CHECK(result == CURLE_OK);
    CHECK(others[0]->body.size() == 100000);
    CHECK(others[1]->body.size() == 20000);
    CHECK(others[2]->body == "ok\n");
    for (auto &f : others) curl_multi_remove_handle(d.multi, f->easy);
    d.check_socket_contract();
  }
}

TEST_CASE("a finished handle re-added with a new URL runs again") {
  TestServer &srv = server();
  Driver d;
  auto f = make(srv.http_url("/bytes/10"));
  REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  REQUIRE(d.done.size() == 1);
  CHECK(d.done[0].second == CURLE_OK);
  CHECK(f->body.size() == 10);
  // Still in the multi, finished: adding it again is refused until it is removed.
  CHECK(curl_multi_add_handle(d.multi, f->easy) == CURLM_ADDED_ALREADY);
  REQUIRE(curl_multi_remove_handle(d.multi, f->easy) == CURLM_OK);

  const std::string next[] = {srv.raw_url("/ok/2345"), srv.http_url("/status/404"),
                              srv.http_url("/chunked/3000")};
  const size_t sizes[] = {2345, 11, 3000};
  const long codes[] = {200, 404, 200};
  for (int i = 0; i < 3; ++i) {
    CAPTURE(next[i]);
    f->body.clear();
    d.done.clear();
    curl_easy_setopt(f->easy, CURLOPT_URL, next[i].c_str());
    REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    CHECK(d.timer_calls.back().ms == 0);
    REQUIRE(d.run_all());
    REQUIRE(d.done.size() == 1);
    CHECK(d.done[0].first == f->easy);
    CHECK(d.done[0].second == CURLE_OK);
    CHECK(f->body.size() == sizes[i]);
    CHECK(f->status() == codes[i]);
    REQUIRE(curl_multi_remove_handle(d.multi, f->easy) == CURLM_OK);
  }
  d.check_socket_contract();
}

TEST_CASE("curl_multi_cleanup with handles still added leaves them usable") {
  TestServer &srv = server();
  auto finished = make(srv.http_url("/bytes/10"));
  auto stalled = make(srv.raw_url("/stall"));
  auto never_ran = make(srv.http_url("/bytes/20"));
  {
    Driver d;
    REQUIRE(curl_multi_add_handle(d.multi, finished->easy) == CURLM_OK);
    REQUIRE(curl_multi_add_handle(d.multi, stalled->easy) == CURLM_OK);
    REQUIRE(d.run_until([&] { return d.is_done(finished->easy); }));
    REQUIRE(d.run_until([&] { return !d.fds_of(stalled->easy).empty(); }));
    REQUIRE(curl_multi_add_handle(d.multi, never_ran->easy) == CURLM_OK);
    d.cleanup();
  }
  // Out of the dead multi: they can be used alone, with old or new options.
  finished->body.clear();
  CHECK(curl_easy_perform(finished->easy) == CURLE_OK);
  CHECK(finished->body.size() == 10);
  curl_easy_setopt(stalled->easy, CURLOPT_URL, srv.http_url("/bytes/7").c_str());
  CHECK(curl_easy_perform(stalled->easy) == CURLE_OK);
  CHECK(stalled->body == "abcdefg");
  CHECK(curl_easy_perform(never_ran->easy) == CURLE_OK);
  CHECK(never_ran->body.size() == 20);
  // And they can join a new multi.
  Driver d2;
  never_ran->body.clear();
  REQUIRE(curl_multi_add_handle(d2.multi, never_ran->easy) == CURLM_OK);
  REQUIRE(d2.run_all());
  REQUIRE(d2.done.size() == 1);
  CHECK(d2.done[0].second == CURLE_OK);
  CHECK(never_ran->body.size() == 20);
  curl_multi_remove_handle(d2.multi, never_ran->easy);
}

#ifdef EVMULTI_VERSION  // curl_multi_get_handles arrived in libcurl 8.4.0
TEST_CASE("curl_multi_get_handles lists the added handles") {
  CURLM *m = curl_multi_init();
  CURL **none = curl_multi_get_handles(m);
  REQUIRE(none != nullptr);
  CHECK(none[0] == nullptr);
  curl_free(none);
  CURL *e[3] = {curl_easy_init(), curl_easy_init(), curl_easy_init()};
  for (CURL *x : e) REQUIRE(curl_multi_add_handle(m, x) == CURLM_OK);
  auto listed = [m] {
    std::multiset<CURL *> out;
    CURL **list = curl_multi_get_handles(m);
    REQUIRE(list != nullptr);
    for (CURL **p = list; *p; ++p) out.insert(*p);
    curl_free(list);
    return out;
  };
  CHECK(listed() == std::multiset<CURL *>{e[0], e[1], e[2]});
  REQUIRE(curl_multi_remove_handle(m, e[1]) == CURLM_OK);
  CHECK(listed() == std::multiset<CURL *>{e[0], e[2]});
  CHECK(curl_multi_get_handles(nullptr) == nullptr);
  CHECK(curl_multi_cleanup(m) == CURLM_OK);
  for (CURL *x : e) curl_easy_cleanup(x);
}
#endif
