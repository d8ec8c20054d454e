// Pause and unpause through each adapter: while a transfer is paused (CURL_WRITEFUNC_PAUSE,
// CURL_READFUNC_PAUSE) the application's loop stays quiet, and curl_easy_pause(CONT) gets it
// going again without socket activity. Runs against evmulti or the system libcurl.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>

#include "adapter_harness.h"
#include "upload_sink.h"

using namespace evm::test;
using namespace std::chrono_literals;

namespace {

struct PausingSink {
  std::string body;
  bool paused = false;
  bool pause_done = false;
};

size_t pausing_write(char *data, size_t size, size_t n, void *userp) {
  auto *s = static_cast<PausingSink *>(userp);
  if (!s->pause_done) {
    s->pause_done = s->paused = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  s->body.append(data, size * n);
  return size * n;
}

struct PausingSource {
  std::string data;
  size_t pos = 0;
  int calls = 0;
  bool paused = false;
};

size_t pausing_read(char *buf, size_t size, size_t n, void *userp) {
  auto *s = static_cast<PausingSource *>(userp);
  if (++s->calls == 2) {  // after the first piece went out
    s->paused = true;
    return CURL_READFUNC_PAUSE;
  }
  size_t len = std::min(size * n, s->data.size() - s->pos);
  std::memcpy(buf, s->data.data() + s->pos, len);
  s->pos += len;
  return len;
}

// Loop turns in `span`, each waiting at most 200 ms: a quiet loop makes few.
int turns_during(Harness &h, std::chrono::milliseconds span) {
  int turns = 0;
  auto until = Clock::now() + span;
  while (Clock::now() < until) {
    h.loop.turn(200);
    ++turns;
  }
  return turns;
}

}  // namespace

TEST_CASE("a paused download keeps the loop quiet and resumes on curl_easy_pause") {
  Harness h;
  REQUIRE(h.attach());
  PausingSink sink;
  Job &j = h.add(server().raw_url("/ok/300000"), [&](CURL *e) {
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, pausing_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 20000L);
  });
  REQUIRE(h.run_until([&] { return sink.paused; }, 10s));
  CHECK(turns_during(h, 500ms) < 10);
  CHECK(sink.body.empty());
  CHECK_FALSE(j.done);
  CHECK(curl_easy_pause(j.fetch.easy, CURLPAUSE_CONT) == CURLE_OK);
  REQUIRE(h.run_until_done(1, 10s));
  CHECK(j.result == CURLE_OK);
  CHECK(sink.body == pattern(300000));
}

TEST_CASE("a paused upload keeps the loop quiet and resumes on curl_easy_pause") {
  Harness h;
  REQUIRE(h.attach());
  PausingSource src;
  src.data.resize(400000);
  for (size_t i = 0; i < src.data.size(); ++i) src.data[i] = static_cast<char>(i * 31 + 7);
  Job &j = h.add(server().raw_url("/upload/sink"), [&](CURL *e) {
    curl_easy_setopt(e, CURLOPT_READFUNCTION, pausing_read);
    curl_easy_setopt(e, CURLOPT_READDATA, &src);
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, curl_off_t(src.data.size()));
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 20000L);
  });
  REQUIRE(h.run_until([&] { return src.paused; }, 10s));
  int calls = src.calls;
  CHECK(turns_during(h, 500ms) < 10);
  CHECK(src.calls == calls);
  CHECK_FALSE(j.done);
  CHECK(curl_easy_pause(j.fetch.easy, CURLPAUSE_CONT) == CURLE_OK);
  REQUIRE(h.run_until_done(1, 10s));
  CHECK(j.result == CURLE_OK);
  CHECK(j.fetch.body == upload_summary("PUT", src.data, false, true));
}
