// TlsFilter over a real loopback TCP connection against an OpenSSL server in the same thread:
// both sides are non-blocking and pumped in turn, so every handshake step that would block shows
// up as a pollset entry.
#include "conn/tls_filter.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "conn/tcp_filter.h"
#include "event/socket_registry.h"
#include "net/address.h"
#include "standalone_filter_context.h"
#include "tls_test_certs.h"
#include "util/trace.h"

namespace {

using evm::test::KeyedCert;
using evm::test::TestPki;

// The test server writes with plain write(): a client that hung up must not kill the process.
const bool kSigpipeIgnored = [] {
  ::signal(SIGPIPE, SIG_IGN);
  return true;
}();

struct SslCtxFree {
  void operator()(SSL_CTX *p) const { SSL_CTX_free(p); }
};

// A TLS server on 127.0.0.1 with a random port. pump() does whatever can be done without
// blocking: accept, handshake, read everything, write what is queued.
class TlsServer {
 public:
  struct Options {
    const KeyedCert *cert = nullptr;
    int min_version = 0;
    int max_version = 0;
    bool alpn = true;
    const KeyedCert *client_ca = nullptr;  // request and require a client certificate
    std::string cipher_list{};
    bool close_on_accept = false;  // drop each TCP connection before any TLS byte
    uint16_t port = 0;             // 0 picks a free one
  };

  struct Peer {
    int fd = -1;
    SSL *ssl = nullptr;
    bool handshake_done = false;
    bool failed = false;
    std::string sni;
    bool sni_seen = false;
    std::string in;
    std::string out;
    size_t out_sent = 0;
    bool shutdown_when_sent = false;
    bool close_when_sent = false;  // TCP close without close_notify
    bool closed = false;
    bool reused = false;
    bool client_cert = false;
    std::string alpn, version;
  };

  explicit TlsServer(Options o) : opts_(o) {
    ctx_.reset(SSL_CTX_new(TLS_server_method()));
    SSL_CTX *ctx = ctx_.get();
    SSL_CTX_use_certificate(ctx, o.cert->cert.get());
    SSL_CTX_use_PrivateKey(ctx, o.cert->key.get());
    if (o.min_version) SSL_CTX_set_min_proto_version(ctx, o.min_version);
    if (o.max_version) SSL_CTX_set_max_proto_version(ctx, o.max_version);
    if (!o.cipher_list.empty()) SSL_CTX_set_cipher_list(ctx, o.cipher_list.c_str());
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    // TLS 1.2 resumption by session ID needs the server-side cache keyed by some context.
    static const unsigned char sid_ctx[] = "evm-test";
    SSL_CTX_set_session_id_context(ctx, sid_ctx, sizeof sid_ctx - 1);
    SSL_CTX_set_tlsext_servername_callback(ctx, on_servername);
    SSL_CTX_set_tlsext_servername_arg(ctx, this);
    if (o.alpn) SSL_CTX_set_alpn_select_cb(ctx, on_alpn, nullptr);
    if (o.client_ca) {
      SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
      X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), o.client_ca->cert.get());
    }

    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    sa.sin_port = htons(o.port);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::bind(listen_fd_, reinterpret_cast<sockaddr *>(&sa), sizeof sa);
    ::listen(listen_fd_, 128);
    socklen_t len = sizeof sa;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr *>(&sa), &len);
    port_ = ntohs(sa.sin_port);
  }

  ~TlsServer() {
    for (auto &p : peers_) close_peer(*p);
    ::close(listen_fd_);
  }

  uint16_t port() const { return port_; }
  std::vector<std::unique_ptr<Peer>> &peers() { return peers_; }
  Peer &peer(size_t i = 0) { return *peers_.at(i); }

  void pump() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) break;
      if (opts_.close_on_accept) {
        ::close(fd);
        continue;
      }
      auto p = std::make_unique<Peer>();
      p->fd = fd;
      p->ssl = SSL_new(ctx_.get());
      SSL_set_fd(p->ssl, fd);
      SSL_set_accept_state(p->ssl);
      SSL_set_app_data(p->ssl, p.get());
      peers_.push_back(std::move(p));
    }
    for (auto &p : peers_) pump_peer(*p);
  }

  void add_fds(std::vector<pollfd> &fds) const {
    fds.push_back({listen_fd_, POLLIN, 0});
    for (auto &p : peers_)
      if (!p->closed)
        fds.push_back(
            {p->fd, static_cast<short>(POLLIN | (p->out_sent < p->out.size() ? POLLOUT : 0)), 0});
  }

 private:
  static int on_servername(SSL *ssl, int *, void *) {
    auto *p = static_cast<Peer *>(SSL_get_app_data(ssl));
    const char *name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    if (p && name) {
      p->sni = name;
      p->sni_seen = true;
    }
    return SSL_TLSEXT_ERR_OK;
  }

  static int on_alpn(SSL *, const unsigned char **out, unsigned char *outlen,
                     const unsigned char *in, unsigned int inlen, void *) {
    static const unsigned char want[] = "\x08http/1.1";
    unsigned char *sel = nullptr;
    if (SSL_select_next_proto(&sel, outlen, want, sizeof want - 1, in, inlen) !=
        OPENSSL_NPN_NEGOTIATED)
      return SSL_TLSEXT_ERR_NOACK;
    *out = sel;
    return SSL_TLSEXT_ERR_OK;
  }

  void close_peer(Peer &p) {
    if (p.ssl) SSL_free(p.ssl);
    p.ssl = nullptr;
    if (p.fd >= 0 && !p.closed) ::close(p.fd);
    p.closed = true;
  }

  void pump_peer(Peer &p) {
    if (p.closed || p.failed) return;
    ERR_clear_error();
    if (!p.handshake_done) {
      int r = SSL_accept(p.ssl);
      if (r != 1) {
        int e = SSL_get_error(p.ssl, r);
        if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) p.failed = true;
        ERR_clear_error();
        return;
      }
      p.handshake_done = true;
      p.reused = SSL_session_reused(p.ssl) == 1;
      p.version = SSL_get_version(p.ssl);
      p.client_cert = SSL_get0_peer_certificate(p.ssl) != nullptr;
      const unsigned char *a = nullptr;
      unsigned alen = 0;
      SSL_get0_alpn_selected(p.ssl, &a, &alen);
      if (a) p.alpn.assign(reinterpret_cast<const char *>(a), alen);
    }
    char buf[16384];
    for (;;) {
      int n = SSL_read(p.ssl, buf, sizeof buf);
      if (n > 0) {
        p.in.append(buf, static_cast<size_t>(n));
        continue;
      }
      ERR_clear_error();
      break;
    }
    while (p.out_sent < p.out.size()) {
      int n = SSL_write(p.ssl, p.out.data() + p.out_sent,
                        static_cast<int>(std::min<size_t>(p.out.size() - p.out_sent, 1 << 20)));
      if (n <= 0) {
        ERR_clear_error();
        break;
      }
      p.out_sent += static_cast<size_t>(n);
    }
    if (p.out_sent == p.out.size()) {
      if (p.shutdown_when_sent) {
        SSL_shutdown(p.ssl);
        p.shutdown_when_sent = false;
      }
      if (p.close_when_sent) {
        ::close(p.fd);
        p.closed = true;
      }
    }
    ERR_clear_error();
  }

  Options opts_;
  std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::vector<std::unique_ptr<Peer>> peers_;
};

// What a transfer would pass to its filters, and the TLS filter under test.
struct Client : evm::test::StandaloneFilterContext {
  std::unique_ptr<evm::TlsFilter> filter;

  Client(evm::TlsContextCache &cache, const evm::TlsConfig &cfg, uint16_t port,
         const std::string &host = "localhost") {
    trace.enabled = std::getenv("EVM_TLS_TEST_VERBOSE") != nullptr;
    evm::Address a;
    evm::Address::from_numeric("127.0.0.1", port, a);
    auto tcp = std::make_unique<evm::TcpFilter>(evm::AddressList{a}, host, port, evm::TcpOptions{});
    filter = std::make_unique<evm::TlsFilter>(std::move(tcp), cache, cfg, host, port);
  }
  ~Client() {
    if (filter) filter->close(ctx);
  }
};

constexpr auto kTimeout = std::chrono::seconds(10);

// Waits until a socket of the client's pollset or of the server is ready (or 50 ms pass).
void wait_io(const std::vector<Client *> &clients, TlsServer &server, bool want_send,
             bool want_recv) {
  std::vector<pollfd> fds;
  for (Client *c : clients) {
    evm::Pollset ps;
    c->filter->adjust_pollset(ps, want_send, want_recv);
    for (int i = 0; i < ps.count; ++i)
      fds.push_back({ps.entries[i].fd,
                     static_cast<short>(((ps.entries[i].events & CURL_POLL_IN) ? POLLIN : 0) |
                                        ((ps.entries[i].events & CURL_POLL_OUT) ? POLLOUT : 0)),
                     0});
  }
  server.add_fds(fds);
  ::poll(fds.data(), fds.size(), 50);
}

// Drives connect() to the end, checking on the way that the filter always asks for a socket.
CURLcode connect(Client &c, TlsServer &server) {
  auto deadline = evm::now() + kTimeout;
  while (evm::now() < deadline) {
    bool done = false;
    CURLcode rc = c.filter->connect(c.ctx, evm::now(), done);
    if (rc != CURLE_OK || done) return rc;
    evm::Pollset ps;
    c.filter->adjust_pollset(ps, false, false);
    REQUIRE(ps.count == 1);
    REQUIRE((ps.entries[0].events & (CURL_POLL_IN | CURL_POLL_OUT)) != 0);
    server.pump();
    wait_io({&c}, server, false, false);
  }
  FAIL("handshake did not finish");
  return CURLE_OPERATION_TIMEDOUT;
}

void send_all(Client &c, TlsServer &server, const std::string &data, bool *saw_again = nullptr) {
  size_t sent = 0;
  auto deadline = evm::now() + kTimeout;
  while (sent < data.size() && evm::now() < deadline) {
    CURLcode err = CURLE_OK;
    ssize_t n = c.filter->send(c.ctx, data.data() + sent, data.size() - sent, err);
    if (n < 0) {
      REQUIRE(err == CURLE_AGAIN);
      if (saw_again) *saw_again = true;
      server.pump();
      wait_io({&c}, server, true, false);
      continue;
    }
    sent += static_cast<size_t>(n);
  }
  REQUIRE(sent == data.size());
}

// Reads until `want` bytes arrived or the stream ended; returns what came.
std::string recv_some(Client &c, TlsServer &server, size_t want, bool *eof = nullptr,
                      CURLcode *error = nullptr) {
  std::string got;
  char buf[65536];
  auto deadline = evm::now() + kTimeout;
  while (got.size() < want && evm::now() < deadline) {
    CURLcode err = CURLE_OK;
    ssize_t n = c.filter->recv(c.ctx, buf, sizeof buf, err);
    if (n > 0) {
      got.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n == 0) {
      if (eof) *eof = true;
      return got;
    }
    if (err != CURLE_AGAIN) {
      if (error) *error = err;
      return got;
    }
    server.pump();
    wait_io({&c}, server, false, true);
  }
  return got;
}

evm::TlsConfig trusting_test_ca() {
  evm::TlsConfig cfg;
  cfg.ca_file = "";
  cfg.ca_path = "";
  cfg.ca_blob = evm::test::cert_pem(TestPki::get().ca.cert.get());
  return cfg;
}

std::string big_payload(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 4096) % 26);
  return s;
}

}  // namespace

TEST_CASE("TLS: handshake, certificate verified, data both ways, close_notify is end of stream") {
  auto &pki = TestPki::get();
  TlsServer server({.cert = &pki.leaf});
  evm::TlsContextCache cache;
  Client c(cache, trusting_test_ca(), server.port());
  REQUIRE(connect(c, server) == CURLE_OK);
  CHECK(c.filter->verify_result() == X509_V_OK);
  CHECK(c.filter->tls_version() == "TLSv1.3");
  CHECK(!c.filter->cipher().empty());
  CHECK(c.filter->alpn() == "http/1.1");
  CHECK_FALSE(c.filter->session_reused());
  CHECK(c.filter->socket() != CURL_SOCKET_BAD);

  // After the handshake the caller's wishes decide the pollset.
  evm::Pollset ps;
  c.filter->adjust_pollset(ps, false, false);
  CHECK(ps.count == 0);
  c.filter->adjust_pollset(ps, true, false);
  CHECK(ps.events_of(c.filter->socket()) == CURL_POLL_OUT);

  // A small send buffer makes SSL_write hit EAGAIN part way: the retry must carry on. (A tiny
  // receive buffer on the server would instead stall loopback TCP in zero-window probes.)
  int sz = 32768;
  ::setsockopt(c.filter->socket(), SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  const std::string up = big_payload(2 << 20);
  bool saw_again = false;
  send_all(c, server, up, &saw_again);
  for (auto deadline = evm::now() + kTimeout;
       server.peer().in.size() < up.size() && evm::now() < deadline;) {
    server.pump();
    wait_io({&c}, server, false, false);
  }
  CHECK(saw_again);
  CHECK(server.peer().in == up);
  CHECK(server.peer().sni == "localhost");

  const std::string down = big_payload(3 << 20);
  server.peer().out = down;
  server.peer().shutdown_when_sent = true;
  bool eof = false;
  std::string got = recv_some(c, server, down.size() + 1, &eof);
  CHECK(got.size() == down.size());
  CHECK(got == down);
  CHECK(eof);
  CHECK_FALSE(c.filter->is_alive(c.ctx));  // the server said goodbye
}

TEST_CASE("TLS: an EOF without close_notify also ends the stream") {
  auto &pki = TestPki::get();
  TlsServer server({.cert = &pki.leaf});
  evm::TlsContextCache cache;
  Client c(cache, trusting_test_ca(), server.port());
  REQUIRE(connect(c, server) == CURLE_OK);
  server.pump();
  server.peer().out = "HTTP/1.0 200 OK\r\n\r\nbody";
  server.peer().close_when_sent = true;
  bool eof = false;
  CURLcode err = CURLE_OK;
  std::string got = recv_some(c, server, 1000, &eof, &err);
  CHECK(err == CURLE_OK);
  CHECK(eof);
  CHECK(got == "HTTP/1.0 200 OK\r\n\r\nbody");
}

TEST_CASE("TLS: an idle connection is alive until the server sends something or closes") {
  auto &pki = TestPki::get();
  TlsServer server({.cert = &pki.leaf});
  evm::TlsContextCache cache;
  Client c(cache, trusting_test_ca(), server.port());
  REQUIRE(connect(c, server) == CURLE_OK);
  server.pump();
  // Read what the server sends after the handshake (TLS 1.3 tickets) as a transfer would.
  send_all(c, server, "ping");
  server.pump();
  server.peer().out = "pong";
  CHECK(recv_some(c, server, 4) == "pong");
  CHECK(c.filter->is_alive(c.ctx));
  server.peer().out += "unexpected";
  server.pump();
  pollfd arrived{c.filter->socket(), POLLIN, 0};  // until the bytes are at the client's socket
  ::poll(&arrived, 1, 5000);
  CHECK_FALSE(c.filter->is_alive(c.ctx));
}

TEST_CASE("TLS: SNI is sent for host names and never for IP literals") {
  auto &pki = TestPki::get();
  TlsServer server({.cert = &pki.leaf});
  evm::TlsContextCache cache;
  {
    Client c(cache, trusting_test_ca(), server.port(), "localhost");
    REQUIRE(connect(c, server) == CURLE_OK);
  }
  {
    // The leaf names 127.0.0.1 as an IP SAN: verified, but no SNI.
    Client c(cache, trusting_test_ca(), server.port(), "127.0.0.1");
    REQUIRE(connect(c, server) == CURLE_OK);
    CHECK(c.filter->verify_result() == X509_V_OK);
  }
  {
    Client c(cache, trusting_test_ca(), server.port(), "localhost.");
    REQUIRE(connect(c, server) == CURLE_OK);
  }
  server.pump();
  REQUIRE(server.peers().size() == 3);
  CHECK(server.peer(0).sni_seen);
  CHECK(server.peer(0).sni == "localhost");
  CHECK_FALSE(server.peer(1).sni_seen);
  CHECK(server.peer(2).sni == "localhost");  // without the trailing dot
}

TEST_CASE("TLS: IPv6 literals get no SNI either") {
  auto &pki = TestPki::get();
  // A server bound to ::1 is not needed: the TCP filter below connects to 127.0.0.1, while the
  // TLS layer is told the host is "::1". The certificate has no such IP, so the check fails after
  // a handshake that carried no SNI.
  TlsServer server({.cert = &pki.leaf});
  evm::TlsContextCache cache;
  Client c(cache, trusting_test_ca(), server.port(), "::1");
  CHECK(connect(c, server) == CURLE_PEER_FAILED_VERIFICATION);
  CHECK(c.error == "SSL: no alternative certificate subject name matches target host name '::1'");
  server.pump();
  REQUIRE(server.peers().size() == 1);
  CHECK_FALSE(server.peer().sni_seen);
}

TEST_CASE("TLS: verification failures are CURLE_PEER_FAILED_VERIFICATION with OpenSSL's reason") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  struct Case {
    const KeyedCert *cert;
    std::string host;
    std::string error;
    long verify_result;
  };
  const Case cases[] = {
      {&pki.self_signed, "localhost", "SSL certificate problem: self-signed certificate",
       X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT},
      {&pki.expired, "localhost", "SSL certificate problem: certificate has expired",
       X509_V_ERR_CERT_HAS_EXPIRED},
      {&pki.wrong_name, "localhost",
       "SSL: no alternative certificate subject name matches target host name 'localhost'", 1},
      {&pki.name_only, "127.0.0.1",
       "SSL: no alternative certificate subject name matches target host name '127.0.0.1'", 1},
  };
  for (const Case &k : cases) {
    CAPTURE(k.error);
    TlsServer server({.cert = k.cert});
    Client c(cache, trusting_test_ca(), server.port(), k.host);
    CHECK(connect(c, server) == CURLE_PEER_FAILED_VERIFICATION);
    CHECK(c.error == k.error);
    CHECK(c.filter->verify_result() == k.verify_result);
  }

  SUBCASE("a CA the client does not trust") {
    TlsServer server({.cert = &pki.leaf});
    evm::TlsConfig cfg = trusting_test_ca();
    cfg.ca_blob = evm::test::cert_pem(pki.other_ca.cert.get());
    Client c(cache, cfg, server.port());
    CHECK(connect(c, server) == CURLE_PEER_FAILED_VERIFICATION);
    CHECK(c.error == "SSL certificate problem: unable to get local issuer certificate");
    CHECK(c.filter->verify_result() == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  }
}

TEST_CASE("TLS: VERIFYPEER=0 accepts an unknown chain but still checks the name") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  evm::TlsConfig cfg = trusting_test_ca();
  cfg.ca_blob = evm::test::cert_pem(pki.other_ca.cert.get());
  cfg.verify_peer = false;
  {
    TlsServer server({.cert = &pki.leaf});
    Client c(cache, cfg, server.port());
    CHECK(connect(c, server) == CURLE_OK);
    CHECK(c.filter->verify_result() == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  }
  {
    TlsServer server({.cert = &pki.wrong_name});
    Client c(cache, cfg, server.port());
    CHECK(connect(c, server) == CURLE_PEER_FAILED_VERIFICATION);
    CHECK(c.error ==
          "SSL: no alternative certificate subject name matches target host name 'localhost'");
    CHECK(c.filter->verify_result() == 1);
  }
  {
    TlsServer server({.cert = &pki.name_only});
    Client c(cache, cfg, server.port(), "127.0.0.1");
    CHECK(connect(c, server) == CURLE_PEER_FAILED_VERIFICATION);
  }
  {
    TlsServer server({.cert = &pki.leaf});
    Client c(cache, cfg, server.port(), "127.0.0.1");
    CHECK(connect(c, server) == CURLE_OK);
  }
  cfg.verify_host = 0;
  {
    TlsServer server({.cert = &pki.wrong_name});
    Client c(cache, cfg, server.port());
    CHECK(connect(c, server) == CURLE_OK);
  }
}

TEST_CASE("TLS: VERIFYHOST=0 skips only the name check") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  evm::TlsConfig cfg = trusting_test_ca();
  cfg.verify_host = 0;
  {
    TlsServer server({.cert = &pki.wrong_name});
    Client c(cache, cfg, server.port());
    CHECK(connect(c, server) == CURLE_OK);
    CHECK(c.filter->verify_result() == X509_V_OK);
  }
  {
    TlsServer server({.cert = &pki.self_signed});
    Client c(cache, cfg, server.port());
    CHECK(connect(c, server) == CURLE_PEER_FAILED_VERIFICATION);
  }
  cfg.verify_host = 1;  // same as 2 since libcurl 7.66
  {
    TlsServer server({.cert = &pki.wrong_name});
    Client c(cache, cfg, server.port());
    CHECK(connect(c, server) == CURLE_PEER_FAILED_VERIFICATION);
  }
}

TEST_CASE("TLS: CA from a file and from the default paths") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  TlsServer server({.cert = &pki.leaf});
  {
    evm::TlsConfig cfg;
    cfg.ca_file = pki.ca_file;
    Client c(cache, cfg, server.port());
    CHECK(connect(c, server) == CURLE_OK);
  }
  {
    // The system store does not know the test CA.
    evm::TlsConfig cfg;
    Client c(cache, cfg, server.port());
    CHECK(connect(c, server) == CURLE_PEER_FAILED_VERIFICATION);
    CHECK(c.error == "SSL certificate problem: unable to get local issuer certificate");
  }
}

TEST_CASE("TLS: a missing CA file is CURLE_SSL_CACERT_BADFILE at connect time") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  TlsServer server({.cert = &pki.leaf});
  evm::TlsConfig cfg;
  cfg.ca_file = pki.dir.path() + "/does-not-exist.pem";
  {
    Client c(cache, cfg, server.port());
    CHECK(connect(c, server) == CURLE_SSL_CACERT_BADFILE);
    CHECK(c.error == "error setting certificate file: " + cfg.ca_file);
    server.pump();
    CHECK(server.peers().size() == 1);  // reported after TCP connected, like libcurl
  }
  {
    evm::TlsConfig garbage = cfg;
    garbage.ca_file = pki.client_key_file;  // no certificate in it
    Client c(cache, garbage, server.port());
    CHECK(connect(c, server) == CURLE_SSL_CACERT_BADFILE);
  }
  {
    evm::TlsConfig blob = trusting_test_ca();
    blob.ca_blob = "not PEM";
    Client c(cache, blob, server.port());
    CHECK(connect(c, server) == CURLE_SSL_CACERT_BADFILE);
  }
  {
    // Without verification the CA file does not matter.
    evm::TlsConfig off = cfg;
    off.verify_peer = false;
    off.verify_host = 0;
    Client c(cache, off, server.port());
    CHECK(connect(c, server) == CURLE_OK);
  }
}

TEST_CASE("TLS: pinned public key") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  TlsServer server({.cert = &pki.leaf});

  // The expected pin, computed independently of the filter.
  unsigned char *der = nullptr;
  int len = i2d_PUBKEY(pki.leaf.key.get(), &der);
  unsigned char digest[32];
  SHA256(der, static_cast<size_t>(len), digest);
  OPENSSL_free(der);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, digest, 32);
  const std::string pin = "sha256//" + std::string(reinterpret_cast<char *>(b64), n);

  auto attempt = [&](const std::string &pinned, bool verify = true) {
    evm::TlsConfig cfg = trusting_test_ca();
    cfg.pinned_pubkey = pinned;
    cfg.verify_peer = verify;
    Client c(cache, cfg, server.port());
    CURLcode rc = connect(c, server);
    if (rc == CURLE_SSL_PINNEDPUBKEYNOTMATCH)
      CHECK(c.error == "SSL: public key does not match pinned public key");
    return rc;
  };
  CHECK(attempt(pin) == CURLE_OK);
  CHECK(attempt("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=;" + pin) == CURLE_OK);
  CHECK(attempt("sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=") ==
        CURLE_SSL_PINNEDPUBKEYNOTMATCH);
  CHECK(attempt("sha256//AAAA", false) == CURLE_SSL_PINNEDPUBKEYNOTMATCH);
  CHECK(attempt(pki.leaf_pubkey_file) == CURLE_OK);
  CHECK(attempt(pki.other_pubkey_file) == CURLE_SSL_PINNEDPUBKEYNOTMATCH);
  CHECK(attempt(pki.dir.path() + "/no-such-key.pem") == CURLE_SSL_PINNEDPUBKEYNOTMATCH);
}

TEST_CASE("TLS: sessions are resumed on the next connection to the same origin") {
  auto &pki = TestPki::get();
  for (int max : {TLS1_3_VERSION, TLS1_2_VERSION}) {
    CAPTURE(max);
    TlsServer server({.cert = &pki.leaf, .max_version = max});
    evm::TlsContextCache cache;
    auto talk = [&](Client &c) {
      REQUIRE(connect(c, server) == CURLE_OK);
      // A response read, as a transfer would: TLS 1.3 tickets arrive ahead of it.
      server.pump();
      server.peers().back()->out = "hi";
      CHECK(recv_some(c, server, 2) == "hi");
    };
    {
      Client first(cache, trusting_test_ca(), server.port());
      talk(first);
      CHECK_FALSE(first.filter->session_reused());
    }
    CHECK(cache.sessions().size() == 1);
    {
      Client second(cache, trusting_test_ca(), server.port());
      talk(second);
      CHECK(second.filter->session_reused());
      CHECK(server.peers().back()->reused);
      CHECK(second.filter->verify_result() == X509_V_OK);
    }
    {
      // Same server under another name: a different origin, so a full handshake.
      Client other(cache, trusting_test_ca(), server.port(), "127.0.0.1");
      talk(other);
      CHECK_FALSE(other.filter->session_reused());
    }
    {
      evm::TlsConfig cfg = trusting_test_ca();
      cfg.session_cache = false;
      Client off(cache, cfg, server.port());
      talk(off);
      CHECK_FALSE(off.filter->session_reused());
      CHECK_FALSE(server.peers().back()->reused);
    }
    {
      // Skipping the name check makes another session family: never resume one into the other.
      evm::TlsConfig cfg = trusting_test_ca();
      cfg.verify_host = 0;
      Client loose(cache, cfg, server.port());
      talk(loose);
      CHECK_FALSE(loose.filter->session_reused());
    }
  }
}

TEST_CASE("TLS: a session that fails to resume is dropped") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  uint16_t port;
  {
    TlsServer server({.cert = &pki.leaf, .max_version = TLS1_2_VERSION});
    port = server.port();
    Client c(cache, trusting_test_ca(), port);
    REQUIRE(connect(c, server) == CURLE_OK);
  }
  REQUIRE(cache.sessions().size() == 1);
  // Another server on the same port: it knows nothing of the session, and its certificate fails.
  TlsServer server({.cert = &pki.self_signed, .max_version = TLS1_2_VERSION, .port = port});
  REQUIRE(server.port() == port);
  Client c(cache, trusting_test_ca(), port);
  CHECK(connect(c, server) == CURLE_PEER_FAILED_VERIFICATION);
  CHECK(cache.sessions().size() == 0);
}

TEST_CASE("TLS: ALPN") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  {
    TlsServer server({.cert = &pki.leaf});
    Client c(cache, trusting_test_ca(), server.port());
    REQUIRE(connect(c, server) == CURLE_OK);
    CHECK(c.filter->alpn() == "http/1.1");
    server.pump();
    CHECK(server.peer().alpn == "http/1.1");
  }
  {
    TlsServer server({.cert = &pki.leaf, .alpn = false});
    Client c(cache, trusting_test_ca(), server.port());
    REQUIRE(connect(c, server) == CURLE_OK);
    CHECK(c.filter->alpn() == "");
  }
  {
    evm::TlsConfig cfg = trusting_test_ca();
    cfg.alpn = {"h2"};
    TlsServer server({.cert = &pki.leaf});
    Client c(cache, cfg, server.port());
    REQUIRE(connect(c, server) == CURLE_OK);
    CHECK(c.filter->alpn() == "");
  }
}

TEST_CASE("TLS: CURLOPT_SSLVERSION minimum and maximum") {
  auto &pki = TestPki::get();
  namespace v = evm::sslversion;
  evm::TlsContextCache cache;
  TlsServer any({.cert = &pki.leaf});
  TlsServer only12({.cert = &pki.leaf, .max_version = TLS1_2_VERSION});
  auto version_with = [&](long ssl_version, TlsServer &server, CURLcode &rc) {
    evm::TlsConfig cfg = trusting_test_ca();
    cfg.ssl_version = ssl_version;
    Client c(cache, cfg, server.port());
    rc = connect(c, server);
    return rc == CURLE_OK ? c.filter->tls_version() : c.error;
  };
  CURLcode rc;
  CHECK(version_with(v::kDefault, any, rc) == "TLSv1.3");
  CHECK(version_with(v::kMaxTlsV1_2, any, rc) == "TLSv1.2");
  CHECK(version_with(v::kTlsV1_2 | v::kMaxTlsV1_2, any, rc) == "TLSv1.2");
  CHECK(version_with(v::kTlsV1_2 | v::kMaxDefault, any, rc) == "TLSv1.3");
  CHECK(version_with(v::kTlsV1_2, only12, rc) == "TLSv1.2");
  std::string err = version_with(v::kTlsV1_3, only12, rc);
  CHECK(rc == CURLE_SSL_CONNECT_ERROR);
  CHECK(err.find("protocol version") != std::string::npos);
  err = version_with(v::kTlsV1_3 | v::kMaxTlsV1_2, any, rc);
  CHECK(rc == CURLE_SSL_CONNECT_ERROR);
  CHECK(err == "CURL_SSLVERSION_MAX incompatible with CURL_SSLVERSION");

  CHECK(evm::TlsConfig::valid_ssl_version(v::kTlsV1_3 | v::kMaxTlsV1_3));
  CHECK(evm::TlsConfig::valid_ssl_version(v::kMaxDefault));
  CHECK_FALSE(evm::TlsConfig::valid_ssl_version(v::kSslV2));
  CHECK_FALSE(evm::TlsConfig::valid_ssl_version(v::kSslV3));
  CHECK_FALSE(evm::TlsConfig::valid_ssl_version(v::kLast));
  CHECK_FALSE(evm::TlsConfig::valid_ssl_version(v::kMaxLast));
  CHECK_FALSE(evm::TlsConfig::valid_ssl_version(-1));
}

TEST_CASE("TLS: cipher lists") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  TlsServer server({.cert = &pki.leaf,
                    .max_version = TLS1_2_VERSION,
                    .cipher_list = "ECDHE-ECDSA-AES128-GCM-SHA256"});
  auto attempt = [&](const std::string &list, const std::string &tls13) {
    evm::TlsConfig cfg = trusting_test_ca();
    cfg.cipher_list = list;
    cfg.tls13_ciphers = tls13;
    Client c(cache, cfg, server.port());
    CURLcode rc = connect(c, server);
    if (rc == CURLE_OK) return c.filter->cipher();
    return c.error;
  };
  CHECK(attempt("ECDHE-ECDSA-AES128-GCM-SHA256", "") == "ECDHE-ECDSA-AES128-GCM-SHA256");
  CHECK(attempt("NOPE", "") == "failed setting cipher list: NOPE");
  CHECK(attempt("", "NOPE") == "failed setting TLS 1.3 cipher suite: NOPE");
  // Nothing in common: the server's handshake_failure alert, as OpenSSL words it.
  std::string err = attempt("ECDHE-ECDSA-CHACHA20-POLY1305", "");
  CHECK(err.rfind("OpenSSL/", 0) == 0);
  CHECK(err.find("handshake failure") != std::string::npos);

  evm::TlsConfig cfg = trusting_test_ca();
  cfg.cipher_list = "NOPE";
  Client c(cache, cfg, server.port());
  CHECK(connect(c, server) == CURLE_SSL_CIPHER);
}

TEST_CASE("TLS: client certificates") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  TlsServer server({.cert = &pki.leaf, .client_ca = &pki.ca});
  auto attempt = [&](evm::TlsConfig cfg, std::string *error = nullptr) {
    Client c(cache, cfg, server.port());
    CURLcode rc = connect(c, server);
    if (rc == CURLE_OK) {
      // TLS 1.3 lets the server judge the certificate after the client finished: talk once.
      send_all(c, server, "x");
      server.pump();
      server.peers().back()->out = "y";
      CURLcode err = CURLE_OK;
      recv_some(c, server, 1, nullptr, &err);
      rc = err;
    }
    if (error) *error = c.error;
    return rc;
  };
  evm::TlsConfig cfg = trusting_test_ca();
  cfg.cert_file = pki.client_cert_file;
  cfg.key_file = pki.client_key_file;
  CHECK(attempt(cfg) == CURLE_OK);
  CHECK(server.peers().back()->client_cert);

  evm::TlsConfig combined = trusting_test_ca();
  combined.cert_file = pki.client_combined_file;
  CHECK(attempt(combined) == CURLE_OK);

  evm::TlsConfig enc = cfg;
  enc.key_file = pki.client_enc_key_file;
  enc.key_password = "s3cret";
  CHECK(attempt(enc) == CURLE_OK);

  std::string error;
  enc.key_password = "wrong";
  CHECK(attempt(enc, &error) == CURLE_SSL_CERTPROBLEM);
  CHECK(error.rfind("unable to set private key file: '" + pki.client_enc_key_file + "'", 0) == 0);
  enc.key_password = "";  // no password: must fail, never prompt on a terminal
  CHECK(attempt(enc) == CURLE_SSL_CERTPROBLEM);

  evm::TlsConfig missing = cfg;
  missing.cert_file = pki.dir.path() + "/nope.pem";
  CHECK(attempt(missing, &error) == CURLE_SSL_CERTPROBLEM);
  CHECK(error.rfind("could not load PEM client certificate from " + missing.cert_file, 0) == 0);

  evm::TlsConfig mismatch = cfg;
  mismatch.key_file = pki.client_enc_key_file;
  mismatch.key_password = "s3cret";
  mismatch.cert_file = pki.ca_file;  // the key is not the CA's
  CHECK(attempt(mismatch) == CURLE_SSL_CERTPROBLEM);

  evm::TlsConfig der = cfg;
  der.cert_type = "DER";
  CHECK(attempt(der, &error) == CURLE_SSL_CERTPROBLEM);
  CHECK(error == "not supported file type 'DER' for certificate (only PEM is)");

  evm::TlsConfig lower = cfg;
  lower.cert_type = "pem";
  CHECK(attempt(lower) == CURLE_OK);

  // No certificate: the server's alert arrives with the first read (TLS 1.3).
  CHECK(attempt(trusting_test_ca(), &error) == CURLE_RECV_ERROR);
  CHECK(error.find("certificate required") != std::string::npos);
}

TEST_CASE("TLS: certificate chain for CURLINFO_CERTINFO") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  TlsServer server({.cert = &pki.rsa_leaf});
  evm::TlsConfig cfg = trusting_test_ca();
  cfg.want_certinfo = true;
  Client c(cache, cfg, server.port());
  REQUIRE(connect(c, server) == CURLE_OK);
  REQUIRE(c.filter->cert_info().size() == 1);
  const auto &lines = c.filter->cert_info()[0];
  auto value = [&](const std::string &key) -> std::string {
    for (auto &l : lines)
      if (l.rfind(key + ":", 0) == 0) return l.substr(key.size() + 1);
    return "<missing>";
  };
  CHECK(value("Subject") == "CN = localhost");
  CHECK(value("Issuer") == "CN = Test CA");
  CHECK(value("Version") == "2");
  CHECK(value("Serial Number").size() >= 2);
  CHECK(value("Signature Algorithm") == "ecdsa-with-SHA256");  // the EC CA signed it
  CHECK(value("Public Key Algorithm") == "rsaEncryption");
  CHECK(value("X509v3 Subject Alternative Name") == "DNS:localhost, IP Address:127.0.0.1");
  CHECK(value("Start date").find("GMT") != std::string::npos);
  CHECK(value("Expire date").find("GMT") != std::string::npos);
  CHECK(value("RSA Public Key") == "2048");
  CHECK(value("rsa(e)") == "10001");
  CHECK(value("Cert") == evm::test::cert_pem(pki.rsa_leaf.cert.get()));
  CHECK(lines.back().rfind("Cert:", 0) == 0);

  Client without(cache, trusting_test_ca(), server.port());
  REQUIRE(connect(without, server) == CURLE_OK);
  CHECK(without.filter->cert_info().empty());
}

TEST_CASE("TLS: a server that closes during the handshake") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  TlsServer server({.cert = &pki.leaf, .close_on_accept = true});
  Client c(cache, trusting_test_ca(), server.port());
  CHECK(connect(c, server) == CURLE_SSL_CONNECT_ERROR);
  CHECK(c.error.rfind("OpenSSL SSL_connect: ", 0) == 0);
  CHECK(c.error.find("localhost:" + std::to_string(server.port())) != std::string::npos);
}

TEST_CASE("TLS: many handshakes interleave in one thread") {
  auto &pki = TestPki::get();
  evm::TlsContextCache cache;
  TlsServer server({.cert = &pki.leaf});
  constexpr int kClients = 40;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i)
    clients.push_back(std::make_unique<Client>(cache, trusting_test_ca(), server.port()));
  std::vector<bool> done(kClients, false);
  int finished = 0;
  auto deadline = evm::now() + kTimeout;
  while (finished < kClients && evm::now() < deadline) {
    std::vector<Client *> waiting;
    for (int i = 0; i < kClients; ++i) {
      if (done[i]) continue;
      bool d = false;
      REQUIRE(clients[i]->filter->connect(clients[i]->ctx, evm::now(), d) == CURLE_OK);
      if (d) {
        done[i] = true;
        ++finished;
      } else {
        waiting.push_back(clients[i].get());
      }
    }
    server.pump();
    if (!waiting.empty()) wait_io(waiting, server, false, false);
  }
  CHECK(finished == kClients);
  CHECK(cache.contexts() == 1);
}

TEST_CASE("TLS context cache: one SSL_CTX per distinct context configuration") {
  evm::TlsContextCache cache;
  CURLcode rc;
  std::string error;
  evm::TlsConfig a = trusting_test_ca();
  auto ca = cache.acquire(a, rc, error);
  REQUIRE(ca);
  evm::TlsConfig b = a;
  b.verify_host = 0;  // applied per connection
  b.want_certinfo = true;
  b.alpn = {"h2", "http/1.1"};
  CHECK(cache.acquire(b, rc, error) == ca);
  evm::TlsConfig c = a;
  c.verify_peer = false;
  auto cc = cache.acquire(c, rc, error);
  CHECK(cc != ca);
  CHECK(cc->id() != ca->id());
  CHECK(cache.contexts() == 2);
  evm::TlsConfig bad = a;
  bad.cipher_list = "NOPE";
  CHECK_FALSE(cache.acquire(bad, rc, error));
  CHECK(rc == CURLE_SSL_CIPHER);
  CHECK(cache.contexts() == 2);
  CHECK(a == a);
  CHECK_FALSE(a == b);
  CHECK(a.same_context(b));
  CHECK(a.context_hash() == b.context_hash());
}

TEST_CASE("TLS: records without data on an idle connection are consumed, not taken for a close") {
  auto &pki = TestPki::get();
  TlsServer server({.cert = &pki.leaf});
  evm::TlsContextCache cache;
  Client c(cache, trusting_test_ca(), server.port());
  REQUIRE(connect(c, server) == CURLE_OK);
  server.pump();
  send_all(c, server, "ping");
  server.pump();
  server.peer().out = "pong";
  REQUIRE(recv_some(c, server, 4) == "pong");
  // A TLS 1.3 KeyUpdate carries no application data: the connection stays usable.
  REQUIRE(SSL_key_update(server.peer().ssl, SSL_KEY_UPDATE_NOT_REQUESTED) == 1);
  REQUIRE(SSL_do_handshake(server.peer().ssl) == 1);
  pollfd pfd{c.filter->socket(), POLLIN, 0};
  REQUIRE(::poll(&pfd, 1, 2000) == 1);  // the record has arrived
  CHECK(c.filter->is_alive(c.ctx));
  CHECK_FALSE(c.filter->data_pending());
  // The stream is still in step: a request and its answer go through.
  send_all(c, server, "ping2");
  server.pump();
  CHECK(server.peer().in == "pingping2");
  server.peer().out += "pong2";
  CHECK(recv_some(c, server, 5) == "pong2");
}
