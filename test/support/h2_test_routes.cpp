// The answers of the HTTP/2 test server (the list is in h2_test_server.h), and the floods,
// whose frames are written by hand because nghttp2 would never send them.
#include "server_util.h"
#include "h2_test_conn.h"
#include "zlib_compress.h"

#include <event2/buffer.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <string_view>

namespace evm::test::h2 {
namespace {

using server_util::kPatternBlockSize;
using server_util::number_after;
using server_util::parse_decimal;
using server_util::pattern_block;

constexpr uint64_t kMaxBodyBytes = 1ull << 40;
constexpr uint64_t kMaxHugeHeader = 64ull << 20;
constexpr uint64_t kMaxDelayMs = 3600 * 1000;
constexpr uint64_t kMaxPushes = 100;
constexpr uint64_t kMaxFloodFrames = 10'000'000;
constexpr int kSlowIntervalMs = 20;
constexpr size_t kFloodHeaderFrame = 4096;  // CONTINUATION payload size
constexpr size_t kFloodOutHighWater = 256 * 1024;

// Pattern bytes offset..offset+n into out.
void copy_pattern(uint8_t *out, uint64_t offset, size_t n) {
  while (n > 0) {
    size_t start = static_cast<size_t>(offset % 26);
    size_t take = std::min(n, kPatternBlockSize - start);
    std::memcpy(out, pattern_block() + start, take);
    out += take;
    offset += take;
    n -= take;
  }
}

// "a=1&b=2" -> {{"a","1"},{"b","2"}}; no percent-decoding (test paths do not need it).
std::vector<H2Header> query_params(std::string_view query) {
  std::vector<H2Header> params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view item = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (item.empty()) continue;
    size_t eq = item.find('=');
    std::string name(item.substr(0, eq));
    std::string value(eq == std::string_view::npos ? std::string_view{} : item.substr(eq + 1));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](char ch) { return ch >= 'A' && ch <= 'Z' ? char(ch - 'A' + 'a') : ch; });
    params.emplace_back(std::move(name), std::move(value));
  }
  return params;
}

std::string query_value(const std::vector<H2Header> &params, std::string_view name) {
  for (const auto &[n, v] : params)
    if (n == name) return v;
  return {};
}

// Points into `headers`, which must outlive the result (an lvalue, never a temporary).
std::vector<nghttp2_nv> to_nv(const std::vector<H2Header> &headers) {
  std::vector<nghttp2_nv> nva;
  nva.reserve(headers.size());
  for (const auto &[name, value] : headers) {
    nva.push_back({reinterpret_cast<uint8_t *>(const_cast<char *>(name.data())),
                   reinterpret_cast<uint8_t *>(const_cast<char *>(value.data())), name.size(),
                   value.size(), NGHTTP2_NV_FLAG_NONE});
  }
  return nva;
}

std::vector<nghttp2_nv> to_nv(const std::vector<H2Header> &&) = delete;

enum class BodyKind { kNone, kText, kPattern };

// Submits HEADERS with `headers` (":status" first unless `raw`) and, unless kNone or HEAD,
// the body already stored in s. nghttp2 copies the header list.
void respond(H2Conn *c, H2Stream *s, const std::string &status, std::vector<H2Header> headers,
             BodyKind kind) {
  headers.insert(headers.begin(), {":status", status});
  std::vector<nghttp2_nv> nva = to_nv(headers);
  bool with_body = kind != BodyKind::kNone && s->method != "HEAD";
  s->pattern = kind == BodyKind::kPattern;
  nghttp2_data_provider provider{};
  provider.source.ptr = s;
  provider.read_callback = &read_body;
  nghttp2_submit_response(c->session.get(), s->id, nva.data(), nva.size(),
                          with_body ? &provider : nullptr);
}

void respond_text(H2Conn *c, H2Stream *s, const std::string &status, std::string text,
                  std::vector<H2Header> headers = {}) {
  headers.emplace_back("content-type", "text/plain");
  headers.emplace_back("content-length", std::to_string(text.size()));
  s->text = std::move(text);
  respond(c, s, status, std::move(headers), BodyKind::kText);
}

void respond_pattern(H2Conn *c, H2Stream *s, uint64_t n, bool with_length) {
  std::vector<H2Header> headers{{"content-type", "application/octet-stream"}};
  if (with_length) headers.emplace_back("content-length", std::to_string(n));
  s->pattern_total = n;
  respond(c, s, "200", std::move(headers), BodyKind::kPattern);
}

void on_delay_done(evutil_socket_t, short, void *arg) {
  auto *s = static_cast<H2Stream *>(arg);
  H2Conn *c = s->conn;
  respond_text(c, s, "200", "ok\n");
  conn_flush(c);
}

void on_slow_tick(evutil_socket_t, short, void *arg) {
  auto *s = static_cast<H2Stream *>(arg);
  H2Conn *c = s->conn;
  if (++s->allowed >= s->pattern_total) event_del(s->timer.get());
  nghttp2_session_resume_data(c->session.get(), s->id);
  conn_flush(c);
}

bool start_timer(H2Stream *s, event_callback_fn fn, short flags, uint64_t ms) {
  s->timer.reset(event_new(s->conn->core->base, -1, flags, fn, s));
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  return s->timer && event_add(s->timer.get(), &tv) == 0;
}

void push(H2Conn *c, H2Stream *s, uint64_t count) {
  nghttp2_session *session = c->session.get();
  if (nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_ENABLE_PUSH) != 1) return;
  for (uint64_t i = 1; i <= count; ++i) {
    std::string path = "/pushed/" + std::to_string(i);
    std::vector<H2Header> req{{":method", "GET"},
                              {":scheme", s->scheme.empty() ? "https" : s->scheme},
                              {":authority", s->authority},
                              {":path", path}};
    std::vector<nghttp2_nv> nva = to_nv(req);
    int32_t id = nghttp2_submit_push_promise(session, NGHTTP2_FLAG_NONE, s->id, nva.data(),
                                             nva.size(), nullptr);
    if (id < 0) return;
    auto pushed = std::make_unique<H2Stream>();
    pushed->conn = c;
    pushed->id = id;
    pushed->method = "GET";
    H2Stream *p = pushed.get();
    c->streams[id] = std::move(pushed);
    respond_text(c, p, "200", "pushed " + std::to_string(i) + "\n");
  }
}

// Writes a frame header: 24-bit length, type, flags, 31-bit stream id.
void add_frame_header(evbuffer *out, size_t length, uint8_t type, uint8_t flags, int32_t id) {
  uint8_t h[9] = {static_cast<uint8_t>(length >> 16),
                  static_cast<uint8_t>(length >> 8),
                  static_cast<uint8_t>(length),
                  type,
                  flags,
                  static_cast<uint8_t>(id >> 24),
                  static_cast<uint8_t>(id >> 16),
                  static_cast<uint8_t>(id >> 8),
                  static_cast<uint8_t>(id)};
  evbuffer_add(out, h, sizeof(h));
}

// An HPACK integer with an N-bit prefix (RFC 7541 5.1), the prefix bits given in `first`.
void add_hpack_int(std::string &out, uint8_t first, int prefix_bits, size_t value) {
  size_t max = (1u << prefix_bits) - 1;
  if (value < max) {
    out += static_cast<char>(first | value);
    return;
  }
  out += static_cast<char>(first | max);
  value -= max;
  while (value >= 128) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
}

// One CONTINUATION payload of exactly kFloodHeaderFrame bytes: a literal header
// "x-flood: aaa..." without indexing, so every frame adds a header to the client's list.
const std::string &flood_header_block() {
  static const std::string block = [] {
    std::string b;
    b += '\0';  // literal without indexing, new name
    add_hpack_int(b, 0, 7, 7);
    b += "x-flood";
    size_t value_len = kFloodHeaderFrame - b.size() - 2;  // the length takes 2 bytes here
    add_hpack_int(b, 0, 7, value_len);
    b.append(value_len, 'a');
    return b;
  }();
  return block;
}

Flood flood_kind(std::string_view path, uint64_t *count) {
  if (path == "/flood/ping") return *count = 100000, Flood::kPing;
  if (path == "/flood/settings") return *count = 100000, Flood::kSettings;
  if (path == "/flood/empty-data") return *count = 100000, Flood::kEmptyData;
  if (path == "/flood/rst") return *count = 1000, Flood::kRst;
  if (path == "/flood/headers") return *count = 0, Flood::kHeaders;
  return Flood::kNone;
}

}  // namespace

ssize_t read_body(nghttp2_session *session, int32_t stream_id, uint8_t *buf, size_t length,
                  uint32_t *data_flags, nghttp2_data_source *source, void *) {
  auto *s = static_cast<H2Stream *>(source->ptr);
  if (s->fail_after_headers) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // RST INTERNAL_ERROR
  if (s->flood != Flood::kNone) return NGHTTP2_ERR_DEFERRED;                // the stream never ends
  uint64_t total = s->pattern ? s->pattern_total : s->text.size();
  uint64_t limit = std::min(total, s->allowed);
  size_t n = static_cast<size_t>(std::min<uint64_t>(length, limit - s->sent));
  if (n == 0 && s->sent < total) return NGHTTP2_ERR_DEFERRED;  // /slow: resumed by its timer
  if (s->pattern) {
    copy_pattern(buf, s->sent, n);
  } else {
    std::memcpy(buf, s->text.data() + s->sent, n);
  }
  s->sent += n;
  if (s->sent == total) {
    *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    if (s->trailers) {
      nghttp2_nv trailer = {reinterpret_cast<uint8_t *>(const_cast<char *>("x-trailer")),
                            reinterpret_cast<uint8_t *>(const_cast<char *>("yes")), 9, 3,
                            NGHTTP2_NV_FLAG_NONE};
      if (nghttp2_submit_trailer(session, stream_id, &trailer, 1) == 0)
        *data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
    }
  }
  return static_cast<ssize_t>(n);
}

void route_request(H2Conn *c, H2Stream *s) {
  nghttp2_session *session = c->session.get();
  std::string_view target = s->path;
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::vector<H2Header> params =
      query_params(q == std::string_view::npos ? std::string_view{} : target.substr(q + 1));
  uint64_t n = 0;

  if (number_after(path, "/bytes/", kMaxBodyBytes, &n) ||
      number_after(path, "/big-window/", kMaxBodyBytes, &n)) {
    respond_pattern(c, s, n, true);
  } else if (number_after(path, "/nolength/", kMaxBodyBytes, &n)) {
    respond_pattern(c, s, n, false);
  } else if (number_after(path, "/slow/", kMaxBodyBytes, &n)) {
    s->allowed = 0;
    if (n > 0 && !start_timer(s, &on_slow_tick, EV_PERSIST, kSlowIntervalMs)) s->allowed = n;
    respond_pattern(c, s, n, true);
  } else if (path == "/echo") {
    std::string text = s->method + " " + s->path + "\n";
    for (const auto &[name, value] : s->headers) text += name + ": " + value + "\n";
    text += '\n';
    text += s->body;
    respond_text(c, s, "200", std::move(text));
  } else if (path == "/upload-size" || s->consume_per_tick > 0) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    std::string hex;
    if (s->sha && EVP_DigestFinal_ex(s->sha.get(), md, &md_len) == 1) {
      static const char kHex[] = "0123456789abcdef";
      for (unsigned int i = 0; i < md_len; ++i) {
        hex += kHex[md[i] >> 4];
        hex += kHex[md[i] & 15];
      }
    }
    respond_text(c, s, "200", std::to_string(s->body_bytes) + "\n", {{"x-body-sha256", hex}});
  } else if (number_after(path, "/status/", 599, &n) && n >= 100) {
    if (n < 200) {  // informational, then a final 200
      std::vector<H2Header> info{{":status", std::to_string(n)}};
      std::vector<nghttp2_nv> nva = to_nv(info);
      nghttp2_submit_headers(session, NGHTTP2_FLAG_NONE, s->id, nullptr, nva.data(), nva.size(),
                             nullptr);
      respond_text(c, s, "200", "ok\n", params);
    } else if (n == 204 || n == 304) {
      respond(c, s, std::to_string(n), params, BodyKind::kNone);
    } else {
      respond_text(c, s, std::to_string(n), "status " + std::to_string(n) + "\n", params);
    }
  } else if (number_after(path, "/delay/", kMaxDelayMs, &n)) {
    if (!start_timer(s, &on_delay_done, 0, n)) respond_text(c, s, "500", "no timer\n");
  } else if (number_after(path, "/gzip/", kMaxBodyBytes, &n)) {
    std::string plain(n, '\0');
    copy_pattern(reinterpret_cast<uint8_t *>(plain.data()), 0, plain.size());
    s->text = compress(plain, 31);
    respond(c, s, "200", {{"content-encoding", "gzip"}}, BodyKind::kText);
  } else if (path == "/basic-auth") {
    // "user:pass" is the one pair let in.
    bool ok = false;
    for (const auto &[name, value] : s->headers)
      ok |= name == "authorization" && value == "Basic dXNlcjpwYXNz";
    s->text = ok ? "authed\n" : "who are you?\n";
    respond(c, s, ok ? "200" : "401",
            ok ? std::vector<H2Header>{}
               : std::vector<H2Header>{{"www-authenticate", "Basic realm=\"t\""}},
            BodyKind::kText);
  } else if (path == "/trailers") {
    s->trailers = true;
    s->text = "hello";
    respond(c, s, "200", {{"content-type", "text/plain"}}, BodyKind::kText);
  } else if (path == "/rst") {
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_INTERNAL_ERROR);
  } else if (path == "/refuse") {
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_REFUSED_STREAM);
  } else if (path == "/rst-after-headers") {
    s->fail_after_headers = true;
    respond(c, s, "200", {{"content-type", "text/plain"}}, BodyKind::kText);
  } else if (path == "/goaway") {
    c->goaway_queued = true;
    nghttp2_submit_goaway(session, NGHTTP2_FLAG_NONE, std::max(0, s->id - 2), NGHTTP2_NO_ERROR,
                          nullptr, 0);
  } else if (path == "/push") {
    uint64_t count = 1;
    std::string k = query_value(params, "n");
    if (!k.empty() && !parse_decimal(k, kMaxPushes, &count)) count = 1;
    push(c, s, count);
    respond_text(c, s, "200", "main\n");
  } else if (number_after(path, "/pushed/", kMaxPushes, &n)) {
    respond_text(c, s, "200", "pushed " + std::to_string(n) + "\n");
  } else if (path == "/cl-mismatch") {
    s->text = "aaaaa";
    respond(c, s, "200", {{"content-length", "10"}}, BodyKind::kText);
  } else if (path == "/bad-status") {
    s->text = "x\n";
    respond(c, s, "abc", {}, BodyKind::kText);
  } else if (path == "/no-status") {
    std::vector<H2Header> head{{"content-type", "text/plain"}};
    std::vector<nghttp2_nv> nva = to_nv(head);
    nghttp2_submit_response(session, s->id, nva.data(), nva.size(), nullptr);
  } else if (number_after(path, "/huge-headers/", kMaxHugeHeader, &n)) {
    respond_text(c, s, "200", "ok\n", {{"x-huge", std::string(static_cast<size_t>(n), 'x')}});
  } else if (Flood kind = flood_kind(path, &s->flood_count); kind != Flood::kNone) {
    std::string k = query_value(params, "n");
    if (!k.empty()) parse_decimal(k, kMaxFloodFrames, &s->flood_count);
    s->flood = kind;
    if (kind == Flood::kHeaders) {
      c->floods_due.push_back(s->id);  // no nghttp2 HEADERS: the flood is the head
    } else {
      respond(c, s, "200", {{"content-type", "application/octet-stream"}}, BodyKind::kText);
    }
  } else {
    respond_text(c, s, "404", "not found\n");
  }
}

void write_floods(H2Conn *c) {
  evbuffer *out = bufferevent_get_output(c->bev);
  std::vector<int32_t> due = std::move(c->floods_due);
  c->floods_due.clear();
  for (int32_t id : due) {
    H2Stream *s = c->find(id);
    if (s == nullptr) continue;
    static const uint8_t kPingData[8] = {'e', 'v', 'm', 'f', 'l', 'o', 'o', 'd'};
    static const uint8_t kInternalError[4] = {0, 0, 0, NGHTTP2_INTERNAL_ERROR};
    for (uint64_t i = 0; i < s->flood_count; ++i) {
      switch (s->flood) {
        case Flood::kPing:
          add_frame_header(out, 8, NGHTTP2_PING, 0, 0);
          evbuffer_add(out, kPingData, sizeof(kPingData));
          break;
        case Flood::kSettings:
          add_frame_header(out, 0, NGHTTP2_SETTINGS, 0, 0);
          ++c->settings_acks_to_drop;  // nghttp2 would take the client's ACK as an error
          break;
        case Flood::kEmptyData:
          add_frame_header(out, 0, NGHTTP2_DATA, 0, id);
          break;
        case Flood::kRst:
          add_frame_header(out, 4, NGHTTP2_RST_STREAM, 0, id);
          evbuffer_add(out, kInternalError, sizeof(kInternalError));
          break;
        case Flood::kHeaders:
        case Flood::kNone:
          break;
      }
    }
    if (s->flood == Flood::kHeaders && c->mode == H2Conn::Mode::kActive) {
      // ":status: 200" (static table index 8) without END_HEADERS, then CONTINUATION forever.
      static const uint8_t kStatus200 = 0x88;
      add_frame_header(out, 1, NGHTTP2_HEADERS, 0, id);
      evbuffer_add(out, &kStatus200, 1);
      c->mode = H2Conn::Mode::kFloodHeaders;
      c->flood_headers_stream = id;
      refill_headers_flood(c);
    }
  }
}

void refill_headers_flood(H2Conn *c) {
  evbuffer *out = bufferevent_get_output(c->bev);
  const std::string &block = flood_header_block();
  while (evbuffer_get_length(out) < kFloodOutHighWater) {
    add_frame_header(out, block.size(), NGHTTP2_CONTINUATION, 0, c->flood_headers_stream);
    evbuffer_add_reference(out, block.data(), block.size(), nullptr, nullptr);
  }
}

}  // namespace evm::test::h2
