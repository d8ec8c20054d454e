// The multi interface's error codes: bad handles and arguments, and calls made from inside
// callbacks (see multi_driver.h).
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <sys/select.h>

#include <string>
#include <vector>

#include "multi_driver.h"

using namespace evm::test;

namespace {

// Calls curl_multi_add_handle / remove_handle / perform / socket_action from inside a
// callback. libcurl 7.88 refuses all four with CURLM_RECURSIVE_API_CALL from
// SOCKETFUNCTION, TIMERFUNCTION and WRITEFUNCTION.
struct RecursionProbe {
  CURLM *multi = nullptr;
  CURL *victim = nullptr;  // added to the multi; remove_handle must not take it out
  bool fired = false;
  std::vector<CURLMcode> codes;
  void probe() {
    if (fired) return;
    fired = true;
    CURL *fresh = curl_easy_init();
    int running = -1;
    codes.push_back(curl_multi_add_handle(multi, fresh));
    codes.push_back(curl_multi_remove_handle(multi, victim));
    codes.push_back(curl_multi_perform(multi, &running));
    codes.push_back(curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running));
    curl_easy_cleanup(fresh);  // never added: refused above
  }
};

}  // namespace

TEST_CASE("multi calls report bad handles and arguments with libcurl's codes") {
  CURLM *m = curl_multi_init();
  CURLM *other = curl_multi_init();
  CURL *e = curl_easy_init();
  CURL *e2 = curl_easy_init();
  REQUIRE(m);
  REQUIRE(other);
  REQUIRE(e);
  int running = 0, n = 0;
  long t = 0;
  fd_set r, w, x;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_ZERO(&x);
  int maxfd = 0;

  SUBCASE("CURLM_BAD_HANDLE for NULL or an easy handle where a multi is expected") {
    for (CURLM *bad : {static_cast<CURLM *>(nullptr), static_cast<CURLM *>(e)}) {
      CHECK(curl_multi_add_handle(bad, e2) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_remove_handle(bad, e2) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_perform(bad, &running) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_setopt(bad, CURLMOPT_MAXCONNECTS, 1L) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_fdset(bad, &r, &w, &x, &maxfd) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_timeout(bad, &t) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_wait(bad, nullptr, 0, 0, &n) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_poll(bad, nullptr, 0, 0, &n) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_wakeup(bad) == CURLM_BAD_HANDLE);
#ifdef EVMULTI_VERSION
      // libcurl 7.88 crashes on a NULL here (and misreads an easy handle); we must not.
      CHECK(curl_multi_socket_action(bad, CURL_SOCKET_TIMEOUT, 0, &running) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_assign(bad, 0, nullptr) == CURLM_BAD_HANDLE);
#endif
      CHECK(curl_multi_cleanup(bad) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_info_read(bad, &n) == nullptr);
    }
  }
  SUBCASE("CURLM_BAD_EASY_HANDLE for NULL or a multi handle where an easy is expected") {
    CHECK(curl_multi_add_handle(m, nullptr) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_remove_handle(m, nullptr) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_add_handle(m, static_cast<CURL *>(other)) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_remove_handle(m, static_cast<CURL *>(other)) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_add_handle(m, static_cast<CURL *>(m)) == CURLM_BAD_EASY_HANDLE);
  }
  SUBCASE("CURLM_ADDED_ALREADY for a handle in this or another multi") {
    REQUIRE(curl_multi_add_handle(m, e) == CURLM_OK);
    CHECK(curl_multi_add_handle(m, e) == CURLM_ADDED_ALREADY);
    CHECK(curl_multi_add_handle(other, e) == CURLM_ADDED_ALREADY);
    // Removing it from the wrong multi is refused and leaves it where it was.
    CHECK(curl_multi_remove_handle(other, e) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_add_handle(m, e) == CURLM_ADDED_ALREADY);
    CHECK(curl_multi_remove_handle(m, e) == CURLM_OK);
    // Once out, it may join the other one.
    CHECK(curl_multi_add_handle(other, e) == CURLM_OK);
    CHECK(curl_multi_remove_handle(m, e) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_remove_handle(other, e) == CURLM_OK);
  }
  SUBCASE("removing a handle that is not added is fine") {
    CHECK(curl_multi_remove_handle(m, e) == CURLM_OK);
    REQUIRE(curl_multi_add_handle(m, e) == CURLM_OK);
    CHECK(curl_multi_remove_handle(m, e) == CURLM_OK);
    CHECK(curl_multi_remove_handle(m, e) == CURLM_OK);
  }
  SUBCASE("CURLM_UNKNOWN_OPTION") {
    CHECK(curl_multi_setopt(m, static_cast<CURLMoption>(9999), 1L) == CURLM_UNKNOWN_OPTION);
    CHECK(curl_multi_setopt(m, static_cast<CURLMoption>(CURLOPTTYPE_LONG + 999), 1L) ==
          CURLM_UNKNOWN_OPTION);
    CHECK(curl_multi_setopt(m, static_cast<CURLMoption>(0), 1L) == CURLM_UNKNOWN_OPTION);
  }
  SUBCASE("CURLM_BAD_FUNCTION_ARGUMENT for a negative wait") {
    CHECK(curl_multi_wait(m, nullptr, 0, -1, &n) == CURLM_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_multi_poll(m, nullptr, 0, -1, &n) == CURLM_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_multi_wait(m, nullptr, 0, -1000, nullptr) == CURLM_BAD_FUNCTION_ARGUMENT);
    // Zero is a valid "do not block".
    CHECK(curl_multi_wait(m, nullptr, 0, 0, &n) == CURLM_OK);
    CHECK(curl_multi_poll(m, nullptr, 0, 0, &n) == CURLM_OK);
  }
  curl_easy_cleanup(e);
  curl_easy_cleanup(e2);
  CHECK(curl_multi_cleanup(other) == CURLM_OK);
  CHECK(curl_multi_cleanup(m) == CURLM_OK);
}

TEST_CASE("multi calls made from inside callbacks return CURLM_RECURSIVE_API_CALL") {
  TestServer &srv = server();
  Driver d;
  RecursionProbe p;
  p.multi = d.multi;
  auto victim = make(srv.http_url("/delay/40"));
  auto primary = make(srv.http_url("/bytes/5000"));
  p.victim = victim->easy;
  const char *where = "";

  SUBCASE("SOCKETFUNCTION") {
    where = "socket";
    d.socket_hook = [&](CURL *, curl_socket_t, int) { p.probe(); };
  }
  SUBCASE("TIMERFUNCTION") {
    where = "timer";
    d.timer_hook = [&](long) { p.probe(); };
  }
  SUBCASE("WRITEFUNCTION") {
    where = "write";
    curl_write_callback w = [](char *, size_t size, size_t nmemb, void *userp) -> size_t {
      static_cast<RecursionProbe *>(userp)->probe();
      return size * nmemb;
    };
    curl_easy_setopt(primary->easy, CURLOPT_WRITEFUNCTION, w);
    curl_easy_setopt(primary->easy, CURLOPT_WRITEDATA, &p);
  }
  CAPTURE(where);
  REQUIRE(curl_multi_add_handle(d.multi, victim->easy) == CURLM_OK);
  REQUIRE(curl_multi_add_handle(d.multi, primary->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  REQUIRE(p.fired);
  REQUIRE(p.codes.size() == 4);
  CHECK(p.codes[0] == CURLM_RECURSIVE_API_CALL);  // add_handle
  CHECK(p.codes[1] == CURLM_RECURSIVE_API_CALL);  // remove_handle
  CHECK(p.codes[2] == CURLM_RECURSIVE_API_CALL);  // perform
  CHECK(p.codes[3] == CURLM_RECURSIVE_API_CALL);  // socket_action
  // The refused calls had no effect: both transfers ran to completion.
  REQUIRE(d.done.size() == 2);
  for (auto &[easy, result] : d.done) CHECK(result == CURLE_OK);
  CHECK(victim->body == "ok\n");
  curl_multi_remove_handle(d.multi, victim->easy);
  curl_multi_remove_handle(d.multi, primary->easy);
  d.check_socket_contract();
}
