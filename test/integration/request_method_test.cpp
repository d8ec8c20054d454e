// The request line: NOBODY (HEAD), CUSTOMREQUEST and HTTP_VERSION.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

#include "easy_options_fixture.h"
#include "scripted_server.h"

using namespace evm::test;

TEST_CASE("NOBODY makes a HEAD request: no body though the server sends Content-Length") {
  Fetch f(server().http_url("/bytes/1000"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_NOBODY, 1L) == CURLE_OK);
  auto t0 = Clock::now();
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(ms_since(t0) < 1000);
  CHECK(f.body.empty());
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
  CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) == 1000);
  CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 0);
  CHECK(contains(f.headers, "Content-Length: 1000"));

  // NOBODY 0 goes back to GET, on the same (reused) connection.
  CHECK(curl_easy_setopt(f.easy, CURLOPT_NOBODY, 0L) == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(1000));
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);
}

TEST_CASE("NOBODY sends the method HEAD") {
  ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Length: 50\r\nConnection: close\r\n\r\n");
  Fetch f(s.url("/head"));
  curl_easy_setopt(f.easy, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(s.request().rfind("HEAD /head HTTP/1.1\r\n", 0) == 0);
}

TEST_CASE("CUSTOMREQUEST replaces the method name") {
  Fetch f(server().raw_url("/echo"));
  SUBCASE("alone") {
    CHECK(curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, "PURGE") == CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(Echo(f.body).request_line == "PURGE /echo");
  }
  SUBCASE("with a POST body") {
    curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "put-body");
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.request_line == "PUT /echo");
    CHECK(echo.body == "put-body");
  }
  SUBCASE("NULL restores the default method") {
    curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, "DELETE");
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(Echo(f.body).request_line == "DELETE /echo");
    f.body.clear();
    curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, static_cast<char *>(nullptr));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(Echo(f.body).request_line == "GET /echo");
  }
}

TEST_CASE("HTTP_VERSION 1.0 puts HTTP/1.0 in the request line; 1.1 and NONE HTTP/1.1") {
  struct Case {
    long version;
    const char *line;
  };
  for (Case c : {Case{CURL_HTTP_VERSION_1_0, "GET /v HTTP/1.0\r\n"},
                 Case{CURL_HTTP_VERSION_1_1, "GET /v HTTP/1.1\r\n"},
                 Case{CURL_HTTP_VERSION_NONE, "GET /v HTTP/1.1\r\n"}}) {
    CAPTURE(c.version);
    ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    Fetch f(s.url("/v"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, c.version) == CURLE_OK);
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == "ok");
    CHECK(s.request().rfind(c.line, 0) == 0);
  }
}

TEST_CASE("HTTP_VERSION: 2 and 2TLS over http:// go as HTTP/1.1, 3 is refused as not built") {
  for (long v : {long{CURL_HTTP_VERSION_2}, long{CURL_HTTP_VERSION_2TLS}}) {
    CAPTURE(v);
    Fetch f(server().http_url("/bytes/5"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, v) == CURLE_OK);
    // No Upgrade: h2c (HTTP/2 in clear text is by prior knowledge only), nor HTTP/2 for 2TLS.
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(5));
    CHECK(info_long(f.easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_1_1);
  }
  Fetch f(server().http_url("/bytes/5"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_3}) ==
        CURLE_UNSUPPORTED_PROTOCOL);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_3ONLY}) ==
        CURLE_UNSUPPORTED_PROTOCOL);
  // 7.88, probed: any unknown version is CURLE_UNSUPPORTED_PROTOCOL, a negative one is 43.
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, 99L) == CURLE_UNSUPPORTED_PROTOCOL);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
}
