// Connections: reuse by one handle, FORBID_REUSE, FRESH_CONNECT, connections the server
// closes or the request asks to close, and where they go: RESOLVE and IPRESOLVE.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "easy_options_fixture.h"

using namespace evm::test;

TEST_CASE("one handle performed twice reuses its connection") {
  Fetch f(server().http_url("/bytes/10"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  long first_local_port = info_long(f.easy, CURLINFO_LOCAL_PORT);
  uint64_t accepted = server().connections_accepted();
  f.body.clear();
  curl_easy_setopt(f.easy, CURLOPT_URL, server().http_url("/bytes/20").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(20));
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);
  CHECK(info_long(f.easy, CURLINFO_LOCAL_PORT) == first_local_port);
  CHECK(server().connections_accepted() == accepted);
}

TEST_CASE("re-performing the same handle works every time") {
  Fetch f(server().http_url("/bytes/1"));
  uint64_t accepted = server().connections_accepted();
  for (int i = 1; i <= 4; ++i) {
    CAPTURE(i);
    f.body.clear();
    f.headers.clear();
    std::string url = i % 2 ? server().http_url("/bytes/" + std::to_string(i * 1000))
                            : server().http_url("/chunked/" + std::to_string(i * 1000));
    curl_easy_setopt(f.easy, CURLOPT_URL, url.c_str());
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(static_cast<size_t>(i) * 1000));
    CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == url);
    CHECK(f.headers.rfind("HTTP/1.1 200", 0) == 0);
  }
  CHECK(server().connections_accepted() == accepted + 1);
}

TEST_CASE("FORBID_REUSE closes the connection after each transfer") {
  Fetch f(server().http_url("/bytes/10"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_FORBID_REUSE, 1L) == CURLE_OK);
  uint64_t accepted = server().connections_accepted();
  for (int i = 0; i < 3; ++i) {
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
    CHECK(server().connections_accepted() == accepted + static_cast<uint64_t>(i) + 1);
  }
}

TEST_CASE("FRESH_CONNECT makes a new connection instead of reusing one") {
  Fetch f(server().http_url("/bytes/10"));
  uint64_t accepted = server().connections_accepted();
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_FRESH_CONNECT, 1L) == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(server().connections_accepted() == accepted + 2);
  // Without it, a cached connection is used again.
  curl_easy_setopt(f.easy, CURLOPT_FRESH_CONNECT, 0L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);
  CHECK(server().connections_accepted() == accepted + 2);
}

TEST_CASE("a request on a reused connection the server had closed is retried once on a fresh one") {
  Fetch f(server().raw_url("/drop-next"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "ok");
  uint64_t accepted = server().connections_accepted();
  f.body.clear();
  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/ok/5").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(5));
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(server().connections_accepted() == accepted + 1);
}

TEST_CASE("Connection: close from the server ends reuse of that connection") {
  Fetch f(server().raw_url("/close-after/100"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(100));
  uint64_t accepted = server().connections_accepted();
  f.body.clear();
  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/ok/7").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(7));
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(server().connections_accepted() == accepted + 1);
}

TEST_CASE("a request header Connection: close is honoured by a fresh connection next time") {
  Fetch f(server().http_url("/bytes/10"));
  curl_slist *list = curl_slist_append(nullptr, "Connection: close");
  curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(10));
  uint64_t accepted = server().connections_accepted();
  curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, static_cast<curl_slist *>(nullptr));
  f.body.clear();
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(10));
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(server().connections_accepted() == accepted + 1);
  curl_slist_free_all(list);
}

TEST_CASE("RESOLVE maps a made-up name to loopback") {
  const std::string port = std::to_string(server().raw_port());
  curl_slist *list = curl_slist_append(nullptr, "other.example:1:127.0.0.2");
  list = curl_slist_append(list, ("fakehost.example:" + port + ":127.0.0.1").c_str());
  const std::string url = "http://fakehost.example:" + port + "/echo";
  Fetch f(url);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_RESOLVE, list) == CURLE_OK);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.request_line == "GET /echo");
  CHECK(echo.value("Host") == "fakehost.example:" + port);
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == url);
  CHECK(info_string(f.easy, CURLINFO_PRIMARY_IP) == "127.0.0.1");
  CHECK(info_long(f.easy, CURLINFO_PRIMARY_PORT) == server().raw_port());
  curl_slist_free_all(list);
}

TEST_CASE("IPRESOLVE restricts the address family") {
  const std::string port = std::to_string(server().http_port());
  SUBCASE("V4 reaches a server on 127.0.0.1 through localhost") {
    Fetch f("http://localhost:" + port + "/bytes/5");
    CHECK(curl_easy_setopt(f.easy, CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V4)) ==
          CURLE_OK);
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(5));
    CHECK(info_string(f.easy, CURLINFO_PRIMARY_IP) == "127.0.0.1");
  }
  SUBCASE("V6 cannot reach a server on 127.0.0.1 through localhost") {
    Fetch f("http://localhost:" + port + "/bytes/5");
    CHECK(curl_easy_setopt(f.easy, CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V6)) ==
          CURLE_OK);
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CURLcode rc = curl_easy_perform(f.easy);
    CHECK((rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST));
    CHECK(f.body.empty());
  }
  SUBCASE("V6 refuses an IPv4 literal") {
    Fetch f(server().http_url("/bytes/5"));
    curl_easy_setopt(f.easy, CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V6));
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CURLcode rc = curl_easy_perform(f.easy);
    CHECK((rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST));
    CHECK(f.body.empty());
  }
}
