// HTTP/2 interop over loopback against other people's servers: the system's nghttpd (nghttp2's
// server; TLS with ALPN h2, and h2c by prior knowledge) and nginx (`listen ... ssl http2` and
// cleartext `listen ... http2`). A GET arrives byte for byte as HTTP/2, 200 transfers share one
// connection, a 1 MiB upload arrives intact, and one origin runs through
// curl_multi_socket_action. A server that is not installed is skipped with a MESSAGE.
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

TEST_CASE("h2 interop: a 1 MiB upload arrives intact") {
  for (const Origin &o : origins()) {
    CAPTURE(o.name);
    for (bool known_length : {true, false}) {
      CAPTURE(known_length);
      const std::string path = "/put/" + std::string(known_length ? "known" : "unknown") + "/" +
                               std::to_string(o.tls) + ".bin";
      Source source{nullptr};
      CURLcode rc = CURLE_OK;
      auto f = put(o, path, body_1m(), known_length, source, rc);
      CHECK(rc == CURLE_OK);
      CHECK(f->error == std::string());
      CHECK(source.offset == body_1m().size());
      CHECK(info_long(f->easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_2_0);
      if (o.echoes_upload) {
        CHECK(f->status() == 200);
        CHECK(f->body.size() == body_1m().size());
        CHECK((f->body == body_1m()));
      } else {
        CHECK(f->status() == 201);  // nginx's WebDAV PUT created the file: read it back
        auto back = fetch(o, path);
        CHECK(curl_easy_perform(back->easy) == CURLE_OK);
        CHECK(back->status() == 200);
        CHECK(back->body.size() == body_1m().size());
        CHECK((back->body == body_1m()));
      }
    }
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
