// Internals of the HTTP/2 test server (h2_test_server.h), shared by its three files:
// h2_test_server.cpp (lifecycle, listener, TLS), h2_test_conn.cpp (one connection: bytes
// in and out of its nghttp2 session) and h2_test_routes.cpp (the answers). Everything here
// runs on the server thread, except the counters and the mutex-guarded fields of H2Core.
#pragma once

#include "h2_test_server.h"

#include <event2/bufferevent.h>
#include <event2/event.h>

#include <nghttp2/nghttp2.h>

#include <openssl/evp.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

struct ssl_ctx_st;

namespace evm::test::h2 {

template <auto Free>
struct FreeWith {
  template <typename T>
  void operator()(T *p) const {
    Free(p);
  }
};
using EventPtr = std::unique_ptr<event, FreeWith<event_free>>;
using DigestPtr = std::unique_ptr<EVP_MD_CTX, FreeWith<EVP_MD_CTX_free>>;
using SessionPtr = std::unique_ptr<nghttp2_session, FreeWith<nghttp2_session_del>>;

struct H2Conn;

// What one server holds for all its connections.
struct H2Core {
  H2TestServerOptions options;
  event_base *base = nullptr;
  ssl_ctx_st *ssl_ctx = nullptr;  // owned by the server; null without TLS
  std::unordered_map<H2Conn *, std::unique_ptr<H2Conn>> conns;

  std::atomic<uint64_t> accepted{0};
  std::atomic<uint64_t> open{0};
  std::atomic<uint64_t> streams_opened{0};
  std::atomic<uint64_t> responses_completed{0};
  std::atomic<uint64_t> pushes_promised{0};
  std::atomic<uint64_t> rst_received{0};
  std::atomic<uint64_t> pings_received{0};
  std::atomic<uint64_t> goaways_received{0};
  std::atomic<uint64_t> window_updates_received{0};
  std::atomic<uint64_t> goaways_sent{0};
  std::atomic<uint64_t> pings_sent{0};
  std::atomic<uint64_t> ping_acks_received{0};
  std::atomic<uint64_t> data_bytes_sent{0};
  std::atomic<uint64_t> data_bytes_received{0};
  std::atomic<uint64_t> max_streams_at_once{0};

  mutable std::mutex mu;  // guards the four below
  std::vector<H2Header> last_headers;
  // Request streams whose HEADERS carried a priority: stream id -> {weight, depends on, exclusive}.
  std::vector<std::array<int32_t, 4>> priorities;
  uint32_t last_enable_push = 1;
  std::string last_alpn;

  void note_open_streams(uint64_t n) {
    uint64_t seen = max_streams_at_once.load();
    while (n > seen && !max_streams_at_once.compare_exchange_weak(seen, n)) {
    }
  }
};

enum class Flood { kNone, kPing, kSettings, kEmptyData, kRst, kHeaders };

// One stream: the request as received, then the response body being sent.
struct H2Stream {
  H2Conn *conn = nullptr;
  int32_t id = 0;
  bool request = false;  // opened by the client (false: a pushed stream)
  uint64_t ordinal = 0;  // 1 for the connection's first request stream, 2 for the next...
  std::vector<H2Header> headers;
  std::string method, path, scheme, authority;  // path: the whole :path, query included
  bool dispatched = false;

  // The request body: kept for /echo, hashed for /upload-size, counted always.
  bool keep_body = false;
  std::string body;
  uint64_t body_bytes = 0;
  DigestPtr sha;
  // /slow-read/K: received bytes are released to the client's windows K per 20 ms.
  uint64_t consume_per_tick = 0;
  uint64_t unconsumed = 0;

  // The response body: `text`, or `pattern_total` pattern bytes when `pattern`.
  std::string text;
  bool pattern = false;
  uint64_t pattern_total = 0;
  uint64_t sent = 0;
  uint64_t allowed = UINT64_MAX;    // /slow: bytes released so far
  bool trailers = false;            // /trailers: end with a trailer HEADERS frame
  bool fail_after_headers = false;  // /rst-after-headers
  Flood flood = Flood::kNone;
  uint64_t flood_count = 0;
  EventPtr timer;  // /delay, /slow or /slow-read
};

struct H2Conn {
  enum class Mode {
    kActive,        // nghttp2 reads and writes
    kFloodHeaders,  // writing endless CONTINUATION frames; input discarded
    kClosing,       // FIN once the output is written
    kLingering,     // FIN sent; discarding input until the client closes
  };
  H2Core *core = nullptr;
  bufferevent *bev = nullptr;
  SessionPtr session;
  std::unordered_map<int32_t, std::unique_ptr<H2Stream>> streams;
  Mode mode = Mode::kActive;
  uint64_t open_requests = 0;
  uint64_t requests_seen = 0;
  bool goaway_queued = false;
  std::vector<int32_t> floods_due;  // streams whose flood follows the frames queued now
  int32_t flood_headers_stream = 0;
  // Input is cut at frame boundaries so that the client's ACKs of the raw SETTINGS flood,
  // which nghttp2 never sent, do not reach it. The client preface passes first.
  uint64_t pass_left = 24;
  uint64_t settings_acks_to_drop = 0;
  bool peer_eof = false;
  EventPtr linger_timer;

  H2Stream *find(int32_t id) {
    auto it = streams.find(id);
    return it == streams.end() ? nullptr : it->second.get();
  }
};

// h2_test_conn.cpp
// Takes an accepted bufferevent (plain or OpenSSL) and starts the session: false if out of
// resources (the bufferevent is freed then).
bool conn_open(H2Core *core, bufferevent *bev);
// Serializes what nghttp2 has queued into the output, then any due floods; closes the
// connection when the session is done. False if the connection was freed.
bool conn_flush(H2Conn *c);
void conn_free(H2Conn *c);

// h2_test_routes.cpp
// Answers a complete request: submits frames (or queues a flood); does not flush. Called
// from inside nghttp2 callbacks, so it never frees the connection.
void route_request(H2Conn *c, H2Stream *s);
// Copies the response body into buf for nghttp2's data provider.
ssize_t read_body(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                  uint32_t *data_flags, nghttp2_data_source *source, void *user_data);
// Writes the raw frames of the floods in c->floods_due; enters kFloodHeaders for that one.
void write_floods(H2Conn *c);
// kFloodHeaders: tops the output up with CONTINUATION frames.
void refill_headers_flood(H2Conn *c);

}  // namespace evm::test::h2
