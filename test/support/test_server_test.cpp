// Self-test of the loopback test server, spoken to over plain blocking POSIX sockets (and
// blocking OpenSSL for TLS) so that nothing of evmulti is involved.
#include "ipv6_loopback.h"
#include "test_certs.h"
#include "test_server.h"
#include "timing.h"

#include <doctest/doctest.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

using evm::test::ipv6_loopback_available;
using evm::test::TestPki;
using evm::test::TestServer;
using evm::test::TestServerOptions;
using evm::test::wait_until;
using Tls = TestServerOptions::Tls;

namespace {

using Clock = std::chrono::steady_clock;

template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T *p) const {
    Free(p);
  }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, FreeWith<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, FreeWith<SSL_free>>;
using SessionPtr = std::unique_ptr<SSL_SESSION, FreeWith<SSL_SESSION_free>>;

// A socket BIO that never raises SIGPIPE. OpenSSL's own socket BIO uses write(), and this
// binary must not ignore SIGPIPE: other tests in it check that evmulti never raises it.
int bio_fd(BIO *bio) {
  return static_cast<int>(reinterpret_cast<intptr_t>(BIO_get_data(bio)));
}

int nosigpipe_write(BIO *bio, const char *data, int len) {
  BIO_clear_retry_flags(bio);
  ssize_t n = 0;
  do {
    n = ::send(bio_fd(bio), data, static_cast<size_t>(len), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return static_cast<int>(n);
}

int nosigpipe_read(BIO *bio, char *data, int len) {
  BIO_clear_retry_flags(bio);
  ssize_t n = 0;
  do {
    n = recv(bio_fd(bio), data, static_cast<size_t>(len), 0);
  } while (n < 0 && errno == EINTR);
  return static_cast<int>(n);
}

long nosigpipe_ctrl(BIO *, int cmd, long, void *) {
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

BIO *new_nosigpipe_bio(int fd) {
  static BIO_METHOD *const method = [] {
    BIO_METHOD *m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "nosigpipe");
    if (m != nullptr) {
      BIO_meth_set_write(m, nosigpipe_write);
      BIO_meth_set_read(m, nosigpipe_read);
      BIO_meth_set_ctrl(m, nosigpipe_ctrl);
    }
    return m;
  }();
  BIO *bio = method != nullptr ? BIO_new(method) : nullptr;
  if (bio == nullptr) return nullptr;
  BIO_set_data(bio, reinterpret_cast<void *>(static_cast<intptr_t>(fd)));
  BIO_set_init(bio, 1);
  return bio;
}

struct TlsClientOptions {
  bool verify = true;  // verify the server's certificate against ca_file
  std::string ca_file = TestPki::get().ca_file;
  // Each of these, when empty, is left out.
  std::string verify_host = "localhost";  // the certificate must name it
  std::string verify_ip;                  // e.g. "127.0.0.1"
  std::string sni = "localhost";
  std::string alpn = std::string("\x08http/1.1", 9);  // protocols offered, wire format
  // A client certificate and its key file.
  std::string cert;
  std::string key;
  std::string key_password;
  SSL_SESSION *session = nullptr;  // to resume
  int max_version = 0;             // e.g. TLS1_2_VERSION; 0: the highest
};

// A blocking TCP client with a receive timeout, so a broken server fails a test
// instead of hanging it. start_tls() turns it into a TLS client.
class Client {
 public:
  Client(const std::string &host, uint16_t port, int timeout_ms = 5000) {
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
    auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);
    if (inet_pton(AF_INET, host.c_str(), &sin->sin_addr) == 1) {
      sin->sin_family = AF_INET;
      sin->sin_port = htons(port);
      len = sizeof(*sin);
    } else if (inet_pton(AF_INET6, host.c_str(), &sin6->sin6_addr) == 1) {
      sin6->sin6_family = AF_INET6;
      sin6->sin6_port = htons(port);
      len = sizeof(*sin6);
    } else {
      return;
    }
    fd_ = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return;
    timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd_, reinterpret_cast<sockaddr *>(&ss), len) != 0) close_now();
  }
  ~Client() { close_now(); }
  Client(const Client &) = delete;
  Client &operator=(const Client &) = delete;

  bool ok() const { return fd_ >= 0; }
  bool eof() const { return eof_; }
  int error() const { return err_; }

  // Runs the TLS handshake; false if it fails (see verify_result() and tls_error()).
  bool start_tls(const TlsClientOptions &o = {}) {
    if (fd_ < 0) return false;
    ctx_.reset(SSL_CTX_new(TLS_client_method()));
    if (!ctx_) return false;
    SSL_CTX *ctx = ctx_.get();
    if (o.max_version != 0) SSL_CTX_set_max_proto_version(ctx, o.max_version);
    if (o.verify) {
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
      if (SSL_CTX_load_verify_locations(ctx, o.ca_file.c_str(), nullptr) != 1) return false;
    }
    if (!o.key_password.empty())
      SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<char *>(o.key_password.c_str()));
    if (!o.cert.empty() && (SSL_CTX_use_certificate_chain_file(ctx, o.cert.c_str()) != 1 ||
                            SSL_CTX_use_PrivateKey_file(ctx, o.key.c_str(), SSL_FILETYPE_PEM) != 1))
      return false;
    ssl_.reset(SSL_new(ctx));
    if (!ssl_) return false;
    SSL *ssl = ssl_.get();
    if (!o.verify_host.empty()) SSL_set1_host(ssl, o.verify_host.c_str());
    if (!o.verify_ip.empty())
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), o.verify_ip.c_str());
    if (!o.sni.empty()) SSL_set_tlsext_host_name(ssl, o.sni.c_str());
    if (!o.alpn.empty())
      SSL_set_alpn_protos(ssl, reinterpret_cast<const unsigned char *>(o.alpn.data()),
                          static_cast<unsigned>(o.alpn.size()));
    if (o.session != nullptr) SSL_set_session(ssl, o.session);
    BIO *bio = new_nosigpipe_bio(fd_);
    if (bio == nullptr) return false;
    SSL_set_bio(ssl, bio, bio);
    if (SSL_connect(ssl) == 1) return true;
    tls_error_ = ERR_peek_error();
    ERR_clear_error();
    return false;
  }
  long verify_result() const { return ssl_ ? SSL_get_verify_result(ssl_.get()) : -1; }
  unsigned long tls_error() const { return tls_error_; }  // first OpenSSL error code, or 0
  bool session_reused() const { return ssl_ && SSL_session_reused(ssl_.get()) != 0; }
  SessionPtr session() const { return SessionPtr(ssl_ ? SSL_get1_session(ssl_.get()) : nullptr); }
  bool clean_tls_eof() const { return clean_tls_eof_; }  // EOF came after close_notify
  std::string alpn() const {
    const unsigned char *data = nullptr;
    unsigned len = 0;
    if (ssl_) SSL_get0_alpn_selected(ssl_.get(), &data, &len);
    return std::string(reinterpret_cast<const char *>(data), data != nullptr ? len : 0);
  }

  // Half-close: close_notify (with TLS), then FIN; reading goes on.
  void shutdown_write() {
    if (ssl_) SSL_shutdown(ssl_.get());
    shutdown(fd_, SHUT_WR);
  }

  bool send(std::string_view data) {
    if (ssl_) {
      if (data.empty()) return true;
      size_t written = 0;
      return SSL_write_ex(ssl_.get(), data.data(), data.size(), &written) == 1;
    }
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // One recv into the buffer; false on EOF, error or timeout.
  bool fill() {
    if (fd_ < 0 || eof_ || err_ != 0) return false;
    char tmp[16384];
    if (ssl_) return fill_tls(tmp, sizeof(tmp));
    for (;;) {
      ssize_t n = recv(fd_, tmp, sizeof(tmp), 0);
      if (n > 0) {
        buf_.append(tmp, static_cast<size_t>(n));
        return true;
      }
      if (n == 0) {
        eof_ = true;
        return false;
      }
      if (errno == EINTR) continue;
      err_ = errno;
      return false;
    }
  }

  bool read_line(std::string *line) {
    for (;;) {
      size_t nl = buf_.find("\r\n");
      if (nl != std::string::npos) {
        *line = buf_.substr(0, nl);
        buf_.erase(0, nl + 2);
        return true;
      }
      if (!fill()) return false;
    }
  }

  bool read_exact(size_t n, std::string *out) {
    while (buf_.size() < n)
      if (!fill()) return false;
    out->append(buf_, 0, n);
    buf_.erase(0, n);
    return true;
  }

  // Everything until EOF or an error (see eof() / error()).
  std::string read_to_end() {
    while (fill()) {
    }
    std::string all = std::move(buf_);
    buf_.clear();
    return all;
  }

  void close_now() {
    // A TLS client that closes without close_notify makes OpenSSL mark its session
    // unresumable; real clients send one.
    if (ssl_ && SSL_is_init_finished(ssl_.get())) SSL_shutdown(ssl_.get());
    ERR_clear_error();
    ssl_.reset();
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  bool fill_tls(char *tmp, size_t size) {
    size_t n = 0;
    errno = 0;
    int ret = SSL_read_ex(ssl_.get(), tmp, size, &n);
    if (ret == 1) {
      buf_.append(tmp, n);
      return true;
    }
    int code = SSL_get_error(ssl_.get(), ret);
    if (code == SSL_ERROR_ZERO_RETURN) {
      eof_ = clean_tls_eof_ = true;
    } else if (code == SSL_ERROR_SYSCALL && errno != 0) {
      err_ = errno;  // ECONNRESET, or EAGAIN for the receive timeout
    } else if (code == SSL_ERROR_SYSCALL) {
      eof_ = true;  // the TCP stream ended without close_notify
    } else {
      tls_error_ = ERR_peek_error();
      err_ = EPROTO;
    }
    ERR_clear_error();
    return false;
  }

  int fd_ = -1;
  std::string buf_;
  bool eof_ = false;
  int err_ = 0;
  SslCtxPtr ctx_;
  SslPtr ssl_;
  unsigned long tls_error_ = 0;
  bool clean_tls_eof_ = false;
};

struct Response {
  bool complete = false;
  int status = 0;
  int interim = 0;  // 1xx responses skipped
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  int chunks = 0;
  std::vector<std::string> trailers;

  std::string header(std::string_view name) const {
    for (const auto &[k, v] : headers)
      if (k.size() == name.size() && strncasecmp(k.c_str(), name.data(), name.size()) == 0)
        return v;
    return {};
  }
  bool has_header(std::string_view name) const {
    for (const auto &kv : headers)
      if (kv.first.size() == name.size() &&
          strncasecmp(kv.first.c_str(), name.data(), name.size()) == 0)
        return true;
    return false;
  }
};

// Reads one response (skipping 1xx), decoding Content-Length, chunked or close-delimited
// bodies. `complete` is false if the connection ended early.
Response read_response(Client &c, bool head_request = false) {
  Response r;
  std::string line;
  for (;;) {
    if (!c.read_line(&line)) return r;
    if (line.size() < 12 || line.compare(0, 7, "HTTP/1.") != 0) return r;
    r.status = std::stoi(line.substr(9, 3));
    r.headers.clear();
    for (;;) {
      if (!c.read_line(&line)) return r;
      if (line.empty()) break;
      size_t colon = line.find(':');
      if (colon == std::string::npos) return r;
      size_t v = line.find_first_not_of(' ', colon + 1);
      r.headers.emplace_back(line.substr(0, colon), v == std::string::npos ? "" : line.substr(v));
    }
    if (r.status >= 200) break;
    ++r.interim;
  }
  if (head_request || r.status == 204 || r.status == 304) {
    r.complete = true;
    return r;
  }
  if (r.header("Transfer-Encoding") == "chunked") {
    for (;;) {
      if (!c.read_line(&line)) return r;
      size_t size = std::stoul(line, nullptr, 16);
      if (size == 0) break;
      ++r.chunks;
      std::string crlf;
      if (!c.read_exact(size, &r.body) || !c.read_exact(2, &crlf) || crlf != "\r\n") return r;
    }
    for (;;) {
      if (!c.read_line(&line)) return r;
      if (line.empty()) break;
      r.trailers.push_back(line);
    }
  } else if (r.has_header("Content-Length")) {
    if (!c.read_exact(std::stoul(r.header("Content-Length")), &r.body)) return r;
  } else {
    r.body = c.read_to_end();
    r.complete = c.eof();
    return r;
  }
  r.complete = true;
  return r;
}

std::string request(std::string_view method, std::string_view path,
                    std::string_view extra_headers = {}, std::string_view body = {}) {
  std::string req = std::string(method) + " " + std::string(path) + " HTTP/1.1\r\n";
  req += "Host: test\r\n";
  req += extra_headers;
  if (!body.empty()) req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  req += "\r\n";
  req += body;
  return req;
}

std::string get(std::string_view path) {
  return request("GET", path);
}

std::string pattern(size_t n, size_t offset = 0) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (offset + i) % 26);
  return s;
}

const std::string kHost = "127.0.0.1";

}  // namespace

TEST_CASE("test server: start, ports, urls, stop") {
  TestServer server;
  REQUIRE(server.start());
  CHECK(server.start());  // already running
  CHECK(server.http_port() != 0);
  CHECK(server.raw_port() != 0);
  CHECK(server.http_port() != server.raw_port());
  CHECK(server.http_url("/bytes/1") ==
        "http://127.0.0.1:" + std::to_string(server.http_port()) + "/bytes/1");
  CHECK(server.raw_url("ok/1") ==
        "http://127.0.0.1:" + std::to_string(server.raw_port()) + "/ok/1");
  server.stop();
  server.stop();  // idempotent
  Client refused(kHost, server.http_port());
  CHECK_FALSE(refused.ok());
}

TEST_CASE("test server: refuses non-loopback addresses") {
  TestServer server(TestServerOptions{"0.0.0.0"});
  CHECK_FALSE(server.start());
  TestServer named(TestServerOptions{"localhost"});
  CHECK_FALSE(named.start());
}

TEST_CASE("http listener: bytes, keep-alive and counters") {
  TestServer server;
  REQUIRE(server.start());
  Client c(kHost, server.http_port());
  REQUIRE(c.ok());

  REQUIRE(c.send(get("/bytes/100")));
  Response r = read_response(c);
  REQUIRE(r.complete);
  CHECK(r.status == 200);
  CHECK(r.header("Content-Length") == "100");
  CHECK(r.header("Content-Type") == "application/octet-stream");
  CHECK(r.body == pattern(100));

  REQUIRE(c.send(get("/bytes/200000")));  // large enough to use referenced blocks
  r = read_response(c);
  REQUIRE(r.complete);
  CHECK(r.body == pattern(200000));

  REQUIRE(c.send(request("HEAD", "/bytes/7")));
  r = read_response(c, true);
  CHECK(r.status == 200);
  CHECK(r.header("Content-Length") == "7");

  REQUIRE(c.send(get("/bytes/0")));
  r = read_response(c);
  REQUIRE(r.complete);
  CHECK(r.body.empty());

  // Two requests in one write: evhttp queues the second until the first is answered.
  REQUIRE(c.send(get("/bytes/3") + get("/bytes/4")));
  CHECK(read_response(c).body == "abc");
  CHECK(read_response(c).body == "abcd");

  CHECK(server.connections_accepted() == 1);
  CHECK(server.requests_served() == 6);
  CHECK(server.open_connections() == 1);
  c.close_now();
  CHECK(wait_until([&] { return server.open_connections() == 0; }));
}

TEST_CASE("http listener: chunked") {
  TestServer server;
  REQUIRE(server.start());
  Client c(kHost, server.http_port());
  REQUIRE(c.send(get("/chunked/2500")));
  Response r = read_response(c);
  REQUIRE(r.complete);
  CHECK(r.status == 200);
  CHECK(r.header("Transfer-Encoding") == "chunked");
  CHECK(r.chunks == 3);
  CHECK(r.body == pattern(2500));

  REQUIRE(c.send(get("/chunked/0")));
  r = read_response(c);
  REQUIRE(r.complete);
  CHECK(r.body.empty());
}

TEST_CASE("http listener: echo") {
  TestServer server;
  REQUIRE(server.start());
  Client c(kHost, server.http_port());
  REQUIRE(c.send(request("POST", "/echo?x=1", "X-Test: one\r\nX-Other: two\r\n", "hello")));
  Response r = read_response(c);
  REQUIRE(r.complete);
  CHECK(r.status == 200);
  CHECK(r.header("Content-Type") == "text/plain");
  CHECK(r.body ==
        "POST /echo?x=1\nHost: test\nX-Test: one\nX-Other: two\nContent-Length: 5\n\nhello");

  REQUIRE(c.send(request("PUT", "/echo", "", "data")));
  r = read_response(c);
  CHECK(r.body.rfind("PUT /echo\n", 0) == 0);
  CHECK(r.body.size() >= 6);
  CHECK(r.body.substr(r.body.size() - 6) == "\n\ndata");

  // A chunked request body is decoded by evhttp.
  REQUIRE(
      c.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: "
             "chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n"));
  r = read_response(c);
  CHECK(r.body.substr(r.body.size() - 5) == "\n\nabc");

  // libevent 2.1 cannot dispatch methods it does not know.
  REQUIRE(c.send(request("FROB", "/echo")));
  r = read_response(c);
  CHECK(r.status == 501);
}

TEST_CASE("http listener: status, header, delay, 404") {
  TestServer server;
  REQUIRE(server.start());
  Client c(kHost, server.http_port());

  REQUIRE(c.send(get("/status/204")));
  Response r = read_response(c);
  REQUIRE(r.complete);
  CHECK(r.status == 204);
  CHECK_FALSE(r.has_header("Content-Length"));

  REQUIRE(c.send(get("/status/503")));  // the connection survived the 204
  r = read_response(c);
  CHECK(r.status == 503);
  CHECK(r.body == "status 503\n");

  REQUIRE(c.send(get("/status/302?Location=/bytes/1")));
  r = read_response(c);
  CHECK(r.status == 302);
  CHECK(r.header("Location") == "/bytes/1");

  REQUIRE(c.send(get("/header?X-Foo=bar&Content-Type=text/x-test")));
  r = read_response(c);
  CHECK(r.status == 200);
  CHECK(r.header("X-Foo") == "bar");
  CHECK(r.header("Content-Type") == "text/x-test");
  CHECK(r.body == "ok\n");

  auto t0 = Clock::now();
  REQUIRE(c.send(get("/delay/150")));
  r = read_response(c);
  CHECK(Clock::now() - t0 >= std::chrono::milliseconds(140));
  CHECK(r.status == 200);
  CHECK(r.body == "ok\n");

  REQUIRE(c.send(get("/no/such/thing")));
  r = read_response(c);
  CHECK(r.status == 404);
  CHECK(server.connections_accepted() == 1);
}

TEST_CASE("http listener: a client leaving a stalled or delayed request") {
  TestServer server;
  REQUIRE(server.start());
  {
    Client stall(kHost, server.http_port());
    Client delay(kHost, server.http_port());
    REQUIRE(stall.send(get("/stall")));
    REQUIRE(delay.send(get("/delay/60000")));
    REQUIRE(wait_until([&] { return server.requests_served() == 2; }));
    CHECK(server.open_connections() == 2);
  }
  // Both requests are freed with their connections (LeakSanitizer checks the rest).
  CHECK(wait_until([&] { return server.open_connections() == 0; }));
  // The server is still healthy.
  Client c(kHost, server.http_port());
  REQUIRE(c.send(get("/bytes/1")));
  CHECK(read_response(c).body == "a");
}

TEST_CASE("raw listener: ok keep-alive, echo, 404") {
  TestServer server;
  REQUIRE(server.start());
  Client c(kHost, server.raw_port());
  REQUIRE(c.send(get("/ok/10")));
  Response r = read_response(c);
  REQUIRE(r.complete);
  CHECK(r.status == 200);
  CHECK(r.body == pattern(10));
  REQUIRE(c.send(get("/ok/100000") + get("/ok/3")));  // pipelined
  CHECK(read_response(c).body == pattern(100000));
  CHECK(read_response(c).body == "abc");

  REQUIRE(c.send(request("FROB", "/echo?q", "X-A: b\r\n", "xyz")));
  r = read_response(c);
  CHECK(r.body == "FROB /echo?q\nHost: test\nX-A: b\nContent-Length: 3\n\nxyz");

  REQUIRE(c.send("PUT /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"));
  REQUIRE(c.send("3\r\nabc\r\n"));
  REQUIRE(c.send("0\r\n\r\n"));
  r = read_response(c);
  CHECK(r.body.substr(r.body.size() - 5) == "\n\nabc");

  REQUIRE(c.send(get("/nope")));
  r = read_response(c);
  CHECK(r.status == 404);
  CHECK(r.body == "not found\n");

  CHECK(server.connections_accepted() == 1);
  CHECK(server.requests_served() == 6);
  c.close_now();
  CHECK(wait_until([&] { return server.open_connections() == 0; }));
}

TEST_CASE("raw listener: fault modes") {
  TestServer server;
  REQUIRE(server.start());
  const uint16_t port = server.raw_port();

  SUBCASE("garbage") {
    Client c(kHost, port);
    REQUIRE(c.send(get("/garbage")));
    CHECK(c.read_to_end() == "SSH-2.0-OpenSSH_9.2\r\n");
    CHECK(c.eof());
  }
  SUBCASE("empty") {
    Client c(kHost, port);
    REQUIRE(c.send(get("/empty")));
    CHECK(c.read_to_end().empty());
    CHECK(c.eof());
  }
  SUBCASE("partial") {
    Client c(kHost, port);
    REQUIRE(c.send(get("/partial")));
    Response r = read_response(c);
    CHECK_FALSE(r.complete);
    CHECK(r.header("Content-Length") == "100");
    CHECK(c.read_to_end() == pattern(50));
    CHECK(c.eof());
  }
  SUBCASE("reset") {
    Client c(kHost, port);
    REQUIRE(c.send(get("/reset")));
    std::string all = c.read_to_end();
    CHECK_FALSE(c.eof());
    CHECK(c.error() == ECONNRESET);
    CHECK(all.size() <= 1000 + 100);
  }
  SUBCASE("drop-next") {
    Client c(kHost, port);
    REQUIRE(c.send(get("/drop-next")));
    Response r = read_response(c);
    CHECK(r.body == "ok");
    REQUIRE(c.send(get("/ok/1")));
    CHECK(c.read_to_end().empty());
    CHECK(c.eof());
  }
  SUBCASE("close-after") {
    Client c(kHost, port);
    REQUIRE(c.send(get("/close-after/5")));
    Response r = read_response(c);
    CHECK(r.complete);
    CHECK(r.body == "abcde");
    CHECK_FALSE(r.has_header("Connection"));
    CHECK(c.read_to_end().empty());
    CHECK(c.eof());
  }
  SUBCASE("close-delimited") {
    Client c(kHost, port);
    REQUIRE(c.send(get("/close-delimited/30")));
    Response r = read_response(c);
    CHECK(r.complete);
    CHECK(r.body == pattern(30));
  }
  SUBCASE("http10") {
    Client c(kHost, port);
    REQUIRE(c.send(get("/http10")));
    CHECK(c.read_to_end() == "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  }
  SUBCASE("continue, trailers, bigheader") {
    Client c(kHost, port);
    REQUIRE(c.send(get("/continue")));
    Response r = read_response(c);
    CHECK(r.interim == 1);
    CHECK(r.body == "ok");
    REQUIRE(c.send(get("/chunked-trailers")));
    r = read_response(c);
    CHECK(r.body == "hello");
    CHECK(r.chunks == 2);
    REQUIRE(r.trailers.size() == 1);
    CHECK(r.trailers[0] == "X-Trailer: yes");
    REQUIRE(c.send(get("/bigheader/100000")));
    r = read_response(c);
    CHECK(r.header("X-Big") == std::string(100000, 'x'));
    CHECK(r.body == "ok");
  }
  SUBCASE("badheader, badchunk") {
    Client c(kHost, port);
    REQUIRE(c.send(get("/badheader")));
    std::string expect = "HTTP/1.1 200 OK\r\nthis line has no colon\r\nContent-Length: 2\r\n\r\nok";
    std::string got;
    REQUIRE(c.read_exact(expect.size(), &got));
    CHECK(got == expect);
    Client d(kHost, port);
    REQUIRE(d.send(get("/badchunk")));
    expect = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    got.clear();
    REQUIRE(d.read_exact(expect.size(), &got));
    CHECK(got == expect);
  }
  SUBCASE("slow") {
    Client c(kHost, port);
    auto t0 = Clock::now();
    REQUIRE(c.send(get("/slow/4") + get("/ok/2")));
    Response r = read_response(c);
    CHECK(r.body == "abcd");
    CHECK(Clock::now() - t0 >= std::chrono::milliseconds(150));
    CHECK(read_response(c).body == "ab");  // the queued request is served afterwards
  }
  SUBCASE("stall-body") {
    Client c(kHost, port, 300);
    REQUIRE(c.send(get("/stall-body")));
    Response r = read_response(c);
    CHECK_FALSE(r.complete);
    CHECK(r.header("Content-Length") == "1000");
    CHECK(c.read_to_end() == pattern(10));
    CHECK(c.error() == EAGAIN);  // timed out: the server keeps the connection open
  }
  SUBCASE("malformed request") {
    Client c(kHost, port);
    REQUIRE(c.send("NONSENSE\r\n\r\n"));
    Response r = read_response(c);
    CHECK(r.status == 400);
  }
  CHECK(wait_until([&] { return server.open_connections() == 0; }));
}

// Reads one response head (status line up to the blank line) and returns it whole.
std::string read_head(Client &c) {
  std::string head, line;
  while (c.read_line(&line)) {
    head += line + "\r\n";
    if (line.empty()) return head;
  }
  return {};
}

TEST_CASE("raw listener: hostile modes") {
  TestServer server;
  REQUIRE(server.start());
  const uint16_t port = server.raw_port();

  SUBCASE("endless and endless-length stream pattern bytes until the client leaves") {
    for (const char *path : {"/endless", "/endless-length"}) {
      CAPTURE(path);
      Client c(kHost, port);
      REQUIRE(c.send(get(path)));
      std::string head = read_head(c);
      CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
      if (std::string_view(path) == "/endless") {
        CHECK(head.find("Content-Length") == std::string::npos);
      } else {
        CHECK(head.find("\r\nContent-Length: 4611686018427387904\r\n") != std::string::npos);
      }
      std::string body;
      REQUIRE(c.read_exact(8 << 20, &body));  // far more than the server buffers
      CHECK(body == pattern(8 << 20));
    }
  }
  SUBCASE("an endless response does not hold up the server thread") {
    // One client reads nothing (its socket buffers fill), another reads slowly; others
    // are still served at once, and stop() is prompt.
    Client stuck(kHost, port);
    REQUIRE(stuck.send(get("/endless")));
    Client reading(kHost, port);
    REQUIRE(reading.send(get("/continue-forever")));
    std::string some;
    REQUIRE(reading.read_exact(1 << 20, &some));
    REQUIRE(wait_until([&] { return server.requests_served() == 2; }));
    for (int i = 0; i < 3; ++i) {
      auto t0 = Clock::now();
      Client c(kHost, port);
      REQUIRE(c.send(get("/ok/10")));
      CHECK(read_response(c).body == pattern(10));
      CHECK(Clock::now() - t0 < std::chrono::milliseconds(1000));
      Client h(kHost, server.http_port());
      REQUIRE(h.send(get("/bytes/10")));
      CHECK(read_response(h).body == pattern(10));
    }
    auto t0 = Clock::now();
    server.stop();
    CHECK(Clock::now() - t0 < std::chrono::milliseconds(500));
    CHECK(server.open_connections() == 0);
    REQUIRE(server.start());  // the common check below
  }
  SUBCASE("continue-forever") {
    Client c(kHost, port);
    REQUIRE(c.send(get("/continue-forever")));
    const std::string one = "HTTP/1.1 100 Continue\r\n\r\n";
    std::string all;
    REQUIRE(c.read_exact(one.size() * 50000, &all));  // more than 300 KiB of heads
    bool same = true;
    for (size_t i = 0; i < all.size(); i += one.size())
      same = same && all.compare(i, one.size(), one) == 0;
    CHECK(same);
  }
  SUBCASE("te-gzip, te-chunked-bogus and excess: exact bytes, then keep-alive") {
    struct Case {
      const char *path;
      std::string bytes;
    };
    const Case cases[] = {
        {"/te-gzip",
         "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nContent-Length: 10\r\n\r\n" + pattern(10)},
        {"/te-chunked-bogus",
         "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, bogus\r\n\r\n5\r\nhello\r\n0\r\n\r\n"},
        {"/excess",
         "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
         "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra"},
    };
    for (const Case &k : cases) {
      CAPTURE(k.path);
      Client c(kHost, port);
      REQUIRE(c.send(get(k.path)));
      std::string got;
      REQUIRE(c.read_exact(k.bytes.size(), &got));
      CHECK(got == k.bytes);
      REQUIRE(c.send(get("/ok/3")));
      Response r = read_response(c);
      CHECK(r.complete);
      CHECK(r.body == "abc");
    }
    CHECK(server.connections_accepted() == 3);
  }
  CHECK(wait_until([&] { return server.open_connections() == 0; }));
}

TEST_CASE("counters span both listeners") {
  TestServer server;
  REQUIRE(server.start());
  {
    Client a(kHost, server.http_port());
    Client b(kHost, server.raw_port());
    Client idle(kHost, server.http_port());  // never sends a request
    REQUIRE(a.send(get("/bytes/1")));
    REQUIRE(b.send(get("/ok/1")));
    CHECK(read_response(a).complete);
    CHECK(read_response(b).complete);
    CHECK(wait_until([&] { return server.connections_accepted() == 3; }));
    CHECK(server.open_connections() == 3);
    CHECK(server.requests_served() == 2);
  }
  CHECK(wait_until([&] { return server.open_connections() == 0; }));
  CHECK(server.connections_accepted() == 3);
  server.stop();
  CHECK(server.connections_accepted() == 3);
  CHECK(server.requests_served() == 2);
}

TEST_CASE("test server: IPv6 loopback") {
  if (!ipv6_loopback_available()) {
    MESSAGE("::1 not available; skipped");
    return;
  }
  TestServer server(TestServerOptions{"::1"});
  REQUIRE(server.start());
  CHECK(server.http_url("/x") == "http://[::1]:" + std::to_string(server.http_port()) + "/x");
  Client h("::1", server.http_port());
  REQUIRE(h.send(get("/bytes/3")));
  CHECK(read_response(h).body == "abc");
  Client r("::1", server.raw_port());
  REQUIRE(r.send(get("/ok/2")));
  CHECK(read_response(r).body == "ab");
  Client v4(kHost, server.http_port());
  CHECK_FALSE(v4.ok());  // bound to ::1 only
}

TEST_CASE("test server: stop() is prompt with clients connected") {
  auto server = std::make_unique<TestServer>();
  REQUIRE(server->start());
  std::vector<std::unique_ptr<Client>> clients;
  auto open = [&](uint16_t port, const std::string &req) {
    clients.push_back(std::make_unique<Client>(kHost, port, 2000));
    REQUIRE(clients.back()->ok());
    if (!req.empty()) REQUIRE(clients.back()->send(req));
  };
  open(server->http_port(), get("/stall"));
  open(server->http_port(), get("/delay/60000"));
  open(server->http_port(), "");
  open(server->http_port(), "GET /bytes/1 HTTP/1.1\r\nHost: half-sent");
  open(server->raw_port(), get("/stall"));
  open(server->raw_port(), get("/stall-body"));
  open(server->raw_port(), get("/slow/100000"));
  open(server->raw_port(), "");
  REQUIRE(wait_until([&] { return server->requests_served() == 5; }));
  REQUIRE(wait_until([&] { return server->open_connections() == 8; }));

  auto t0 = Clock::now();
  server->stop();
  CHECK(Clock::now() - t0 < std::chrono::milliseconds(500));
  CHECK(server->open_connections() == 0);
  for (auto &c : clients) {
    c->read_to_end();
    CHECK((c->eof() || c->error() == ECONNRESET));  // closed, not timed out
  }
  server.reset();  // destructor after stop
}

TEST_CASE("test server: restart and destructor while running") {
  TestServer server;
  REQUIRE(server.start());
  server.stop();
  REQUIRE(server.start());
  Client c(kHost, server.http_port());
  REQUIRE(c.send(get("/bytes/2")));
  CHECK(read_response(c).body == "ab");
  {
    TestServer other;
    REQUIRE(other.start());
    Client d(kHost, other.raw_port());
    REQUIRE(d.send(get("/stall")));
  }  // destroyed while a client waits
}

// --- TLS ---------------------------------------------------------------------------------

namespace {

TestServerOptions tls_options(Tls tls, bool require_client_cert = false) {
  TestServerOptions o;
  o.tls = tls;
  o.require_client_cert = require_client_cert;
  return o;
}

// A TLS GET over a fresh connection; the response is incomplete if anything fails.
Response tls_get(uint16_t port, const std::string &path, const TlsClientOptions &o = {}) {
  Client c(kHost, port);
  if (!c.start_tls(o) || !c.send(get(path))) return {};
  return read_response(c);
}

}  // namespace

TEST_CASE("tls: certificates of the test PKI") {
  const TestPki &pki = TestPki::get();
  CHECK(&pki == &TestPki::get());  // made once
  CHECK(pki.ca_pem.rfind("-----BEGIN CERTIFICATE-----", 0) == 0);
  for (const std::string *path :
       {&pki.ca_file, &pki.server_cert, &pki.server_key, &pki.expired_cert, &pki.expired_key,
        &pki.wrong_name_cert, &pki.wrong_name_key, &pki.self_signed_cert, &pki.self_signed_key,
        &pki.client_cert, &pki.client_key, &pki.client_key_encrypted}) {
    CAPTURE(*path);
    CHECK(path->rfind(pki.dir + "/", 0) == 0);
    CHECK(access(path->c_str(), R_OK) == 0);
  }
}

TEST_CASE("tls: good certificate on both listeners") {
  TestServer server(tls_options(Tls::Good));
  REQUIRE(server.start());
  CHECK(server.tls());
  CHECK(server.http_url("/bytes/10") ==
        "https://127.0.0.1:" + std::to_string(server.http_port()) + "/bytes/10");
  CHECK(server.raw_url("/ok/1") ==
        "https://127.0.0.1:" + std::to_string(server.raw_port()) + "/ok/1");
  {
    Client c(kHost, server.http_port());
    REQUIRE(c.start_tls());
    CHECK(c.verify_result() == X509_V_OK);
    CHECK(c.alpn() == "http/1.1");
    CHECK(server.last_sni() == "localhost");
    REQUIRE(c.send(get("/bytes/10")));
    Response r = read_response(c);
    CHECK(r.complete);
    CHECK(r.status == 200);
    CHECK(r.body == pattern(10));
    REQUIRE(c.send(get("/chunked/2500")));  // keep-alive inside TLS
    r = read_response(c);
    CHECK(r.complete);
    CHECK(r.body == pattern(2500));
    REQUIRE(c.send(get("/bytes/300000")));  // larger than a TLS record
    CHECK(read_response(c).body == pattern(300000));
  }
  {
    // The raw listener, verified by IP address, without SNI or ALPN.
    TlsClientOptions o;
    o.verify_host.clear();
    o.verify_ip = "127.0.0.1";
    o.sni.clear();
    o.alpn.clear();
    Client c(kHost, server.raw_port());
    REQUIRE(c.start_tls(o));
    CHECK(c.alpn().empty());
    CHECK(server.last_sni().empty());
    REQUIRE(c.send(get("/ok/10") + request("POST", "/echo", {}, "hi")));
    CHECK(read_response(c).body == pattern(10));
    Response r = read_response(c);
    CHECK(r.body.find("POST /echo\n") == 0);
    CHECK(r.body.substr(r.body.size() - 3) == "\nhi");
  }
  {
    TlsClientOptions o;
    o.alpn = std::string("\x02h2", 3);  // nothing the server speaks: no ALPN at all
    Client c(kHost, server.http_port());
    REQUIRE(c.start_tls(o));
    CHECK(c.alpn().empty());
    REQUIRE(c.send(get("/bytes/1")));
    CHECK(read_response(c).body == "a");
  }
  CHECK(server.tls_handshakes() == 3);
  CHECK(server.tls_resumed() == 0);
  CHECK(wait_until([&] { return server.open_connections() == 0; }));
}

TEST_CASE("tls: expired, wrong-name and self-signed certificates fail verification") {
  struct Case {
    Tls tls;
    const char *verify_host;
    const char *verify_ip;
    long expected;
  };
  const Case cases[] = {
      {Tls::Expired, "localhost", "", X509_V_ERR_CERT_HAS_EXPIRED},
      {Tls::WrongName, "localhost", "", X509_V_ERR_HOSTNAME_MISMATCH},
      {Tls::WrongName, "", "127.0.0.1", X509_V_ERR_IP_ADDRESS_MISMATCH},
      {Tls::SelfSigned, "localhost", "", X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT},
  };
  for (const Case &k : cases) {
    CAPTURE(static_cast<int>(k.tls));
    CAPTURE(k.expected);
    TestServer server(tls_options(k.tls));
    REQUIRE(server.start());
    TlsClientOptions o;
    o.verify_host = k.verify_host;
    o.verify_ip = k.verify_ip;
    for (uint16_t port : {server.http_port(), server.raw_port()}) {
      Client c(kHost, port);
      CHECK_FALSE(c.start_tls(o));
      CHECK(c.verify_result() == k.expected);
      CHECK(ERR_GET_REASON(c.tls_error()) == SSL_R_CERTIFICATE_VERIFY_FAILED);
    }
    // Without verification the same server serves normally; failures are not counted.
    TlsClientOptions unverified = o;
    unverified.verify = false;
    CHECK(tls_get(server.http_port(), "/bytes/5", unverified).body == pattern(5));
    CHECK(server.tls_handshakes() == 1);
    CHECK(wait_until([&] { return server.open_connections() == 0; }));
  }

  // A self-signed certificate verifies when it is itself the trust anchor.
  TestServer pinned(tls_options(Tls::SelfSigned));
  REQUIRE(pinned.start());
  TlsClientOptions o;
  o.ca_file = TestPki::get().self_signed_cert;
  CHECK(tls_get(pinned.raw_port(), "/ok/3", o).body == "abc");
}

TEST_CASE("tls: client certificate required") {
  TestServer server(tls_options(Tls::Good, true));
  REQUIRE(server.start());
  const TestPki &pki = TestPki::get();
  for (uint16_t port : {server.http_port(), server.raw_port()}) {
    const std::string path = port == server.http_port() ? "/bytes/4" : "/ok/4";
    // TLS 1.3 clients finish before the server checks them; the refusal comes as an alert
    // on the first read. TLS 1.2 fails in the handshake.
    Response r = tls_get(port, path);
    CHECK_FALSE(r.complete);
    CHECK(r.status == 0);
    TlsClientOptions tls12;
    tls12.max_version = TLS1_2_VERSION;
    Client c12(kHost, port);
    CHECK_FALSE(c12.start_tls(tls12));

    TlsClientOptions untrusted;  // a certificate the test CA did not sign
    untrusted.cert = pki.self_signed_cert;
    untrusted.key = pki.self_signed_key;
    CHECK_FALSE(tls_get(port, path, untrusted).complete);

    TlsClientOptions with_cert;
    with_cert.cert = pki.client_cert;
    with_cert.key = pki.client_key;
    CHECK(tls_get(port, path, with_cert).body == "abcd");
    with_cert.key = pki.client_key_encrypted;
    with_cert.key_password = TestPki::kClientKeyPassword;
    CHECK(tls_get(port, path, with_cert).body == "abcd");
  }
  CHECK(server.tls_handshakes() == 4);
  CHECK(wait_until([&] { return server.open_connections() == 0; }));
}

TEST_CASE("tls: session resumption") {
  for (int max_version : {0, TLS1_2_VERSION}) {
    CAPTURE(max_version);
    TestServer server(tls_options(Tls::Good));
    REQUIRE(server.start());
    TlsClientOptions o;
    o.max_version = max_version;
    SessionPtr session;
    {
      Client first(kHost, server.http_port());
      REQUIRE(first.start_tls(o));
      CHECK_FALSE(first.session_reused());
      REQUIRE(first.send(get("/bytes/10")));
      CHECK(read_response(first).body == pattern(10));  // TLS 1.3 tickets arrive by now
      session = first.session();
      REQUIRE(session);
      CHECK(SSL_SESSION_is_resumable(session.get()) == 1);
    }
    CHECK(server.tls_handshakes() == 1);
    CHECK(server.tls_resumed() == 0);
    {
      o.session = session.get();
      Client second(kHost, server.http_port());
      REQUIRE(second.start_tls(o));
      CHECK(second.session_reused());
      REQUIRE(second.send(get("/bytes/10")));
      CHECK(read_response(second).body == pattern(10));
      session = second.session();
    }
    CHECK(server.tls_handshakes() == 2);
    CHECK(server.tls_resumed() == 1);
    {
      o.session = session.get();  // the listeners share sessions
      Client third(kHost, server.raw_port());
      REQUIRE(third.start_tls(o));
      CHECK(third.session_reused());
      REQUIRE(third.send(get("/ok/2")));
      CHECK(read_response(third).body == "ab");
    }
    CHECK(server.tls_handshakes() == 3);
    CHECK(server.tls_resumed() == 2);
  }
}

TEST_CASE("tls: raw closes send close_notify, reset does not") {
  TestServer server(tls_options(Tls::Good));
  REQUIRE(server.start());
  const uint16_t port = server.raw_port();
  SUBCASE("close-delimited") {
    Client c(kHost, port);
    REQUIRE(c.start_tls());
    REQUIRE(c.send(get("/close-delimited/100")));
    Response r = read_response(c);
    CHECK(r.complete);
    CHECK(r.body == pattern(100));
    CHECK(c.clean_tls_eof());
  }
  SUBCASE("partial") {
    Client c(kHost, port);
    REQUIRE(c.start_tls());
    REQUIRE(c.send(get("/partial")));
    CHECK_FALSE(read_response(c).complete);
    CHECK(c.clean_tls_eof());
  }
  SUBCASE("reset") {
    Client c(kHost, port);
    REQUIRE(c.start_tls());
    REQUIRE(c.send(get("/reset")));
    CHECK_FALSE(read_response(c).complete);
    CHECK_FALSE(c.eof());
    CHECK(c.error() == ECONNRESET);
  }
  SUBCASE("client half-close is still answered") {
    // The close_notify arrives while the response still fills the socket buffers.
    Client c(kHost, port);
    REQUIRE(c.start_tls());
    REQUIRE(c.send(get("/ok/8000000")));
    c.shutdown_write();
    // The pause is the case under test: the close_notify arrives while the response is unread.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    Response r = read_response(c);
    CHECK(r.complete);
    CHECK(r.body == pattern(8000000));
    CHECK(c.read_to_end().empty());
    CHECK(c.eof());
  }
  SUBCASE("a plain-text client gets no HTTP") {
    for (uint16_t p : {server.http_port(), port}) {
      Client c(kHost, p);
      REQUIRE(c.send(get("/ok/5")));
      std::string all = c.read_to_end();
      CHECK(all.find("HTTP/1.1") == std::string::npos);
    }
    CHECK(server.tls_handshakes() == 0);
  }
  CHECK(wait_until([&] { return server.open_connections() == 0; }));
}

TEST_CASE("tls: stop() with TLS clients connected, and a restart keeps sessions") {
  TestServer server(tls_options(Tls::Good));
  REQUIRE(server.start());
  Client idle(kHost, server.http_port());
  REQUIRE(idle.start_tls());
  Client stalled(kHost, server.raw_port());
  REQUIRE(stalled.start_tls());
  REQUIRE(stalled.send(get("/stall")));
  CHECK(wait_until([&] { return server.open_connections() == 2; }));
  auto t0 = Clock::now();
  server.stop();
  CHECK(Clock::now() - t0 < std::chrono::seconds(1));
  CHECK(idle.read_to_end().empty());
  CHECK(idle.eof());
  SessionPtr session = idle.session();  // the TLS 1.3 tickets came before the EOF
  CHECK(stalled.read_to_end().empty());

  REQUIRE(server.start());
  TlsClientOptions o;
  o.session = session.get();
  Client again(kHost, server.http_port());
  REQUIRE(again.start_tls(o));
  REQUIRE(again.send(get("/bytes/2")));
  CHECK(read_response(again).body == "ab");
  CHECK(server.tls_resumed() == 1);
}

TEST_CASE("tls: the hostile raw modes") {
  TestServer server(tls_options(Tls::Good));
  REQUIRE(server.start());
  const uint16_t port = server.raw_port();
  {
    Client c(kHost, port);
    REQUIRE(c.start_tls());
    REQUIRE(c.send(get("/endless")));
    CHECK(read_head(c).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    std::string body;
    REQUIRE(c.read_exact(4 << 20, &body));
    CHECK(body == pattern(4 << 20));
  }
  {
    Client c(kHost, port);
    REQUIRE(c.start_tls());
    REQUIRE(c.send(get("/continue-forever")));
    const std::string one = "HTTP/1.1 100 Continue\r\n\r\n";
    std::string all;
    REQUIRE(c.read_exact(one.size() * 20000, &all));
    CHECK(all.substr(all.size() - one.size()) == one);
    CHECK(all.find("HTTP/1.1 200") == std::string::npos);
  }
  {
    Client c(kHost, port);
    REQUIRE(c.start_tls());
    const std::string excess =
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra";
    REQUIRE(c.send(get("/excess")));
    std::string got;
    REQUIRE(c.read_exact(excess.size(), &got));
    CHECK(got == excess);
    REQUIRE(c.send(get("/te-gzip")));
    CHECK(read_head(c).find("Transfer-Encoding: gzip\r\n") != std::string::npos);
  }
  CHECK(wait_until([&] { return server.open_connections() == 0; }));
}
