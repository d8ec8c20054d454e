// Progress: XFERINFOFUNCTION/PROGRESSFUNCTION and their data, NOPROGRESS, aborting from the
// callback, the built-in meter on stderr, and the speed getinfo items.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <set>
#include <vector>

#include "easy_options_fixture.h"
#include "fd_capture.h"
#include "multi_driver.h"

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

namespace {

// Every call's counts, in order.
struct Calls {
  struct Call {
    curl_off_t dltotal, dlnow, ultotal, ulnow;
  };
  std::vector<Call> seen;
  int answer = 0;  // what the callback returns
  bool abort_when_complete = false;
  int legacy = 0;

  size_t distinct_dlnow() const {
    std::set<curl_off_t> v;
    for (const Call &c : seen) v.insert(c.dlnow);
    return v.size();
  }
};

int record(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
           curl_off_t ulnow) {
  auto *c = static_cast<Calls *>(clientp);
  c->seen.push_back({dltotal, dlnow, ultotal, ulnow});
  if (c->abort_when_complete && dltotal > 0 && dlnow == dltotal) return 1;
  return c->answer;
}

int record_legacy(void *clientp, double dltotal, double dlnow, double ultotal, double ulnow) {
  auto *c = static_cast<Calls *>(clientp);
  ++c->legacy;
  return record(clientp, static_cast<curl_off_t>(dltotal), static_cast<curl_off_t>(dlnow),
                static_cast<curl_off_t>(ultotal), static_cast<curl_off_t>(ulnow));
}

void watch_progress(Fetch &f, Calls &c) {
  curl_easy_setopt(f.easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(f.easy, CURLOPT_XFERINFOFUNCTION, record);
  curl_easy_setopt(f.easy, CURLOPT_XFERINFODATA, &c);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 8000L);
}

}  // namespace

// libcurl 7.88 (probed): a 100-byte download calls XFERINFOFUNCTION 10-12 times, twice on each
// pass of its state machine, and a 50-byte body dripped in five pieces over 1.5 s 24 times,
// at every piece; the last call carries the final counts.
TEST_CASE("XFERINFOFUNCTION is called each time the transfer moves, and last with the totals") {
  Fetch f(server().http_url("/bytes/100"));
  Calls c;
  watch_progress(f, c);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(c.seen.size() >= 2);
  CHECK(c.seen.size() <= 40);
  REQUIRE(!c.seen.empty());
  CHECK(c.seen.back().dltotal == 100);
  CHECK(c.seen.back().dlnow == 100);
}

TEST_CASE("XFERINFOFUNCTION follows a dripping body piece by piece, not once a second") {
  // /slow/10 sends one byte every 50 ms: a once-a-second callback would see one or two values.
  Fetch f(server().raw_url("/slow/10"));
  Calls c;
  watch_progress(f, c);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(10));
  CHECK(c.distinct_dlnow() >= 6);
  CHECK(c.seen.size() <= 200);
}

TEST_CASE("XFERINFOFUNCTION under socket_action follows a dripping body piece by piece") {
  Fetch f(server().raw_url("/slow/10"));
  Calls c;
  watch_progress(f, c);
  Driver d;
  REQUIRE(curl_multi_add_handle(d.multi, f.easy) == CURLM_OK);
  CHECK(d.run_all(8000));
  REQUIRE(d.result_of(f.easy));
  CHECK(*d.result_of(f.easy) == CURLE_OK);
  curl_multi_remove_handle(d.multi, f.easy);
  CHECK(c.distinct_dlnow() >= 6);
  REQUIRE(!c.seen.empty());
  CHECK(c.seen.back().dlnow == 10);
}

TEST_CASE("a non-zero answer to the last XFERINFOFUNCTION call still aborts the transfer") {
  Fetch f(server().http_url("/bytes/100"));
  Calls c;
  c.abort_when_complete = true;
  watch_progress(f, c);
  CHECK(curl_easy_perform(f.easy) == CURLE_ABORTED_BY_CALLBACK);
  CHECK(std::string(f.error) == "Callback aborted");
  CHECK(f.body.size() == 100);
  // Not called again after it said stop.
  REQUIRE(!c.seen.empty());
  CHECK(c.seen.back().dlnow == 100);
  size_t complete = 0;
  for (const auto &s : c.seen) complete += s.dlnow == 100 ? 1 : 0;
  CHECK(complete == 1);
}

TEST_CASE("XFERINFOFUNCTION sees the upload size and progress of a POST") {
  Fetch f(server().http_url("/echo"));
  Calls c;
  watch_progress(f, c);
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "0123456789");
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  REQUIRE(!c.seen.empty());
  CHECK(c.seen.back().ultotal == 10);
  CHECK(c.seen.back().ulnow == 10);
}

TEST_CASE("PROGRESSFUNCTION gets doubles through PROGRESSDATA and can abort") {
  Calls c;
  {
    Fetch f(server().http_url("/bytes/100"));
    curl_easy_setopt(f.easy, CURLOPT_NOPROGRESS, 0L);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_PROGRESSFUNCTION, record_legacy) == CURLE_OK);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_PROGRESSDATA, &c) == CURLE_OK);
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(c.legacy >= 2);
    REQUIRE(!c.seen.empty());
    CHECK(c.seen.back().dlnow == 100);
  }
  {
    Calls stop;
    stop.answer = 1;
    Fetch f(server().http_url("/delay/1500"));
    curl_easy_setopt(f.easy, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(f.easy, CURLOPT_PROGRESSFUNCTION, record_legacy);
    curl_easy_setopt(f.easy, CURLOPT_PROGRESSDATA, &stop);
    CHECK(curl_easy_perform(f.easy) == CURLE_ABORTED_BY_CALLBACK);
    CHECK(stop.legacy == 1);
    CHECK(std::string(f.error) == "Callback aborted");
  }
}

TEST_CASE("with both progress functions set, XFERINFOFUNCTION is the one called") {
  Fetch f(server().http_url("/bytes/100"));
  Calls c;
  watch_progress(f, c);
  curl_easy_setopt(f.easy, CURLOPT_PROGRESSFUNCTION, record_legacy);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(c.legacy == 0);
  CHECK(c.seen.size() >= 2);
}

namespace {

// A temporary file for CURLOPT_STDERR.
struct ErrFile {
  FILE *f = std::tmpfile();
  ~ErrFile() { std::fclose(f); }
  std::string text() { return read_all(f); }
};

const char *kMeterHeader =
    "  % Total    % Received % Xferd  Average Speed   Time    Time     Time  Current\n"
    "                                 Dload  Upload   Total   Spent    Left  Speed\n";

}  // namespace

TEST_CASE("CURL_PROGRESSFUNC_CONTINUE from XFERINFOFUNCTION shows the built-in meter") {
  Fetch f(server().http_url("/bytes/100"));
  Calls c;
  c.answer = CURL_PROGRESSFUNC_CONTINUE;
  watch_progress(f, c);
  ErrFile err;
  REQUIRE(err.f);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_STDERR, err.f) == CURLE_OK);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  std::string text = err.text();
  CHECK(text.rfind(kMeterHeader, 0) == 0);
  CHECK(text.find("\r100   100  100   100    0     0") != std::string::npos);
  CHECK(text.back() == '\n');
}

TEST_CASE("NOPROGRESS 0 without a callback prints libcurl's meter on stderr") {
  Fetch f(server().raw_url("/slow/20"));
  curl_easy_setopt(f.easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 8000L);
  std::string text;
  {
    FdCapture capture(STDERR_FILENO);
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    text = capture.finish();
  }
  CHECK(text.rfind(kMeterHeader, 0) == 0);
  // The first line before anything arrived, the last with everything; one line per second
  // between, each begun with "\r".
  CHECK(text.find("\r  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--") !=
        std::string::npos);
  CHECK(text.find("\r100    20  100    20    0     0 ") != std::string::npos);
  CHECK(text.back() == '\n');
  size_t lines = 0;
  for (char ch : text) lines += ch == '\r' ? 1 : 0;
  CHECK(lines >= 2);
  CHECK(lines <= 8);  // far fewer than the 20 pieces: at most one line a second
}

TEST_CASE("the meter stays off with NOPROGRESS at its default") {
  Fetch f(server().http_url("/bytes/100"));
  ErrFile err;
  REQUIRE(err.f);
  curl_easy_setopt(f.easy, CURLOPT_STDERR, err.f);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(err.text().empty());
}

TEST_CASE("CURLINFO_SPEED_DOWNLOAD and the other doubles of a finished transfer") {
  Fetch f(server().http_url("/bytes/1000"));
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  double speed = -1, size = -1, length = -1;
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_SPEED_DOWNLOAD, &speed) == CURLE_OK);
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_SIZE_DOWNLOAD, &size) == CURLE_OK);
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD, &length) == CURLE_OK);
  CHECK(speed > 0);
  CHECK(size == 1000);
  CHECK(length == 1000);
  curl_off_t speed_t = 0;
  curl_easy_getinfo(f.easy, CURLINFO_SPEED_DOWNLOAD_T, &speed_t);
  CHECK(speed == doctest::Approx(static_cast<double>(speed_t)).epsilon(0.01));
}

TEST_CASE("CURL_PROGRESSFUNC_CONTINUE from PROGRESSFUNCTION shows the meter too (as 7.88)") {
  Fetch f(server().http_url("/bytes/100"));
  Calls c;
  c.answer = CURL_PROGRESSFUNC_CONTINUE;
  curl_easy_setopt(f.easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(f.easy, CURLOPT_PROGRESSFUNCTION, record_legacy);
  curl_easy_setopt(f.easy, CURLOPT_PROGRESSDATA, &c);
  ErrFile err;
  REQUIRE(err.f);
  curl_easy_setopt(f.easy, CURLOPT_STDERR, err.f);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(c.legacy >= 2);
  std::string text = err.text();
  CHECK(text.rfind(kMeterHeader, 0) == 0);
  CHECK(text.find("\r100   100  100   100    0     0") != std::string::npos);
}
