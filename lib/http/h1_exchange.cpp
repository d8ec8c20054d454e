#include "http/h1_exchange.h"

#include <algorithm>

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
  body_eos_ = req.body_size == 0 || req.body_size == -1;  // -2: unknown length, read till eos
  complete_ = excess_ = cut_short_ = paused_ = more_input_ = false;
  code_ = CURLE_OK;
  // Small bodies go out with the head in one send.
  if (!body_eos_) refill();
}

bool H1Exchange::reusable() const {
  return complete_ && !excess_ && !cut_short_ && parser_.reusable();
}

void H1Exchange::on_complete() {
  complete_ = true;
  sink_->on_complete();
}

void H1Exchange::set_io_sizes(size_t read_size, size_t send_chunk) {
  read_size_ = read_size;
  send_chunk_ = send_chunk ? send_chunk : kSendChunk;
}

// Appends the next piece of the body to what is left to send; false when the reader stopped.
bool H1Exchange::refill() {
  size_t keep = out_.size() - out_sent_;
  out_.erase(0, out_sent_);
  out_sent_ = 0;
  out_.resize(keep + send_chunk_);
  BodyRead r = sink_->read_body(std::span<char>(out_.data() + keep, send_chunk_));
  out_.resize(keep + (r.status == BodyRead::Data ? r.bytes : 0));
  if (r.status == BodyRead::Abort) return false;
  body_eos_ = r.status == BodyRead::Data && r.eos;
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

H1Exchange::SendResult H1Exchange::send_some(Filter &chain, FilterContext &ctx) {
  paused_ = false;
  for (;;) {
    if (out_sent_ == out_.size()) {
      if (body_eos_) return SendResult::Sent;
      if (!refill()) return SendResult::Stopped;
      if (out_.empty()) {
        paused_ = true;  // nothing to send until the transfer resumes the reader
        return SendResult::Blocked;
      }
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
  }
}

Exchange::Status H1Exchange::on_io(Filter &chain, FilterContext &ctx, int cselect,
                                   std::span<char> scratch) {
  // Input is known to wait when the socket said so, a filter holds decrypted bytes, or the last
  // turn stopped at its budget rather than at an empty socket.
  bool input_waits = (cselect & CURL_CSELECT_IN) || more_input_ || chain.data_pending();
  if (!request_sent()) {
    switch (send_some(chain, ctx)) {
      case SendResult::Stopped:
        return Status::Stopped;
      case SendResult::Failed: {
        // The server may have answered and closed before taking the whole body (413): read
        // what it said; if it said nothing whole, the send error is the one to report.
        CURLcode send_rc = code_;
        std::string send_error = ctx.error;
        if (receive(chain, ctx, scratch) == Status::Complete) return Status::Complete;
        code_ = send_rc;
        ctx.error = std::move(send_error);
        return Status::Failed;
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
    CURLcode rc = CURLE_OK;
    ssize_t n = chain.recv(ctx, buf.data(), buf.size(), rc);
    if (n < 0) return rc == CURLE_AGAIN ? Status::Wait : fail(rc);
    if (n == 0) {
      parser_.feed_eof(*this);
      return complete_ ? Status::Complete : parse_failed(ctx);
    }
    uint64_t delivered = sink_->bytes_delivered();
    size_t leftover = feed(std::string_view(buf.data(), static_cast<size_t>(n)));
    if (parser_.failed()) return parse_failed(ctx);
    if (complete_) {
      // Bytes past the end of the response mean the stream is out of step: do not reuse it.
      excess_ = leftover > 0;
      cut_short_ = !request_sent();
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
  chain.adjust_pollset(ps, !request_sent() && !paused_, !complete_);
}

}  // namespace evm
