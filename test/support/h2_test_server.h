// Loopback HTTP/2 test server for integration tests: nghttp2's server session on libevent
// bufferevents, on one background thread that owns one event_base (like test_server.h).
//
// Transport: tls = true speaks TLS 1.2/1.3 with the TestPki server certificate (trust
// TestPki::get().ca_file) and selects ALPN "h2" when the client offers it; a client that
// offers only "http/1.1" (or no ALPN) gets no ALPN answer, then the server's SETTINGS
// frame as the first bytes, and its HTTP/1.1 request ends the connection (bad preface). tls = false
// speaks cleartext h2c with prior knowledge: the client sends the connection preface at once (no
// Upgrade: h2c).
//
// Bodies of N bytes are 'a' + (i % 26) for i = 0..N-1, as in the HTTP/1.1 server. Routes
// answer once the request is complete (END_STREAM), body included:
//   /bytes/N            200, content-length N, N bytes
//   /nolength/N         200, N bytes, no content-length
//   /big-window/N       the same as /bytes/N: as fast as the client's windows allow
//   /slow/N             200, content-length N, one byte every 20 ms
//   /echo               200 text/plain: "METHOD PATH\n", then "name: value\n" for every
//                       request header in received order (pseudo-headers included), "\n",
//                       then the request body (at most 64 MiB; more: RST_STREAM)
//   /upload-size        200: the request body's length in decimal + "\n", and the header
//                       x-body-sha256: lowercase hex SHA-256 of the body
//   /slow-read/K        like /upload-size, but the server reads slowly: it gives at most K
//                       received bytes back to the client's stream and connection windows
//                       (WINDOW_UPDATE) every 20 ms, K <= 16 MiB
//   /status/CODE        that status (200..599), body "status CODE\n" except 204/304; query
//                       parameters become headers (names lowercased):
//                       /status/302?location=/bytes/1. CODE 100..199: that informational
//                       response, then 200 "ok\n"
//   /delay/MS           200 "ok\n" after MS milliseconds (a timer, other streams go on)
//   /trailers           200, body "hello", then trailers "x-trailer: yes"
//   /gzip/N             200, content-encoding gzip: N pattern bytes compressed
//   /basic-auth         200 "authed\n" with "Authorization: Basic" for user:pass, else 401 with
//                       www-authenticate: Basic realm="t"
//   /rst                RST_STREAM (INTERNAL_ERROR) instead of a response
//   /rst-after-headers  200 headers, then RST_STREAM (INTERNAL_ERROR)
//   /refuse             RST_STREAM (REFUSED_STREAM) instead of a response, every time
//   /goaway             no response: GOAWAY (NO_ERROR) with last-stream-id = this stream's
//                       id - 2, then the connection closes once the streams below finish
//   /push               if the client's SETTINGS_ENABLE_PUSH is 1: PUSH_PROMISE for
//                       /pushed/1 (/push?n=K: /pushed/1../pushed/K, K <= 100), each pushed
//                       stream answered 200 "pushed I\n"; then 200 "main\n" on the stream
//   /pushed/I           200 "pushed I\n" when requested directly
//   /cl-mismatch        200, content-length 10, 5 bytes, END_STREAM
//   /bad-status         :status "abc", body "x\n"
//   /no-status          a HEADERS frame without :status (content-type only), END_STREAM
//   /huge-headers/N     200 with one header "x-huge: " + N 'x' (N <= 64 MiB; nghttp2 splits
//                       the block into CONTINUATION frames), body "ok\n"
//   Floods: the 200 headers are sent, then raw frames written by hand after them; the
//   stream never ends and the connection stays open. ?n=K overrides the count.
//   /flood/ping         100000 PING frames
//   /flood/settings     100000 empty SETTINGS frames
//   /flood/empty-data   100000 zero-length DATA frames on the stream, no END_STREAM
//   /flood/rst          1000 RST_STREAM (INTERNAL_ERROR) frames on this stream: the first
//                       closes it, the others hit a closed stream
//   /flood/headers      instead of the 200 above: a HEADERS frame without END_HEADERS, then
//                       4 KiB CONTINUATION frames (each one "x-flood: aaa..." header) that
//                       never end: written as fast as the client reads, until it closes
//                       or stop(); nothing else is sent on that connection any more
//   anything else       404 "not found\n"
//
// Connection behaviour: SETTINGS are sent at once (max_concurrent_streams,
// initial_window_size, header_table_size below). Incoming frames go through nghttp2 with
// its HTTP messaging checks on: a malformed request is refused with RST_STREAM the way
// nghttp2 does it, a protocol error ends the connection with GOAWAY. With goaway_after N,
// the request streams after the N-th of a connection are never answered, and once the N-th
// has been answered (its last frame sent) the server sends GOAWAY (NO_ERROR) with that
// stream's id as last-stream-id, which refuses the later ones; the connection closes (FIN,
// close_notify with TLS) when the streams at or below it are done. A closing connection
// keeps reading (and discarding) until the client closes, at most 2 s.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace evm::test {

struct H2TestServerOptions {
  // A numeric loopback address: "127.0.0.1" (any of 127/8) or "::1".
  std::string bind_address = "127.0.0.1";
  // true: TLS with ALPN h2 (TestPki server_cert); false: cleartext h2c, prior knowledge.
  bool tls = true;
  // The SETTINGS the server sends first on every connection. nghttp2 enforces
  // max_concurrent_streams on the client (RST_STREAM REFUSED_STREAM or GOAWAY
  // PROTOCOL_ERROR, its choice).
  uint32_t max_concurrent_streams = 100;
  uint32_t initial_window_size = 65535;  // the client's send window per stream (uploads)
  uint32_t header_table_size = 4096;     // the HPACK table the client's encoder may use
  // N > 0: GOAWAY once the N-th request stream of a connection is answered, later streams
  // unanswered (see above); 0: never.
  uint32_t goaway_after = 0;
};

// One request header as received; pseudo-headers (":method", ":path"...) included.
using H2Header = std::pair<std::string, std::string>;

class H2TestServer {
 public:
  explicit H2TestServer(H2TestServerOptions options = {});
  ~H2TestServer();  // stops if running

  H2TestServer(const H2TestServer &) = delete;
  H2TestServer &operator=(const H2TestServer &) = delete;

  // Binds an ephemeral port and starts the server thread. False if the address is not
  // loopback or anything fails; true if already running.
  bool start();
  // Thread-safe and idempotent; closes every connection and joins the thread.
  void stop();

  // Ask the server thread to act on every open connection that is not closing, at once
  // and asynchronously (wait on the counters below); false if not running.
  // goaway_all: GOAWAY (NO_ERROR) with the last stream nghttp2 processed as last-stream-id;
  // the connection closes once its streams are done (at once if idle).
  bool goaway_all();
  // ping_all: a PING; an idle client should answer it (ping_acks_received).
  bool ping_all();

  // The port of the last successful start(); kept after stop(), 0 after a failed start().
  uint16_t port() const;
  // "https://127.0.0.1:PORT/path" ("http://" without TLS, "[::1]" for IPv6).
  std::string url(std::string_view path) const;
  bool tls() const;

  // Counters survive stop() and never reset; each is safe to read from any thread.
  uint64_t connections_accepted() const;
  uint64_t open_connections() const;
  uint64_t streams_opened() const;       // request streams the clients opened (HEADERS received)
  uint64_t responses_completed() const;  // streams whose response was sent in full
  uint64_t pushes_promised() const;      // PUSH_PROMISE frames sent
  uint64_t rst_received() const;         // RST_STREAM frames from clients
  uint64_t pings_received() const;       // PING frames from clients (ACKs not counted)
  uint64_t goaways_received() const;     // GOAWAY frames from clients
  uint64_t window_updates_received() const;  // WINDOW_UPDATE frames, any stream
  uint64_t goaways_sent() const;
  uint64_t pings_sent() const;           // PING frames the server sent (not ACKs, not floods)
  uint64_t ping_acks_received() const;   // PING ACKs from clients (floods' ACKs included)
  uint64_t data_bytes_sent() const;      // DATA payload bytes sent by nghttp2, all streams
  uint64_t data_bytes_received() const;  // DATA payload bytes received, all streams
  // The most request streams open at the same time on one connection.
  uint64_t max_streams_seen_at_once() const;
  // The header list of the latest request whose headers were complete, in received order.
  std::vector<H2Header> last_request_headers() const;
  // The client's SETTINGS_ENABLE_PUSH on the latest connection whose SETTINGS arrived
  // (1 unless the client sent 0).
  uint32_t last_client_enable_push() const;
  // Request streams whose HEADERS carried a priority, in arrival order: {stream id, weight,
  // stream depended on, exclusive}.
  std::vector<std::array<int32_t, 4>> priorities_received() const;
  // The ALPN protocol selected on the latest TLS handshake ("h2", or "" if none).
  std::string last_alpn() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace evm::test
