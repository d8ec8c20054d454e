// LOW_SPEED_LIMIT / LOW_SPEED_TIME: a transfer slower than the limit for the time ends with
// CURLE_OPERATION_TIMEDOUT and libcurl's text, even when its socket stays silent.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

#include "easy_options_fixture.h"
#include "multi_driver.h"

using namespace evm::test;

namespace {

const char *kTooSlow = "Operation too slow. Less than 100 bytes/sec transferred the last 1 seconds";

void limit(Fetch &f, long bytes_per_sec, long seconds) {
  CHECK(curl_easy_setopt(f.easy, CURLOPT_LOW_SPEED_LIMIT, bytes_per_sec) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_LOW_SPEED_TIME, seconds) == CURLE_OK);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 10000L);
}

}  // namespace

TEST_CASE("LOW_SPEED_* ends a body that stalls, with libcurl's text") {
  Fetch f(server().raw_url("/stall-body"));
  limit(f, 100, 1);
  auto t0 = Clock::now();
  CHECK(curl_easy_perform(f.easy) == CURLE_OPERATION_TIMEDOUT);
  CHECK(std::string(f.error) == kTooSlow);
  CHECK(f.body.size() == 10);
  CHECK(ms_since(t0) < 8000);  // the low-speed check, not the 10 s timeout
}

TEST_CASE("LOW_SPEED_* ends a response that never starts") {
  Fetch f(server().raw_url("/stall"));
  limit(f, 100, 1);
  auto t0 = Clock::now();
  CHECK(curl_easy_perform(f.easy) == CURLE_OPERATION_TIMEDOUT);
  CHECK(std::string(f.error) == kTooSlow);
  CHECK(ms_since(t0) < 8000);
}

TEST_CASE("LOW_SPEED_* under socket_action: the check's own timer ends a silent transfer") {
  Fetch f(server().raw_url("/stall-body"));
  limit(f, 100, 1);
  Driver d;
  REQUIRE(curl_multi_add_handle(d.multi, f.easy) == CURLM_OK);
  CHECK(d.run_all(8000));
  REQUIRE(d.result_of(f.easy));
  CHECK(*d.result_of(f.easy) == CURLE_OPERATION_TIMEDOUT);
  CHECK(std::string(f.error) == kTooSlow);
  curl_multi_remove_handle(d.multi, f.easy);
}

TEST_CASE("LOW_SPEED_* leaves a transfer above the limit alone") {
  // 20 bytes a second against a limit of 5.
  Fetch f(server().raw_url("/slow/40"));
  limit(f, 5, 1);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(40));
}

TEST_CASE("LOW_SPEED_* needs both values; negative ones are refused as by libcurl") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  CHECK(curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
  curl_easy_cleanup(e);
  // A limit without a time checks nothing.
  Fetch f(server().raw_url("/slow/10"));
  curl_easy_setopt(f.easy, CURLOPT_LOW_SPEED_LIMIT, 100000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
}
