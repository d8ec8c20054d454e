#include "http/h2_session.h"

#include <algorithm>

#include "conn/connection.h"
#include "http/h2_stream.h"

namespace evm {

namespace {

// What one read takes from the chain; thread-local because a session reads in the socket
// dispatch too, where no transfer lends its buffer.
std::span<char> read_buffer() {
  thread_local char buf[64 * 1024];
  return {buf, sizeof buf};
}

// Frames are gathered up to this much before a send, so one wake-up costs one write.
constexpr size_t kSendBatch = 64 * 1024;

}  // namespace

H2Session::H2Session(Filter &chain, const H2Settings &settings)
    : chain_(chain), settings_(settings) {
  // One set for every session, made once and kept for the life of the process.
  static nghttp2_session_callbacks *const cbs = [] {
    nghttp2_session_callbacks *c = nullptr;
    nghttp2_session_callbacks_new(&c);
    nghttp2_session_callbacks_set_on_begin_frame_callback(c, on_begin_frame);
    nghttp2_session_callbacks_set_on_begin_headers_callback(c, on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(c, on_header);
    nghttp2_session_callbacks_set_on_frame_recv_callback(c, on_frame_recv);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(c, on_data_chunk);
    nghttp2_session_callbacks_set_on_stream_close_callback(c, on_stream_close);
    return c;
  }();
  nghttp2_option *opt = nullptr;
  nghttp2_option_new(&opt);
  // Windows open as the transfers take their bytes (nghttp2_session_consume), not on receipt.
  nghttp2_option_set_no_auto_window_update(opt, 1);
  // Until the server's SETTINGS say otherwise, as libcurl assumes.
  nghttp2_option_set_peer_max_concurrent_streams(opt, 100);
  nghttp2_option_set_max_settings(opt, limits::kH2SettingsEntries);
  nghttp2_option_set_max_outbound_ack(opt, limits::kH2OutboundAcks);
  if (nghttp2_session_client_new2(&ng_, cbs, this, opt) != 0) ng_ = nullptr;
  nghttp2_option_del(opt);
  if (!ng_) {
    fail(CURLE_OUT_OF_MEMORY, "Could not create an HTTP/2 session");
    return;
  }
  nghttp2_settings_entry iv[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(kStreamWindow)},
      {NGHTTP2_SETTINGS_ENABLE_PUSH, settings_.enable_push ? 1u : 0u},
  };
  nghttp2_submit_settings(ng_, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]);
  nghttp2_session_set_local_window_size(ng_, NGHTTP2_FLAG_NONE, 0, kConnectionWindow);
}

H2Session::~H2Session() {
  streams_.clear();  // before the session they reset their streams in
  pushed_.clear();
  if (ng_) nghttp2_session_del(ng_);
}

Exchange &H2Session::stream_for(ConnectionUser &user) {
  auto &slot = streams_[&user];
  slot = std::make_unique<H2Stream>(*this, &user);
  return *slot;
}

Exchange *H2Session::adopt_push(ConnectionUser &user, int32_t id) {
  auto it = pushed_.find(id);
  if (it == pushed_.end()) return nullptr;
  auto &slot = streams_[&user];
  slot = std::move(it->second);
  pushed_.erase(it);
  slot->adopt(user);
  return slot.get();
}

void H2Session::answer_promise() {
  H2Promise p = std::move(promise_);
  promise_ = H2Promise{};
  PushAnswer a = on_push && p.parent ? on_push(p) : PushAnswer::Deny;
  if (a == PushAnswer::Accept) {
    auto st = std::make_unique<H2Stream>(*this, nullptr);
    st->expect_push(p.id);
    nghttp2_session_set_stream_user_data(ng_, p.id, st.get());
    pushed_[p.id] = std::move(st);
    return;
  }
  nghttp2_submit_rst_stream(ng_, NGHTTP2_FLAG_NONE, p.id, NGHTTP2_CANCEL);
  if (a == PushAnswer::FailParent)
    for (auto &[user, s] : streams_)
      if (user == p.parent) s->push_refused();
}

void H2Session::drop_stream(ConnectionUser &user) {
  auto it = streams_.find(&user);
  if (it == streams_.end()) return;
  streams_.erase(it);  // resets it when unfinished
  want_flush();
}

H2Stream *H2Session::stream(int32_t id) {
  return ng_ ? static_cast<H2Stream *>(nghttp2_session_get_stream_user_data(ng_, id)) : nullptr;
}

size_t H2Session::capacity() const {
  if (!settings_.multiplex || !settings_seen_) return 1;
  uint32_t theirs =
      ng_ ? nghttp2_session_get_remote_settings(ng_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS) : 1;
  return std::max<size_t>(1, std::min(theirs, settings_.max_streams));
}

void H2Session::fail(CURLcode rc, std::string text) {
  if (failed_) return;
  failed_ = true;
  code_ = rc;
  error_ = std::move(text);
  more_input_ = false;
  for (auto &[user, s] : streams_) s->connection_failed();
}

void H2Session::on_socket_event(FilterContext &ctx, int cselect) {
  if (failed_) return;
  bool readable = cselect == 0 || (cselect & CURL_CSELECT_IN);
  if (readable || more_input_ || chain_.data_pending()) read(ctx);
  want_flush();  // also when writable: what was blocked goes out with the next flush
}

void H2Session::read_leftover(FilterContext &ctx) {
  if (!failed_ && (more_input_ || chain_.data_pending())) read(ctx);
}

void H2Session::want_flush() {
  if (flush_due_ || failed_) return;
  flush_due_ = true;
  if (on_output) on_output();
}

void H2Session::pump(FilterContext &ctx, bool want_read) {
  if (failed_) return;
  if (want_read || more_input_ || chain_.data_pending()) read(ctx);
  flush(ctx);
}

void H2Session::read(FilterContext &ctx) {
  std::span<char> buf = read_buffer();
  size_t budget = kTurnBudget;
  more_input_ = false;
  while (!failed_) {
    CURLcode rc = CURLE_OK;
    ssize_t n = chain_.recv(ctx, buf.data(), buf.size(), rc);
    if (n < 0) {
      if (rc != CURLE_AGAIN)
        fail(rc, ctx.error.empty() ? "HTTP/2 connection: receive failure" : ctx.error);
      return;
    }
    if (n == 0) {
      fail(CURLE_PARTIAL_FILE, "");  // each open stream says which of them was cut
      return;
    }
    ssize_t used = nghttp2_session_mem_recv(ng_, reinterpret_cast<const uint8_t *>(buf.data()),
                                            static_cast<size_t>(n));
    if (used < 0) {
      // A limit of ours said why already; else nghttp2's reason (a flood, a protocol error).
      std::string why = error_.empty() ? std::string("HTTP/2 protocol error: ") +
                                             nghttp2_strerror(static_cast<int>(used))
                                       : error_;
      fail(CURLE_HTTP2, std::move(why));
      return;
    }
    if (static_cast<size_t>(n) >= budget) {
      more_input_ = true;
      return;
    }
    budget -= static_cast<size_t>(n);
  }
}

void H2Session::flush(FilterContext &ctx) {
  flush_due_ = false;
  if (failed_) return;
  for (;;) {
    // Gather frames up to a batch, then write them at once.
    while (out_.size() - out_off_ < kSendBatch) {
      const uint8_t *data = nullptr;
      ssize_t n = nghttp2_session_mem_send(ng_, &data);
      if (n < 0) {
        fail(CURLE_HTTP2,
             std::string("HTTP/2 send error: ") + nghttp2_strerror(static_cast<int>(n)));
        return;
      }
      if (n == 0) break;
      if (out_off_ == out_.size()) {
        out_.clear();
        out_off_ = 0;
      }
      out_.append(reinterpret_cast<const char *>(data), static_cast<size_t>(n));
    }
    if (out_off_ == out_.size()) return;
    CURLcode rc = CURLE_OK;
    ssize_t n = chain_.send(ctx, out_.data() + out_off_, out_.size() - out_off_, rc);
    if (n < 0) {
      if (rc != CURLE_AGAIN)
        fail(rc, ctx.error.empty() ? "HTTP/2 connection: send failure" : ctx.error);
      return;  // blocked: the pollset asks for writability
    }
    out_off_ += static_cast<size_t>(n);
    if (out_off_ < out_.size()) return;
  }
}

void H2Session::add_pollset(Pollset &ps) const {
  if (failed_) return;
  chain_.adjust_pollset(ps, out_off_ < out_.size(), true);
}

bool H2Session::alive(FilterContext &ctx) {
  pump(ctx, true);
  return accepts_streams();
}

int H2Session::on_begin_frame(nghttp2_session *, const nghttp2_frame_hd *hd, void *self) {
  auto *s = static_cast<H2Session *>(self);
  if (hd->type == NGHTTP2_HEADERS || hd->type == NGHTTP2_CONTINUATION ||
      hd->type == NGHTTP2_PUSH_PROMISE) {
    if (hd->type != NGHTTP2_CONTINUATION) s->block_bytes_ = 0;
    s->block_bytes_ += hd->length;
    if (s->block_bytes_ > kMaxHeaderBlock) {
      s->error_ = "HTTP/2 header block over " + std::to_string(kMaxHeaderBlock) + " bytes";
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
  } else if (hd->type == NGHTTP2_DATA) {
    bool empty = hd->length == 0 && !(hd->flags & NGHTTP2_FLAG_END_STREAM);
    s->empty_data_ = empty ? s->empty_data_ + 1 : 0;
    if (s->empty_data_ > kMaxEmptyData) {
      s->error_ = "HTTP/2 flood of empty DATA frames";
      return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
  }
  return 0;
}

int H2Session::on_begin_headers(nghttp2_session *, const nghttp2_frame *f, void *self) {
  auto *s = static_cast<H2Session *>(self);
  if (f->hd.type == NGHTTP2_PUSH_PROMISE) {
    H2Stream *parent = s->stream(f->hd.stream_id);
    s->promise_ = H2Promise{};
    s->promise_.parent = parent ? parent->user() : nullptr;
    s->promise_.id = f->push_promise.promised_stream_id;
    return 0;
  }
  if (f->hd.type != NGHTTP2_HEADERS) return 0;
  if (H2Stream *st = s->stream(f->hd.stream_id)) st->begin_head();
  return 0;
}

int H2Session::on_header(nghttp2_session *, const nghttp2_frame *f, const uint8_t *name,
                         size_t namelen, const uint8_t *value, size_t valuelen, uint8_t,
                         void *self) {
  auto *s = static_cast<H2Session *>(self);
  if (f->hd.type == NGHTTP2_PUSH_PROMISE) {
    H2Promise &p = s->promise_;
    p.bytes += namelen + valuelen;
    if (p.bytes > kMaxHeaderBytes) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    p.headers.emplace_back(std::string(reinterpret_cast<const char *>(name), namelen),
                           std::string(reinterpret_cast<const char *>(value), valuelen));
    return 0;
  }
  if (f->hd.type != NGHTTP2_HEADERS) return 0;
  H2Stream *st = s->stream(f->hd.stream_id);
  if (!st) return 0;
  if (!st->add_header({reinterpret_cast<const char *>(name), namelen},
                      {reinterpret_cast<const char *>(value), valuelen}))
    return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;  // resets this stream only
  return 0;
}

int H2Session::on_frame_recv(nghttp2_session *, const nghttp2_frame *f, void *self) {
  auto *s = static_cast<H2Session *>(self);
  switch (f->hd.type) {
    case NGHTTP2_HEADERS:
      if (H2Stream *st = s->stream(f->hd.stream_id))
        st->end_head((f->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0);
      break;
    case NGHTTP2_DATA:
      if (f->hd.flags & NGHTTP2_FLAG_END_STREAM)
        if (H2Stream *st = s->stream(f->hd.stream_id)) st->end_stream();
      break;
    case NGHTTP2_PUSH_PROMISE:
      s->answer_promise();
      break;
    case NGHTTP2_SETTINGS:
      if (!(f->hd.flags & NGHTTP2_FLAG_ACK)) {
        s->settings_seen_ = true;
        if (s->on_capacity) s->on_capacity();
      }
      break;
    case NGHTTP2_GOAWAY:
      // Streams above its last id are closed by nghttp2 as refused; the others may finish.
      s->goaway_ = true;
      s->goaway_error_ = f->goaway.error_code;
      s->goaway_last_ = f->goaway.last_stream_id;
      break;
    default:
      break;
  }
  return 0;
}

int H2Session::on_data_chunk(nghttp2_session *ng, uint8_t, int32_t id, const uint8_t *data,
                             size_t len, void *self) {
  auto *s = static_cast<H2Session *>(self);
  if (H2Stream *st = s->stream(id))
    st->add_data(data, len);
  else
    nghttp2_session_consume(ng, id, len);  // nobody takes it: give the window back now
  return 0;
}

int H2Session::on_stream_close(nghttp2_session *, int32_t id, uint32_t error_code, void *self) {
  auto *s = static_cast<H2Session *>(self);
  if (H2Stream *st = s->stream(id)) st->closed(error_code);
  return 0;
}

}  // namespace evm
