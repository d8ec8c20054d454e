// Sans-I/O HTTP/1.1 response parser (client side): bytes in, events out, no socket, no allocation
// per response. Header names, values and body data are string_views into the caller's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "util/limits.h"

namespace evm::h1 {

// Why a response could not be parsed. Kept free of CURLcode so the codec has no libcurl
// dependency; the engine maps each value (and error_message() carries libcurl-style text).
enum class ParseError {
  None,
  NotHttp,             // the reply does not start like HTTP at all (HTTP/0.9, another protocol)
  BadStatusLine,       // HTTP-like, but not an HTTP/1.0 or 1.1 version or a 3-digit code >= 100
  WeirdReply,          // headers cut short by EOF
  HeaderTooLarge,      // one header (or trailer) block exceeds max_header_bytes
  HeaderLineTooLarge,  // one line of a block exceeds max_header_line
  BadHeader,           // header line without colon, NUL byte, folding with nothing to fold onto
  BadChunk,            // malformed chunked framing (hex size, extension, CRLF after data)
  BadContentLength,    // non-numeric, overflowing or conflicting Content-Length
  BadTransferCoding,   // Transfer-Encoding other than one final "chunked"
  PartialBody,         // EOF inside a Content-Length or chunked body
  EmptyReply,          // EOF before a single byte of this response arrived
  Aborted,             // a ResponseHandler callback returned false
};

// How the body of a final response is delimited (RFC 9112 section 6.3).
enum class BodyKind { None, ContentLength, Chunked, UntilClose };

struct Header {
  std::string_view name, value;
};

// One status line + header block, or one trailer block. Every view points into the buffer given
// to feed() and is valid only during the callback that receives it.
struct ResponseHead {
  int version_major = 1, version_minor = 1;
  int status = 0;                   // trailers: the status of the response they belong to
  std::string_view reason;          // without surrounding whitespace
  std::string_view raw;             // exact bytes, every line end and the final blank line
  std::span<const Header> headers;  // a folded value spans its continuation lines (raw CRLF kept)
  BodyKind body = BodyKind::None;   // framing of what follows this head
  bool chunked = false;             // Transfer-Encoding's last coding is chunked
  int64_t content_length = -1;      // -1: absent, Transfer-Encoding present, or 1xx/204/304
  bool connection_close = false;    // Connection: close
  bool keep_alive = false;          // Connection: keep-alive

  bool interim() const { return status >= 100 && status < 200 && status != 101; }
  // First header with this name (ASCII case-insensitive), or an empty view.
  std::string_view find(std::string_view name) const;
};

// Events out; implemented by the engine. Do not call back into the parser from these.
class ResponseHandler {
 public:
  virtual ~ResponseHandler() = default;
  // A complete head, interim 1xx ones included. false aborts the parse.
  virtual bool on_response_head(const ResponseHead &head) = 0;
  // A piece of body (chunk framing removed), in place in the fed buffer. false aborts.
  virtual bool on_body(std::string_view data) = 0;
  // Trailer lines after the last chunk; only called when there is at least one. false aborts.
  virtual bool on_trailers(const ResponseHead &) { return true; }
  // The response is complete; the parser consumes nothing more until begin().
  virtual void on_complete() = 0;
};

class ResponseParser {
 public:
  enum class State {
    Head,            // waiting for a complete status line + header block
    Body,            // Content-Length body
    BodyUntilClose,  // body delimited by the peer closing
    ChunkSize,       // hex digits of a chunk size
    ChunkSizeEnd,    // after the digits: whitespace, ';' extension or line end
    ChunkExt,        // chunk extension, ignored up to LF
    ChunkSizeLf,     // CR seen after the size, LF expected
    ChunkData,
    ChunkDataEnd,  // CRLF (or bare LF) expected after chunk data
    ChunkDataLf,   // CR seen after chunk data, LF expected
    Trailers,      // waiting for a complete trailer block
    Complete,
    Failed,
    Aborted,
  };

  ResponseParser();  // ready for a non-HEAD response, as after begin(false)

  // Starts a new response. A response to HEAD never has a body. With raw_chunked the chunk
  // framing (size lines, CRLFs, the trailer block) reaches on_body along with the data, as
  // HTTP_TRANSFER_DECODING 0 asks; the parser still follows it to find the end.
  void begin(bool head_request, bool raw_chunked = false);

  // Parses what it can and returns the number of bytes consumed. An incomplete head or trailer
  // block is not consumed: present the same bytes again, with more appended, next time (the buffer
  // may move; only offsets are remembered). After completion or failure nothing more is consumed.
  size_t feed(std::string_view data, ResponseHandler &h);

  // The peer closed: completes a close-delimited body, otherwise fails unless already complete.
  void feed_eof(ResponseHandler &h);

  State state() const { return state_; }
  ParseError error() const { return error_; }
  const char *error_message() const { return message_; }  // static text, "" when no error
  bool complete() const { return state_ == State::Complete; }
  bool failed() const { return state_ == State::Failed || state_ == State::Aborted; }
  bool aborted() const { return state_ == State::Aborted; }

  // Whether any byte of this response arrived; false at EOF means "empty reply".
  bool got_any_bytes() const { return got_any_bytes_; }

  // Framing of the latest head (final response once complete).
  int status() const { return status_; }
  BodyKind body_kind() const { return body_; }
  bool body_is_close_delimited() const { return body_ == BodyKind::UntilClose; }
  int64_t content_length() const { return content_length_; }
  // Bytes still expected in the Content-Length body (or current chunk); lets the engine word
  // libcurl's "transfer closed with N bytes remaining to read".
  int64_t body_remaining() const { return remaining_; }

  // Complete and the connection may carry another request: framed body, no Connection: close,
  // HTTP/1.1 or HTTP/1.0 with keep-alive, and not a 101 protocol switch.
  bool reusable() const;

  // libcurl 7.88's bounds: 300 KiB per response head, 100 KiB per line (CURL_MAX_HTTP_HEADER).
  // Whichever a stream crosses first decides, however its bytes were split.
  // per head or trailer block → HeaderTooLarge; chunk extensions are bounded by it too
  size_t max_header_bytes = limits::kResponseHeaderBytes;
  size_t max_header_line = limits::kHeaderLineBytes;  // per line, CR counted, LF not

 private:
  size_t feed_block(std::string_view data, ResponseHandler &h);
  size_t scan_block(std::string_view data);
  bool line_too_long(size_t len);
  bool check_status_line(std::string_view line);
  bool parse_header_lines(std::string_view block, size_t first_line);
  bool apply_framing(ResponseHead &head);
  size_t feed_chunk_line(std::string_view data);
  void end_chunk_size_line();
  bool deliver_body(std::string_view data, ResponseHandler &h);
  void finish(ResponseHandler &h);
  void fail(ParseError e, const char *message);

  State state_ = State::Head;
  ParseError error_ = ParseError::None;
  const char *message_ = "";
  bool head_request_ = false;
  bool raw_chunked_ = false;
  bool got_any_bytes_ = false;

  // Incremental block scan: offset of the first unscanned line, status line results.
  size_t scan_ = 0;
  size_t status_line_end_ = 0;
  size_t reason_offset_ = 0, reason_length_ = 0;

  int version_major_ = 1, version_minor_ = 1;
  int status_ = 0;
  BodyKind body_ = BodyKind::None;
  int64_t content_length_ = -1;
  bool connection_close_ = false;
  bool keep_alive_ = false;

  int64_t remaining_ = 0;  // Content-Length left, or current chunk's data left
  uint64_t chunk_size_ = 0;
  unsigned chunk_digits_ = 0;
  size_t chunk_ext_bytes_ = 0;

  std::vector<Header> headers_;  // reused: cleared, never shrunk
};

}  // namespace evm::h1
