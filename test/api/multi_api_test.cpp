#include <curl/curl.h>
#include <doctest/doctest.h>

TEST_CASE("multi handles reject bad arguments without crashing") {
  CHECK(curl_multi_add_handle(nullptr, nullptr) == CURLM_BAD_HANDLE);
  CURLM *m = curl_multi_init();
  REQUIRE(m);
  CHECK(curl_multi_add_handle(m, nullptr) == CURLM_BAD_EASY_HANDLE);
  CURL *e = curl_easy_init();
  CHECK(curl_multi_add_handle(m, e) == CURLM_OK);
  CHECK(curl_multi_add_handle(m, e) == CURLM_ADDED_ALREADY);
  CHECK(curl_multi_remove_handle(m, e) == CURLM_OK);
  CHECK(curl_multi_setopt(m, static_cast<CURLMoption>(9999), 1L) == CURLM_UNKNOWN_OPTION);
  curl_easy_cleanup(e);
  CHECK(curl_multi_cleanup(m) == CURLM_OK);
}
