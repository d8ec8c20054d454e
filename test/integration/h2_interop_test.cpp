// HTTP/2 interop over loopback against other people's servers: the system's nghttpd (nghttp2's
// server; TLS with ALPN h2, and h2c by prior knowledge) and nginx (`listen ... ssl http2` and
// cleartext `listen ... http2`). A GET arrives byte for byte as HTTP/2, 200 transfers share one
// connection (and 1,000 with PIPEWAIT), uploads up to 1 MiB arrive intact, HEAD and 404, the
// fallback to HTTP/1.1 over TLS, a paused stream beside a running one, a server set to push
// to a client without PUSHFUNCTION, and one origin through curl_multi_socket_action. A server that
// is not installed is skipped with a MESSAGE.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "easy_fixture.h"
#include "multi_driver.h"
#include "nghttpd_server.h"
#include "nginx_server.h"
#include "test_certs.h"

using namespace evm::test;

namespace {

const std::string &body_1k() {
  static const std::string b = NghttpdServer::pattern(1024);
  return b;
}
const std::string &body_1m() {
  static const std::string b = NghttpdServer::pattern(1 << 20);
  return b;
}

// One HTTP/2 server to talk to. Uploads: nghttpd echoes a PUT's body in its answer; nginx
// stores it (WebDAV PUT, 201) and serves it back on a GET.
struct Origin {
  std::string name;
  std::string base;  // scheme://127.0.0.1:port
  bool tls = false;
  bool echoes_upload = false;
  std::string url(const std::string &path) const { return base + path; }
};

NghttpdServer *nghttpd(bool tls) {
  static std::unique_ptr<NghttpdServer> servers[2];
  static std::string failure[2];
  static bool tried[2] = {false, false};
  const int i = tls ? 1 : 0;
  if (NghttpdServer::find_binary().empty()) {
    MESSAGE(
        "nghttpd is not installed (package nghttp2-server; not on PATH, /usr/sbin or "
        "/usr/local/sbin): its interop checks are skipped");
    return nullptr;
  }
  if (!tried[i]) {
    tried[i] = true;
    NghttpdOptions o;
    o.tls = tls;
    auto s = std::make_unique<NghttpdServer>(o);
    if (s->start(failure[i]))
      servers[i] = std::move(s);
    else
      failure[i] = "nghttpd did not start: " + failure[i];
  }
  if (!failure[i].empty()) FAIL(failure[i]);
  return servers[i].get();
}

NginxServer *nginx_h2() {
  static std::unique_ptr<NginxServer> server;
  static std::string failure;
  static bool tried = false;
  if (NginxServer::find_binary().empty()) {
    MESSAGE(
        "nginx is not installed (not on PATH, /usr/sbin or /usr/local/sbin): its HTTP/2 "
        "interop checks are skipped");
    return nullptr;
  }
  if (!tried) {
    tried = true;
    auto n = std::make_unique<NginxServer>();
    if (!n->start(failure))
      failure = "nginx did not start: " + failure;
    else if (!n->write_file("1k.bin", body_1k()) || !n->write_file("1m.bin", body_1m()))
      failure = "cannot write nginx's static files";
    else
      server = std::move(n);
  }
  if (!failure.empty()) FAIL(failure);
  return server.get();
}

// Every origin whose server is installed, each started once per test run.
std::vector<Origin> origins() {
  std::vector<Origin> out;
  for (bool tls : {true, false})
    if (NghttpdServer *s = nghttpd(tls))
      out.push_back({tls ? "nghttpd TLS" : "nghttpd h2c", s->url(""), tls, true});
  if (NginxServer *n = nginx_h2()) {
    out.push_back({"nginx TLS http2",
                   "https://127.0.0.1:" + std::to_string(n->port(NginxServer::Site::H2)), true,
                   false});
    out.push_back({"nginx h2c",
                   "http://127.0.0.1:" + std::to_string(n->port(NginxServer::Site::H2c)), false,
                   false});
  }
  return out;
}

// A transfer to `origin`: the test CA trusted over TLS, prior knowledge over cleartext.
std::unique_ptr<Fetch> fetch(const Origin &origin, const std::string &path) {
  auto f = std::make_unique<Fetch>(origin.url(path));
  if (origin.tls)
    curl_easy_setopt(f->easy, CURLOPT_CAINFO, TestPki::get().ca_file.c_str());
  else
    curl_easy_setopt(f->easy, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE});
  curl_easy_setopt(f->easy, CURLOPT_TIMEOUT, 60L);
  return f;
}

long info_long(CURL *easy, CURLINFO what) {
  long v = -1;
  curl_easy_getinfo(easy, what, &v);
  return v;
}

// An upload body read from memory in whatever pieces libcurl asks for.
struct Source {
  const std::string *data;
  size_t offset = 0;
  static size_t read(char *buf, size_t size, size_t n, void *userp) {
    auto *s = static_cast<Source *>(userp);
    size_t len = std::min(size * n, s->data->size() - s->offset);
    std::memcpy(buf, s->data->data() + s->offset, len);
    s->offset += len;
    return len;
  }
};

// PUTs `data` to `path`; with known_length false the size is left unknown (over HTTP/2 the
// body then simply ends with the stream, no chunked encoding).
std::unique_ptr<Fetch> put(const Origin &origin, const std::string &path, const std::string &data,
                           bool known_length, Source &source, CURLcode &rc) {
  auto f = fetch(origin, path);
  source = Source{&data};
  curl_easy_setopt(f->easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(f->easy, CURLOPT_READFUNCTION, Source::read);
  curl_easy_setopt(f->easy, CURLOPT_READDATA, &source);
  if (known_length)
    curl_easy_setopt(f->easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(data.size()));
  rc = curl_easy_perform(f->easy);
  return f;
}

// Runs every handle in `multi` with curl_multi_perform until all are done or 60 s pass.
bool perform_all(CURLM *multi) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  int running = 1;
  while (running && std::chrono::steady_clock::now() < until) {
    if (curl_multi_perform(multi, &running) != CURLM_OK) return false;
    if (running) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
  }
  return running == 0;
}

}  // namespace

TEST_CASE("h2 interop: a GET arrives byte for byte over HTTP/2") {
  for (const Origin &o : origins()) {
    CAPTURE(o.name);
    for (const std::string *want : {&body_1k(), &body_1m()}) {
      auto f = fetch(o, want->size() == 1024 ? "/1k.bin" : "/1m.bin");
      CHECK(curl_easy_perform(f->easy) == CURLE_OK);
      CHECK(f->error == std::string());
      CHECK(f->status() == 200);
      CHECK(info_long(f->easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_2_0);
      CHECK(f->headers.rfind("HTTP/2 200 \r\n", 0) == 0);
      CHECK(f->body.size() == want->size());
      CHECK((f->body == *want));
    }
  }
}

TEST_CASE("h2 interop: 200 concurrent transfers on one connection (MAX_HOST_CONNECTIONS 1)") {
  for (const Origin &o : origins()) {
    CAPTURE(o.name);
    CURLM *multi = curl_multi_init();
    REQUIRE(curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L) == CURLM_OK);
    std::vector<std::unique_ptr<Fetch>> fetches;
    for (int i = 0; i < 200; ++i) {
      fetches.push_back(fetch(o, i % 2 ? "/1k.bin" : "/1k.bin?n=" + std::to_string(i)));
      REQUIRE(curl_multi_add_handle(multi, fetches.back()->easy) == CURLM_OK);
    }
    CHECK(perform_all(multi));
    int done = 0, ok = 0;
    int left = 0;
    while (CURLMsg *m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      ++done;
      if (m->data.result == CURLE_OK) ++ok;
    }
    CHECK(done == 200);
    CHECK(ok == 200);
    long connects = 0;
    int exact = 0, h2 = 0;
    for (auto &f : fetches) {
      connects += info_long(f->easy, CURLINFO_NUM_CONNECTS);
      if (f->body == body_1k()) ++exact;
      if (info_long(f->easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_2_0) ++h2;
      curl_multi_remove_handle(multi, f->easy);
    }
    CHECK(exact == 200);
    CHECK(h2 == 200);
    CHECK(connects == 1);
    curl_multi_cleanup(multi);
  }
}

TEST_CASE("h2 interop: uploads of 0, 1, 16 KiB + 1 and 1 MiB bytes arrive intact") {
  for (const Origin &o : origins()) {
    CAPTURE(o.name);
    for (size_t size : {size_t{0}, size_t{1}, size_t{16385}, size_t{1} << 20}) {
      const std::string data = NghttpdServer::pattern(size);
      for (bool known_length : {true, false}) {
        CAPTURE(size);
        CAPTURE(known_length);
        const std::string path = "/put/" + std::to_string(size) + "/" +
                                 (known_length ? "known" : "unknown") + "/" +
                                 std::to_string(o.tls) + ".bin";
        Source source{nullptr};
        CURLcode rc = CURLE_OK;
        auto f = put(o, path, data, known_length, source, rc);
        CHECK(rc == CURLE_OK);
        CHECK(f->error == std::string());
        CHECK(source.offset == data.size());
        CHECK(info_long(f->easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_2_0);
        if (o.echoes_upload) {
          CHECK(f->status() == 200);
          CHECK(f->body.size() == data.size());
          CHECK((f->body == data));
        } else {
          CHECK(f->status() == 201);  // nginx's WebDAV PUT created the file: read it back
          auto back = fetch(o, path);
          CHECK(curl_easy_perform(back->easy) == CURLE_OK);
          CHECK(back->status() == 200);
          CHECK(back->body.size() == data.size());
          CHECK((back->body == data));
        }
      }
    }
  }
}

TEST_CASE("h2 interop: a POST of 100,000 bytes from POSTFIELDS is echoed by nghttpd") {
  for (bool tls : {true, false}) {
    NghttpdServer *s = nghttpd(tls);
    if (!s) return;
    CAPTURE(tls);
    const Origin o{"nghttpd", s->url(""), tls, true};
    const std::string data = NghttpdServer::pattern(100000);
    auto f = fetch(o, "/echo");
    curl_easy_setopt(f->easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(data.size()));
    curl_easy_setopt(f->easy, CURLOPT_COPYPOSTFIELDS, data.data());
    CHECK(curl_easy_perform(f->easy) == CURLE_OK);
    CHECK(f->status() == 200);
    CHECK(info_long(f->easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_2_0);
    CHECK((f->body == data));
  }
}

TEST_CASE("h2 interop: nghttpd over TLS through curl_multi_socket_action") {
  NghttpdServer *s = nghttpd(true);
  if (!s) return;
  const Origin o{"nghttpd TLS", s->url(""), true, true};
  Driver d;
  REQUIRE(curl_multi_setopt(d.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L) == CURLM_OK);
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < 50; ++i) {
    fetches.push_back(fetch(o, i % 10 ? "/1k.bin" : "/1m.bin"));
    REQUIRE(curl_multi_add_handle(d.multi, fetches.back()->easy) == CURLM_OK);
  }
  CHECK(d.run_all(60000));
  long connects = 0;
  int exact = 0;
  for (size_t i = 0; i < fetches.size(); ++i) {
    CURL *e = fetches[i]->easy;
    REQUIRE(d.result_of(e) != nullptr);
    CHECK(*d.result_of(e) == CURLE_OK);
    connects += info_long(e, CURLINFO_NUM_CONNECTS);
    if (fetches[i]->body == (i % 10 ? body_1k() : body_1m())) ++exact;
    CHECK(curl_multi_remove_handle(d.multi, e) == CURLM_OK);
  }
  CHECK(exact == 50);
  CHECK(connects == 1);
  d.cleanup();
  d.check_socket_contract();
}

TEST_CASE("h2 interop: 1,000 transfers added at once with PIPEWAIT share one connection") {
  // Both servers allow fewer concurrent streams (nghttpd 100, nginx 128): the rest wait for a
  // stream on the one connection instead of opening others.
  for (const Origin &o : origins()) {
    CAPTURE(o.name);
    CURLM *multi = curl_multi_init();
    std::vector<std::unique_ptr<Fetch>> fetches;
    for (int i = 0; i < 1000; ++i) {
      fetches.push_back(fetch(o, "/1k.bin"));
      curl_easy_setopt(fetches.back()->easy, CURLOPT_PIPEWAIT, 1L);
      REQUIRE(curl_multi_add_handle(multi, fetches.back()->easy) == CURLM_OK);
    }
    CHECK(perform_all(multi));
    int ok = 0, left = 0;
    while (CURLMsg *m = curl_multi_info_read(multi, &left))
      ok += m->msg == CURLMSG_DONE && m->data.result == CURLE_OK;
    CHECK(ok == 1000);
    long connects = 0;
    int exact = 0;
    for (auto &f : fetches) {
      connects += info_long(f->easy, CURLINFO_NUM_CONNECTS);
      exact += f->body == body_1k();
      curl_multi_remove_handle(multi, f->easy);
    }
    CHECK(exact == 1000);
    CHECK(connects == 1);
    curl_multi_cleanup(multi);
  }
}

TEST_CASE("h2 interop: HEAD and 404 over HTTP/2") {
  for (const Origin &o : origins()) {
    CAPTURE(o.name);
    auto head = fetch(o, "/1m.bin");
    curl_easy_setopt(head->easy, CURLOPT_NOBODY, 1L);
    CHECK(curl_easy_perform(head->easy) == CURLE_OK);
    CHECK(head->status() == 200);
    CHECK(head->body.empty());
    CHECK(head->headers.find("content-length: 1048576\r\n") != std::string::npos);
    CHECK(info_long(head->easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_2_0);

    auto missing = fetch(o, "/no/such/file");
    CHECK(curl_easy_perform(missing->easy) == CURLE_OK);
    CHECK(missing->status() == 404);
    CHECK(info_long(missing->easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_2_0);
  }
}

TEST_CASE("h2 interop: nginx over TLS falls back to HTTP/1.1 where h2 is not offered") {
  NginxServer *n = nginx_h2();
  if (!n) return;
  const std::string ca = TestPki::get().ca_file;
  SUBCASE("a site without http2: ALPN picks http/1.1") {
    Fetch f("https://127.0.0.1:" + std::to_string(n->port(NginxServer::Site::Good)) + "/1k.bin");
    curl_easy_setopt(f.easy, CURLOPT_CAINFO, ca.c_str());
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(info_long(f.easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_1_1);
    CHECK(f.headers.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK((f.body == body_1k()));
  }
  SUBCASE("the http2 site asked for HTTP/1.1 only") {
    Fetch f("https://127.0.0.1:" + std::to_string(n->port(NginxServer::Site::H2)) + "/1k.bin");
    curl_easy_setopt(f.easy, CURLOPT_CAINFO, ca.c_str());
    curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_1_1});
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(info_long(f.easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_1_1);
    CHECK((f.body == body_1k()));
  }
}

namespace {

// Collects the body, but answers CURL_WRITEFUNC_PAUSE to the first call while `pause_first`.
struct Pausing {
  std::string body;
  bool pause_first = true;
  int paused = 0;
  static size_t write(char *data, size_t size, size_t n, void *userp) {
    auto *p = static_cast<Pausing *>(userp);
    if (p->pause_first) {
      p->pause_first = false;
      ++p->paused;
      return CURL_WRITEFUNC_PAUSE;
    }
    p->body.append(data, size * n);
    return size * n;
  }
};

}  // namespace

TEST_CASE("h2 interop: a paused stream waits while the other on its connection completes") {
  for (const Origin &o : origins()) {
    if (o.name != "nghttpd TLS" && o.name != "nginx h2c") continue;
    CAPTURE(o.name);
    CURLM *multi = curl_multi_init();
    REQUIRE(curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L) == CURLM_OK);
    auto paused = fetch(o, "/1m.bin");
    auto other = fetch(o, "/1m.bin");
    Pausing sink;
    curl_easy_setopt(paused->easy, CURLOPT_WRITEFUNCTION, Pausing::write);
    curl_easy_setopt(paused->easy, CURLOPT_WRITEDATA, &sink);
    REQUIRE(curl_multi_add_handle(multi, paused->easy) == CURLM_OK);
    REQUIRE(curl_multi_add_handle(multi, other->easy) == CURLM_OK);

    // Until `other` is done and `paused` has paused (whichever first: the server picks the
    // order of the streams' frames); `paused` must not finish while paused.
    std::vector<CURL *> done;
    auto step = [&] {
      int running = 0;
      curl_multi_perform(multi, &running);
      int left = 0;
      while (CURLMsg *m = curl_multi_info_read(multi, &left)) {
        CHECK(m->data.result == CURLE_OK);
        done.push_back(m->easy_handle);
      }
      curl_multi_poll(multi, nullptr, 0, 50, nullptr);
    };
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((done.empty() || sink.paused == 0) && std::chrono::steady_clock::now() < until) step();
    REQUIRE(done.size() == 1);
    CHECK(done[0] == other->easy);
    CHECK((other->body == body_1m()));
    CHECK(sink.paused == 1);
    CHECK(sink.body.empty());

    CHECK(curl_easy_pause(paused->easy, CURLPAUSE_CONT) == CURLE_OK);
    while (done.size() < 2 && std::chrono::steady_clock::now() < until) step();
    REQUIRE(done.size() == 2);
    CHECK(done[1] == paused->easy);
    CHECK(sink.body.size() == body_1m().size());
    CHECK((sink.body == body_1m()));
    CHECK(info_long(paused->easy, CURLINFO_NUM_CONNECTS) +
              info_long(other->easy, CURLINFO_NUM_CONNECTS) ==
          1);
    curl_multi_remove_handle(multi, paused->easy);
    curl_multi_remove_handle(multi, other->easy);
    curl_multi_cleanup(multi);
  }
}

TEST_CASE("h2 interop: nghttpd set to push, no PUSHFUNCTION: nothing pushed reaches the app") {
  if (NghttpdServer::find_binary().empty()) {
    MESSAGE("nghttpd is not installed (package nghttp2-server): skipped");
    return;
  }
  NghttpdOptions options;
  options.push = {"/1k.bin=/1m.bin"};
  NghttpdServer s(options);
  std::string error;
  REQUIRE_MESSAGE(s.start(error), error);
  const Origin o{"nghttpd TLS, pushing", s.url(""), true, true};
  // One handle, two transfers: the second reuses the connection the first left.
  auto f = fetch(o, "/1k.bin");
  CHECK(curl_easy_perform(f->easy) == CURLE_OK);
  CHECK((f->body == body_1k()));
  CHECK(info_long(f->easy, CURLINFO_NUM_CONNECTS) == 1);
  f->body.clear();
  curl_easy_setopt(f->easy, CURLOPT_URL, o.url("/index.html").c_str());
  CHECK(curl_easy_perform(f->easy) == CURLE_OK);
  CHECK(f->status() == 200);
  CHECK(f->body.find("evmulti h2 interop") != std::string::npos);
  CHECK(info_long(f->easy, CURLINFO_NUM_CONNECTS) == 0);
}

TEST_CASE("h2 interop: HTTP/1.1 to h2c-only nghttpd fails as with libcurl 7.88") {
  // nghttpd --no-tls answers an HTTP/1.1 request with its SETTINGS frame: 7.88 reports
  // CURLE_UNSUPPORTED_PROTOCOL "Received HTTP/0.9 when not allowed" (also for 2_0's Upgrade).
  NghttpdServer *s = nghttpd(false);
  if (!s) return;
  for (long version : {long{CURL_HTTP_VERSION_NONE}, long{CURL_HTTP_VERSION_1_1},
                       long{CURL_HTTP_VERSION_2_0}, long{CURL_HTTP_VERSION_2TLS}}) {
    CAPTURE(version);
    Fetch f(s->url("/1k.bin"));
    curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, version);
    CHECK(curl_easy_perform(f.easy) == CURLE_UNSUPPORTED_PROTOCOL);
    CHECK(f.error == std::string("Received HTTP/0.9 when not allowed"));
    CHECK(f.status() == 0);
  }
}
