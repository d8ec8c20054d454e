// One request/response on an HTTP/2 connection: the exchange a transfer runs while its stream is
// open. The session's callbacks fill it (heads, body bytes, the end or a reset) and wake its
// transfer; the transfer's own turn hands what was kept to its sink and takes request body bytes
// from the sink, so application callbacks run only in their own transfer's turn.
#pragma once

#include <nghttp2/nghttp2.h>

#include <string>
#include <vector>

#include "http/exchange.h"
#include "http/h2_request.h"

namespace evm {

class ConnectionUser;
class H2Session;

class H2Stream final : public Exchange {
 public:
  // `user` is null for a pushed stream until a transfer adopts it.
  H2Stream(H2Session &session, ConnectionUser *user) : session_(session), user_(user) {}
  ~H2Stream() override;

  void start(const ExchangeRequest &req, ExchangeSink &sink) override;
  void set_io_sizes(size_t, size_t send_chunk) override;
  Status on_io(Filter &chain, FilterContext &ctx, int cselect, std::span<char> scratch) override;
  void add_pollset(const Filter &chain, Pollset &ps) const override;
  CURLcode code() const override { return code_; }
  int status_seen() const override { return status_seen_; }
  // A failed stream leaves the connection fit for others; only the connection's health counts.
  bool reusable() const override;
  bool multiplexed() const override { return true; }
  int32_t stream_id() const override { return id_ > 0 ? id_ : 0; }
  bool retry_safe() const override { return refused_ && !response_started(); }
  bool response_started() const override { return got_bytes_; }
  uint64_t request_bytes_sent() const override { return head_bytes_ + body_sent_; }
  uint64_t body_bytes_sent() const override { return body_sent_; }
  bool request_sent() const override { return body_eos_ && send_off_ == send_buf_.size(); }
  std::string_view shown_head(std::string_view head) const override {
    return req_.display.empty() ? head : std::string_view(req_.display);
  }

  ConnectionUser *user() const { return user_; }
  // A pushed stream: promised as `id`, its request made by the server.
  void expect_push(int32_t id) {
    id_ = id;
    pushed_ = true;
  }
  void adopt(ConnectionUser &user);
  // CURL_PUSH_ERROROUT for a push promised on this stream: the transfer fails.
  void push_refused();

  // From the session's callbacks.
  void begin_head();
  bool add_header(std::string_view name, std::string_view value);  // false: refuse the stream
  void end_head(bool end_stream);
  void add_data(const uint8_t *data, size_t len);
  void end_stream();
  void closed(uint32_t error_code);
  void connection_failed();
  ssize_t provide_body(uint8_t *buf, size_t len, uint32_t *flags);

 private:
  struct Head {
    std::string raw;
    int status = 0;
    bool trailers = false;
  };

  void wake();
  bool refill(FilterContext &ctx);
  Status deliver(FilterContext &ctx);
  bool deliver_head(const Head &h);
  Status fail(CURLcode rc, FilterContext &ctx, std::string text);
  Status reset_failure(FilterContext &ctx);

  H2Session &session_;
  ConnectionUser *user_;
  bool pushed_ = false;
  bool push_refused_ = false;
  ExchangeSink *sink_ = nullptr;
  h2::RequestHeaders req_;
  int32_t id_ = -1;
  bool head_request_ = false;

  // -- request body: read in this stream's turn, handed to nghttp2 when it asks
  std::string send_buf_;
  size_t send_off_ = 0;
  size_t send_chunk_ = 64 * 1024;
  bool body_eos_ = true;
  bool deferred_ = false;  // nghttp2 asked while the buffer was empty
  bool aborted_ = false;   // the reader said abort
  uint64_t head_bytes_ = 0, body_sent_ = 0;

  // -- response: kept until this stream's turn
  std::vector<Head> heads_;
  size_t heads_done_ = 0;
  Head building_;
  size_t header_bytes_ = 0;
  bool too_large_ = false;
  std::string body_;
  size_t body_off_ = 0;
  int64_t expected_ = -1;  // the final head's content-length
  uint64_t received_ = 0;
  bool ended_ = false;   // END_STREAM arrived
  bool closed_ = false;  // nghttp2 closed the stream
  uint32_t reset_code_ = 0;
  bool conn_failed_ = false;
  bool refused_ = false;
  bool got_bytes_ = false;
  bool final_seen_ = false;
  bool complete_ = false;
  bool woken_ = false;
  int status_seen_ = 0;
  CURLcode code_ = CURLE_OK;
};

}  // namespace evm
