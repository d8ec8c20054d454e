// Response framing and status handling: FAILONERROR, chunked bodies with trailers,
// close-delimited bodies, 204 and 304, and responses broken off or too large.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "easy_options_fixture.h"

using namespace evm::test;

TEST_CASE("FAILONERROR turns a status >= 400 into CURLE_HTTP_RETURNED_ERROR") {
  Fetch f(server().http_url("/status/404"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);  // without it, a 404 is a normal response
  CHECK(f.body == "status 404\n");
  CHECK(f.status() == 404);

  f.body.clear();
  CHECK(curl_easy_setopt(f.easy, CURLOPT_FAILONERROR, 1L) == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_HTTP_RETURNED_ERROR);
  CHECK(f.status() == 404);
  CHECK(f.body.empty());
  CHECK(contains(f.error, "404"));

  curl_easy_setopt(f.easy, CURLOPT_URL, server().http_url("/status/200").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "status 200\n");
  CHECK(std::string(f.error).empty());
}

TEST_CASE("a chunked body with trailers: body whole, trailer at the header callback") {
  std::vector<std::string> lines;
  std::string body;
  CURL *e = easy_collecting(server().raw_url("/chunked-trailers"), body, lines);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == "hello");
  CHECK(info_off(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) == -1);
  CHECK(info_off(e, CURLINFO_SIZE_DOWNLOAD_T) == 5);
  size_t blank = 0;
  while (blank < lines.size() && lines[blank] != "\r\n") ++blank;
  bool trailer_after_head = false;
  for (size_t i = blank + 1; i < lines.size(); ++i)
    if (lines[i] == "X-Trailer: yes\r\n") trailer_after_head = true;
  CAPTURE(lines.size());
  CHECK(blank < lines.size());
  CHECK(trailer_after_head);
  // As libcurl 7.88: the trailer lines, without the blank line that ends the trailer block.
  CHECK(lines.back() == "X-Trailer: yes\r\n");
  // The connection is reusable afterwards.
  body.clear();
  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/ok/3").c_str());
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == pattern(3));
  CHECK(info_long(e, CURLINFO_NUM_CONNECTS) == 0);
  curl_easy_cleanup(e);
}

TEST_CASE("a close-delimited body is read to the end and the connection not reused") {
  Fetch f(server().raw_url("/close-delimited/5000"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(5000));
  CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) == -1);
  CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 5000);
  f.body.clear();
  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/ok/4").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(4));
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
}

TEST_CASE("204 and 304 responses have no body") {
  for (int code : {204, 304}) {
    CAPTURE(code);
    Fetch f(server().http_url("/status/" + std::to_string(code)));
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    auto t0 = Clock::now();
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(ms_since(t0) < 1000);
    CHECK(f.status() == code);
    CHECK(f.body.empty());
    CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 0);
    // The connection stays usable.
    curl_easy_setopt(f.easy, CURLOPT_URL, server().http_url("/bytes/6").c_str());
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(6));
  }
}

TEST_CASE("a reset connection ends with CURLE_RECV_ERROR, an oversize header line as libcurl's") {
  // libcurl 7.88 answers a header line over 100 KiB with CURLE_OUT_OF_MEMORY (probed).
  const std::pair<const char *, CURLcode> cases[] = {{"/reset", CURLE_RECV_ERROR},
                                                     {"/bigheader/200000", CURLE_OUT_OF_MEMORY}};
  for (const auto &c : cases) {
    CAPTURE(c.first);
    Fetch f(server().raw_url(c.first));
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CHECK(curl_easy_perform(f.easy) == c.second);
    CHECK(std::strlen(f.error) > 0);
  }
}
