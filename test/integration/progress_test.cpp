// Progress: XFERINFOFUNCTION and XFERINFODATA, NOPROGRESS, and aborting from the callback.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstring>

#include "easy_options_fixture.h"

using namespace evm::test;

namespace {

// Progress callback state, reached through XFERINFODATA.
struct Progress {
  int calls = 0;
  int abort_on_call = 0;  // return non-zero from this call on (1-based); 0: never
  bool monotonic = true;
  curl_off_t max_dltotal = 0, last_dlnow = 0;
};

std::atomic<int> progress_without_data{0};

int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
  auto *p = static_cast<Progress *>(clientp);
  if (!p) {
    ++progress_without_data;
    return 0;
  }
  ++p->calls;
  if (dlnow < p->last_dlnow) p->monotonic = false;
  p->last_dlnow = dlnow;
  if (dltotal > p->max_dltotal) p->max_dltotal = dltotal;
  return p->abort_on_call != 0 && p->calls >= p->abort_on_call ? 1 : 0;
}

}  // namespace

TEST_CASE("XFERINFOFUNCTION is not called while NOPROGRESS is 1 (the default)") {
  // Two transfers side by side, so both cases share the one second it takes to see a call:
  // one left at the default, one switched to 0 and back to 1.
  Fetch by_default(server().http_url("/delay/1100"));
  Fetch switched_back(server().http_url("/delay/1100"));
  Progress p;
  for (Fetch *f : {&by_default, &switched_back}) {
    curl_easy_setopt(f->easy, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(f->easy, CURLOPT_XFERINFODATA, &p);
    curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS, 4000L);
  }
  CHECK(curl_easy_setopt(switched_back.easy, CURLOPT_NOPROGRESS, 0L) == CURLE_OK);
  CHECK(curl_easy_setopt(switched_back.easy, CURLOPT_NOPROGRESS, 1L) == CURLE_OK);
  progress_without_data = 0;
  CURLM *m = curl_multi_init();
  REQUIRE(m);
  curl_multi_add_handle(m, by_default.easy);
  curl_multi_add_handle(m, switched_back.easy);
  int done = 0;
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (done < 2 && Clock::now() < deadline) {
    int running = 0;
    curl_multi_perform(m, &running);
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(m, &left)) {
      CHECK(msg->data.result == CURLE_OK);
      ++done;
    }
    if (done < 2) curl_multi_poll(m, nullptr, 0, 50, nullptr);
  }
  curl_multi_remove_handle(m, by_default.easy);
  curl_multi_remove_handle(m, switched_back.easy);
  curl_multi_cleanup(m);
  CHECK(done == 2);
  CHECK(by_default.body == "ok\n");
  CHECK(switched_back.body == "ok\n");
  CHECK(p.calls == 0);
  CHECK(progress_without_data == 0);
}

TEST_CASE("XFERINFOFUNCTION reports progress to XFERINFODATA while NOPROGRESS is 0") {
  Fetch f(server().raw_url("/slow/30"));
  Progress p;
  CHECK(curl_easy_setopt(f.easy, CURLOPT_NOPROGRESS, 0L) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_XFERINFODATA, &p) == CURLE_OK);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 5000L);
  progress_without_data = 0;
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(30));
  CHECK(progress_without_data == 0);
  CHECK(p.calls >= 1);
  CHECK(p.monotonic);
  CHECK(p.max_dltotal == 30);
  CHECK(p.last_dlnow > 0);
  CHECK(p.last_dlnow <= 30);
}

TEST_CASE("XFERINFOFUNCTION returning non-zero aborts with CURLE_ABORTED_BY_CALLBACK") {
  Fetch f(server().http_url("/delay/1500"));
  Progress p;
  p.abort_on_call = 1;
  curl_easy_setopt(f.easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(f.easy, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(f.easy, CURLOPT_XFERINFODATA, &p);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 4000L);
  auto t0 = Clock::now();
  CHECK(curl_easy_perform(f.easy) == CURLE_ABORTED_BY_CALLBACK);
  CHECK(ms_since(t0) < 1450);
  CHECK(p.calls == 1);
  CHECK(f.body.empty());
  CHECK(std::strlen(f.error) > 0);
}
