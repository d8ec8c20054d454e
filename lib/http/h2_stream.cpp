#include "http/h2_stream.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "conn/connection.h"
#include "http/h2_session.h"
#include "util/trace.h"

namespace evm {

namespace {

ssize_t read_body_cb(nghttp2_session *ng, int32_t id, uint8_t *buf, size_t len, uint32_t *flags,
                     nghttp2_data_source *, void *) {
  // Looked up by id, not kept in the source: a stream reset while its DATA waited is gone.
  auto *st = static_cast<H2Stream *>(nghttp2_session_get_stream_user_data(ng, id));
  if (!st) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  return st->provide_body(buf, len, flags);
}

}  // namespace

H2Stream::~H2Stream() {
  nghttp2_session *ng = session_.ng();
  if (!ng || id_ <= 0) return;
  nghttp2_session_set_stream_user_data(ng, id_, nullptr);
  if (!closed_ && !session_.failed_)
    nghttp2_submit_rst_stream(ng, NGHTTP2_FLAG_NONE, id_, NGHTTP2_CANCEL);
}

void H2Stream::adopt(ConnectionUser &user) {
  user_ = &user;
  if (!heads_.empty() || body_off_ < body_.size() || ended_ || closed_) wake();
}

void H2Stream::push_refused() {
  push_refused_ = true;
  wake();
}

void H2Stream::start(const ExchangeRequest &req, ExchangeSink &sink) {
  sink_ = &sink;
  head_request_ = req.head_request;
  if (pushed_) return;  // the server made the request; nothing goes out
  bool has_body = req.chunked || req.body_size > 0;
  body_eos_ = !has_body;
  if (!session_.accepts_streams()) {
    code_ = session_.failed_ ? session_.failure() : CURLE_SEND_ERROR;
    refused_ = !session_.failed_;  // going away: another connection may take it
    return;
  }
  if (!h2::convert_request(req.head, req.tls, req.expect_100, req_)) {
    code_ = CURLE_SEND_ERROR;
    return;
  }
  head_bytes_ = req_.display.size();
  nghttp2_data_provider prd{};
  prd.read_callback = read_body_cb;
  nghttp2_priority_spec pri;
  nghttp2_priority_spec_init(&pri, req.depends_on, req.weight, req.exclusive ? 1 : 0);
  bool default_priority = req.depends_on == 0 && req.weight == NGHTTP2_DEFAULT_WEIGHT;
  id_ = nghttp2_submit_request(session_.ng(), default_priority ? nullptr : &pri, req_.nv.data(),
                               req_.nv.size(), has_body ? &prd : nullptr, this);
  if (id_ < 0) {
    code_ = CURLE_SEND_ERROR;
    refused_ = id_ == NGHTTP2_ERR_STREAM_ID_NOT_AVAILABLE;  // this connection ran out of ids
  }
}

void H2Stream::set_io_sizes(size_t, size_t send_chunk) {
  // Reads go through the session's own buffer; only the upload piece size applies per stream.
  send_chunk_ = send_chunk ? send_chunk : 64 * 1024;
}

Exchange::Status H2Stream::fail(CURLcode rc, FilterContext &ctx, std::string text) {
  code_ = rc;
  ctx.error = std::move(text);
  return Status::Failed;
}

Exchange::Status H2Stream::on_io(Filter &, FilterContext &ctx, int, std::span<char>) {
  woken_ = false;
  if (id_ <= 0)
    return fail(code_, ctx,
                refused_           ? "HTTP/2 connection does not take new streams"
                : session_.failed_ ? session_.failure_text()
                                   : "HTTP/2: could not open a stream");
  // A closed stream takes no more body: the server has answered (or reset it).
  if (!body_eos_ && !aborted_ && !closed_ && !refill(ctx)) return Status::Stopped;
  // Socket events were read in the dispatch; this reads only what a spent budget left.
  session_.read_leftover(ctx);
  Status s = deliver(ctx);
  // The request, body pieces and window updates go out with every other stream's, in one send
  // once the transfers due have run.
  session_.want_flush();
  return s;
}

bool H2Stream::refill(FilterContext &ctx) {
  if (send_off_ < send_buf_.size() || sink_->send_paused()) return true;
  send_buf_.resize(send_chunk_);
  send_off_ = 0;
  BodyRead r = sink_->read_body(std::span<char>(send_buf_.data(), send_buf_.size()));
  if (r.status == BodyRead::Abort) {
    send_buf_.clear();
    aborted_ = true;
    return false;
  }
  size_t n = r.status == BodyRead::Data ? r.bytes : 0;
  send_buf_.resize(n);
  body_eos_ = r.status == BodyRead::Data && r.eos;
  if (n) ctx.trace.data(CURLINFO_DATA_OUT, send_buf_);
  if (deferred_ && (n || body_eos_)) {
    deferred_ = false;
    nghttp2_session_resume_data(session_.ng(), id_);
  }
  return true;
}

ssize_t H2Stream::provide_body(uint8_t *buf, size_t len, uint32_t *flags) {
  size_t avail = send_buf_.size() - send_off_;
  if (avail == 0 && !body_eos_) {
    deferred_ = true;
    wake();  // the transfer's own turn reads the next piece
    return NGHTTP2_ERR_DEFERRED;
  }
  size_t n = std::min(avail, len);
  std::memcpy(buf, send_buf_.data() + send_off_, n);
  send_off_ += n;
  body_sent_ += n;
  if (send_off_ == send_buf_.size()) {
    if (body_eos_)
      *flags |= NGHTTP2_DATA_FLAG_EOF;
    else
      wake();  // drained: time for the next piece
  }
  return static_cast<ssize_t>(n);
}

Exchange::Status H2Stream::deliver(FilterContext &ctx) {
  if (push_refused_)
    return fail(CURLE_RECV_ERROR, ctx, "A pushed stream was refused with CURL_PUSH_ERROROUT");
  size_t budget = H2Session::kTurnBudget;
  while (!sink_->recv_paused()) {
    if (heads_done_ < heads_.size() &&
        (!heads_[heads_done_].trailers || body_off_ == body_.size())) {
      if (!deliver_head(heads_[heads_done_++])) return Status::Stopped;
      continue;
    }
    if (body_off_ < body_.size()) {
      if (budget == 0) return Status::CarryOn;
      size_t n = std::min(budget, body_.size() - body_off_);
      std::string_view piece(body_.data() + body_off_, n);
      body_off_ += n;
      budget -= n;
      nghttp2_session_consume(session_.ng(), id_, n);
      if (!sink_->on_body(piece)) return Status::Stopped;
      if (body_off_ == body_.size()) {
        body_.clear();
        body_off_ = 0;
      }
      continue;
    }
    break;
  }
  bool all_taken = heads_done_ == heads_.size() && body_off_ == body_.size();
  if (sink_->recv_paused() && !all_taken) return Status::Wait;
  if (ended_ && all_taken && !complete_) {
    complete_ = true;
    sink_->on_complete();
    return Status::Complete;
  }
  if (too_large_)
    return fail(CURLE_RECV_ERROR, ctx,
                "Too large response headers: " + std::to_string(header_bytes_) + " > " +
                    std::to_string(H2Session::kMaxHeaderBytes));
  if (closed_ && !ended_) return reset_failure(ctx);
  if (conn_failed_ && !ended_) {
    if (session_.failure() != CURLE_PARTIAL_FILE)
      return fail(session_.failure(), ctx, session_.failure_text());
    // The connection closed under an open stream (libcurl 7.88's code and text).
    return fail(CURLE_PARTIAL_FILE, ctx,
                "HTTP/2 stream " + std::to_string(id_) +
                    " was not closed cleanly before end of the underlying stream");
  }
  if (session_.more_input()) return Status::CarryOn;
  return Status::Wait;
}

// The stream closed without END_STREAM: a reset by the server (or by nghttp2 for a malformed
// response), answered with libcurl 7.88's codes and texts.
Exchange::Status H2Stream::reset_failure(FilterContext &ctx) {
  if (reset_code_ == NGHTTP2_NO_ERROR) {
    if (!final_seen_) return fail(CURLE_GOT_NOTHING, ctx, "Empty reply from server");
    if (expected_ >= 0 && static_cast<uint64_t>(expected_) > received_)
      return fail(CURLE_PARTIAL_FILE, ctx,
                  "transfer closed with " + std::to_string(expected_ - received_) +
                      " bytes remaining to read");
  }
  if (session_.going_away() && id_ > session_.goaway_last_stream())
    ctx.trace.info("received GOAWAY, error=%u, last_stream=%d", session_.goaway_error(),
                   session_.goaway_last_stream());
  char text[160];
  std::snprintf(text, sizeof text, "HTTP/2 stream %d was not closed cleanly: %s (err %u)", id_,
                nghttp2_http2_strerror(reset_code_), reset_code_);
  return fail(CURLE_HTTP2_STREAM, ctx, text);
}

bool H2Stream::deliver_head(const Head &h) {
  h1::ResponseHead rh;
  rh.version_major = 2;
  rh.version_minor = 0;
  rh.status = h.trailers ? status_seen_ : h.status;
  rh.raw = h.raw;
  // One scratch list per thread: a head's fields are only needed during this call.
  thread_local std::vector<h1::Header> fields;
  fields.clear();
  std::string_view rest = h.raw;
  if (!h.trailers) rest.remove_prefix(rest.find('\n') + 1);
  while (rest.size() > 2) {
    size_t eol = rest.find("\r\n");
    std::string_view line = rest.substr(0, eol);
    rest.remove_prefix(eol + 2);
    size_t colon = line.find(':');
    fields.push_back({line.substr(0, colon), line.substr(colon + 2)});
  }
  rh.headers = fields;
  if (h.trailers) return sink_->on_trailers(rh);
  std::string_view cl = rh.find("content-length");
  int64_t len = -1;
  if (!cl.empty() && std::from_chars(cl.data(), cl.data() + cl.size(), len).ec != std::errc())
    len = -1;
  if (!rh.interim() && h.status != 204 && h.status != 304) {
    expected_ = head_request_ ? -1 : len;
    rh.content_length = len;
    rh.body = len >= 0 ? h1::BodyKind::ContentLength : h1::BodyKind::UntilClose;
  }
  return sink_->on_head(rh);
}

void H2Stream::add_pollset(const Filter &, Pollset &ps) const {
  session_.add_pollset(ps);
}

bool H2Stream::reusable() const {
  return session_.accepts_streams();
}

void H2Stream::wake() {
  if (woken_ || !user_) return;
  woken_ = true;
  user_->on_connection_event(CURL_CSELECT_IN);
}

void H2Stream::begin_head() {
  got_bytes_ = true;
  building_ = Head{};
  building_.raw.reserve(256);
  building_.trailers = final_seen_;
}

bool H2Stream::add_header(std::string_view name, std::string_view value) {
  header_bytes_ += name.size() + value.size() + 4;
  if (header_bytes_ > H2Session::kMaxHeaderBytes) {
    too_large_ = true;
    return false;
  }
  if (name == ":status") {
    int status = 0;
    std::from_chars(value.data(), value.data() + value.size(), status);
    building_.status = status;
    // libcurl hands HTTP/2 heads to the application as an HTTP/1-style status line. nghttp2
    // lets :status through only before the other fields, so it is the first line.
    building_.raw.append("HTTP/2 ").append(value).append(" \r\n");
    return true;
  }
  building_.raw.append(name).append(": ").append(value).append("\r\n");
  return true;
}

void H2Stream::end_head(bool end) {
  building_.raw += "\r\n";
  if (!building_.trailers) {
    status_seen_ = building_.status;
    if (building_.status >= 200) final_seen_ = true;
  }
  heads_.push_back(std::move(building_));
  building_ = Head{};
  if (end) ended_ = true;
  wake();
}

void H2Stream::add_data(const uint8_t *data, size_t len) {
  got_bytes_ = true;
  received_ += len;
  body_.append(reinterpret_cast<const char *>(data), len);
  wake();
}

void H2Stream::end_stream() {
  ended_ = true;
  wake();
}

void H2Stream::closed(uint32_t error_code) {
  closed_ = true;
  reset_code_ = error_code;
  if (error_code == NGHTTP2_REFUSED_STREAM && !got_bytes_) refused_ = true;
  wake();
}

void H2Stream::connection_failed() {
  conn_failed_ = true;
  wake();
}

}  // namespace evm
