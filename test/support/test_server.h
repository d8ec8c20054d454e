// Loopback HTTP/1.1 test server for integration tests, the hiper demo and benchmarks.
//
// Two listeners share one background thread and one event_base. Bodies of N bytes are
// always 'a' + (i % 26) for i = 0..N-1.
//
// HTTP listener (libevent evhttp: well-formed HTTP/1.1, keep-alive, HEAD gets no body):
//   /bytes/N          200, N bytes, Content-Length, Content-Type: application/octet-stream
//   /chunked/N        200, the same bytes chunked in pieces of at most 1000
//   /status/CODE      that status (100..599), body "status CODE\n" except 1xx/204/304;
//                     query parameters become headers: /status/302?Location=/bytes/1
//   /delay/MS         200 "ok\n" after MS milliseconds
//   /echo             200 text/plain: "METHOD URI\n", "Name: value\n" per request header in
//                     received order, "\n", request body. Methods: GET HEAD POST PUT DELETE
//                     OPTIONS TRACE PATCH; others get 501 (libevent 2.1 limit: use raw /echo)
//   /header?n=v&...   200 "ok\n" plus each query parameter as a response header
//   /stall            never answered; dropped when the client closes, or on stop()
//   anything else     404
// Raw listener (hand-written bytes; reads a request head, then a Content-Length or
// chunked body; keep-alive paths serve further requests, pipelined ones included):
//   /ok/N             200 Content-Length N, keep-alive
//   /echo             like the HTTP /echo, any method
//   /empty            closes without a byte
//   /garbage          "SSH-2.0-OpenSSH_9.2\r\n", then closes
//   /partial          Content-Length 100, 50 bytes, then closes
//   /reset            Content-Length 1000000, 1000 bytes, then RST (client sees ECONNRESET)
//   /stall            never answers, keeps the connection
//   /rst-early        RST before a byte of response (client sees ECONNRESET)
//   /truncated-chunked  chunked "hello", then a chunk of 10 announced, 3 sent, then closes
//   /close-after-headers  200 Content-Length 100, no body, then closes
//   /garbage-status   "HTTP/1.1 2x0 OK" status line, Content-Length 2 "ok", then closes
//   /stall-body       Content-Length 1000, 10 bytes, then nothing
//   /slow/N           Content-Length N, then one byte every 50 ms
//   /bigheader/N      200 with "X-Big: " + N 'x', body "ok"
//   /badheader        a header line without a colon
//   /badchunk         chunked, first chunk-size line "zz"
//   /chunked-trailers chunked "hello" in 2 chunks + trailer "X-Trailer: yes"
//   /close-delimited/N  no length, N bytes, then closes
//   /http10           "HTTP/1.0 200 OK", Content-Length 3 "abc", then closes
//   /continue         "100 Continue" then 200 "ok"
//   /drop-next        200 "ok" keep-alive; the next request on the connection gets a close
//   /close-after/N    200 Content-Length N keep-alive-looking, then the server closes
//   /idle-close/MS    200 "ok" keep-alive; MS ms later the server closes the connection if it
//                     is waiting for a request then (a keep-alive timeout, as servers have)
//   /fin-no-notify/N  Content-Length N, N/2 bytes, then FIN; under TLS without close_notify
//   /endless          200, no length (close-delimited), pattern bytes forever: written as
//                     fast as the socket takes them, until the client closes or stop()
//   /endless-length   the same with "Content-Length: 4611686018427387904" (2^62)
//   /continue-forever "HTTP/1.1 100 Continue\r\n\r\n" forever, paced the same way
//   /te-gzip          "Transfer-Encoding: gzip", Content-Length 10, 10 bytes, keep-alive
//   /te-chunked-bogus "Transfer-Encoding: chunked, bogus", chunked "hello", keep-alive
//   /excess           200 Content-Length 2 "ok" and, in the same write, a second unasked-for
//                     response "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nextra"; keep-alive
//   anything else     404
// "Closes" means FIN after the output is flushed (input is drained until the client
// closes, at most 2 s, so no RST); connections also close when the client asks.
//
// TLS (options.tls != None): both listeners speak TLS 1.2/1.3 only, with every endpoint
// above unchanged inside it, and http_url()/raw_url() say "https://". The certificates
// come from TestPki::get() (test_certs.h): trust its ca_file. The server selects ALPN
// "http/1.1" when the client offers it (nothing otherwise), caches sessions (session IDs
// and tickets) for resumption, and with require_client_cert demands a certificate signed
// by the test CA. A raw close sends close_notify before the FIN; /reset still resets
// without one, and /fin-no-notify's FIN comes without one. tls_handshakes()/tls_resumed()/
// last_sni() observe the handshakes. Limit: a client leaving a held evhttp request (/stall,
// /delay) is noticed only if it closes without sending close_notify first; otherwise the
// connection is freed at stop().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace evm::test {

struct TestServerOptions {
  // The certificate both listeners present (see test_certs.h); None: plain TCP.
  enum class Tls {
    None,
    Good,        // server_cert: CA-signed, localhost, 127.0.0.1, ::1
    Expired,     // expired_cert
    WrongName,   // wrong_name_cert: wrong.example only
    SelfSigned,  // self_signed_cert
  };

  // A numeric loopback address: "127.0.0.1" (any of 127/8) or "::1".
  std::string bind_address = "127.0.0.1";
  Tls tls = Tls::None;
  // With tls: refuse clients without a certificate signed by the test CA.
  bool require_client_cert = false;
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();  // stops if running

  TestServer(const TestServer &) = delete;
  TestServer &operator=(const TestServer &) = delete;

  // Binds both listeners to ephemeral ports and starts the server thread. Returns false
  // if the address is not loopback or anything fails; true if already running.
  bool start();
  // Thread-safe and idempotent; closes every client connection and joins the thread.
  void stop();

  // The ports of the last successful start(); kept after stop(), 0 after a failed start().
  uint16_t http_port() const;
  uint16_t raw_port() const;
  // "http://127.0.0.1:PORT/path" ("http://[::1]:PORT/path" for IPv6); "https://" with TLS.
  std::string http_url(std::string_view path) const;
  std::string raw_url(std::string_view path) const;
  bool tls() const;

  // Counters cover both listeners and survive stop(); they never reset.
  uint64_t connections_accepted() const;
  uint64_t requests_served() const;  // requests dispatched to an endpoint (404 included)
  uint64_t open_connections() const;
  // Completed TLS handshakes on both listeners (failed ones are not counted), and those
  // of them that resumed a session.
  uint64_t tls_handshakes() const;
  uint64_t tls_resumed() const;
  // The server name (SNI) the latest TLS ClientHello carried; empty if it had none.
  std::string last_sni() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace evm::test
