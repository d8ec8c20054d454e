#include "http/h1_exchange.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "util/trace.h"

namespace evm {

namespace {

CURLcode code_of(h1::ParseError e) {
  switch (e) {
    case h1::ParseError::HeaderTooLarge:
    case h1::ParseError::BadChunk:
      return CURLE_RECV_ERROR;
    case h1::ParseError::HeaderLineTooLarge:
      return CURLE_OUT_OF_MEMORY;  // libcurl 7.88's answer: its line buffer refuses to grow
    case h1::ParseError::BadTransferCoding:
      return CURLE_BAD_CONTENT_ENCODING;
    case h1::ParseError::PartialBody:
      return CURLE_PARTIAL_FILE;
    case h1::ParseError::EmptyReply:
      return CURLE_GOT_NOTHING;
    case h1::ParseError::NotHttp:
      return CURLE_UNSUPPORTED_PROTOCOL;  // libcurl 7.88: HTTP/0.9 is not allowed
    case h1::ParseError::BadStatusLine:
      return CURLE_UNSUPPORTED_PROTOCOL;  // libcurl 7.88, probed: bad version or code alike
    default:
      return CURLE_WEIRD_SERVER_REPLY;
  }
}

}  // namespace

void H1Exchange::start(const ExchangeRequest &req, ExchangeSink &sink) {
  sink_ = &sink;
  parser_.begin(req.head_request, req.raw_chunked);
  stash_.clear();
  out_.assign(req.head);
  out_sent_ = 0;
  head_len_ = out_.size();
  sent_total_ = 0;
  chunked_ = req.chunked;
  body_eos_ = !chunked_ && req.body_size <= 0;
  complete_ = excess_ = cut_short_ = body_stopped_ = more_input_ = read_aborted_ = false;
  interim_seen_ = false;
  awaiting_100_ = req.expect_100 && !body_eos_;
  // libcurl starts the wait when the head is handed over; that is now, give or take a turn.
  if (awaiting_100_) expect_deadline_ = after_ms(evm::now(), req.expect_100_timeout_ms);
  code_ = CURLE_OK;
  // Small bodies go out with the head in one send, unless they wait for a 100.
  if (!body_eos_ && !awaiting_100_ && !sink_->send_paused()) read_aborted_ = !refill();
}

bool H1Exchange::reusable() const {
  return complete_ && !excess_ && !cut_short_ && !body_stopped_ && parser_.reusable();
}

bool H1Exchange::on_response_head(const h1::ResponseHead &head) {
  if (head.interim()) {
    interim_seen_ = true;
    if (head.status == 100) awaiting_100_ = false;
  } else if (!sending_done() && (awaiting_100_ || head.status >= 300)) {
    // libcurl stops sending when the final answer came instead of a 100, or is an error
    // ("HTTP error before end of send, stop sending"); the connection then closes.
    awaiting_100_ = false;
    body_stopped_ = true;
  }
  return sink_->on_head(head);
}

void H1Exchange::on_complete() {
  complete_ = true;
  sink_->on_complete();
}

void H1Exchange::set_io_sizes(size_t read_size, size_t send_chunk) {
  read_size_ = read_size;
  send_chunk_ = send_chunk ? send_chunk : kSendChunk;
}
// Room left before a body piece for its chunk-size line: 16 hex digits and CRLF.
constexpr size_t kChunkLead = 18;

// Appends the next piece of the body to what is left to send; false when the reader stopped.
bool H1Exchange::refill() {
  size_t keep = out_.size() - out_sent_;
  out_.erase(0, out_sent_);
  out_sent_ = 0;
  size_t lead = chunked_ ? kChunkLead : 0;
  out_.resize(keep + lead + send_chunk_);
  BodyRead r = sink_->read_body(std::span<char>(out_.data() + keep + lead, send_chunk_));
  size_t n = r.status == BodyRead::Data ? r.bytes : 0;
  if (r.status == BodyRead::Abort) {
    out_.resize(keep);
    return false;
  }
  body_eos_ = r.status == BodyRead::Data && r.eos;
  if (chunked_)
    frame_chunk(keep, n);
  else
    out_.resize(keep + n);
  return true;
}

// DEBUGFUNCTION's DATA_OUT: the body part of the `n` bytes just sent (the head was traced whole
// as HEADER_OUT before it went out).
void H1Exchange::trace_sent_body(FilterContext &ctx, size_t n) const {
  if (!ctx.trace.enabled) return;
  size_t skip = sent_total_ < head_len_ ? static_cast<size_t>(head_len_ - sent_total_) : 0;
  if (skip >= n) return;
  ctx.trace.data(CURLINFO_DATA_OUT, std::string_view(out_.data() + out_sent_ + skip, n - skip));
}

// Puts the chunk-size line right before the `bytes` just read (after `keep` unsent bytes and
// kChunkLead bytes of room), and the last chunk once the body ends.
void H1Exchange::frame_chunk(size_t keep, size_t bytes) {
  if (bytes) {
    char line[kChunkLead + 1];
    size_t len = static_cast<size_t>(std::snprintf(line, sizeof line, "%zx\r\n", bytes));
    std::memcpy(out_.data() + keep + kChunkLead - len, line, len);
    out_.erase(keep, kChunkLead - len);
    out_.resize(keep + len + bytes);
    out_.append("\r\n");
  } else {
    out_.resize(keep);
  }
  if (body_eos_) out_.append("0\r\n\r\n");
}

H1Exchange::SendResult H1Exchange::send_some(Filter &chain, FilterContext &ctx) {
  reader_paused_ = false;
  if (read_aborted_) return SendResult::Stopped;  // the reader said no while the head was made
  // A fast peer and a fast reader must not hold the loop either: sending is bounded per turn.
  size_t budget = kTurnBudget;
  for (;;) {
    if (out_sent_ == out_.size()) {
      if (sending_done()) return SendResult::Sent;
      if (awaiting_100_) {
        if (evm::now() < expect_deadline_) return SendResult::Blocked;
        ctx.trace.info("Done waiting for 100-continue");
        awaiting_100_ = false;
      }
      // Paused: nothing to send until the transfer resumes (curl_easy_pause).
      if (sink_->send_paused()) return SendResult::Blocked;
      if (!refill()) return SendResult::Stopped;
      if (out_.empty() && !body_eos_) {
        reader_paused_ = true;  // the reader said pause: asked again on the next turn only
        return SendResult::Blocked;
      }
      continue;
    }
    CURLcode rc = CURLE_OK;
    ssize_t n = chain.send(ctx, out_.data() + out_sent_, out_.size() - out_sent_, rc);
    if (n < 0) {
      if (rc == CURLE_AGAIN) return SendResult::Blocked;
      code_ = rc;
      return SendResult::Failed;
    }
    trace_sent_body(ctx, static_cast<size_t>(n));
    out_sent_ += static_cast<size_t>(n);
    sent_total_ += static_cast<uint64_t>(n);
    if (static_cast<size_t>(n) >= budget) return SendResult::Spent;
    budget -= static_cast<size_t>(n);
  }
}

Exchange::Status H1Exchange::on_io(Filter &chain, FilterContext &ctx, int cselect,
                                   std::span<char> scratch) {
  // Input is known to wait when the socket said so, a filter holds decrypted bytes, or the last
  // turn stopped at its budget rather than at an empty socket.
  bool input_waits = (cselect & CURL_CSELECT_IN) || more_input_ || chain.data_pending();
  if (!sending_done()) {
    switch (send_some(chain, ctx)) {
      case SendResult::Stopped:
        return Status::Stopped;
      case SendResult::Failed: {
        // The server may have answered and closed before taking the whole body (413): read
        // what it said; if it said nothing whole, the send error is the one to report.
        CURLcode send_rc = code_;
        std::string send_error = ctx.error;
        // A whole answer, or one the sink stopped at (FAILONERROR, a size limit), is the outcome.
        Status answered = receive(chain, ctx, scratch);
        if (answered == Status::Complete || answered == Status::Stopped) return answered;
        code_ = send_rc;
        ctx.error = std::move(send_error);
        return Status::Failed;
      }
      case SendResult::Spent: {
        // More may go at once: run again next turn, reading first what is known to be there.
        Status s = input_waits ? receive(chain, ctx, scratch) : Status::Wait;
        return s == Status::Wait ? Status::CarryOn : s;
      }
      case SendResult::Blocked:
        // While the body waits, an early response is read only when it is known to be there.
      case SendResult::Sent:
        // A request that just went out has no answer yet: wait for the socket instead of a read
        // that would find nothing.
        if (!input_waits) return Status::Wait;
        break;
    }
  }
  return receive(chain, ctx, scratch);
}

Exchange::Status H1Exchange::receive(Filter &chain, FilterContext &ctx, std::span<char> buf) {
  size_t budget = kTurnBudget;
  more_input_ = false;
  if (read_size_ > buf.size()) {
    // A larger BUFFERSIZE than the shared buffer: this connection keeps its own.
    if (own_size_ != read_size_) {
      own_buf_ = std::make_unique<char[]>(read_size_);
      own_size_ = read_size_;
    }
    buf = std::span<char>(own_buf_.get(), own_size_);
  } else if (read_size_) {
    buf = buf.first(read_size_);
  }
  for (;;) {
    if (sink_->recv_paused()) {
      // The socket is left alone; on resume it is read again before waiting for it.
      more_input_ = true;
      return Status::Wait;
    }
    CURLcode rc = CURLE_OK;
    ssize_t n = chain.recv(ctx, buf.data(), buf.size(), rc);
    if (n < 0) return rc == CURLE_AGAIN ? Status::Wait : fail(rc);
    if (n == 0) {
      parser_.feed_eof(*this);
      if (complete_) return Status::Complete;
      // libcurl 7.88: a close right after interim heads (a 100 to an Expect) is an empty reply.
      if (interim_seen_ && stash_.empty() && !parser_.aborted()) {
        ctx.error = "Empty reply from server";
        return fail(CURLE_GOT_NOTHING);
      }
      return parse_failed(ctx);
    }
    uint64_t delivered = sink_->bytes_delivered();
    size_t leftover = feed(std::string_view(buf.data(), static_cast<size_t>(n)));
    if (parser_.failed()) return parse_failed(ctx);
    if (complete_) {
      // Bytes past the end of the response mean the stream is out of step: do not reuse it.
      excess_ = leftover > 0;
      cut_short_ = !request_sent();  // also when a final answer stopped the body
      return Status::Complete;
    }
    uint64_t spent =
        std::max<uint64_t>(static_cast<size_t>(n), sink_->bytes_delivered() - delivered);
    if (spent >= budget) {
      more_input_ = true;
      return Status::CarryOn;
    }
    budget -= static_cast<size_t>(spent);
  }
}

// Parses `data` (after any stash); returns how many bytes were left unparsed.
size_t H1Exchange::feed(std::string_view data) {
  if (stash_.empty()) {
    size_t used = parser_.feed(data, *this);
    size_t leftover = data.size() - used;
    if (leftover && !complete_ && !parser_.failed()) stash_.assign(data.substr(used));
    return leftover;
  }
  stash_.append(data);
  size_t used = parser_.feed(stash_, *this);
  stash_.erase(0, used);
  return stash_.size();
}

Exchange::Status H1Exchange::parse_failed(FilterContext &ctx) {
  if (parser_.aborted()) return Status::Stopped;
  CURLcode rc = code_of(parser_.error());
  if (rc == CURLE_PARTIAL_FILE && parser_.body_kind() == h1::BodyKind::ContentLength)
    ctx.error = "transfer closed with " + std::to_string(parser_.body_remaining()) +
                " bytes remaining to read";
  else
    ctx.error = parser_.error_message();
  return fail(rc);
}

void H1Exchange::add_pollset(const Filter &chain, Pollset &ps) const {
  // Receiving runs beside sending: a server may answer before the body is all out.
  // A paused direction, or a body held back for a 100, is not watched: nothing spins meanwhile.
  bool send = !sending_done() && !sink_->send_paused() && !reader_paused_ && !awaiting_100_;
  chain.adjust_pollset(ps, send, !complete_ && !sink_->recv_paused());
}

}  // namespace evm
