// curl_easy_pause and the callbacks' pause answers (CURL_WRITEFUNC_PAUSE, CURL_READFUNC_PAUSE):
// paused data is kept and delivered in order after the unpause, a paused direction is not
// watched (the loop stays quiet), and an unpause gets the transfer going without socket
// activity.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "easy_options_fixture.h"
#include "multi_driver.h"
#include "upload_sink.h"

using namespace evm::test;

namespace {

struct Sink {
  CURL *easy = nullptr;
  std::string body;
  std::vector<std::string> headers;
  int calls = 0;
  int pause_on_call = 1;           // answer CURL_WRITEFUNC_PAUSE on this call (0: never)
  int header_pause_on = 0;         // the same for HEADERFUNCTION, by line
  bool pause_from_inside = false;  // call curl_easy_pause(RECV) instead, and take the data
  bool paused = false;
  int header_calls = 0;
};

size_t sink_write(char *data, size_t size, size_t n, void *userp) {
  auto *s = static_cast<Sink *>(userp);
  ++s->calls;
  if (s->calls == s->pause_on_call) {
    s->paused = true;
    if (!s->pause_from_inside) return CURL_WRITEFUNC_PAUSE;
    CHECK(curl_easy_pause(s->easy, CURLPAUSE_RECV) == CURLE_OK);
  }
  s->body.append(data, size * n);
  return size * n;
}

size_t sink_header(char *data, size_t size, size_t n, void *userp) {
  auto *s = static_cast<Sink *>(userp);
  if (++s->header_calls == s->header_pause_on) {
    s->paused = true;
    return CURL_WRITEFUNC_PAUSE;
  }
  s->headers.emplace_back(data, size * n);
  return size * n;
}

CURL *sink_easy(const std::string &url, Sink &s) {
  CURL *e = curl_easy_init();
  s.easy = e;
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &s);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, sink_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &s);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
  return e;
}

// Turns the loop for `ms` and returns how many multi calls it made meanwhile.
int actions_during(Driver &d, int ms) {
  int actions = 0;
  d.after_action = [&] { ++actions; };
  d.run_until([] { return false; }, ms);
  d.after_action = nullptr;
  return actions;
}

struct Upload {
  std::string data;
  size_t pos = 0;
  int calls = 0;
  int pause_on_call = 1;
  bool pause_from_inside = false;  // curl_easy_pause(SEND), then hand out data
  CURL *easy = nullptr;
  bool paused = false;
};

size_t upload_read(char *buf, size_t size, size_t n, void *userp) {
  auto *u = static_cast<Upload *>(userp);
  if (++u->calls == u->pause_on_call) {
    u->paused = true;
    if (!u->pause_from_inside) return CURL_READFUNC_PAUSE;
    CHECK(curl_easy_pause(u->easy, CURLPAUSE_SEND) == CURLE_OK);
  }
  size_t len = std::min(size * n, u->data.size() - u->pos);
  std::memcpy(buf, u->data.data() + u->pos, len);
  u->pos += len;
  return len;
}

}  // namespace

TEST_CASE("CURL_WRITEFUNC_PAUSE keeps the data, stops reading, and delivers it after unpause") {
  const size_t size = 600000;
  Driver d;
  Sink s;
  CURL *e = sink_easy(server().raw_url("/ok/" + std::to_string(size)), s);
  SUBCASE("paused by the return value") {}
  SUBCASE("paused by curl_easy_pause inside the write callback") {
    s.pause_from_inside = true;
  }
  REQUIRE(curl_multi_add_handle(d.multi, e) == CURLM_OK);
  REQUIRE(d.run_until([&] { return s.paused; }));
  size_t before = s.body.size();
  // Nothing is delivered and the loop stays quiet while paused.
  CHECK(actions_during(d, 500) < 10);
  CHECK(s.body.size() == before);
  CHECK_FALSE(d.is_done(e));
  CHECK(curl_easy_pause(e, CURLPAUSE_CONT) == CURLE_OK);
  REQUIRE(d.run_until([&] { return d.is_done(e); }, 10000));
  CHECK(*d.result_of(e) == CURLE_OK);
  CHECK(s.body == pattern(size));
  curl_multi_remove_handle(d.multi, e);
  curl_easy_cleanup(e);
}

TEST_CASE("a response that ends while paused finishes only after its data is taken") {
  Driver d;
  Sink s;
  CURL *e = sink_easy(server().raw_url("/ok/100"), s);
  REQUIRE(curl_multi_add_handle(d.multi, e) == CURLM_OK);
  REQUIRE(d.run_until([&] { return s.paused; }));
  actions_during(d, 200);
  CHECK_FALSE(d.is_done(e));
  CHECK(s.body.empty());
  curl_easy_pause(e, CURLPAUSE_CONT);
  REQUIRE(d.run_until([&] { return d.is_done(e); }));
  CHECK(*d.result_of(e) == CURLE_OK);
  CHECK(s.body == pattern(100));
  curl_multi_remove_handle(d.multi, e);
  curl_easy_cleanup(e);
}

TEST_CASE("HEADERFUNCTION may pause too: the rest of the head and the body follow in order") {
  Driver d;
  Sink s;
  s.pause_on_call = 0;
  s.header_pause_on = 2;
  CURL *e = sink_easy(server().raw_url("/ok/50"), s);
  REQUIRE(curl_multi_add_handle(d.multi, e) == CURLM_OK);
  REQUIRE(d.run_until([&] { return s.paused; }));
  actions_during(d, 200);
  CHECK(s.headers.size() == 1);
  CHECK(s.body.empty());
  curl_easy_pause(e, CURLPAUSE_CONT);
  REQUIRE(d.run_until([&] { return d.is_done(e); }));
  CHECK(*d.result_of(e) == CURLE_OK);
  // evmulti hands the kept lines over one by one, as the man page says; libcurl 7.88 gives
  // them in one call. Either way the same bytes, in order, the refused line first.
  std::string all;
  for (const std::string &line : s.headers) all += line;
  CHECK(all == "HTTP/1.1 200 OK\r\nContent-Length: 50\r\nConnection: keep-alive\r\n\r\n");
  REQUIRE(s.headers.size() >= 2);
  CHECK(s.headers[1].rfind("Content-Length: 50\r\n", 0) == 0);
  CHECK(s.body == pattern(50));
  curl_multi_remove_handle(d.multi, e);
  curl_easy_cleanup(e);
}

TEST_CASE("HEADER and a HEADERFUNCTION pause: the refused line reaches the body stream once") {
  Driver d;
  Sink s;
  s.pause_on_call = 0;
  s.header_pause_on = 2;
  CURL *e = sink_easy(server().raw_url("/ok/5"), s);
  curl_easy_setopt(e, CURLOPT_HEADER, 1L);
  REQUIRE(curl_multi_add_handle(d.multi, e) == CURLM_OK);
  REQUIRE(d.run_until([&] { return s.paused; }));
  curl_easy_pause(e, CURLPAUSE_CONT);
  REQUIRE(d.run_until([&] { return d.is_done(e); }));
  CHECK(*d.result_of(e) == CURLE_OK);
  CHECK(s.body ==
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n" + pattern(5));
  curl_multi_remove_handle(d.multi, e);
  curl_easy_cleanup(e);
}

// Pauses receiving from inside HEADERFUNCTION at the end of the first head, taking the line.
size_t pause_after_first_head(char *data, size_t size, size_t n, void *userp) {
  auto *s = static_cast<Sink *>(userp);
  s->headers.emplace_back(data, size * n);
  if (!s->paused && s->headers.back() == "\r\n") {
    s->paused = true;
    CHECK(curl_easy_pause(s->easy, CURLPAUSE_RECV) == CURLE_OK);
  }
  return size * n;
}

TEST_CASE("a receive pause made during a redirect's head holds for the followed request") {
  Driver d;
  Sink s;
  s.pause_on_call = 0;
  CURL *e = sink_easy(server().raw_url("/redir/302?to=/ok/5"), s);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, pause_after_first_head);
  REQUIRE(curl_multi_add_handle(d.multi, e) == CURLM_OK);
  REQUIRE(d.run_until([&] { return s.paused; }));
  actions_during(d, 300);
  CHECK(s.body.empty());
  CHECK_FALSE(d.is_done(e));
  curl_easy_pause(e, CURLPAUSE_CONT);
  REQUIRE(d.run_until([&] { return d.is_done(e); }));
  CHECK(*d.result_of(e) == CURLE_OK);
  CHECK(s.body == pattern(5));
  curl_multi_remove_handle(d.multi, e);
  curl_easy_cleanup(e);
}

TEST_CASE("curl_easy_pause(RECV) from outside holds a download until CONT") {
  Driver d;
  Sink s;
  s.pause_on_call = 0;
  CURL *e = sink_easy(server().raw_url("/slow/40"), s);  // dribbled: still running for a while
  REQUIRE(curl_multi_add_handle(d.multi, e) == CURLM_OK);
  REQUIRE(d.run_until([&] { return !s.body.empty(); }));
  CHECK(curl_easy_pause(e, CURLPAUSE_RECV) == CURLE_OK);
  int calls = s.calls;
  CHECK(actions_during(d, 500) < 10);
  CHECK(s.calls == calls);
  CHECK(curl_easy_pause(e, CURLPAUSE_CONT) == CURLE_OK);
  REQUIRE(d.run_until([&] { return d.is_done(e); }, 10000));
  CHECK(*d.result_of(e) == CURLE_OK);
  CHECK(s.body == pattern(40));
  curl_multi_remove_handle(d.multi, e);
  curl_easy_cleanup(e);
}

TEST_CASE("CURL_READFUNC_PAUSE holds the upload until CONT; the server gets every byte") {
  Driver d;
  Fetch f(server().raw_url("/upload/sink"));
  Upload u{std::string(300000, 'u')};
  for (size_t i = 0; i < u.data.size(); ++i) u.data[i] = static_cast<char>(i * 7);
  u.easy = f.easy;
  SUBCASE("at the first read") {}
  SUBCASE("mid-body") {
    u.pause_on_call = 3;
  }
  SUBCASE("by curl_easy_pause(SEND) inside the read callback") {
    u.pause_on_call = 2;
    u.pause_from_inside = true;
  }
  curl_easy_setopt(f.easy, CURLOPT_READFUNCTION, upload_read);
  curl_easy_setopt(f.easy, CURLOPT_READDATA, &u);
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(f.easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(u.data.size()));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 10000L);
  REQUIRE(curl_multi_add_handle(d.multi, f.easy) == CURLM_OK);
  REQUIRE(d.run_until([&] { return u.paused; }));
  int calls = u.calls;
  CHECK(actions_during(d, 500) < 10);
  CHECK(u.calls == calls);  // no read callback while paused
  CHECK_FALSE(d.is_done(f.easy));
  CHECK(curl_easy_pause(f.easy, CURLPAUSE_CONT) == CURLE_OK);
  REQUIRE(d.run_until([&] { return d.is_done(f.easy); }, 10000));
  CHECK(*d.result_of(f.easy) == CURLE_OK);
  CHECK(f.body == upload_summary("PUT", u.data, false, true));
  curl_multi_remove_handle(d.multi, f.easy);
}

namespace {

int unpause_from_progress(void *userp, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto *s = static_cast<Sink *>(userp);
  if (s->paused) {
    s->paused = false;
    CHECK(curl_easy_pause(s->easy, CURLPAUSE_CONT) == CURLE_OK);
  }
  return 0;
}

}  // namespace

TEST_CASE("curl_easy_perform: a write pause lifted from the progress callback") {
  Sink s;
  CURL *e = sink_easy(server().raw_url("/ok/200000"), s);
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, unpause_from_progress);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, &s);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(s.body == pattern(200000));
  curl_easy_cleanup(e);
}

TEST_CASE("curl_easy_pause on a handle without a connection is refused, as libcurl 7.88") {
  CURL *e = curl_easy_init();
  CHECK(curl_easy_pause(e, CURLPAUSE_ALL) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_pause(e, CURLPAUSE_CONT) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_pause(nullptr, CURLPAUSE_CONT) == CURLE_BAD_FUNCTION_ARGUMENT);
  curl_easy_cleanup(e);
}
