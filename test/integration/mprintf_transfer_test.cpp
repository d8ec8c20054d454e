// curl_maprintf in an application's hands: a URL built with it (a curl_off_t byte count among
// its parts) fetched from the loopback server, and the progress reported through curl_msnprintf.
#include <curl/curl.h>
#include <curl/mprintf.h>
#include <doctest/doctest.h>

#include <string>

#include "easy_options_fixture.h"

using namespace evm::test;

TEST_CASE("a URL made by curl_maprintf with a curl_off_t fetches that many bytes") {
  curl_off_t size = 12345;
  char *url = curl_maprintf("http://127.0.0.1:%d/bytes/%" CURL_FORMAT_CURL_OFF_T,
                            static_cast<int>(server().http_port()), size);
  REQUIRE(url);
  Fetch f(url);
  curl_free(url);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CAPTURE(f.error);
  CHECK(f.body.size() == static_cast<size_t>(size));
  CHECK(f.body == pattern(static_cast<size_t>(size)));
  curl_off_t got = -1;
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_SIZE_DOWNLOAD_T, &got) == CURLE_OK);
  char line[64];
  CHECK(curl_msnprintf(line, sizeof line, "%" CURL_FORMAT_CURL_OFF_T " bytes", got) == 11);
  CHECK(std::string(line) == "12345 bytes");
}
