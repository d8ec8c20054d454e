// curl_easy_getinfo: addresses, ports, sizes, content type, HTTP version, OS errno and timings
// of finished transfers.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <string>

#include "easy_options_fixture.h"
#include "scripted_server.h"

using namespace evm::test;

TEST_CASE("getinfo: addresses, ports and sizes of a fresh transfer") {
  Fetch f(server().http_url("/bytes/100000"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
  CHECK(info_long(f.easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_1_1);
  CHECK(info_string(f.easy, CURLINFO_CONTENT_TYPE) == "application/octet-stream");
  CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 100000);
  CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) == 100000);
  CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 0);
  CHECK(info_off(f.easy, CURLINFO_SPEED_DOWNLOAD_T) > 0);
  CHECK(info_long(f.easy, CURLINFO_HEADER_SIZE) == static_cast<long>(f.headers.size()));
  CHECK(info_long(f.easy, CURLINFO_REQUEST_SIZE) > 0);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(info_string(f.easy, CURLINFO_PRIMARY_IP) == "127.0.0.1");
  CHECK(info_long(f.easy, CURLINFO_PRIMARY_PORT) == server().http_port());
  CHECK(info_string(f.easy, CURLINFO_LOCAL_IP) == "127.0.0.1");
  long local_port = info_long(f.easy, CURLINFO_LOCAL_PORT);
  CHECK(local_port > 0);
  CHECK(local_port != server().http_port());
  CHECK(info_long(f.easy, CURLINFO_OS_ERRNO) == 0);
}

TEST_CASE("getinfo: TOTAL_TIME_T and SPEED_DOWNLOAD_T are positive for every download") {
  // Fresh connections, so each transfer spans a connect, a request and a 100 kB response.
  for (int i = 0; i < 50; ++i) {
    CAPTURE(i);
    Fetch f(server().http_url("/bytes/100000"));
    auto t0 = Clock::now();
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    long wall_us = static_cast<long>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
    curl_off_t total = info_off(f.easy, CURLINFO_TOTAL_TIME_T);
    CAPTURE(total);
    CHECK(total > 0);
    CHECK(total <= wall_us);
    CHECK(info_off(f.easy, CURLINFO_SPEED_DOWNLOAD_T) > 0);
  }
}

TEST_CASE("getinfo: REQUEST_SIZE is the bytes sent, body included") {
  const char *reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
  SUBCASE("GET") {
    ScriptedServer s(reply);
    Fetch f(s.url("/get"));
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    std::string req = s.request();
    CHECK(info_long(f.easy, CURLINFO_REQUEST_SIZE) == static_cast<long>(req.size()));
    CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 0);
  }
  SUBCASE("POST") {
    const std::string data = pattern(100);
    ScriptedServer s(reply);
    Fetch f(s.url("/post"));
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, data.c_str());
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    std::string req = s.request();
    CHECK(req.size() > 100);
    CHECK(req.substr(req.size() - 100) == data);
    long request_size = info_long(f.easy, CURLINFO_REQUEST_SIZE);
    CHECK(request_size >= 100);
    CHECK(request_size == static_cast<long>(req.size()));
    CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 100);
  }
}

TEST_CASE("getinfo: CONTENT_TYPE is NULL when the response has none") {
  Fetch f(server().http_url("/bytes/5"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_string(f.easy, CURLINFO_CONTENT_TYPE) == "application/octet-stream");
  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/ok/5").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_string(f.easy, CURLINFO_CONTENT_TYPE) == "(null)");
}

TEST_CASE("getinfo: HTTP_VERSION reports an HTTP/1.0 response") {
  Fetch f(server().raw_url("/http10"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "abc");
  CHECK(info_long(f.easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_1_0);
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
}

TEST_CASE("getinfo: CONTENT_LENGTH_DOWNLOAD_T is -1 for a chunked body") {
  Fetch f(server().http_url("/chunked/3000"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(3000));
  CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) == -1);
  CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 3000);
}

TEST_CASE("getinfo: OS_ERRNO is ECONNREFUSED for a refused connect") {
  Fetch f("http://127.0.0.1:" + std::to_string(refused_port()) + "/");
  CHECK(curl_easy_perform(f.easy) == CURLE_COULDNT_CONNECT);
  CHECK(info_long(f.easy, CURLINFO_OS_ERRNO) == ECONNREFUSED);
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 0);
}

TEST_CASE("getinfo: the timings are ordered, in seconds and in microseconds") {
  Fetch f(server().http_url("/delay/100"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  for (int round = 0; round < 2; ++round) {  // a fresh connection, then a reused one
    CAPTURE(round);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    const CURLINFO as_double[] = {CURLINFO_NAMELOOKUP_TIME, CURLINFO_CONNECT_TIME,
                                  CURLINFO_PRETRANSFER_TIME, CURLINFO_STARTTRANSFER_TIME,
                                  CURLINFO_TOTAL_TIME};
    const CURLINFO as_micros[] = {CURLINFO_NAMELOOKUP_TIME_T, CURLINFO_CONNECT_TIME_T,
                                  CURLINFO_PRETRANSFER_TIME_T, CURLINFO_STARTTRANSFER_TIME_T,
                                  CURLINFO_TOTAL_TIME_T};
    double d[5];
    curl_off_t us[5];
    for (int i = 0; i < 5; ++i) {
      d[i] = info_double(f.easy, as_double[i]);
      us[i] = info_off(f.easy, as_micros[i]);
      CAPTURE(i);
      CHECK(d[i] >= 0);
      CHECK(std::fabs(d[i] * 1e6 - static_cast<double>(us[i])) < 2.0);
    }
    for (int i = 0; i < 4; ++i) {
      CAPTURE(i);
      CHECK(d[i] <= d[i + 1]);
      CHECK(us[i] <= us[i + 1]);
    }
    // The server answers after 100 ms.
    CHECK(us[3] >= 90000);
    CHECK(us[4] >= us[3]);
    CHECK(d[4] < 2.0);
  }
}

TEST_CASE("getinfo: an unknown item is CURLE_UNKNOWN_OPTION") {
  Fetch f(server().http_url("/bytes/1"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  long l = 0;
  double d = 0;
  char *s = nullptr;
  curl_off_t o = 0;
  CHECK(curl_easy_getinfo(f.easy, static_cast<CURLINFO>(CURLINFO_LONG + 999), &l) ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_getinfo(f.easy, static_cast<CURLINFO>(CURLINFO_DOUBLE + 999), &d) ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_getinfo(f.easy, static_cast<CURLINFO>(CURLINFO_STRING + 999), &s) ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_getinfo(f.easy, static_cast<CURLINFO>(CURLINFO_OFF_T + 999), &o) ==
        CURLE_UNKNOWN_OPTION);
}

// ---- items beyond libcurl 7.88 (8.2: XFER_ID, CONN_ID; 8.6: QUEUE_TIME_T) and CAINFO/CAPATH

namespace {

// Runs every handle of `m` to its end.
void run_all(CURLM *m) {
  int running = 1;
  for (int i = 0; i < 1000 && running; ++i) {
    REQUIRE(curl_multi_perform(m, &running) == CURLM_OK);
    if (running) REQUIRE(curl_multi_poll(m, nullptr, 0, 50, nullptr) == CURLM_OK);
  }
  REQUIRE(running == 0);
}

}  // namespace

TEST_CASE("getinfo: XFER_ID and CONN_ID name the transfer and the connection it used") {
  Fetch f(server().http_url("/echo"));
  CHECK(info_off(f.easy, CURLINFO_XFER_ID) == -1);
  CHECK(info_off(f.easy, CURLINFO_CONN_ID) == -1);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  curl_off_t x1 = info_off(f.easy, CURLINFO_XFER_ID), c1 = info_off(f.easy, CURLINFO_CONN_ID);
  CHECK(x1 >= 0);
  CHECK(c1 >= 0);

  // The same connection again (kept by the handle's own multi), in a new transfer.
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);
  CHECK(info_off(f.easy, CURLINFO_CONN_ID) == c1);
  CHECK(info_off(f.easy, CURLINFO_XFER_ID) > x1);

  curl_easy_setopt(f.easy, CURLOPT_FRESH_CONNECT, 1L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(info_off(f.easy, CURLINFO_CONN_ID) != c1);

  // Two transfers at once in one multi: two ids, two connections.
  Fetch a(server().http_url("/delay/50")), b(server().http_url("/delay/50"));
  CURLM *m = curl_multi_init();
  curl_multi_add_handle(m, a.easy);
  curl_multi_add_handle(m, b.easy);
  run_all(m);
  CHECK(info_off(a.easy, CURLINFO_XFER_ID) != info_off(b.easy, CURLINFO_XFER_ID));
  CHECK(info_off(a.easy, CURLINFO_CONN_ID) != info_off(b.easy, CURLINFO_CONN_ID));
  curl_multi_remove_handle(m, a.easy);
  curl_multi_remove_handle(m, b.easy);
  curl_multi_cleanup(m);
}

TEST_CASE("getinfo: QUEUE_TIME_T is the wait for a connection slot") {
  Fetch fresh(server().http_url("/echo"));
  CHECK(info_off(fresh.easy, CURLINFO_QUEUE_TIME_T) == 0);

  // One connection per host: the second transfer waits until the first (answered after
  // 300 ms) gives the connection back, so it was queued at least about that long.
  Fetch first(server().http_url("/delay/300")), second(server().http_url("/echo"));
  CURLM *m = curl_multi_init();
  curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
  curl_multi_add_handle(m, first.easy);
  curl_multi_add_handle(m, second.easy);
  run_all(m);
  CHECK(first.status() == 200);
  CHECK(second.status() == 200);
  curl_off_t q1 = info_off(first.easy, CURLINFO_QUEUE_TIME_T);
  curl_off_t q2 = info_off(second.easy, CURLINFO_QUEUE_TIME_T);
  CAPTURE(q1);
  CAPTURE(q2);
  CHECK(q1 >= 0);
  CHECK(q1 <= info_off(first.easy, CURLINFO_TOTAL_TIME_T));
  CHECK(q2 >= 250000);
  CHECK(q2 <= info_off(second.easy, CURLINFO_TOTAL_TIME_T));
  curl_multi_remove_handle(m, first.easy);
  curl_multi_remove_handle(m, second.easy);
  curl_multi_cleanup(m);
}

TEST_CASE("getinfo: CAINFO and CAPATH are the built-in defaults, whatever the options say") {
  // This system's libcurl answers the same (`curl-config --ca`, --with-ca-path).
  Fetch f(server().http_url("/echo"));
  CHECK(info_string(f.easy, CURLINFO_CAINFO) == "/etc/ssl/certs/ca-certificates.crt");
  CHECK(info_string(f.easy, CURLINFO_CAPATH) == "/etc/ssl/certs");
  curl_easy_setopt(f.easy, CURLOPT_CAINFO, "/nonexistent/ca.pem");
  curl_easy_setopt(f.easy, CURLOPT_CAPATH, "/nonexistent");
  CHECK(info_string(f.easy, CURLINFO_CAINFO) == "/etc/ssl/certs/ca-certificates.crt");
  CHECK(info_string(f.easy, CURLINFO_CAPATH) == "/etc/ssl/certs");
}
