// curl_easy_getinfo readers for tests: each checks the call succeeded and returns the value
// (a sentinel that no real answer has when it did not).
#pragma once

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

namespace evm::test {

inline long info_long(CURL *e, CURLINFO what) {
  long v = -12345;
  CHECK(curl_easy_getinfo(e, what, &v) == CURLE_OK);
  return v;
}

inline curl_off_t info_off(CURL *e, CURLINFO what) {
  curl_off_t v = -12345;
  CHECK(curl_easy_getinfo(e, what, &v) == CURLE_OK);
  return v;
}

inline double info_double(CURL *e, CURLINFO what) {
  double v = -12345;
  CHECK(curl_easy_getinfo(e, what, &v) == CURLE_OK);
  return v;
}

// A NULL answer comes back as "(null)" so absent strings can be compared like the others.
inline std::string info_string(CURL *e, CURLINFO what) {
  char *v = nullptr;
  CHECK(curl_easy_getinfo(e, what, &v) == CURLE_OK);
  return v ? std::string(v) : std::string("(null)");
}

}  // namespace evm::test
