// CURLOPT_TIMEOUT, TIMEOUT_MS, CONNECTTIMEOUT and CONNECTTIMEOUT_MS at their limits. The
// expected answers were measured against the system libcurl 7.88.1: the seconds options take
// 0 to INT_MAX / 1000 and refuse the rest with CURLE_BAD_FUNCTION_ARGUMENT; the milliseconds
// options take every value (libcurl reads it as unsigned long and caps it at UINT_MAX ms).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <climits>
#include <string>

#include "easy_fixture.h"
#include "shared_test_server.h"

namespace {

struct Probe {
  const char *name;
  long value;
  CURLcode seconds;  // CURLOPT_TIMEOUT and CURLOPT_CONNECTTIMEOUT
  CURLcode millis;   // CURLOPT_TIMEOUT_MS and CURLOPT_CONNECTTIMEOUT_MS
};

constexpr CURLcode kOk = CURLE_OK;
constexpr CURLcode kBad = CURLE_BAD_FUNCTION_ARGUMENT;

const Probe kProbes[] = {
    {"-1", -1L, kBad, kOk},
    {"0", 0L, kOk, kOk},
    {"INT_MAX/1000", INT_MAX / 1000, kOk, kOk},
    {"INT_MAX/1000+1", INT_MAX / 1000 + 1, kBad, kOk},
    {"INT_MAX", INT_MAX, kBad, kOk},
    {"INT_MAX+1", static_cast<long>(INT_MAX) + 1, kBad, kOk},
    {"LONG_MAX/1000", LONG_MAX / 1000, kBad, kOk},
    {"LONG_MAX/1000+1", LONG_MAX / 1000 + 1, kBad, kOk},
    {"LONG_MAX", LONG_MAX, kBad, kOk},
    {"LONG_MIN", LONG_MIN, kBad, kOk},
};

struct Option {
  const char *name;
  CURLoption option;
  bool in_seconds;
};

const Option kOptions[] = {
    {"CURLOPT_TIMEOUT", CURLOPT_TIMEOUT, true},
    {"CURLOPT_TIMEOUT_MS", CURLOPT_TIMEOUT_MS, false},
    {"CURLOPT_CONNECTTIMEOUT", CURLOPT_CONNECTTIMEOUT, true},
    {"CURLOPT_CONNECTTIMEOUT_MS", CURLOPT_CONNECTTIMEOUT_MS, false},
};

}  // namespace

TEST_CASE("timeout options answer what libcurl 7.88 answers, value by value") {
  for (const Option &opt : kOptions) {
    for (const Probe &p : kProbes) {
      CURL *easy = curl_easy_init();
      REQUIRE(easy);
      CAPTURE(opt.name);
      CAPTURE(p.name);
      CHECK(curl_easy_setopt(easy, opt.option, p.value) == (opt.in_seconds ? p.seconds : p.millis));
      curl_easy_cleanup(easy);
    }
  }
}

TEST_CASE("a huge accepted timeout does not end a quick transfer at once") {
  // "No limit" spelt as the largest value each option takes: the transfer must simply finish.
  const std::string url = evm::test::shared_test_server().http_url("/delay/50");
  for (const Option &opt : kOptions) {
    for (const Probe &p : kProbes) {
      if ((opt.in_seconds ? p.seconds : p.millis) != CURLE_OK || p.value == 0) continue;
      CAPTURE(opt.name);
      CAPTURE(p.name);
      evm::test::Fetch f(url);
      REQUIRE(curl_easy_setopt(f.easy, opt.option, p.value) == CURLE_OK);
      CHECK(curl_easy_perform(f.easy) == CURLE_OK);
      CHECK(f.body == "ok\n");
    }
  }
}

TEST_CASE("a refused timeout leaves the one set before in place") {
  // Answered after 2 s: a lost TIMEOUT_MS shows as CURLE_OK, not as a hang.
  evm::test::Fetch f(evm::test::shared_test_server().http_url("/delay/2000"));
  REQUIRE(curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 200L) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_TIMEOUT, LONG_MAX) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_TIMEOUT, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_perform(f.easy) == CURLE_OPERATION_TIMEDOUT);
}
