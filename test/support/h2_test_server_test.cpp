// Self-test of the HTTP/2 test server, driven by a tiny nghttp2 client session over a
// blocking socket (TLS through memory BIOs), so that nothing of evmulti is involved.
#include "h2_test_server.h"
#include "ipv6_loopback.h"
#include "test_certs.h"
#include "timing.h"

#include <doctest/doctest.h>

#include <nghttp2/nghttp2.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <string>
#include <vector>

using evm::test::H2Header;
using evm::test::H2TestServer;
using evm::test::H2TestServerOptions;
using evm::test::TestPki;

namespace {

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

struct Response {
  std::string status;
  std::vector<H2Header> headers;
  std::string body;
  bool closed = false;
  uint32_t error = 0;  // the stream's close code (RST_STREAM, or REFUSED_STREAM on GOAWAY)
  int32_t pushed_by = 0;
};

// One HTTP/2 client connection. Each call to run() exchanges bytes until a condition holds.
class H2Client {
 public:
  H2Client(const H2TestServer &server, const char *alpn = "\x02h2", bool enable_push = true) {
    if (server.url("/").find("[::1]") != std::string::npos) {
      ip_ = "::1";
      fd_ = socket(AF_INET6, SOCK_STREAM, 0);
      sockaddr_in6 sin6{};
      sin6.sin6_family = AF_INET6;
      sin6.sin6_port = htons(server.port());
      sin6.sin6_addr = in6addr_loopback;
      connected_ = connect(fd_, reinterpret_cast<sockaddr *>(&sin6), sizeof(sin6)) == 0;
    } else {
      fd_ = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in sin{};
      sin.sin_family = AF_INET;
      sin.sin_port = htons(server.port());
      inet_pton(AF_INET, "127.0.0.1", &sin.sin_addr);
      connected_ = connect(fd_, reinterpret_cast<sockaddr *>(&sin), sizeof(sin)) == 0;
    }
    if (connected_ && server.tls()) connected_ = start_tls(alpn);
    nghttp2_session_callbacks *cbs = nullptr;
    nghttp2_session_callbacks_new(&cbs);
    nghttp2_session_callbacks_set_on_header_callback(cbs, &on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &on_data);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &on_close);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &on_frame);
    nghttp2_session_client_new(&session_, cbs, this);
    nghttp2_session_callbacks_del(cbs);
    nghttp2_settings_entry push{NGHTTP2_SETTINGS_ENABLE_PUSH, enable_push ? 1u : 0u};
    nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, &push, 1);
  }
  ~H2Client() {
    nghttp2_session_del(session_);
    if (ssl_ != nullptr) SSL_free(ssl_);
    if (ctx_ != nullptr) SSL_CTX_free(ctx_);
    close(fd_);
  }

  bool connected() const { return connected_; }
  std::string alpn() const { return alpn_; }
  nghttp2_session *session() { return session_; }

  int32_t request(const std::string &method, const std::string &path,
                  const std::string *body = nullptr) {
    std::vector<H2Header> req{{":method", method},
                              {":scheme", ssl_ ? "https" : "http"},
                              {":authority", "127.0.0.1"},
                              {":path", path},
                              {"x-test", "yes"}};
    std::vector<nghttp2_nv> nva;
    for (auto &[n, v] : req)
      nva.push_back({reinterpret_cast<uint8_t *>(n.data()), reinterpret_cast<uint8_t *>(v.data()),
                     n.size(), v.size(), NGHTTP2_NV_FLAG_NONE});
    nghttp2_data_provider provider{};
    provider.source.ptr = const_cast<std::string *>(body);
    provider.read_callback = &read_upload;
    upload_sent_ = 0;
    int32_t id = nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(),
                                        body != nullptr ? &provider : nullptr, nullptr);
    responses_[id];
    return id;
  }

  // Sends and receives until done() holds (true), or the connection ends or 10 s pass.
  template <class Pred>
  bool run(Pred done) {
    auto deadline = evm::test::Clock::now() + std::chrono::seconds(10);
    while (!done()) {
      if (!eof_ && !flush()) return done();
      if (eof_ || evm::test::Clock::now() > deadline) return done();
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      if (!receive()) eof_ = true;
    }
    flush();
    return true;
  }
  // Until the server closes the connection.
  bool run_to_eof() {
    return run([this] { return eof_; });
  }
  bool eof() const { return eof_; }

  std::map<int32_t, Response> responses_;
  bool goaway_ = false;
  int32_t goaway_last_id_ = -1;
  int pings_ = 0;
  int settings_ = 0;

 private:
  bool start_tls(const char *alpn) {
    ctx_ = SSL_CTX_new(TLS_client_method());
    SSL_CTX_load_verify_locations(ctx_, TestPki::get().ca_file.c_str(), nullptr);
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
    ssl_ = SSL_new(ctx_);
    X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), ip_.c_str());
    SSL_set_alpn_protos(ssl_, reinterpret_cast<const unsigned char *>(alpn), std::strlen(alpn));
    SSL_set_bio(ssl_, BIO_new(BIO_s_mem()), BIO_new(BIO_s_mem()));
    SSL_set_connect_state(ssl_);
    for (;;) {
      int rv = SSL_do_handshake(ssl_);
      if (!send_tls_output()) return false;
      if (rv == 1) break;
      if (SSL_get_error(ssl_, rv) != SSL_ERROR_WANT_READ || !read_socket_into_tls()) return false;
    }
    const unsigned char *p = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl_, &p, &len);
    alpn_.assign(reinterpret_cast<const char *>(p), p != nullptr ? len : 0);
    return true;
  }

  bool send_raw(const void *data, size_t len) {
    const char *p = static_cast<const char *>(data);
    while (len > 0) {
      ssize_t n = ::send(fd_, p, len, MSG_NOSIGNAL);
      if (n <= 0) return false;
      p += n;
      len -= static_cast<size_t>(n);
    }
    return true;
  }
  bool send_tls_output() {
    char buf[16384];
    int n = 0;
    while ((n = BIO_read(SSL_get_wbio(ssl_), buf, sizeof(buf))) > 0)
      if (!send_raw(buf, static_cast<size_t>(n))) return false;
    return true;
  }
  bool read_socket_into_tls() {
    char buf[16384];
    ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) return false;
    BIO_write(SSL_get_rbio(ssl_), buf, static_cast<int>(n));
    return true;
  }

  bool flush() {
    const uint8_t *data = nullptr;
    ssize_t n = 0;
    while ((n = nghttp2_session_mem_send(session_, &data)) > 0) {
      if (ssl_ == nullptr) {
        if (!send_raw(data, static_cast<size_t>(n))) return false;
      } else if (SSL_write(ssl_, data, static_cast<int>(n)) <= 0 || !send_tls_output()) {
        return false;
      }
    }
    return n == 0;
  }
  bool feed(const char *data, size_t len) {
    return nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t *>(data), len) ==
           static_cast<ssize_t>(len);
  }
  bool receive() {
    if (ssl_ == nullptr) {
      char buf[65536];
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      return n > 0 && feed(buf, static_cast<size_t>(n));
    }
    if (!read_socket_into_tls()) return false;
    char buf[65536];
    int n = 0;
    while ((n = SSL_read(ssl_, buf, sizeof(buf))) > 0)
      if (!feed(buf, static_cast<size_t>(n))) return false;
    return SSL_get_error(ssl_, n) == SSL_ERROR_WANT_READ;
  }

  static H2Client *self(void *p) { return static_cast<H2Client *>(p); }
  static ssize_t read_upload(nghttp2_session *, int32_t, uint8_t *buf, size_t length,
                             uint32_t *flags, nghttp2_data_source *source, void *user) {
    auto *body = static_cast<const std::string *>(source->ptr);
    size_t &sent = self(user)->upload_sent_;
    size_t n = std::min(length, body->size() - sent);
    std::memcpy(buf, body->data() + sent, n);
    sent += n;
    if (sent == body->size()) *flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
  static int on_header(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name,
                       size_t namelen, const uint8_t *value, size_t valuelen, uint8_t, void *user) {
    if (frame->hd.type == NGHTTP2_PUSH_PROMISE) {
      self(user)->responses_[frame->push_promise.promised_stream_id].pushed_by =
          frame->hd.stream_id;
      return 0;
    }
    Response &r = self(user)->responses_[frame->hd.stream_id];
    std::string n(reinterpret_cast<const char *>(name), namelen);
    std::string v(reinterpret_cast<const char *>(value), valuelen);
    if (n == ":status") r.status = v;
    r.headers.emplace_back(n, v);
    return 0;
  }
  static int on_data(nghttp2_session *, uint8_t, int32_t id, const uint8_t *data, size_t len,
                     void *user) {
    self(user)->responses_[id].body.append(reinterpret_cast<const char *>(data), len);
    return 0;
  }
  static int on_close(nghttp2_session *, int32_t id, uint32_t error, void *user) {
    Response &r = self(user)->responses_[id];
    r.closed = true;
    r.error = error;
    return 0;
  }
  static int on_frame(nghttp2_session *, const nghttp2_frame *frame, void *user) {
    if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK) == 0)
      ++self(user)->pings_;
    if (frame->hd.type == NGHTTP2_SETTINGS && (frame->hd.flags & NGHTTP2_FLAG_ACK) == 0)
      ++self(user)->settings_;
    if (frame->hd.type == NGHTTP2_GOAWAY) {
      self(user)->goaway_ = true;
      self(user)->goaway_last_id_ = frame->goaway.last_stream_id;
    }
    return 0;
  }

  int fd_ = -1;
  std::string ip_ = "127.0.0.1";
  bool connected_ = false;
  bool eof_ = false;
  SSL_CTX *ctx_ = nullptr;
  SSL *ssl_ = nullptr;
  std::string alpn_;
  nghttp2_session *session_ = nullptr;
  size_t upload_sent_ = 0;
};

std::string header(const Response &r, const std::string &name) {
  for (const auto &[n, v] : r.headers)
    if (n == name) return v;
  return "<none>";
}

std::string sha256_hex(const std::string &data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) {
    hex += "0123456789abcdef"[md[i] >> 4];
    hex += "0123456789abcdef"[md[i] & 15];
  }
  return hex;
}

H2TestServerOptions h2c() {
  H2TestServerOptions o;
  o.tls = false;
  return o;
}

}  // namespace

TEST_CASE("h2 test server: h2c and TLS each answer /bytes/100") {
  for (bool tls : {false, true}) {
    CAPTURE(tls);
    H2TestServerOptions o;
    o.tls = tls;
    o.max_concurrent_streams = 7;
    H2TestServer server(o);
    REQUIRE(server.start());
    CHECK(server.url("/x") == (tls ? "https://" : "http://") + std::string("127.0.0.1:") +
                                  std::to_string(server.port()) + "/x");
    H2Client client(server);
    REQUIRE(client.connected());
    if (tls) CHECK(client.alpn() == "h2");
    int32_t id = client.request("GET", "/bytes/100");
    REQUIRE(client.run([&] { return client.responses_[id].closed; }));
    const Response &r = client.responses_[id];
    CHECK(r.error == 0);
    CHECK(r.status == "200");
    CHECK(header(r, "content-length") == "100");
    CHECK(r.body == pattern(100));
    CHECK(nghttp2_session_get_remote_settings(client.session(),
                                              NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS) == 7);
    CHECK(server.connections_accepted() == 1);
    CHECK(server.streams_opened() == 1);
    CHECK(server.responses_completed() == 1);
    if (tls) CHECK(server.last_alpn() == "h2");
  }
}

TEST_CASE("h2 test server: a TLS client without h2 in ALPN gets none") {
  H2TestServer server;
  REQUIRE(server.start());
  H2Client client(server, "\x08http/1.1");
  REQUIRE(client.connected());
  CHECK(client.alpn().empty());
  CHECK(evm::test::wait_until([&] { return server.connections_accepted() == 1; }));
}

TEST_CASE("h2 test server: /echo and /upload-size see the request byte for byte") {
  H2TestServer server(h2c());
  REQUIRE(server.start());
  H2Client client(server);
  REQUIRE(client.connected());
  std::string small = "hello body";
  int32_t echo = client.request("POST", "/echo?q=1", &small);
  REQUIRE(client.run([&] { return client.responses_[echo].closed; }));
  const std::string &text = client.responses_[echo].body;
  CHECK(text.rfind("POST /echo?q=1\n:method: POST\n", 0) == 0);
  CHECK(text.find("\nx-test: yes\n") != std::string::npos);
  CHECK(text.size() >= small.size() + 2);
  CHECK(text.substr(text.size() - small.size() - 2) == "\n\n" + small);
  std::vector<H2Header> seen = server.last_request_headers();
  REQUIRE(seen.size() >= 5);
  CHECK(seen[0] == H2Header{":method", "POST"});
  CHECK(seen[3] == H2Header{":path", "/echo?q=1"});

  std::string big = pattern(1024 * 1024 + 7);  // beyond every default window
  big[12345] = '#';
  int32_t up = client.request("PUT", "/upload-size", &big);
  REQUIRE(client.run([&] { return client.responses_[up].closed; }));
  CHECK(client.responses_[up].body == std::to_string(big.size()) + "\n");
  CHECK(header(client.responses_[up], "x-body-sha256") == sha256_hex(big));
}

TEST_CASE("h2 test server: goaway_after answers N streams and refuses the rest") {
  H2TestServerOptions o = h2c();
  o.goaway_after = 2;
  H2TestServer server(o);
  REQUIRE(server.start());
  H2Client client(server);
  REQUIRE(client.connected());
  std::vector<int32_t> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(client.request("GET", "/bytes/10"));
  CHECK(client.run_to_eof());  // the server closes once streams 1 and 3 are done
  CHECK(client.goaway_);
  CHECK(client.goaway_last_id_ == ids[1]);
  for (int i = 0; i < 2; ++i) {
    CHECK(client.responses_[ids[i]].body == pattern(10));
    CHECK(client.responses_[ids[i]].error == 0);
  }
  for (int i = 2; i < 4; ++i) {
    CHECK(client.responses_[ids[i]].status.empty());
    CHECK(client.responses_[ids[i]].error == NGHTTP2_REFUSED_STREAM);
  }
  // Streams 5 and 7 may arrive after the GOAWAY went out: nghttp2 ignores those.
  CHECK(server.streams_opened() >= 2);
  CHECK(server.responses_completed() == 2);
}

TEST_CASE("h2 test server: push, concurrency, RST_STREAM and PING both ways") {
  H2TestServer server(h2c());
  REQUIRE(server.start());
  SUBCASE("push when the client enables it") {
    H2Client client(server);
    int32_t id = client.request("GET", "/push?n=2");
    REQUIRE(client.run([&] {
      return client.responses_[id].closed && client.responses_[2].closed &&
             client.responses_[4].closed;
    }));
    CHECK(client.responses_[id].body == "main\n");
    CHECK(client.responses_[2].pushed_by == id);
    CHECK(client.responses_[2].body == "pushed 1\n");
    CHECK(client.responses_[4].body == "pushed 2\n");
    CHECK(server.pushes_promised() == 2);
    CHECK(server.last_client_enable_push() == 1);
  }
  SUBCASE("no push when the client disables it") {
    H2Client client(server, "", false);
    int32_t id = client.request("GET", "/push");
    REQUIRE(client.run([&] { return client.responses_[id].closed; }));
    CHECK(client.responses_[id].body == "main\n");
    CHECK(client.responses_.size() == 1);
    CHECK(server.pushes_promised() == 0);
    CHECK(server.last_client_enable_push() == 0);
  }
  SUBCASE("streams open at once, reset by the client") {
    H2Client client(server);
    std::vector<int32_t> ids;  // headers only, then nothing: the streams stay open
    for (int i = 0; i < 3; ++i) ids.push_back(client.request("GET", "/flood/empty-data?n=0"));
    REQUIRE(client.run([&] {
      for (int32_t id : ids)
        if (client.responses_[id].status != "200") return false;
      return true;
    }));
    CHECK(server.max_streams_seen_at_once() == 3);
    nghttp2_submit_rst_stream(client.session(), NGHTTP2_FLAG_NONE, ids[0], NGHTTP2_CANCEL);
    nghttp2_submit_ping(client.session(), NGHTTP2_FLAG_NONE, nullptr);
    client.run([] { return true; });
    CHECK(evm::test::wait_until([&] { return server.rst_received() == 1; }));
    CHECK(evm::test::wait_until([&] { return server.pings_received() == 1; }));
  }
  SUBCASE("RST_STREAM from the server") {
    H2Client client(server);
    int32_t rst = client.request("GET", "/rst");
    int32_t after = client.request("GET", "/rst-after-headers");
    int32_t fine = client.request("GET", "/bytes/3");
    REQUIRE(client.run([&] {
      return client.responses_[rst].closed && client.responses_[after].closed &&
             client.responses_[fine].closed;
    }));
    CHECK(client.responses_[rst].status.empty());
    CHECK(client.responses_[rst].error == NGHTTP2_INTERNAL_ERROR);
    CHECK(client.responses_[after].status == "200");
    CHECK(client.responses_[after].error == NGHTTP2_INTERNAL_ERROR);
    CHECK(client.responses_[fine].body == "abc");
  }
}

TEST_CASE("h2 test server: odd responses as a client session sees them") {
  H2TestServer server(h2c());
  REQUIRE(server.start());
  H2Client client(server);
  REQUIRE(client.connected());
  std::map<std::string, int32_t> id;
  for (const char *path :
       {"/status/103", "/status/302?Location=/x", "/no-status", "/bad-status", "/cl-mismatch",
        "/trailers", "/huge-headers/20000", "/delay/20", "/slow/3", "/nolength/5", "/nothing-here"})
    id[path] = client.request("GET", path);
  REQUIRE(client.run([&] {
    for (const auto &[path, i] : id)
      if (!client.responses_[i].closed) return false;
    return true;
  }));
  auto r = [&](const char *path) { return client.responses_[id[path]]; };
  CHECK(r("/status/103").headers[0] == H2Header{":status", "103"});
  CHECK(r("/status/103").status == "200");
  CHECK(r("/status/103").body == "ok\n");
  CHECK(r("/status/302?Location=/x").status == "302");
  CHECK(header(r("/status/302?Location=/x"), "location") == "/x");
  // The client's own nghttp2 refuses these three (PROTOCOL_ERROR on the stream).
  CHECK(r("/no-status").error == NGHTTP2_PROTOCOL_ERROR);
  CHECK(r("/bad-status").error == NGHTTP2_PROTOCOL_ERROR);
  CHECK(r("/cl-mismatch").error == NGHTTP2_PROTOCOL_ERROR);
  CHECK(r("/trailers").body == "hello");
  CHECK(header(r("/trailers"), "x-trailer") == "yes");
  CHECK(header(r("/huge-headers/20000"), "x-huge") == std::string(20000, 'x'));
  CHECK(r("/delay/20").body == "ok\n");
  CHECK(r("/slow/3").body == "abc");
  CHECK(r("/nolength/5").body == "abcde");
  CHECK(header(r("/nolength/5"), "content-length") == "<none>");
  CHECK(r("/nothing-here").status == "404");
  CHECK(r("/nothing-here").body == "not found\n");
}

TEST_CASE("h2 test server: floods") {
  H2TestServer server(h2c());
  REQUIRE(server.start());
  SUBCASE("PING and SETTINGS frames, and the connection goes on") {
    H2Client client(server);
    int32_t pings = client.request("GET", "/flood/ping?n=50");
    int32_t settings = client.request("GET", "/flood/settings?n=50");
    REQUIRE(client.run([&] { return client.pings_ == 50 && client.settings_ == 51; }));
    CHECK(client.responses_[pings].status == "200");
    CHECK(client.responses_[settings].status == "200");
    // The server dropped the ACKs of its hand-written SETTINGS: no protocol error.
    int32_t after = client.request("GET", "/bytes/2");
    REQUIRE(client.run([&] { return client.responses_[after].closed; }));
    CHECK(client.responses_[after].body == "ab");
    CHECK_FALSE(client.goaway_);
  }
  SUBCASE("RST_STREAM on one stream, the others go on") {
    H2Client client(server);
    int32_t rst = client.request("GET", "/flood/rst?n=20");
    REQUIRE(client.run([&] { return client.responses_[rst].closed; }));
    CHECK(client.responses_[rst].error == NGHTTP2_INTERNAL_ERROR);
    int32_t after = client.request("GET", "/bytes/2");
    REQUIRE(client.run([&] { return client.responses_[after].closed; }));
    CHECK(client.responses_[after].body == "ab");
  }
  SUBCASE("endless CONTINUATION") {
    H2Client client(server);
    int32_t id = client.request("GET", "/flood/headers");
    // nghttp2 1.52 (Debian's, with the CVE-2024-28182 fix) gives up on the connection.
    client.run([&] { return client.eof(); });
    CHECK(client.eof());
    CHECK_FALSE(client.responses_[id].closed);
  }
}

TEST_CASE("h2 test server: PING and GOAWAY to an idle connection on demand") {
  H2TestServer server(h2c());
  CHECK_FALSE(server.ping_all());  // not running
  REQUIRE(server.start());
  H2Client client(server);
  REQUIRE(client.connected());
  std::string body = "xyz";
  int32_t id = client.request("POST", "/bytes/5", &body);
  REQUIRE(client.run([&] { return client.responses_[id].closed; }));
  CHECK(server.data_bytes_sent() == 5);
  CHECK(server.data_bytes_received() == 3);

  REQUIRE(server.ping_all());
  REQUIRE(client.run([&] { return client.pings_ == 1; }));  // ...and the ACK goes out
  CHECK(evm::test::wait_until([&] { return server.ping_acks_received() == 1; }));
  CHECK(server.pings_sent() == 1);

  REQUIRE(server.goaway_all());
  CHECK(client.run_to_eof());  // idle: the server closes after the GOAWAY
  CHECK(client.goaway_);
  CHECK(client.goaway_last_id_ == id);
  CHECK(server.goaways_sent() == 1);
  CHECK(evm::test::wait_until([&] { return server.open_connections() == 0; }));
}

TEST_CASE("h2 test server: /slow-read holds the client to its windows") {
  H2TestServer server(h2c());
  REQUIRE(server.start());
  SUBCASE("16 KiB per tick: a 300 KiB upload arrives whole") {
    H2Client client(server);
    std::string body = pattern(300 * 1024);
    int32_t id = client.request("POST", "/slow-read/16384", &body);
    REQUIRE(client.run([&] { return client.responses_[id].closed; }));
    CHECK(client.responses_[id].body == std::to_string(body.size()) + "\n");
    CHECK(header(client.responses_[id], "x-body-sha256") == sha256_hex(body));
  }
  SUBCASE("1 byte per tick: the upload stops when the windows are full") {
    H2Client client(server);
    std::string body = pattern(100000);
    int32_t id = client.request("POST", "/slow-read/1", &body);
    // 65535 bytes fill both default windows; nghttp2 sends WINDOW_UPDATE only once half a
    // window is consumed, which at 1 byte per 20 ms takes more than ten minutes.
    REQUIRE(client.run([&] { return server.data_bytes_received() == 65535; }));
    CHECK(nghttp2_session_get_remote_window_size(client.session()) == 0);
    CHECK_FALSE(client.responses_[id].closed);
  }
}

TEST_CASE("h2 test server: loopback only, IPv6, restart") {
  H2TestServerOptions outside = h2c();
  outside.bind_address = "10.0.0.1";
  H2TestServer refused(outside);
  CHECK_FALSE(refused.start());
  CHECK(refused.port() == 0);

  H2TestServer server(h2c());
  REQUIRE(server.start());
  {
    H2Client client(server);
    int32_t id = client.request("GET", "/bytes/1");
    REQUIRE(client.run([&] { return client.responses_[id].closed; }));
  }
  server.stop();
  REQUIRE(server.start());  // a new port, the counters go on
  H2Client client(server);
  int32_t id = client.request("GET", "/bytes/1");
  REQUIRE(client.run([&] { return client.responses_[id].closed; }));
  CHECK(client.responses_[id].body == "a");
  CHECK(server.connections_accepted() == 2);

  if (!evm::test::ipv6_loopback_available()) return;
  H2TestServerOptions v6;  // TLS: the certificate names ::1 too
  v6.bind_address = "::1";
  H2TestServer server6(v6);
  REQUIRE(server6.start());
  CHECK(server6.url("/x") == "https://[::1]:" + std::to_string(server6.port()) + "/x");
  H2Client client6(server6);
  REQUIRE(client6.connected());
  int32_t id6 = client6.request("GET", "/bytes/2");
  REQUIRE(client6.run([&] { return client6.responses_[id6].closed; }));
  CHECK(client6.responses_[id6].body == "ab");
}
