// The request headers: the defaults, USERAGENT and HTTPHEADER (raw /echo reflects them in
// order, names as sent), and an empty value as it goes on the wire.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

#include "easy_options_fixture.h"
#include "scripted_server.h"

using namespace evm::test;

TEST_CASE("by default the request carries Host and Accept: */* but no User-Agent") {
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.request_line == "GET /echo");
  CHECK(echo.value("Host") == "127.0.0.1:" + std::to_string(server().raw_port()));
  CHECK(echo.count("Host") == 1);
  CHECK(echo.value("Accept") == "*/*");
  CHECK(echo.count("User-Agent") == 0);
  CHECK(echo.count("Content-Length") == 0);
}

TEST_CASE("USERAGENT sets the User-Agent header") {
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_USERAGENT, "evmulti-test/1.0") == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.value("User-Agent") == "evmulti-test/1.0");
  CHECK(echo.count("User-Agent") == 1);
}

TEST_CASE("HTTPHEADER adds, replaces and removes request headers") {
  Fetch f(server().raw_url("/echo"));
  curl_slist *list = nullptr;
  SUBCASE("adds a header") {
    list = curl_slist_append(list, "X-Custom: 42");
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.value("X-Custom") == "42");
    CHECK(echo.value("Accept") == "*/*");
  }
  SUBCASE("replaces Accept, Host and User-Agent") {
    list = curl_slist_append(list, "Accept: text/html");
    list = curl_slist_append(list, "Host: fakehost.example");
    list = curl_slist_append(list, "User-Agent: custom/1");
    curl_easy_setopt(f.easy, CURLOPT_USERAGENT, "ignored/2");
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.value("Accept") == "text/html");
    CHECK(echo.count("Accept") == 1);
    CHECK(echo.value("Host") == "fakehost.example");
    CHECK(echo.count("Host") == 1);
    CHECK(echo.value("User-Agent") == "custom/1");
    CHECK(echo.count("User-Agent") == 1);
  }
  SUBCASE("\"Accept:\" removes the header") {
    list = curl_slist_append(list, "Accept:");
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.count("Accept") == 0);
    CHECK(echo.count("Host") == 1);
  }
  SUBCASE("\"X-Empty;\" sends the header with an empty value, \"X-None:\" sends nothing") {
    list = curl_slist_append(list, "X-Empty;");
    list = curl_slist_append(list, "X-None:");
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.count("X-Empty") == 1);
    CHECK(echo.value("X-Empty") == "");
    CHECK(echo.count("X-None") == 0);
  }
  curl_slist_free_all(list);
}

TEST_CASE("an empty value is sent as \"Name:\" on the wire") {
  ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  Fetch f(s.url("/x"));
  curl_slist *list = curl_slist_append(nullptr, "X-Empty;");
  curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  std::string req = s.request();
  CAPTURE(req);
  CHECK((contains(req, "\r\nX-Empty:\r\n") || contains(req, "\r\nX-Empty: \r\n")));
  curl_slist_free_all(list);
}

// libcurl 7.88 sends a header value with CR or LF verbatim (the rest of the line goes out as a
// header of its own) and refuses such a URL at perform with CURLE_URL_MALFORMAT (probed).
// evmulti refuses both at perform, before connecting: nothing reaches the server.
TEST_CASE("a header value or URL with CR or LF is refused and never sent") {
  uint64_t served = server().requests_served();
  auto refused = [&](Fetch &f, CURLcode code) {
    CHECK(curl_easy_perform(f.easy) == code);
    CHECK(std::string(f.error).size() > 5);
    CHECK(f.body.empty());
    CHECK(server().requests_served() == served);
  };
  for (const char *bad : {"v\r\nX-Injected: 1", "v\nX-Injected: 1", "v\rX", "v\r\n"}) {
    CAPTURE(bad);
    {
      Fetch f(server().raw_url("/echo"));
      CHECK(curl_easy_setopt(f.easy, CURLOPT_USERAGENT, bad) == CURLE_OK);
      refused(f, CURLE_BAD_FUNCTION_ARGUMENT);
    }
    {
      Fetch f(server().raw_url("/echo"));
      CHECK(curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, bad) == CURLE_OK);
      refused(f, CURLE_BAD_FUNCTION_ARGUMENT);
    }
    {
      Fetch f(server().raw_url("/echo") + "?q=" + bad);
      refused(f, CURLE_URL_MALFORMAT);
    }
    Fetch f(server().raw_url("/echo"));
    curl_slist *list = curl_slist_append(nullptr, "X-Fine: 1");
    list = curl_slist_append(list, (std::string("X-Bad: ") + bad).c_str());
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
    refused(f, CURLE_BAD_FUNCTION_ARGUMENT);
    CHECK(std::string(f.error) == "CR or LF in a CURLOPT_HTTPHEADER entry");
    // The handle is not spoiled: without the entry the request goes out.
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, nullptr);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(Echo(f.body).count("X-Injected") == 0);
    curl_slist_free_all(list);
    served = server().requests_served();
  }
}
