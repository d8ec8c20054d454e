// TIMECONDITION/TIMEVALUE(_LARGE) and FILETIME against the raw listener's /enc/lastmod (ignores
// conditions) and /enc/conditional (answers 304): the header sent, CONDITION_UNMET, the
// simulated 304 libcurl makes of a 200 that fails the condition, FILETIME(_T).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

#include "easy_fixture.h"
#include "shared_test_server.h"
#include "text_util.h"

using namespace evm::test;

namespace {

constexpr long kDocTime = 784111777;  // the endpoints' Last-Modified

long unmet(CURL *e) {
  long v = -1;
  curl_easy_getinfo(e, CURLINFO_CONDITION_UNMET, &v);
  return v;
}

curl_off_t filetime(CURL *e) {
  curl_off_t v = -2;
  curl_easy_getinfo(e, CURLINFO_FILETIME_T, &v);
  return v;
}

}  // namespace

TEST_CASE("TIMECONDITION sends the condition header with an IMF-fixdate") {
  struct Case {
    long condition;
    const char *line;
  };
  for (Case c :
       {Case{CURL_TIMECOND_IFMODSINCE, "If-Modified-Since: Sun, 06 Nov 1994 08:49:37 GMT"},
        Case{CURL_TIMECOND_IFUNMODSINCE, "If-Unmodified-Since: Sun, 06 Nov 1994 08:49:37 GMT"},
        Case{CURL_TIMECOND_LASTMOD, "Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT"}}) {
    CAPTURE(c.line);
    Fetch f(server().raw_url("/echo"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_TIMECONDITION, c.condition) == CURLE_OK);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_TIMEVALUE, kDocTime) == CURLE_OK);
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(contains(f.body, std::string("\n") + c.line + "\n"));
  }
  Fetch none(server().raw_url("/echo"));
  curl_easy_setopt(none.easy, CURLOPT_TIMEVALUE_LARGE, curl_off_t{kDocTime});
  REQUIRE(curl_easy_perform(none.easy) == CURLE_OK);
  CHECK_FALSE(contains(none.body, "Since:"));
  CHECK(curl_easy_setopt(none.easy, CURLOPT_TIMECONDITION, 4L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(none.easy, CURLOPT_TIMECONDITION, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
}

TEST_CASE("a 304 answer: no body, CONDITION_UNMET 1") {
  Fetch f(server().raw_url("/enc/conditional"));
  curl_easy_setopt(f.easy, CURLOPT_TIMECONDITION, long{CURL_TIMECOND_IFMODSINCE});
  curl_easy_setopt(f.easy, CURLOPT_TIMEVALUE_LARGE, curl_off_t{kDocTime + 100});
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 304);
  CHECK(f.body.empty());
  CHECK(unmet(f.easy) == 1);

  // An older time: the document is newer, so it comes.
  curl_easy_setopt(f.easy, CURLOPT_TIMEVALUE_LARGE, curl_off_t{kDocTime - 100});
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 200);
  CHECK(f.body == "lastmod\n");
  CHECK(unmet(f.easy) == 0);
}

TEST_CASE("a 200 that fails the condition becomes a simulated 304, as in libcurl") {
  Fetch f(server().raw_url("/enc/lastmod"));
  curl_easy_setopt(f.easy, CURLOPT_TIMECONDITION, long{CURL_TIMECOND_IFMODSINCE});
  curl_easy_setopt(f.easy, CURLOPT_TIMEVALUE, kDocTime);  // not newer: unmet
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 304);
  CHECK(f.body.empty());
  CHECK(unmet(f.easy) == 1);

  curl_easy_setopt(f.easy, CURLOPT_TIMECONDITION, long{CURL_TIMECOND_IFUNMODSINCE});
  curl_easy_setopt(f.easy, CURLOPT_TIMEVALUE, kDocTime + 1);  // older than the value: met
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 200);
  CHECK(f.body == "lastmod\n");
  CHECK(unmet(f.easy) == 0);

  f.body.clear();
  curl_easy_setopt(f.easy, CURLOPT_TIMEVALUE, kDocTime);  // not older: unmet
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 304);
  CHECK(f.body.empty());
  CHECK(unmet(f.easy) == 1);

  // TIMEVALUE 0 always meets the condition; so does a HEAD request (no body to judge).
  curl_easy_setopt(f.easy, CURLOPT_TIMEVALUE, 0L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 200);
  curl_easy_setopt(f.easy, CURLOPT_TIMEVALUE, kDocTime);
  curl_easy_setopt(f.easy, CURLOPT_NOBODY, 1L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 200);
  CHECK(unmet(f.easy) == 0);
}

TEST_CASE("FILETIME: Last-Modified in FILETIME and FILETIME_T, -1 when unknown or not asked") {
  Fetch f(server().raw_url("/enc/lastmod"));
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(filetime(f.easy) == -1);

  CHECK(curl_easy_setopt(f.easy, CURLOPT_FILETIME, 1L) == CURLE_OK);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(filetime(f.easy) == kDocTime);
  long as_long = 0;
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_FILETIME, &as_long) == CURLE_OK);
  CHECK(as_long == kDocTime);

  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/enc/lastmod?lm=garbage").c_str());
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(filetime(f.easy) == -1);

  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/ok/3").c_str());
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(filetime(f.easy) == -1);
}
