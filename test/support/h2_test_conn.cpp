// One HTTP/2 test server connection: input bytes go into nghttp2_session_mem_recv, frames
// come out of nghttp2_session_mem_send into the bufferevent, topped up as the socket drains
// so a large body never sits whole in memory. The connection is freed only outside nghttp2
// callbacks (after mem_recv/mem_send return).
#include "server_util.h"
#include "h2_test_conn.h"

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <sys/socket.h>

#include <algorithm>
#include <string_view>

namespace evm::test::h2 {
namespace {

using server_util::parse_decimal;
using server_util::send_close_notify;

constexpr size_t kOutHighWater = 256 * 1024;  // stop serializing above this
constexpr size_t kOutLowWater = 64 * 1024;    // ...and resume below this
constexpr int kLingerSeconds = 2;
constexpr size_t kMaxKeptBody = 64u << 20;   // /echo bodies
constexpr size_t kMaxRequestHeaders = 1000;  // per stream; more: RST_STREAM
constexpr uint64_t kMaxConsumePerTick = 16u << 20;
constexpr int kConsumeIntervalMs = 20;

H2Conn *conn_of(void *user_data) {
  return static_cast<H2Conn *>(user_data);
}

evbuffer *out_of(H2Conn *c) {
  return bufferevent_get_output(c->bev);
}

// --- nghttp2 callbacks ---------------------------------------------------------------------

int on_begin_headers(nghttp2_session *, const nghttp2_frame *frame, void *user_data) {
  H2Conn *c = conn_of(user_data);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto s = std::make_unique<H2Stream>();
  s->conn = c;
  s->id = frame->hd.stream_id;
  s->request = true;
  s->ordinal = ++c->requests_seen;
  if (frame->hd.flags & NGHTTP2_FLAG_PRIORITY) {
    const nghttp2_priority_spec &p = frame->headers.pri_spec;
    std::lock_guard<std::mutex> lock(c->core->mu);
    c->core->priorities.push_back({s->id, p.weight, p.stream_id, p.exclusive});
  }
  c->streams[s->id] = std::move(s);
  c->core->streams_opened.fetch_add(1);
  c->core->note_open_streams(++c->open_requests);
  return 0;
}

int on_header(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
              const uint8_t *value, size_t valuelen, uint8_t, void *user_data) {
  H2Stream *s = conn_of(user_data)->find(frame->hd.stream_id);
  if (s == nullptr || !s->request) return 0;
  // nghttp2 answers this with RST_STREAM (INTERNAL_ERROR) on the stream.
  if (s->headers.size() >= kMaxRequestHeaders) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  std::string n(reinterpret_cast<const char *>(name), namelen);
  std::string v(reinterpret_cast<const char *>(value), valuelen);
  if (n == ":method") s->method = v;
  if (n == ":path") s->path = v;
  if (n == ":scheme") s->scheme = v;
  if (n == ":authority") s->authority = v;
  s->headers.emplace_back(std::move(n), std::move(v));
  return 0;
}

// The request head is complete: decide what to do with its body.
// /slow-read: releases at most consume_per_tick received bytes to the client's windows.
void on_consume_tick(evutil_socket_t, short, void *arg) {
  auto *s = static_cast<H2Stream *>(arg);
  size_t n = static_cast<size_t>(std::min(s->unconsumed, s->consume_per_tick));
  if (n == 0) return;
  s->unconsumed -= n;
  nghttp2_session_consume(s->conn->session.get(), s->id, n);
  conn_flush(s->conn);  // the WINDOW_UPDATEs
}

void on_request_head(H2Conn *c, H2Stream *s) {
  {
    std::lock_guard<std::mutex> lock(c->core->mu);
    c->core->last_headers = s->headers;
  }
  std::string_view path = s->path;
  path = path.substr(0, path.find('?'));
  s->keep_body = path == "/echo";
  uint64_t per_tick = 0;
  if (path.substr(0, 11) == "/slow-read/" &&
      parse_decimal(path.substr(11), kMaxConsumePerTick, &per_tick) && per_tick > 0) {
    s->timer.reset(event_new(c->core->base, -1, EV_PERSIST, &on_consume_tick, s));
    timeval tv{0, kConsumeIntervalMs * 1000};
    if (s->timer && event_add(s->timer.get(), &tv) == 0) s->consume_per_tick = per_tick;
  }
  if (path == "/upload-size" || s->consume_per_tick > 0) {
    s->sha.reset(EVP_MD_CTX_new());
    if (s->sha && EVP_DigestInit_ex(s->sha.get(), EVP_sha256(), nullptr) != 1) s->sha.reset();
  }
}

int on_frame_recv(nghttp2_session *session, const nghttp2_frame *frame, void *user_data) {
  H2Conn *c = conn_of(user_data);
  H2Core *core = c->core;
  switch (frame->hd.type) {
    case NGHTTP2_RST_STREAM:
      core->rst_received.fetch_add(1);
      return 0;
    case NGHTTP2_PING:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) {
        core->pings_received.fetch_add(1);
      } else {
        core->ping_acks_received.fetch_add(1);
      }
      return 0;
    case NGHTTP2_GOAWAY:
      core->goaways_received.fetch_add(1);
      return 0;
    case NGHTTP2_WINDOW_UPDATE:
      core->window_updates_received.fetch_add(1);
      return 0;
    case NGHTTP2_SETTINGS:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) {
        std::lock_guard<std::mutex> lock(core->mu);
        core->last_enable_push =
            nghttp2_session_get_remote_settings(session, NGHTTP2_SETTINGS_ENABLE_PUSH);
      }
      return 0;
    case NGHTTP2_HEADERS:
    case NGHTTP2_DATA:
      break;
    default:
      return 0;
  }
  H2Stream *s = c->find(frame->hd.stream_id);
  if (s == nullptr || !s->request) return 0;
  if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
    on_request_head(c, s);
  if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0 && !s->dispatched) {
    s->dispatched = true;
    // Beyond goaway_after, streams are left unanswered: the GOAWAY will refuse them.
    uint32_t after = core->options.goaway_after;
    if (after == 0 || s->ordinal <= after) route_request(c, s);
  }
  return 0;
}

int on_data_chunk(nghttp2_session *session, uint8_t, int32_t stream_id, const uint8_t *data,
                  size_t len, void *user_data) {
  H2Conn *c = conn_of(user_data);
  c->core->data_bytes_received.fetch_add(len);
  H2Stream *s = c->find(stream_id);
  // Window updates are ours to send (see conn_open): at once, except for /slow-read.
  if (s != nullptr && s->consume_per_tick > 0) {
    s->unconsumed += len;
  } else {
    nghttp2_session_consume(session, stream_id, len);
  }
  if (s == nullptr || !s->request) return 0;
  s->body_bytes += len;
  if (s->sha) EVP_DigestUpdate(s->sha.get(), data, len);
  if (!s->keep_body) return 0;
  if (s->body.size() + len > kMaxKeptBody) {
    s->keep_body = false;
    s->dispatched = true;  // never answered: the stream is reset
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_ENHANCE_YOUR_CALM);
    return 0;
  }
  s->body.append(reinterpret_cast<const char *>(data), len);
  return 0;
}

int on_frame_send(nghttp2_session *session, const nghttp2_frame *frame, void *user_data) {
  H2Conn *c = conn_of(user_data);
  switch (frame->hd.type) {
    case NGHTTP2_PUSH_PROMISE:
      c->core->pushes_promised.fetch_add(1);
      break;
    case NGHTTP2_GOAWAY:
      c->core->goaways_sent.fetch_add(1);
      break;
    case NGHTTP2_PING:
      if ((frame->hd.flags & NGHTTP2_FLAG_ACK) == 0) c->core->pings_sent.fetch_add(1);
      break;
    case NGHTTP2_DATA:
      c->core->data_bytes_sent.fetch_add(frame->hd.length);
      break;
    default:
      break;
  }
  if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
  H2Stream *s = c->find(frame->hd.stream_id);
  if (s == nullptr) return 0;
  if (frame->hd.type == NGHTTP2_HEADERS && s->flood != Flood::kNone) c->floods_due.push_back(s->id);
  if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) return 0;
  c->core->responses_completed.fetch_add(1);
  if (!s->request) return 0;
  uint32_t after = c->core->options.goaway_after;
  if (after > 0 && s->ordinal == after && !c->goaway_queued) {
    c->goaway_queued = true;
    nghttp2_submit_goaway(session, NGHTTP2_FLAG_NONE, s->id, NGHTTP2_NO_ERROR, nullptr, 0);
  }
  return 0;
}

int on_stream_close(nghttp2_session *, int32_t stream_id, uint32_t, void *user_data) {
  H2Conn *c = conn_of(user_data);
  auto it = c->streams.find(stream_id);
  if (it == c->streams.end()) return 0;
  if (it->second->request) --c->open_requests;
  // What a /slow-read stream had not released yet still counts against the connection.
  if (it->second->unconsumed > 0)
    nghttp2_session_consume_connection(c->session.get(),
                                       static_cast<size_t>(it->second->unconsumed));
  c->streams.erase(it);  // frees its timer: nothing of it runs any more
  return 0;
}

// --- connection I/O --------------------------------------------------------------------------

void on_linger_timeout(evutil_socket_t, short, void *arg) {
  conn_free(static_cast<H2Conn *>(arg));
}

// FIN now, then read until the client closes: closing with unread input would send RST.
// False if the connection was freed.
bool close_gracefully(H2Conn *c) {
  if (c->core->ssl_ctx != nullptr) send_close_notify(c->bev);
  if (c->peer_eof) {
    conn_free(c);
    return false;
  }
  shutdown(bufferevent_getfd(c->bev), SHUT_WR);
  c->mode = H2Conn::Mode::kLingering;
  c->linger_timer.reset(evtimer_new(c->core->base, &on_linger_timeout, c));
  if (!c->linger_timer) {
    conn_free(c);
    return false;
  }
  timeval tv{kLingerSeconds, 0};
  evtimer_add(c->linger_timer.get(), &tv);
  evbuffer *in = bufferevent_get_input(c->bev);
  evbuffer_drain(in, evbuffer_get_length(in));
  return true;
}

bool begin_close(H2Conn *c) {
  c->mode = H2Conn::Mode::kClosing;
  bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);  // the write callback fires when empty
  if (evbuffer_get_length(out_of(c)) == 0) return close_gracefully(c);
  return true;
}

void on_read(bufferevent *bev, void *arg) {
  H2Conn *c = static_cast<H2Conn *>(arg);
  evbuffer *in = bufferevent_get_input(bev);
  if (c->mode != H2Conn::Mode::kActive) {
    evbuffer_drain(in, evbuffer_get_length(in));
    return;
  }
  while (evbuffer_get_length(in) > 0) {
    if (c->pass_left == 0) {  // at a frame header: see whether it is an ACK to drop
      uint8_t hd[9];
      if (evbuffer_copyout(in, hd, sizeof(hd)) < static_cast<ev_ssize_t>(sizeof(hd))) break;
      size_t length = (size_t{hd[0]} << 16) | (size_t{hd[1]} << 8) | hd[2];
      if (hd[3] == NGHTTP2_SETTINGS && (hd[4] & NGHTTP2_FLAG_ACK) != 0 && length == 0 &&
          c->settings_acks_to_drop > 0) {
        --c->settings_acks_to_drop;
        evbuffer_drain(in, sizeof(hd));
        continue;
      }
      c->pass_left = sizeof(hd) + length;
    }
    evbuffer_iovec vec{};
    if (evbuffer_peek(in, -1, nullptr, &vec, 1) < 1) break;
    size_t take = static_cast<size_t>(std::min<uint64_t>(vec.iov_len, c->pass_left));
    ssize_t n = nghttp2_session_mem_recv(c->session.get(),
                                         static_cast<const uint8_t *>(vec.iov_base), take);
    if (n < 0) {  // not HTTP/2 at all, or nghttp2 gave up: nothing more to say
      evbuffer_drain(in, evbuffer_get_length(in));
      begin_close(c);
      return;
    }
    evbuffer_drain(in, static_cast<size_t>(n));
    c->pass_left -= static_cast<uint64_t>(n);
    if (c->mode != H2Conn::Mode::kActive) {
      evbuffer_drain(in, evbuffer_get_length(in));
      break;
    }
  }
  conn_flush(c);
}

void on_write(bufferevent *, void *arg) {
  H2Conn *c = static_cast<H2Conn *>(arg);
  switch (c->mode) {
    case H2Conn::Mode::kActive:
      conn_flush(c);
      return;
    case H2Conn::Mode::kFloodHeaders:
      refill_headers_flood(c);
      return;
    case H2Conn::Mode::kClosing:
      if (evbuffer_get_length(out_of(c)) == 0) close_gracefully(c);
      return;
    case H2Conn::Mode::kLingering:
      return;
  }
}

void on_event(bufferevent *bev, short what, void *arg) {
  H2Conn *c = static_cast<H2Conn *>(arg);
  if (what == BEV_EVENT_CONNECTED) {  // TLS handshake done
    SSL *ssl = bufferevent_openssl_get_ssl(bev);
    const unsigned char *alpn = nullptr;
    unsigned int alpn_len = 0;
    if (ssl != nullptr) SSL_get0_alpn_selected(ssl, &alpn, &alpn_len);
    std::lock_guard<std::mutex> lock(c->core->mu);
    c->core->last_alpn.assign(reinterpret_cast<const char *>(alpn), alpn != nullptr ? alpn_len : 0);
    return;
  }
  if ((what & BEV_EVENT_ERROR) != 0 || (what & BEV_EVENT_EOF) == 0) {
    conn_free(c);
    return;
  }
  // The client shut down its sending side: write what is queued, then close.
  c->peer_eof = true;
  if (c->mode == H2Conn::Mode::kLingering || evbuffer_get_length(out_of(c)) == 0) {
    conn_free(c);
    return;
  }
  c->mode = H2Conn::Mode::kClosing;
  bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
  // An OpenSSL bufferevent stops writing at EOF; the peer may still read.
  if (c->core->ssl_ctx != nullptr) bufferevent_enable(c->bev, EV_WRITE);
}

// Moves nghttp2's queued frames into the output up to the high-water mark. False on a
// session error.
bool serialize(H2Conn *c) {
  evbuffer *out = out_of(c);
  while (evbuffer_get_length(out) < kOutHighWater) {
    const uint8_t *data = nullptr;
    ssize_t n = nghttp2_session_mem_send(c->session.get(), &data);
    if (n < 0) return false;
    if (n == 0) break;
    evbuffer_add(out, data, static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

bool conn_flush(H2Conn *c) {
  if (c->mode != H2Conn::Mode::kActive) return true;
  nghttp2_session *session = c->session.get();
  bool ok = serialize(c);
  // mem_send returns whole frames, and every frame queued so far is out: a flood's raw
  // frames follow its HEADERS without splitting anything.
  if (ok && !c->floods_due.empty()) write_floods(c);
  if (!ok) {
    conn_free(c);
    return false;
  }
  if (c->mode == H2Conn::Mode::kFloodHeaders) return true;
  if (nghttp2_session_want_read(session) == 0 && nghttp2_session_want_write(session) == 0)
    return begin_close(c);
  return true;
}

void conn_free(H2Conn *c) {
  H2Core *core = c->core;
  c->session.reset();
  c->streams.clear();
  c->linger_timer.reset();
  bufferevent_free(c->bev);
  core->open.fetch_sub(1);
  core->conns.erase(c);
}

bool conn_open(H2Core *core, bufferevent *bev) {
  auto conn = std::make_unique<H2Conn>();
  H2Conn *c = conn.get();
  c->core = core;
  c->bev = bev;

  nghttp2_session_callbacks *cbs = nullptr;
  nghttp2_option *opt = nullptr;
  if (nghttp2_session_callbacks_new(&cbs) != 0 || nghttp2_option_new(&opt) != 0) {
    if (cbs != nullptr) nghttp2_session_callbacks_del(cbs);
    bufferevent_free(bev);
    return false;
  }
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, &on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(cbs, &on_header);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, &on_frame_recv);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, &on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_send_callback(cbs, &on_frame_send);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, &on_stream_close);
  // /huge-headers sends header blocks far above nghttp2's 64 KiB default.
  nghttp2_option_set_max_send_header_block_length(opt, 128u << 20);
  // For /slow-read; every other stream consumes what it receives at once.
  nghttp2_option_set_no_auto_window_update(opt, 1);
  nghttp2_session *session = nullptr;
  int rv = nghttp2_session_server_new2(&session, cbs, c, opt);
  nghttp2_session_callbacks_del(cbs);
  nghttp2_option_del(opt);
  if (rv != 0) {
    bufferevent_free(bev);
    return false;
  }
  c->session.reset(session);

  const H2TestServerOptions &o = core->options;
  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, o.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, o.initial_window_size},
      {NGHTTP2_SETTINGS_HEADER_TABLE_SIZE, o.header_table_size},
  };
  if (nghttp2_submit_settings(session, NGHTTP2_FLAG_NONE, settings, 3) != 0) {
    bufferevent_free(bev);
    return false;
  }
  bufferevent_setcb(bev, &on_read, &on_write, &on_event, c);
  bufferevent_setwatermark(bev, EV_WRITE, kOutLowWater, 0);
  bufferevent_enable(bev, EV_READ | EV_WRITE);
  core->open.fetch_add(1);
  core->conns.emplace(c, std::move(conn));
  conn_flush(c);  // the server's SETTINGS go out at once
  return true;
}

}  // namespace evm::test::h2
