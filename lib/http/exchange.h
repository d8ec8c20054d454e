// One request/response on a connection, whatever the protocol: the HTTP/1.1 exchange carries one
// at a time; HTTP/2 streams will implement the same interface. The exchange moves bytes between
// the filter chain and its sink; it knows nothing of easy options or callbacks.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <span>
#include <string_view>

#include "conn/filter.h"
#include "http/h1_response_parser.h"
#include "util/clock.h"

namespace evm {

// What a request body source answers (curl 8's client readers say the same things).
struct BodyRead {
  enum Status { Data, Paused, Abort } status = Data;
  size_t bytes = 0;
  bool eos = false;  // no bytes follow these
};

// The request side of an exchange: events out, body bytes in. Implemented by the engine's
// request attempt. A false return stops the exchange; the sink keeps the reason.
class ExchangeSink {
 public:
  virtual bool on_head(const h1::ResponseHead &head) = 0;  // interim 1xx heads included
  virtual bool on_body(std::string_view data) = 0;
  virtual bool on_trailers(const h1::ResponseHead &trailers) = 0;
  virtual void on_complete() = 0;  // the response is whole
  // Fills `buf` with request body bytes.
  virtual BodyRead read_body(std::span<char> buf) = 0;
  // Body bytes handed to the application so far, after decoding: a compressed body counts
  // against the turn's read budget by what it expands to.
  virtual uint64_t bytes_delivered() const { return 0; }
  // curl_easy_pause or a callback's pause answer: a paused direction is neither read nor
  // written, nor watched.
  virtual bool recv_paused() const { return false; }
  virtual bool send_paused() const { return false; }

 protected:
  ~ExchangeSink() = default;
};

struct ExchangeRequest {
  std::string_view head;      // the serialized request head, copied by start()
  int64_t body_size = -1;     // bytes read_body() gives; -1: none, or unknown when `chunked`
  bool head_request = false;  // the response has no body whatever its headers say
  bool tls = false;           // the request's scheme is https (HTTP/2's :scheme)
  // HTTP/2 priority: weight 1..256, the stream it depends on (0: none), exclusively or not.
  int weight = 16;
  int32_t depends_on = 0;
  bool exclusive = false;
  bool raw_chunked = false;  // hand chunked framing to the sink undecoded (TRANSFER_DECODING 0)
  bool chunked = false;      // frame the body with chunked transfer-coding (size may be -1)
  // Hold the body back until a 100 (or a final answer) arrives, at most this long.
  bool expect_100 = false;
  long expect_100_timeout_ms = 1000;
};

class Exchange {
 public:
  enum class Status {
    Wait,      // nothing more to do until the pollset fires
    CarryOn,   // the turn's budget is spent and more may be waiting: run again next turn
    Complete,  // the response is whole (the sink has had on_complete)
    Failed,    // see code(); the context's error text says why
    Stopped,   // the sink said stop (a callback's answer); the sink knows why
  };

  virtual ~Exchange() = default;

  virtual void start(const ExchangeRequest &req, ExchangeSink &sink) = 0;
  // CURLOPT_BUFFERSIZE (bytes per read; 0: the lent buffer as it is) and
  // CURLOPT_UPLOAD_BUFFERSIZE (body bytes taken per send), for the requests that follow.
  virtual void set_io_sizes(size_t read_size, size_t send_chunk) = 0;
  // Sends and receives what the connection allows now. `cselect` says which way the socket is
  // ready (CURL_CSELECT_* bits, 0 = unknown); `scratch` is a receive buffer lent for the call.
  virtual Status on_io(Filter &chain, FilterContext &ctx, int cselect, std::span<char> scratch) = 0;
  // What to watch for this exchange (send and/or receive).
  virtual void add_pollset(const Filter &chain, Pollset &ps) const = 0;
  virtual CURLcode code() const = 0;  // after Failed
  // After Failed: the status line of the response being read, 0 if none arrived. A head that
  // failed (too large) never reached the sink, yet libcurl reports the status it had parsed.
  virtual int status_seen() const = 0;
  // Whether the connection may carry another request after this one.
  virtual bool reusable() const = 0;
  // Whether any response bytes arrived: before that, a failure on a reused connection may be
  // retried on a fresh one.
  virtual bool response_started() const = 0;
  virtual uint64_t request_bytes_sent() const = 0;  // head and body
  virtual uint64_t body_bytes_sent() const = 0;
  virtual bool request_sent() const = 0;  // head and body are all out
  // When the exchange must run again without socket activity (an Expect: 100-continue wait).
  virtual TimePoint deadline() const { return TimePoint::max(); }
  // One of several on its connection (an HTTP/2 stream): its failure is not the connection's.
  virtual bool multiplexed() const { return false; }
  // It failed before the server looked at it (HTTP/2 REFUSED_STREAM, or above a GOAWAY's last
  // stream): safe to send again on another connection, even on a first request.
  virtual bool retry_safe() const { return false; }
  // Its HTTP/2 stream id, 0 before one is open or over HTTP/1.1.
  virtual int32_t stream_id() const { return 0; }
  // The request head as VERBOSE shows it, once start() has taken `head`.
  virtual std::string_view shown_head(std::string_view head) const { return head; }
};

}  // namespace evm
