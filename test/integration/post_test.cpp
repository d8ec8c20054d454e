// Request bodies: POSTFIELDS, POST, POSTFIELDSIZE(_LARGE), COPYPOSTFIELDS, and HTTPGET going
// back to GET (raw /echo reflects method, headers and body).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "easy_options_fixture.h"

using namespace evm::test;

TEST_CASE("POSTFIELDS sends a POST with the string as body") {
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "a=1&b=2") == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.request_line == "POST /echo");
  CHECK(echo.body == "a=1&b=2");
  CHECK(echo.value("Content-Length") == "7");
  CHECK(echo.value("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 7);
}

TEST_CASE("POST with POSTFIELDS posts the string") {
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_POST, 1L) == CURLE_OK);
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "posted");
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.request_line == "POST /echo");
  CHECK(echo.body == "posted");
}

TEST_CASE("POSTFIELDSIZE and POSTFIELDSIZE_LARGE set the body length") {
  Fetch f(server().raw_url("/echo"));
  SUBCASE("binary data with NUL bytes") {
    static const char data[] = {'a', '\0', 'b', '\0', 'c'};
    CHECK(curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, 5L) == CURLE_OK);
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, data);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.body == std::string(data, 5));
    CHECK(echo.value("Content-Length") == "5");
    CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 5);
  }
  SUBCASE("shorter than the string") {
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "hello world");
    CHECK(curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(5)) ==
          CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.body == "hello");
    CHECK(echo.value("Content-Length") == "5");
  }
  SUBCASE("zero") {
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "not sent");
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, 0L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.request_line == "POST /echo");
    CHECK(echo.body.empty());
    CHECK(echo.value("Content-Length") == "0");
  }
}

TEST_CASE("a large POSTFIELDS body arrives whole and SIZE_UPLOAD_T counts it") {
  const std::string data = pattern(200000);
  Fetch f(server().raw_url("/echo"));
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, data.c_str());
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 5000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.value("Content-Length") == "200000");
  CHECK(echo.body.size() == data.size());
  CHECK(echo.body == data);
  CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 200000);
}

TEST_CASE("COPYPOSTFIELDS keeps its own copy of the data") {
  Fetch f(server().raw_url("/echo"));
  SUBCASE("a string") {
    char buffer[32];
    std::strcpy(buffer, "copied=yes");
    CHECK(curl_easy_setopt(f.easy, CURLOPT_COPYPOSTFIELDS, buffer) == CURLE_OK);
    std::memset(buffer, 'X', sizeof(buffer) - 1);
    buffer[sizeof(buffer) - 1] = '\0';
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.request_line == "POST /echo");
    CHECK(echo.body == "copied=yes");
  }
  SUBCASE("binary data sized by POSTFIELDSIZE set before") {
    char buffer[5] = {'x', '\0', 'y', '\0', 'z'};
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, 5L);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_COPYPOSTFIELDS, buffer) == CURLE_OK);
    std::memset(buffer, 'Q', sizeof(buffer));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.body == std::string("x\0y\0z", 5));
  }
}

TEST_CASE("HTTPGET after a POST goes back to GET") {
  Fetch f(server().raw_url("/echo"));
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "first");
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(Echo(f.body).request_line == "POST /echo");
  f.body.clear();
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTPGET, 1L) == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.request_line == "GET /echo");
  CHECK(echo.body.empty());
  CHECK(echo.count("Content-Length") == 0);
  CHECK(echo.count("Content-Type") == 0);
  CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 0);
}
