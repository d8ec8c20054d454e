// One request a transfer makes: its URL, method and head, its body reader, and the response's
// progress through the writer chain. A redirect or an auth retry makes a new attempt, so nothing
// of one request leaks into the next.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "http/exchange.h"
#include "http/request_builder.h"
#include "http/url.h"
#include "mime/mime_tree.h"
#include "transfer/client_reader.h"
#include "transfer/connect_to.h"
#include "transfer/cw_client.h"
#include "transfer/cw_decode.h"
#include "transfer/cw_discard.h"
#include "transfer/cw_size_limit.h"
#include "transfer/cw_pause.h"
#include "transfer/cw_split.h"
#include "transfer/easy_options.h"
#include "transfer/follow_up.h"
#include "transfer/transfer_host.h"
#include "transfer/transfer_info.h"
#include "util/ascii.h"
#include "util/limits.h"
#include "util/trace.h"

namespace evm {

// What an attempt may use of its transfer.
struct AttemptEnv {
  const EasyOptions &opt;
  TransferInfo &info;
  Trace &trace;
  std::string &error;  // ERRORBUFFER text
  TransferHost &host;
};

class RequestAttempt final : public ExchangeSink {
 public:
  // All heads of one response together (1xx included): see util/limits.h.
  static constexpr size_t kMaxHeaderBytes = limits::kResponseHeaderBytes;

  explicit RequestAttempt(AttemptEnv env);

  // Parses `url` and serializes the request. CURLE_OK, or the error with its text set.
  CURLcode prepare(const std::string &url);

  const http::Url &url() const { return url_; }
  const std::string &origin() const { return origin_; }  // connection-pool key
  bool tls() const { return tls_; }
  ExchangeRequest request() const;
  // The body's length for progress: 0 when there is none or it is unknown (chunked), as libcurl.
  int64_t body_size() const { return body_ && body_->length() > 0 ? body_->length() : 0; }
  // Back to the start for a retry or a redirect that sends the body again; false when the body
  // cannot rewind (then stop_code() is CURLE_SEND_FAIL_REWIND and the error text says why).
  bool rewind() { return !body_ || body_->rewind(); }
  CURLcode stop_code() const { return stop_; }  // why the sink stopped the exchange

  bool on_head(const h1::ResponseHead &head) override;
  bool on_body(std::string_view data) override;
  bool on_trailers(const h1::ResponseHead &trailers) override;
  void on_complete() override {}
  BodyRead read_body(std::span<char> buf) override;

 private:
  CURLcode build_head();  // the request head; fails on an unsendable application string
  // Adds a head's or trailer block's lines to the response's count; false past the limit.
  bool count_headers(const h1::ResponseHead &head);
  bool stop(CURLcode rc) {
    stop_ = rc;
    return false;
  }

  AttemptEnv env_;
  http::Url url_;
  std::string origin_;
  bool tls_ = false;
  bool head_request_ = false;
  std::string head_;
  std::unique_ptr<ClientReader> body_;
  ClientOutWriter out_;
  SplitWriter split_{pause_writer_};
  ClientWriter *writers_ = &split_;  // the top of the response writer chain
  size_t header_bytes_ = 0;
  size_t header_count_ = 0;  // header lines of all heads and trailers, as libcurl stores them
  CURLcode stop_ = CURLE_OK;

  // -- redirects and auth
  FollowState *follow_ = nullptr;  // the transfer's redirect and auth state
  bool discard_body_ = false;      // a follow-up is due: libcurl drops this body

 public:
  void set_follow(FollowState &f) { follow_ = &f; }
  bool follow_up_due() const { return follow_ && follow_->next != FollowState::Next::None; }
  bool has_body() const { return body_ != nullptr; }

 private:
  bool post_as_get() const { return follow_ && follow_->post_as_get; }
  bool custom_host_applies() const {
    return !follow_ || !follow_->started || ascii::iequals(url_.host, follow_->first_host);
  }

  // -- uploads and pause
 public:
  // curl_easy_pause: the new state of both directions.
  void set_pause(bool recv, bool send) {
    pause_.recv = recv;
    pause_.send = send;
  }
  const PauseState &pause_state() const { return pause_; }
  // The exchange reads nothing while the application pauses or the decoders keep input.
  bool recv_paused() const override { return pause_.recv || decode_.holding(); }
  bool send_paused() const override { return pause_.send; }
  // Response bytes kept for later: while the application pauses, or past a turn's decode budget.
  bool holds_response_data() const { return pause_writer_.holding() || decode_.holding(); }
  // Kept bytes that only wait for the next turn (not for the application).
  bool decode_waits() const { return decode_.holding() && !pause_.recv; }
  // Once per turn: hands over what was kept, oldest first, as far as the pause and the turn's
  // decode budget allow.
  CURLcode flush_held() {
    if (!pause_.recv)
      if (CURLcode rc = pause_writer_.flush()) return rc;
    return decode_.resume();
  }

 private:
  void decide_expect_100(http::RequestSpec &spec);

  PauseState pause_;
  PauseWriter pause_writer_{out_, pause_, env_.error};
  bool chunked_ = false;       // the body goes out chunked
  bool expect_100_ = false;    // wait for a 100 before the body
  bool body_started_ = false;  // a body byte was handed to the exchange

  // -- forms
  std::unique_ptr<mime::Mime> form_tree_;  // HTTPPOST's list converted for this request
  std::string form_type_;                  // the form's Content-Type, with its boundary

  // -- response handling
  // Range, Accept-Encoding and time-condition request headers (response_handling.cpp).
  void add_response_headers(http::RequestSpec &spec);
  // Reactions to a final head: size limit, resume check, time condition, decoding. false stops.
  bool react_to_head(const h1::ResponseHead &head);
  uint64_t bytes_delivered() const override { return limit_.delivered(); }
  std::string range_value_;     // "bytes=..."
  std::string time_condition_;  // "If-Modified-Since: <date>"
  SizeLimitWriter limit_{split_, env_.error};
  DiscardBodyWriter discard_{limit_};
  DecodeStack decode_{&pause_};

  // -- connections
 public:
  // Where the connection goes when CONNECT_TO says so (empty parts: the URL's).
  const ConnectTarget &connect_target() const { return connect_; }

 private:
  CURLcode route_connection();  // applies PORT and CONNECT_TO to the parsed URL
  ConnectTarget connect_;
};

}  // namespace evm
