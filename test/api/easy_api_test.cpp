#include <curl/curl.h>
#include <doctest/doctest.h>

TEST_CASE("easy handles reject bad arguments without crashing") {
  CHECK(curl_easy_setopt(nullptr, CURLOPT_URL, "http://x/") == CURLE_BAD_FUNCTION_ARGUMENT);
  CURL *e = curl_easy_init();
  REQUIRE(e);
  CHECK(curl_easy_setopt(e, static_cast<CURLoption>(CURLOPTTYPE_LONG + 9999), 1L) ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(e, CURLOPT_TIMEOUT, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(e, CURLOPT_HTTP_VERSION, 77L) == CURLE_UNSUPPORTED_PROTOCOL);  // as 7.88
  CHECK(curl_easy_setopt(e, CURLOPT_HTTP_VERSION, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
  curl_easy_cleanup(e);
}
