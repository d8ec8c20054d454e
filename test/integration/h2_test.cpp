// HTTP/2 over loopback against the project's own HTTP/2 server (test/support/h2_test_server):
// ALPN h2 and h2c by prior knowledge, many transfers on one connection, uploads under flow
// control, resets, GOAWAY, the server's stream limit, malformed responses and pause.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "easy_fixture.h"
#include "getinfo.h"
#include "h2_test_server.h"
#include "raw_h2_server.h"
#include "shared_test_server.h"
#include "test_certs.h"
#include "text_util.h"

using namespace evm::test;

namespace {

// OpenSSL is set up before the servers: its exit handler must run after their threads end, or
// their per-thread OpenSSL state is reported as leaked (as in https_fixture.h).
H2TestServer &tls_server() {
  (void)TestPki::get();
  static H2TestServer s([] {
    H2TestServerOptions o;
    o.tls = true;
    return o;
  }());
  REQUIRE(s.start());
  return s;
}

H2TestServer &h2c_server() {
  (void)TestPki::get();
  static H2TestServer s([] {
    H2TestServerOptions o;
    o.tls = false;
    return o;
  }());
  REQUIRE(s.start());
  return s;
}

// One transfer of a batch: its handle, what came back and how it ended.
struct Xfer : Fetch {
  CURLcode result = CURLE_OK;
  bool done = false;
  explicit Xfer(const H2TestServer &s, const std::string &path) : Fetch(s.url(path)) {
    if (s.tls()) {
      curl_easy_setopt(easy, CURLOPT_CAINFO, TestPki::get().ca_file.c_str());
    } else {
      curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE});
    }
    curl_easy_setopt(easy, CURLOPT_PRIVATE, this);
    if (std::getenv("H2_VERBOSE")) curl_easy_setopt(easy, CURLOPT_VERBOSE, 1L);
  }
  long info_long(CURLINFO what) const {
    long v = -1;
    curl_easy_getinfo(easy, what, &v);
    return v;
  }
};

// Runs every transfer of `batch` in one multi handle until all are done (or 20 s pass).
struct Batch {
  CURLM *multi = curl_multi_init();
  std::vector<std::unique_ptr<Xfer>> xfers;
  ~Batch() {
    for (auto &x : xfers) curl_multi_remove_handle(multi, x->easy);
    curl_multi_cleanup(multi);
  }
  Xfer &add(const H2TestServer &s, const std::string &path) {
    xfers.push_back(std::make_unique<Xfer>(s, path));
    return *xfers.back();
  }
  // Adds every transfer at once, then runs them all.
  bool run(int budget_ms = 20000) {
    for (auto &x : xfers) REQUIRE(curl_multi_add_handle(multi, x->easy) == CURLM_OK);
    auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(budget_ms);
    int running = 1;
    while (running && std::chrono::steady_clock::now() < until) {
      if (curl_multi_perform(multi, &running) != CURLM_OK) return false;
      collect();
      if (running) curl_multi_poll(multi, nullptr, 0, 50, nullptr);
    }
    collect();
    return running == 0;
  }
  void collect() {
    int left = 0;
    while (CURLMsg *m = curl_multi_info_read(multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      Xfer *x = nullptr;
      curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &x);
      x->result = m->data.result;
      x->done = true;
    }
  }
  long connects() const {
    long sum = 0;
    for (auto &x : xfers) sum += x->info_long(CURLINFO_NUM_CONNECTS);
    return sum;
  }
};

std::string sha256_hex(const std::string &data) {
  unsigned char md[32];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char *hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

}  // namespace

TEST_SUITE_BEGIN("h2");

TEST_CASE(
    "HTTP/2: a GET over TLS agrees on h2 through ALPN, and over clear text by prior knowledge") {
  for (H2TestServer *s : {&tls_server(), &h2c_server()}) {
    CAPTURE(s->tls());
    Batch b;
    Xfer &x = b.add(*s, "/bytes/1000");
    REQUIRE(b.run());
    CHECK(x.result == CURLE_OK);
    CHECK(x.body == pattern(1000));
    CHECK(x.status() == 200);
    CHECK(x.info_long(CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_2_0);
    // libcurl hands HTTP/2 heads over as HTTP/1-style lines: "HTTP/2 200 " and lower-case names.
    CHECK(x.headers.rfind("HTTP/2 200 \r\n", 0) == 0);
    CHECK(contains(x.headers, "content-length: 1000\r\n"));
    CHECK(x.headers.ends_with("\r\n\r\n"));
    CHECK(x.info_long(CURLINFO_HEADER_SIZE) == static_cast<long>(x.headers.size()));
    if (s->tls()) CHECK(s->last_alpn() == "h2");
  }
}

TEST_CASE("HTTP/2: the request's pseudo-headers and headers as the server sees them") {
  Batch b;
  Xfer &x = b.add(tls_server(), "/echo?q=1");
  curl_slist *h = curl_slist_append(nullptr, "X-Custom: Value");
  h = curl_slist_append(h, "Connection: close");   // HTTP/2 forbids it: left out
  h = curl_slist_append(h, "TE: trailers, gzip");  // reduced to what HTTP/2 allows
  curl_easy_setopt(x.easy, CURLOPT_HTTPHEADER, h);
  REQUIRE(b.run());
  curl_slist_free_all(h);
  REQUIRE(x.result == CURLE_OK);
  auto got = tls_server().last_request_headers();
  REQUIRE(got.size() >= 4);
  CHECK(got[0] == H2Header{":method", "GET"});
  CHECK(got[1] == H2Header{":path", "/echo?q=1"});
  CHECK(got[2] == H2Header{":scheme", "https"});
  CHECK(got[3].first == ":authority");
  bool custom = false, connection = false, te = false;
  for (auto &[n, v] : got) {
    custom |= n == "x-custom" && v == "Value";
    connection |= n == "connection";
    te |= n == "te" && v == "trailers";
  }
  CHECK(custom);
  CHECK_FALSE(connection);
  CHECK(te);
}

TEST_CASE("HTTP/2: an https transfer to a server without h2 goes on as HTTP/1.1") {
  H2TestServer &h2 = tls_server();
  Batch b;
  Xfer &x = b.add(h2, "/bytes/10");
  curl_easy_setopt(x.easy, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_1_1});
  REQUIRE(b.run());
  // Offered only http/1.1, the h2-only server ends the connection: the transfer fails cleanly
  // and never claims HTTP/2.
  CHECK(x.result != CURLE_OK);
  CHECK(x.info_long(CURLINFO_HTTP_VERSION) != CURL_HTTP_VERSION_2_0);
}

TEST_CASE("HTTP/2: 1,000 transfers share one connection") {
  for (H2TestServer *s : {&tls_server(), &h2c_server()}) {
    CAPTURE(s->tls());
    SUBCASE("with MAX_HOST_CONNECTIONS 1") {
      uint64_t before = s->connections_accepted();
      Batch b;
      curl_multi_setopt(b.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
      for (int i = 0; i < 1000; ++i) b.add(*s, "/bytes/" + std::to_string(100 + i % 50));
      REQUIRE(b.run(60000));
      int ok = 0;
      for (size_t i = 0; i < b.xfers.size(); ++i)
        ok += b.xfers[i]->result == CURLE_OK && b.xfers[i]->body == pattern(100 + i % 50);
      CHECK(ok == 1000);
      CHECK(b.connects() == 1);
      CHECK(s->connections_accepted() - before == 1);
    }
    SUBCASE("with PIPEWAIT") {
      uint64_t before = s->connections_accepted();
      Batch b;
      for (int i = 0; i < 1000; ++i) {
        Xfer &x = b.add(*s, "/bytes/64");
        curl_easy_setopt(x.easy, CURLOPT_PIPEWAIT, 1L);
      }
      REQUIRE(b.run(60000));
      int ok = 0;
      for (auto &x : b.xfers) ok += x->result == CURLE_OK && x->body == pattern(64);
      CHECK(ok == 1000);
      CHECK(b.connects() == 1);
      CHECK(s->connections_accepted() - before == 1);
    }
  }
}

TEST_CASE("HTTP/2: uploads arrive byte for byte under flow control") {
  H2TestServer &s = tls_server();
  for (size_t size : {size_t{0}, size_t{1}, size_t{16385}, size_t{1} << 20}) {
    CAPTURE(size);
    std::string data = pattern(size);
    SUBCASE("POSTFIELDS") {
      Batch b;
      Xfer &x = b.add(s, "/upload-size");
      curl_easy_setopt(x.easy, CURLOPT_POSTFIELDS, data.data());
      curl_easy_setopt(x.easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(size));
      REQUIRE(b.run());
      CHECK(x.result == CURLE_OK);
      CHECK(x.body == std::to_string(size) + "\n");
      CHECK(contains(x.headers, "x-body-sha256: " + sha256_hex(data)));
    }
    SUBCASE("READFUNCTION, size unknown") {
      struct Src {
        std::string data;
        size_t off = 0;
      } src{data};
      Batch b;
      Xfer &x = b.add(s, "/upload-size");
      curl_easy_setopt(x.easy, CURLOPT_POST, 1L);
      curl_easy_setopt(
          x.easy, CURLOPT_READFUNCTION, +[](char *buf, size_t sz, size_t n, void *p) -> size_t {
            auto *s = static_cast<Src *>(p);
            size_t k = std::min(sz * n, s->data.size() - s->off);
            std::memcpy(buf, s->data.data() + s->off, k);
            s->off += k;
            return k;
          });
      curl_easy_setopt(x.easy, CURLOPT_READDATA, &src);
      REQUIRE(b.run());
      CHECK(x.result == CURLE_OK);
      CHECK(x.body == std::to_string(size) + "\n");
      CHECK(contains(x.headers, "x-body-sha256: " + sha256_hex(data)));
    }
  }
}

TEST_CASE("HTTP/2: a reset stream ends its transfer only") {
  H2TestServer &s = tls_server();
  Batch b;
  curl_multi_setopt(b.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
  Xfer &rst = b.add(s, "/rst");
  Xfer &late = b.add(s, "/rst-after-headers");
  std::vector<Xfer *> good;
  for (int i = 0; i < 10; ++i) good.push_back(&b.add(s, "/bytes/500"));
  REQUIRE(b.run());
  CHECK(rst.result == CURLE_HTTP2_STREAM);
  CHECK(std::string(rst.error).rfind("HTTP/2 stream ", 0) == 0);
  CHECK(contains(rst.error, "was not closed cleanly: INTERNAL_ERROR (err 2)"));
  CHECK(late.result == CURLE_HTTP2_STREAM);
  CHECK(late.status() == 200);
  for (Xfer *x : good) {
    CHECK(x->result == CURLE_OK);
    CHECK(x->body == pattern(500));
  }
  CHECK(b.connects() == 1);
}

TEST_CASE("HTTP/2: malformed responses fail their stream") {
  H2TestServer &s = h2c_server();
  Batch b;
  Xfer &cl = b.add(s, "/cl-mismatch");
  Xfer &bad = b.add(s, "/bad-status");
  Xfer &none = b.add(s, "/no-status");
  Xfer &ok = b.add(s, "/bytes/10");
  REQUIRE(b.run());
  CHECK(cl.result == CURLE_HTTP2_STREAM);
  CHECK(contains(cl.error, "PROTOCOL_ERROR (err 1)"));
  CHECK(bad.result == CURLE_HTTP2_STREAM);
  CHECK(none.result == CURLE_HTTP2_STREAM);
  CHECK(ok.result == CURLE_OK);
}

TEST_CASE("HTTP/2: a redirect with a cookie follows on a new stream of the same connection") {
  Batch b;
  Xfer &x = b.add(h2c_server(), "/status/302?location=/echo&set-cookie=flavour=mint;path=/");
  curl_easy_setopt(x.easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(x.easy, CURLOPT_COOKIEFILE, "");
  REQUIRE(b.run());
  CHECK(x.result == CURLE_OK);
  CHECK(x.status() == 200);
  CHECK(x.body.rfind("GET /echo\n", 0) == 0);
  CHECK(contains(x.body, "cookie: flavour=mint\n"));
  CHECK(x.info_long(CURLINFO_REDIRECT_COUNT) == 1);
  CHECK(x.info_long(CURLINFO_NUM_CONNECTS) == 1);
  CHECK(x.info_long(CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_2_0);
}

TEST_CASE("HTTP/2: DEBUGFUNCTION sees the request as libcurl shows it and the response lines") {
  struct Seen {
    std::string text, out, in;
  } seen;
  Batch b;
  Xfer &x = b.add(tls_server(), "/bytes/10");
  curl_easy_setopt(x.easy, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(x.easy, CURLOPT_DEBUGDATA, &seen);
  curl_easy_setopt(
      x.easy, CURLOPT_DEBUGFUNCTION,
      +[](CURL *, curl_infotype type, char *data, size_t size, void *p) -> int {
        auto *seen = static_cast<Seen *>(p);
        std::string piece(data, size);
        if (type == CURLINFO_TEXT) seen->text += piece;
        if (type == CURLINFO_HEADER_OUT) seen->out += piece;
        if (type == CURLINFO_HEADER_IN) seen->in += piece;
        return 0;
      });
  REQUIRE(b.run());
  CHECK(x.result == CURLE_OK);
  CHECK(contains(seen.text, "ALPN: offers h2,http/1.1"));
  CHECK(contains(seen.text, "using HTTP/2"));
  CHECK(seen.out.rfind("GET /bytes/10 HTTP/2\r\nHost: ", 0) == 0);
  CHECK(seen.in.rfind("HTTP/2 200 \r\n", 0) == 0);
  CHECK(x.info_long(CURLINFO_REQUEST_SIZE) == static_cast<long>(seen.out.size()));
}

TEST_CASE("HTTP/2: an upload paused by its READFUNCTION resumes") {
  struct Src {
    std::string data = pattern(200000);
    size_t off = 0;
    bool paused = false;
  } src;
  Batch b;
  Xfer &x = b.add(tls_server(), "/upload-size");
  curl_easy_setopt(x.easy, CURLOPT_POST, 1L);
  curl_easy_setopt(x.easy, CURLOPT_POSTFIELDSIZE, 200000L);
  curl_easy_setopt(x.easy, CURLOPT_READDATA, &src);
  curl_easy_setopt(
      x.easy, CURLOPT_READFUNCTION, +[](char *buf, size_t sz, size_t n, void *p) -> size_t {
        auto *s = static_cast<Src *>(p);
        if (s->off >= 50000 && !s->paused) {
          s->paused = true;
          return CURL_READFUNC_PAUSE;
        }
        size_t k = std::min(sz * n, s->data.size() - s->off);
        std::memcpy(buf, s->data.data() + s->off, k);
        s->off += k;
        return k;
      });
  REQUIRE(curl_multi_add_handle(b.multi, x.easy) == CURLM_OK);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int running = 1;
  bool resumed = false;
  while (running && std::chrono::steady_clock::now() < until) {
    curl_multi_perform(b.multi, &running);
    b.collect();
    if (src.paused && !resumed) {
      resumed = true;
      curl_easy_pause(x.easy, CURLPAUSE_CONT);
    }
    if (running) curl_multi_poll(b.multi, nullptr, 0, 20, nullptr);
  }
  CHECK(x.done);
  CHECK(src.paused);
  CHECK(x.result == CURLE_OK);
  CHECK(x.body == "200000\n");
  CHECK(contains(x.headers, "x-body-sha256: " + sha256_hex(src.data)));
  curl_multi_remove_handle(b.multi, x.easy);
  b.xfers.clear();
}

TEST_CASE("HTTP/2: content decoding and Basic auth work on a stream") {
  Batch b;
  Xfer &gz = b.add(h2c_server(), "/gzip/100000");
  curl_easy_setopt(gz.easy, CURLOPT_ACCEPT_ENCODING, "");
  Xfer &auth = b.add(h2c_server(), "/basic-auth");
  curl_easy_setopt(auth.easy, CURLOPT_USERPWD, "user:pass");
  curl_easy_setopt(auth.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_ANY));
  REQUIRE(b.run());
  CHECK(gz.result == CURLE_OK);
  CHECK(gz.body == pattern(100000));
  CHECK(auth.result == CURLE_OK);
  CHECK(auth.status() == 200);
  CHECK(auth.body == "authed\n");
}

TEST_CASE("HTTP/2: a body that decodes to 16 MiB comes at most 1 MiB a turn, beside another") {
  // The stream's decoders stop at the turn's budget (limits::kDecodeTurnBytes); the stream reads
  // no further meanwhile and the other transfer goes on.
  const size_t size = size_t{16} << 20;
  Batch b;
  Xfer &big = b.add(h2c_server(), "/gzip/" + std::to_string(size));
  curl_easy_setopt(big.easy, CURLOPT_ACCEPT_ENCODING, "");
  Xfer &other = b.add(h2c_server(), "/gzip/100000");
  curl_easy_setopt(other.easy, CURLOPT_ACCEPT_ENCODING, "");
  for (auto &x : b.xfers) REQUIRE(curl_multi_add_handle(b.multi, x->easy) == CURLM_OK);
  size_t largest = 0, calls = 0;
  int running = 1;
  while (running && calls < 100000) {
    size_t before = big.body.size();
    REQUIRE(curl_multi_perform(b.multi, &running) == CURLM_OK);
    largest = std::max(largest, big.body.size() - before);
    ++calls;
    b.collect();
    if (running) curl_multi_poll(b.multi, nullptr, 0, 50, nullptr);
  }
  b.collect();
  CHECK(big.result == CURLE_OK);
  CHECK(other.result == CURLE_OK);
  CHECK(other.body == pattern(100000));
  CHECK(big.body.size() == size);
  CHECK(big.body == pattern(size));
  CHECK(largest <= (size_t{1} << 20) + CURL_MAX_WRITE_SIZE);
}

TEST_CASE("HTTP/2: trailers reach HEADERFUNCTION after the body") {
  Batch b;
  Xfer &x = b.add(tls_server(), "/trailers");
  REQUIRE(b.run());
  CHECK(x.result == CURLE_OK);
  CHECK(x.body == "hello");
  CHECK(x.headers.ends_with("\r\n\r\nx-trailer: yes\r\n"));
}

TEST_CASE("HTTP/2: GOAWAY lets earlier streams finish and retries the others elsewhere") {
  H2TestServerOptions o;
  o.tls = true;
  o.goaway_after = 3;
  H2TestServer s(o);
  REQUIRE(s.start());
  Batch b;
  for (int i = 0; i < 8; ++i) {
    Xfer &x = b.add(s, "/bytes/200");
    curl_easy_setopt(x.easy, CURLOPT_PIPEWAIT, 1L);
  }
  REQUIRE(b.run());
  int ok = 0;
  for (auto &x : b.xfers) ok += x->result == CURLE_OK && x->body == pattern(200);
  CHECK(ok == 8);
  CHECK(s.connections_accepted() >= 2);
}

namespace {

// A hand-written h2c server for one connection: answers stream 1 with 200 "ok", then, when told,
// sends GOAWAY while the client holds the connection idle, and notes when the client closes.
struct IdleGoawayServer {
  int listener = -1;
  uint16_t port = 0;
  std::atomic<bool> send_goaway{false}, client_closed{false}, answered{false};
  std::thread thread;

  IdleGoawayServer() {
    listener = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
    REQUIRE(::listen(listener, 1) == 0);
    socklen_t len = sizeof a;
    ::getsockname(listener, reinterpret_cast<sockaddr *>(&a), &len);
    port = ntohs(a.sin_port);
    thread = std::thread([this] { serve(); });
  }
  ~IdleGoawayServer() {
    send_goaway = true;
    ::shutdown(listener, SHUT_RDWR);
    thread.join();
    ::close(listener);
  }
  void serve() {
    int c = ::accept(listener, nullptr, nullptr);
    if (c < 0) return;
    // The client's preface, SETTINGS and its request's HEADERS.
    if (!evm::test::read_until_request_headers(c)) {
      ::close(c);
      return;
    }
    using evm::test::h2_frame;
    std::string out = h2_frame(4, 0, 0, "") + h2_frame(4, 1, 0, "") + h2_frame(1, 4, 1, "\x88") +
                      h2_frame(0, 1, 1, "ok");
    ::send(c, out.data(), out.size(), MSG_NOSIGNAL);
    answered = true;
    while (!send_goaway) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::string goaway = h2_frame(7, 0, 0, std::string_view("\0\0\0\1\0\0\0\0", 8));
    ::send(c, goaway.data(), goaway.size(), MSG_NOSIGNAL);
    // Whatever the client still says (a WINDOW_UPDATE, its own GOAWAY) until it closes.
    timeval tv{5, 0};
    ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n == 0) client_closed = true;
      if (n <= 0) break;
    }
    ::close(c);
  }
};

}  // namespace

TEST_CASE("HTTP/2: an idle connection is still read: a GOAWAY retires it and frees its socket") {
  IdleGoawayServer s;
  struct Watch {
    CURL *transfer = nullptr;
    int removes_for_idle = 0;
  } w;
  CURLM *multi = curl_multi_init();
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, &w);
  curl_multi_setopt(
      multi, CURLMOPT_SOCKETFUNCTION,
      +[](CURL *easy, curl_socket_t, int what, void *wp, void *) -> int {
        auto *w = static_cast<Watch *>(wp);
        CHECK(easy != nullptr);  // named even when no transfer uses the socket
        if (what == CURL_POLL_REMOVE && easy != w->transfer) ++w->removes_for_idle;
        return 0;
      });
  Fetch f("http://127.0.0.1:" + std::to_string(s.port) + "/");
  curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE});
  w.transfer = f.easy;
  REQUIRE(curl_multi_add_handle(multi, f.easy) == CURLM_OK);
  int running = 1;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (running && std::chrono::steady_clock::now() < until) {
    curl_multi_perform(multi, &running);
    if (running) curl_multi_poll(multi, nullptr, 0, 20, nullptr);
  }
  REQUIRE(running == 0);
  CHECK(f.body == "ok");
  CHECK(info_long(f.easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_2_0);
  REQUIRE(curl_multi_remove_handle(multi, f.easy) == CURLM_OK);
  // Idle now, and with nothing running it is not watched (the application's loop may run dry).
  // Another transfer, to another server, starts: from then on the idle connection is watched.
  CHECK(w.removes_for_idle == 1);
  Fetch other(evm::test::server().raw_url("/stall"));
  curl_easy_setopt(other.easy, CURLOPT_TIMEOUT_MS, 8000L);
  REQUIRE(curl_multi_add_handle(multi, other.easy) == CURLM_OK);
  curl_multi_perform(multi, &running);
  // The server says GOAWAY; the application only keeps its loop going.
  s.send_goaway = true;
  while (!s.client_closed && std::chrono::steady_clock::now() < until) {
    curl_multi_perform(multi, &running);
    curl_multi_poll(multi, nullptr, 0, 20, nullptr);
  }
  CHECK(s.client_closed);
  CHECK(w.removes_for_idle == 2);
  curl_multi_remove_handle(multi, other.easy);
  curl_multi_cleanup(multi);
}

TEST_CASE("HTTP/2: an idle connection answers the server's PING") {
  H2TestServerOptions o;
  o.tls = false;
  H2TestServer s(o);
  REQUIRE(s.start());
  Batch b;
  Xfer &x = b.add(s, "/bytes/10");
  REQUIRE(b.run());
  CHECK(x.result == CURLE_OK);
  // No transfer uses the connection now, while another, to another server, runs; the
  // application only keeps its loop going.
  Fetch other(evm::test::server().raw_url("/stall"));
  curl_easy_setopt(other.easy, CURLOPT_TIMEOUT_MS, 8000L);
  REQUIRE(curl_multi_add_handle(b.multi, other.easy) == CURLM_OK);
  uint64_t acks = s.ping_acks_received();
  REQUIRE(s.ping_all());
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  int running = 0;
  while (s.ping_acks_received() == acks && std::chrono::steady_clock::now() < until) {
    curl_multi_perform(b.multi, &running);
    curl_multi_poll(b.multi, nullptr, 0, 20, nullptr);
  }
  CHECK(s.ping_acks_received() == acks + 1);
  // Still good for the next transfer, without a new connection.
  Xfer y(s, "/bytes/20");
  REQUIRE(curl_multi_add_handle(b.multi, y.easy) == CURLM_OK);
  running = 2;
  while (running > 1 && std::chrono::steady_clock::now() < until) {
    curl_multi_perform(b.multi, &running);
    if (running > 1) curl_multi_poll(b.multi, nullptr, 0, 20, nullptr);
  }
  CHECK(y.body == pattern(20));
  CHECK(y.info_long(CURLINFO_NUM_CONNECTS) == 0);
  curl_multi_remove_handle(b.multi, y.easy);
  curl_multi_remove_handle(b.multi, other.easy);
}

TEST_CASE("HTTP/2: the server's stream limit holds, and the rest wait for a stream") {
  H2TestServerOptions o;
  o.tls = false;
  o.max_concurrent_streams = 5;
  H2TestServer s(o);
  REQUIRE(s.start());
  Batch b;
  curl_multi_setopt(b.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
  for (int i = 0; i < 60; ++i) b.add(s, "/delay/5");
  REQUIRE(b.run());
  int ok = 0;
  for (auto &x : b.xfers) ok += x->result == CURLE_OK && x->body == "ok\n";
  CHECK(ok == 60);
  CHECK(s.max_streams_seen_at_once() <= 5);
  CHECK(s.max_streams_seen_at_once() >= 2);
  CHECK(s.connections_accepted() == 1);
}

TEST_CASE("HTTP/2: stream priorities are accepted and the transfers complete") {
  Batch b;
  curl_multi_setopt(b.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
  // The first stream stays open a while, so the others can depend on it.
  Xfer &first = b.add(tls_server(), "/delay/300");
  Xfer &second = b.add(tls_server(), "/bytes/5000");
  Xfer &third = b.add(tls_server(), "/bytes/5000");
  CHECK(curl_easy_setopt(second.easy, CURLOPT_STREAM_WEIGHT, 200L) == CURLE_OK);
  CHECK(curl_easy_setopt(second.easy, CURLOPT_STREAM_WEIGHT, 0L) == CURLE_OK);    // ignored
  CHECK(curl_easy_setopt(second.easy, CURLOPT_STREAM_WEIGHT, 257L) == CURLE_OK);  // ignored
  CHECK(curl_easy_setopt(second.easy, CURLOPT_STREAM_DEPENDS, first.easy) == CURLE_OK);
  CHECK(curl_easy_setopt(third.easy, CURLOPT_STREAM_DEPENDS_E, first.easy) == CURLE_OK);
  int not_a_handle = 0;
  CHECK(curl_easy_setopt(third.easy, CURLOPT_STREAM_DEPENDS, &not_a_handle) ==
        CURLE_BAD_FUNCTION_ARGUMENT);
  size_t seen_before = tls_server().priorities_received().size();
  REQUIRE(b.run());
  CHECK(first.result == CURLE_OK);
  CHECK(first.body == "ok\n");
  for (Xfer *x : {&second, &third}) {
    CHECK(x->result == CURLE_OK);
    CHECK(x->body == pattern(5000));
  }
  // What the server received: the weight, and the first transfer's stream as the parent (the
  // three share one connection, so the first one's stream is open when the others start).
  auto got = tls_server().priorities_received();
  REQUIRE(got.size() == seen_before + 2);
  CHECK(got[seen_before][1] == 200);
  CHECK(got[seen_before][2] > 0);
  CHECK(got[seen_before][3] == 0);
  CHECK(got[seen_before + 1][2] == got[seen_before][2]);
  CHECK(got[seen_before + 1][3] == 1);  // STREAM_DEPENDS_E
}

TEST_CASE("HTTP/2: CURLMOPT_MAX_CONCURRENT_STREAMS caps the streams of a connection") {
  H2TestServer &s = h2c_server();
  Batch b;
  curl_multi_setopt(b.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
  curl_multi_setopt(b.multi, CURLMOPT_MAX_CONCURRENT_STREAMS, 3L);
  for (int i = 0; i < 30; ++i) b.add(s, "/delay/5");
  uint64_t before = s.connections_accepted();
  REQUIRE(b.run());
  int ok = 0;
  for (auto &x : b.xfers) ok += x->result == CURLE_OK;
  CHECK(ok == 30);
  CHECK(s.connections_accepted() - before == 1);
}

TEST_CASE("HTTP/2: floods of control frames end the connection with bounded memory") {
  H2TestServer &s = h2c_server();
  struct Case {
    const char *path;
    CURLcode code;
  };
  for (Case c : {Case{"/flood/ping", CURLE_HTTP2}, Case{"/flood/settings", CURLE_HTTP2},
                 Case{"/flood/empty-data", CURLE_HTTP2}, Case{"/flood/headers", CURLE_HTTP2}}) {
    CAPTURE(c.path);
    Batch b;
    Xfer &x = b.add(s, c.path);
    curl_easy_setopt(x.easy, CURLOPT_TIMEOUT_MS, 10000L);
    REQUIRE(b.run());
    CHECK(x.result == c.code);
    CHECK(std::strlen(x.error) > 0);
  }
  // A flood of resets on one stream ends that stream; the connection goes on.
  Batch b;
  curl_multi_setopt(b.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
  Xfer &rst = b.add(s, "/flood/rst");
  Xfer &ok = b.add(s, "/bytes/100");
  REQUIRE(b.run());
  CHECK(rst.result == CURLE_HTTP2_STREAM);
  CHECK(ok.result == CURLE_OK);
}

TEST_CASE("HTTP/2: response headers over the limit fail the stream") {
  Batch b;
  Xfer &x = b.add(tls_server(), "/huge-headers/400000");
  REQUIRE(b.run());
  CHECK(x.result != CURLE_OK);
  CHECK(std::strlen(x.error) > 0);
  Batch again;
  Xfer &y = again.add(tls_server(), "/bytes/10");
  REQUIRE(again.run());
  CHECK(y.result == CURLE_OK);
}

TEST_CASE("HTTP/2: a paused transfer holds its stream only; the others finish") {
  H2TestServer &s = tls_server();
  struct Paused {
    std::string body;
    bool paused_once = false;
  } p;
  Batch b;
  curl_multi_setopt(b.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
  Xfer &slow = b.add(s, "/big-window/3000000");
  curl_easy_setopt(slow.easy, CURLOPT_WRITEDATA, &p);
  curl_easy_setopt(
      slow.easy, CURLOPT_WRITEFUNCTION, +[](char *d, size_t sz, size_t n, void *u) -> size_t {
        auto *p = static_cast<Paused *>(u);
        if (!p->paused_once) {
          p->paused_once = true;
          return CURL_WRITEFUNC_PAUSE;
        }
        p->body.append(d, sz * n);
        return sz * n;
      });
  std::vector<Xfer *> others;
  for (int i = 0; i < 20; ++i) others.push_back(&b.add(s, "/bytes/2000"));
  for (auto &x : b.xfers) REQUIRE(curl_multi_add_handle(b.multi, x->easy) == CURLM_OK);
  auto others_done = [&] {
    for (Xfer *x : others)
      if (!x->done) return false;
    return true;
  };
  int running = 1;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!others_done() && std::chrono::steady_clock::now() < until) {
    curl_multi_perform(b.multi, &running);
    b.collect();
    curl_multi_poll(b.multi, nullptr, 0, 20, nullptr);
  }
  REQUIRE(others_done());
  for (Xfer *x : others) CHECK(x->result == CURLE_OK);
  CHECK_FALSE(slow.done);
  CHECK(p.paused_once);
  curl_easy_pause(slow.easy, CURLPAUSE_CONT);
  while (!slow.done && std::chrono::steady_clock::now() < until) {
    curl_multi_perform(b.multi, &running);
    b.collect();
    curl_multi_poll(b.multi, nullptr, 0, 20, nullptr);
  }
  REQUIRE(slow.done);
  CHECK(slow.result == CURLE_OK);
  CHECK(p.body == pattern(3000000));
  for (auto &x : b.xfers) curl_multi_remove_handle(b.multi, x->easy);
  b.xfers.clear();
}

namespace {

// What a PUSHFUNCTION test's callback saw and what became of the handles it accepted.
struct PushLog {
  int answer_from = 0;  // promises from this one on get `late_answer`
  int late_answer = CURL_PUSH_DENY;
  int calls = 0;
  std::vector<std::string> paths, first_lines;
  std::vector<std::unique_ptr<std::string>> bodies;  // one per accepted push
};

int on_push(CURL *, CURL *easy, size_t num_headers, curl_pushheaders *h, void *userp) {
  auto *log = static_cast<PushLog *>(userp);
  int n = log->calls++;
  const char *path = curl_pushheader_byname(h, ":path");
  log->paths.push_back(path ? path : "(none)");
  const char *first = num_headers ? curl_pushheader_bynum(h, 0) : nullptr;
  log->first_lines.push_back(first ? first : "(none)");
  CHECK(curl_pushheader_bynum(h, num_headers) == nullptr);
  CHECK(curl_pushheader_byname(h, ":") == nullptr);
  if (n >= log->answer_from) return log->late_answer;
  log->bodies.push_back(std::make_unique<std::string>());
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, log->bodies.back().get());
  curl_easy_setopt(easy, CURLOPT_PRIVATE, nullptr);
  return CURL_PUSH_OK;
}

// Runs `parent` in `multi` until every transfer (pushed ones included) is done; returns the
// results of the pushed handles, which it removes and cleans up as an application does.
std::vector<CURLcode> run_with_pushes(CURLM *multi, Xfer &parent) {
  std::vector<CURLcode> pushed;
  REQUIRE(curl_multi_add_handle(multi, parent.easy) == CURLM_OK);
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  int running = 1;
  while (running && std::chrono::steady_clock::now() < until) {
    curl_multi_perform(multi, &running);
    int left = 0;
    while (CURLMsg *m = curl_multi_info_read(multi, &left)) {
      if (m->easy_handle == parent.easy) {
        parent.result = m->data.result;
        parent.done = true;
        continue;
      }
      pushed.push_back(m->data.result);
      curl_multi_remove_handle(multi, m->easy_handle);
      curl_easy_cleanup(m->easy_handle);
    }
    if (running) curl_multi_poll(multi, nullptr, 0, 50, nullptr);
  }
  curl_multi_remove_handle(multi, parent.easy);
  return pushed;
}

}  // namespace

TEST_CASE("HTTP/2: server push through CURLMOPT_PUSHFUNCTION") {
  H2TestServer &s = tls_server();
  SUBCASE("accepted pushes arrive as transfers of their own; a denied one is reset") {
    PushLog log;
    log.answer_from = 2;
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PUSHFUNCTION, on_push);
    curl_multi_setopt(multi, CURLMOPT_PUSHDATA, &log);
    Xfer parent(s, "/push?n=3");
    std::vector<CURLcode> pushed = run_with_pushes(multi, parent);
    CHECK(parent.result == CURLE_OK);
    CHECK(parent.body == "main\n");
    CHECK(s.last_client_enable_push() == 1);
    CHECK(log.calls == 3);
    REQUIRE(log.paths.size() == 3);
    CHECK(log.paths[0] == "/pushed/1");
    CHECK(log.paths[2] == "/pushed/3");
    CHECK(log.first_lines[0].rfind(":", 0) == 0);  // "name:value", pseudo-headers first
    CHECK(pushed == std::vector<CURLcode>{CURLE_OK, CURLE_OK});
    REQUIRE(log.bodies.size() == 2);
    CHECK(*log.bodies[0] == "pushed 1\n");
    CHECK(*log.bodies[1] == "pushed 2\n");
    curl_multi_cleanup(multi);
  }
  SUBCASE("CURL_PUSH_ERROROUT fails the transfer the promise came with") {
    PushLog log;
    log.late_answer = CURL_PUSH_ERROROUT;
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_PUSHFUNCTION, on_push);
    curl_multi_setopt(multi, CURLMOPT_PUSHDATA, &log);
    Xfer parent(s, "/push");
    std::vector<CURLcode> pushed = run_with_pushes(multi, parent);
    CHECK(parent.done);
    CHECK(parent.result == CURLE_RECV_ERROR);
    CHECK(pushed.empty());
    curl_multi_cleanup(multi);
  }
  SUBCASE("without a callback the client disables push") {
    Batch b;
    Xfer &x = b.add(s, "/push?n=2");
    REQUIRE(b.run());
    CHECK(x.result == CURLE_OK);
    CHECK(x.body == "main\n");
    CHECK(s.last_client_enable_push() == 0);
  }
}

TEST_SUITE_END();
