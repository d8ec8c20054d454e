// RANGE and RESUME_FROM(_LARGE) against the raw listener's /enc/range (honours ranges) and
// /enc/norange (ignores them): the Range header sent, 206 and 416 answers, and the
// CURLE_RANGE_ERROR libcurl gives a resume the server did not honour.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

#include "easy_fixture.h"
#include "shared_test_server.h"
#include "text_util.h"

using namespace evm::test;

TEST_CASE("RANGE is sent as \"Range: bytes=<text>\", verbatim") {
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_RANGE, "0-4,10-") == CURLE_OK);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(contains(f.body, "\nRange: bytes=0-4,10-\n"));

  curl_easy_setopt(f.easy, CURLOPT_RANGE, nullptr);
  f.body.clear();
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK_FALSE(contains(f.body, "Range:"));
}

TEST_CASE("RANGE: a 206 brings the part, a server ignoring it brings the whole, no error") {
  Fetch part(server().raw_url("/enc/range"));
  curl_easy_setopt(part.easy, CURLOPT_RANGE, "10-19");
  CHECK(curl_easy_perform(part.easy) == CURLE_OK);
  CHECK(part.status() == 206);
  CHECK(part.body == pattern(100).substr(10, 10));

  Fetch whole(server().raw_url("/enc/norange"));
  curl_easy_setopt(whole.easy, CURLOPT_RANGE, "10-19");
  CHECK(curl_easy_perform(whole.easy) == CURLE_OK);
  CHECK(whole.status() == 200);
  CHECK(whole.body == pattern(100));

  // A 416 to a RANGE request is an ordinary response: its body is delivered.
  Fetch past(server().raw_url("/enc/range"));
  curl_easy_setopt(past.easy, CURLOPT_RANGE, "200-");
  CHECK(curl_easy_perform(past.easy) == CURLE_OK);
  CHECK(past.status() == 416);
  CHECK(past.body == "out of range\n");
}

TEST_CASE("RESUME_FROM asks for bytes=N- and gets the rest") {
  // (/echo answers 200 to it, which a resume refuses; /enc/range serves from the asked start.)
  Fetch f(server().raw_url("/enc/range"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_RESUME_FROM_LARGE, curl_off_t{40}) == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 206);
  CHECK(f.body == pattern(100).substr(40));

  // RANGE wins over RESUME_FROM.
  Fetch both(server().raw_url("/echo"));
  curl_easy_setopt(both.easy, CURLOPT_RESUME_FROM, 40L);
  curl_easy_setopt(both.easy, CURLOPT_RANGE, "1-2");
  REQUIRE(curl_easy_perform(both.easy) == CURLE_OK);
  CHECK(contains(both.body, "\nRange: bytes=1-2\n"));

  CHECK(curl_easy_setopt(f.easy, CURLOPT_RESUME_FROM, -2L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_RESUME_FROM_LARGE, curl_off_t{-2}) ==
        CURLE_BAD_FUNCTION_ARGUMENT);
}

TEST_CASE("RESUME_FROM through a redirect: the redirect's own body is not the file") {
  Fetch f(server().raw_url("/redir/302?to=/enc/range"));
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(f.easy, CURLOPT_RESUME_FROM, 40L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 206);
  CHECK(f.body == pattern(100).substr(40));
}

TEST_CASE("RESUME_FROM: a 200 or a 206 from elsewhere is CURLE_RANGE_ERROR, no body") {
  for (const char *path : {"/enc/norange", "/enc/range?offset=3"}) {
    CAPTURE(path);
    Fetch f(server().raw_url(path));
    curl_easy_setopt(f.easy, CURLOPT_RESUME_FROM, 40L);
    CHECK(curl_easy_perform(f.easy) == CURLE_RANGE_ERROR);
    CHECK(std::string(f.error) ==
          "HTTP server doesn't seem to support byte ranges. Cannot resume.");
    CHECK(f.body.empty());
  }
}

TEST_CASE("RESUME_FROM: a 416 is no error and its body is dropped; resuming at the end is done") {
  Fetch f(server().raw_url("/enc/range"));
  curl_easy_setopt(f.easy, CURLOPT_RESUME_FROM, 500L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 416);
  CHECK(f.body.empty());

  // A server ignoring the range whose whole file is exactly what we have: nothing to do.
  Fetch done(server().raw_url("/enc/norange"));
  curl_easy_setopt(done.easy, CURLOPT_RESUME_FROM, 100L);
  CHECK(curl_easy_perform(done.easy) == CURLE_OK);
  CHECK(done.body.empty());
}
