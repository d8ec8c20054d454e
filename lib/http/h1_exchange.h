// HTTP/1.1 over a filter chain: one request at a time, its head and body out, the response
// parsed in place from the receive buffer. Owns the parser, the stash of a head split across
// reads, and the check for bytes past the end of a response.
#pragma once

#include <memory>
#include <string>

#include "http/exchange.h"
#include "http/h1_response_parser.h"

namespace evm {

class H1Exchange final : public Exchange, private h1::ResponseHandler {
 public:
  // Bytes read for one exchange in one turn before the others get theirs. A fast server with a
  // slow WRITEFUNCTION must not hold the application's loop (libcurl: ~100 reads per call).
  static constexpr size_t kTurnBudget = 1024 * 1024;
  // Body bytes taken from the reader per send by default (CURLOPT_UPLOAD_BUFFERSIZE changes it):
  // the first piece travels with the head.
  static constexpr size_t kSendChunk = 64 * 1024;

  void start(const ExchangeRequest &req, ExchangeSink &sink) override;
  void set_io_sizes(size_t read_size, size_t send_chunk) override;
  Status on_io(Filter &chain, FilterContext &ctx, int cselect, std::span<char> scratch) override;
  void add_pollset(const Filter &chain, Pollset &ps) const override;
  CURLcode code() const override { return code_; }
  int status_seen() const override { return parser_.status(); }
  bool reusable() const override;
  bool response_started() const override { return parser_.got_any_bytes(); }
  uint64_t request_bytes_sent() const override { return sent_total_; }
  uint64_t body_bytes_sent() const override {
    return sent_total_ > head_len_ ? sent_total_ - head_len_ : 0;
  }
  bool request_sent() const override { return out_sent_ == out_.size() && body_eos_; }

 private:
  enum class SendResult { Sent, Blocked, Failed, Stopped };

  SendResult send_some(Filter &chain, FilterContext &ctx);
  void trace_sent_body(FilterContext &ctx, size_t n) const;
  bool refill();
  Status receive(Filter &chain, FilterContext &ctx, std::span<char> scratch);
  size_t feed(std::string_view data);
  Status parse_failed(FilterContext &ctx);
  Status fail(CURLcode rc) {
    code_ = rc;
    return Status::Failed;
  }

  bool on_response_head(const h1::ResponseHead &head) override { return sink_->on_head(head); }
  bool on_body(std::string_view data) override { return sink_->on_body(data); }
  bool on_trailers(const h1::ResponseHead &t) override { return sink_->on_trailers(t); }
  void on_complete() override;

  ExchangeSink *sink_ = nullptr;
  h1::ResponseParser parser_;
  std::string stash_;  // a head or chunk line split across reads
  std::string out_;    // request bytes to send: the head, then pieces of the body
  size_t out_sent_ = 0;
  size_t head_len_ = 0;
  uint64_t sent_total_ = 0;
  bool body_eos_ = true;
  bool complete_ = false;
  bool excess_ = false;      // bytes arrived past the end of the response
  bool cut_short_ = false;   // the response ended before the request body was all sent
  bool paused_ = false;      // the body reader said pause: do not watch for writability
  bool more_input_ = false;  // the last turn ended at its budget, not at an empty socket
  CURLcode code_ = CURLE_OK;
  size_t send_chunk_ = kSendChunk;
  size_t read_size_ = 0;             // 0: the lent buffer
  std::unique_ptr<char[]> own_buf_;  // only when asked to read more than the lent buffer holds
  size_t own_size_ = 0;
};

}  // namespace evm
