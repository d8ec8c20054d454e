#include "http/h1_response_parser.h"

#include <algorithm>
#include <cstring>

#include "util/ascii.h"

namespace evm::h1 {
namespace {

constexpr std::string_view kHttpPrefix = "HTTP/";

// Worded like libcurl's failf() texts so logs and error buffers read the same.
constexpr const char *kMsgNotHttp = "Received HTTP/0.9 when not allowed";
constexpr const char *kMsgBadVersion = "Unsupported HTTP version in response";
constexpr const char *kMsgBadStatus = "Unsupported response code in HTTP response";
constexpr const char *kMsgNoColon = "Header without colon";
constexpr const char *kMsgNulByte = "Nul byte in header";
constexpr const char *kMsgBadFold = "Folded header line without a header before it";
constexpr const char *kMsgTooLarge = "Too large response headers";
constexpr const char *kMsgLineTooLarge = "Too large response header line";
constexpr const char *kMsgBadHex = "Illegal or missing hexadecimal sequence in chunked-encoding";
constexpr const char *kMsgHexTooLong = "Too long hexadecimal number";
constexpr const char *kMsgBadChunk = "Malformed encoding found in chunked-encoding";
constexpr const char *kMsgExtTooLong = "Too long chunk extension in chunked-encoding";
constexpr const char *kMsgBadLength = "Invalid Content-Length: value";
constexpr const char *kMsgPartialLength = "transfer closed with bytes remaining to read";
constexpr const char *kMsgPartialChunked = "transfer closed with outstanding read data remaining";
constexpr const char *kMsgPartialHead = "Connection closed before response headers were complete";
constexpr const char *kMsgEmpty = "Empty reply from server";
constexpr const char *kMsgBadCoding =
    "Unsupported Transfer-Encoding in response: only a single chunked coding is decoded";
constexpr const char *kMsgAborted = "Response handling aborted by callback";

bool is_ows(char c) {
  return c == ' ' || c == '\t';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// List elements may also straddle a folded line, so CR and LF count as whitespace there.
bool is_list_ws(char c) {
  return is_ows(c) || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s, bool (*ws)(char)) {
  while (!s.empty() && ws(s.front())) s.remove_prefix(1);
  while (!s.empty() && ws(s.back())) s.remove_suffix(1);
  return s;
}

using ascii::iequals;

// Calls f for each non-empty element of a comma-separated header value (RFC 9110 5.6.1).
template <class F>
void for_each_element(std::string_view value, F &&f) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view element = trim(value.substr(0, comma), is_list_ws);
    if (!element.empty()) f(element);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

// Digits only; false on anything else or on int64 overflow.
bool parse_length(std::string_view s, int64_t &out) {
  if (s.empty()) return false;
  int64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return false;
    if (v > (INT64_MAX - (c - '0')) / 10) return false;
    v = v * 10 + (c - '0');
  }
  out = v;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view ResponseHead::find(std::string_view name) const {
  for (const Header &h : headers)
    if (iequals(h.name, name)) return h.value;
  return {};
}

ResponseParser::ResponseParser() {
  headers_.reserve(32);  // one allocation per parser, so typical responses never grow it
}

void ResponseParser::begin(bool head_request, bool raw_chunked) {
  raw_chunked_ = raw_chunked;
  state_ = State::Head;
  error_ = ParseError::None;
  message_ = "";
  head_request_ = head_request;
  got_any_bytes_ = false;
  scan_ = status_line_end_ = reason_offset_ = reason_length_ = 0;
  version_major_ = version_minor_ = 1;
  status_ = 0;
  body_ = BodyKind::None;
  content_length_ = -1;
  connection_close_ = keep_alive_ = false;
  remaining_ = 0;
  chunk_size_ = 0;
  chunk_digits_ = 0;
  chunk_ext_bytes_ = 0;
  headers_.clear();
}

bool ResponseParser::reusable() const {
  return state_ == State::Complete && body_ != BodyKind::UntilClose && !connection_close_ &&
         status_ != 101 && version_major_ == 1 && (version_minor_ >= 1 || keep_alive_);
}

void ResponseParser::fail(ParseError e, const char *message) {
  state_ = e == ParseError::Aborted ? State::Aborted : State::Failed;
  error_ = e;
  message_ = message;
}

void ResponseParser::finish(ResponseHandler &h) {
  state_ = State::Complete;
  h.on_complete();
}

bool ResponseParser::deliver_body(std::string_view data, ResponseHandler &h) {
  if (h.on_body(data)) return true;
  fail(ParseError::Aborted, kMsgAborted);
  return false;
}

size_t ResponseParser::feed(std::string_view data, ResponseHandler &h) {
  if (!data.empty()) got_any_bytes_ = true;
  size_t pos = 0;
  while (pos < data.size()) {
    std::string_view rest = data.substr(pos);
    switch (state_) {
      case State::Head:
      case State::Trailers: {
        size_t used = feed_block(rest, h);
        if (used == 0) return pos;  // incomplete, failed or aborted
        pos += used;
        break;
      }
      case State::Body: {
        size_t take = static_cast<size_t>(std::min<int64_t>(remaining_, rest.size()));
        if (!deliver_body(rest.substr(0, take), h)) return pos;
        pos += take;
        remaining_ -= static_cast<int64_t>(take);
        if (remaining_ == 0) finish(h);
        break;
      }
      case State::BodyUntilClose:
        if (!deliver_body(rest, h)) return pos;
        return data.size();
      case State::ChunkData: {
        size_t take = static_cast<size_t>(std::min<int64_t>(remaining_, rest.size()));
        if (!deliver_body(rest.substr(0, take), h)) return pos;
        pos += take;
        remaining_ -= static_cast<int64_t>(take);
        if (remaining_ == 0) state_ = State::ChunkDataEnd;
        break;
      }
      case State::ChunkSize:
      case State::ChunkSizeEnd:
      case State::ChunkExt:
      case State::ChunkSizeLf:
      case State::ChunkDataEnd:
      case State::ChunkDataLf: {
        size_t used = feed_chunk_line(rest);
        if (raw_chunked_ && used > 0 && !deliver_body(rest.substr(0, used), h)) return pos;
        pos += used;
        break;
      }
      case State::Complete:
      case State::Failed:
      case State::Aborted:
        return pos;
    }
  }
  return pos;
}

void ResponseParser::feed_eof(ResponseHandler &h) {
  switch (state_) {
    case State::Head:
      if (got_any_bytes_)
        fail(ParseError::WeirdReply, kMsgPartialHead);
      else
        fail(ParseError::EmptyReply, kMsgEmpty);
      break;
    case State::BodyUntilClose:
      finish(h);
      break;
    case State::Body:
      fail(ParseError::PartialBody, kMsgPartialLength);
      break;
    case State::ChunkSize:
    case State::ChunkSizeEnd:
    case State::ChunkExt:
    case State::ChunkSizeLf:
    case State::ChunkData:
    case State::ChunkDataEnd:
    case State::ChunkDataLf:
    case State::Trailers:
      fail(ParseError::PartialBody, kMsgPartialChunked);
      break;
    case State::Complete:
    case State::Failed:
    case State::Aborted:
      break;
  }
}

// Returns the length of the complete block at the start of data, or 0 when more bytes are
// needed or the parse failed. Resumes at scan_ so re-presented bytes are not scanned twice.
size_t ResponseParser::scan_block(std::string_view data) {
  const char *p = data.data();
  const size_t n = data.size();
  if (state_ == State::Head && scan_ == 0) {
    // Reject a non-HTTP reply from its first bytes instead of waiting for a line end.
    size_t k = std::min(n, kHttpPrefix.size());
    if (data.substr(0, k) != kHttpPrefix.substr(0, k)) {
      fail(ParseError::NotHttp, kMsgNotHttp);
      return 0;
    }
  }
  while (scan_ < n) {
    const void *lf = std::memchr(p + scan_, '\n', n - scan_);
    if (!lf) break;
    size_t eol = static_cast<size_t>(static_cast<const char *>(lf) - p);
    if (line_too_long(eol - scan_)) return 0;
    if (eol >= max_header_bytes) break;  // same verdict however the bytes were split
    size_t len = eol - scan_;
    if (len > 0 && p[eol - 1] == '\r') --len;
    if (state_ == State::Head && scan_ == 0) {
      if (!check_status_line(data.substr(0, len))) return 0;
      status_line_end_ = eol + 1;
    } else if (len == 0) {
      return eol + 1;
    }
    scan_ = eol + 1;
  }
  // Everything pending belongs to the unfinished block, so an oversize one fails right here.
  if (!line_too_long(n - scan_) && n > max_header_bytes)
    fail(ParseError::HeaderTooLarge, kMsgTooLarge);
  return 0;
}

// A line (or the unfinished tail) of `len` bytes starting at scan_ fails when it passes the line
// bound before the block passes its own.
bool ResponseParser::line_too_long(size_t len) {
  if (len <= max_header_line || scan_ + max_header_line >= max_header_bytes) return false;
  fail(ParseError::HeaderLineTooLarge, kMsgLineTooLarge);
  return true;
}

// "HTTP/1.x NNN reason"; records version, status and where the reason is.
bool ResponseParser::check_status_line(std::string_view line) {
  size_t i = kHttpPrefix.size();
  auto digit_at = [&](size_t k) { return k < line.size() && is_digit(line[k]); };
  if (!digit_at(i)) {
    fail(ParseError::BadStatusLine, kMsgBadVersion);
    return false;
  }
  int major = line[i++] - '0';
  int minor = -1;
  if (i < line.size() && line[i] == '.') {
    ++i;
    if (digit_at(i)) minor = line[i++] - '0';
  }
  if (i >= line.size() || line[i] != ' ' || major != 1 || (minor != 0 && minor != 1)) {
    fail(ParseError::BadStatusLine, kMsgBadVersion);
    return false;
  }
  while (i < line.size() && line[i] == ' ') ++i;
  if (!digit_at(i) || !digit_at(i + 1) || !digit_at(i + 2)) {
    fail(ParseError::BadStatusLine, kMsgBadStatus);
    return false;
  }
  int status = (line[i] - '0') * 100 + (line[i + 1] - '0') * 10 + (line[i + 2] - '0');
  i += 3;
  if (status < 100 || (i < line.size() && line[i] != ' ')) {
    fail(ParseError::BadStatusLine, kMsgBadStatus);
    return false;
  }
  std::string_view reason = trim(line.substr(i), is_ows);
  version_major_ = major;
  version_minor_ = minor;
  status_ = status;
  reason_offset_ = reason.empty() ? line.size() : static_cast<size_t>(reason.data() - line.data());
  reason_length_ = reason.size();
  return true;
}

// Splits the header lines of a complete block into headers_. Obsolete line folding is accepted
// like libcurl does: the previous header's value is widened to span the continuation line.
bool ResponseParser::parse_header_lines(std::string_view block, size_t first_line) {
  headers_.clear();
  if (std::memchr(block.data(), '\0', block.size())) {
    fail(ParseError::BadHeader, kMsgNulByte);
    return false;
  }
  const char *p = block.data();
  size_t pos = first_line;
  for (;;) {
    // The block ends with a blank line, so every line here has its LF.
    size_t eol = static_cast<size_t>(
        static_cast<const char *>(std::memchr(p + pos, '\n', block.size() - pos)) - p);
    size_t len = eol - pos;
    if (len > 0 && p[eol - 1] == '\r') --len;
    if (len == 0) return true;
    std::string_view line(p + pos, len);
    pos = eol + 1;
    if (is_ows(line.front())) {
      if (headers_.empty()) {
        fail(ParseError::BadHeader, kMsgBadFold);
        return false;
      }
      std::string_view more = trim(line, is_ows);
      if (more.empty()) continue;
      Header &prev = headers_.back();
      const char *start = prev.value.empty() ? more.data() : prev.value.data();
      prev.value = std::string_view(start, static_cast<size_t>(more.data() + more.size() - start));
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      fail(ParseError::BadHeader, kMsgNoColon);
      return false;
    }
    headers_.push_back({trim(line.substr(0, colon), is_ows), trim(line.substr(colon + 1), is_ows)});
  }
}

// Derives the body framing of the head just parsed (RFC 9112 6.3, libcurl's leniencies).
bool ResponseParser::apply_framing(ResponseHead &head) {
  int status = head.status;
  // libcurl ignores Content-Length and Transfer-Encoding on responses that never have a body.
  bool bodyless_status = (status >= 100 && status < 200) || status == 204 || status == 304;
  bool te_present = false, bad_coding = false;
  for (const Header &hd : headers_) {
    if (iequals(hd.name, "Connection")) {
      for_each_element(hd.value, [&](std::string_view token) {
        if (iequals(token, "close")) head.connection_close = true;
        if (iequals(token, "keep-alive")) head.keep_alive = true;
      });
      continue;
    }
    if (bodyless_status) continue;
    if (iequals(hd.name, "Content-Length")) {
      bool ok = true, any = false;
      for_each_element(hd.value, [&](std::string_view element) {
        int64_t v = 0;
        any = true;
        if (!parse_length(element, v) || (head.content_length >= 0 && v != head.content_length))
          ok = false;
        else
          head.content_length = v;
      });
      if (!ok || !any) {
        fail(ParseError::BadContentLength, kMsgBadLength);
        return false;
      }
    } else if (iequals(hd.name, "Transfer-Encoding")) {
      for_each_element(hd.value, [&](std::string_view coding) {
        size_t semi = coding.find(';');
        bool chunked = iequals(trim(coding.substr(0, semi), is_list_ws), "chunked");
        // A coding we do not decode (gzip, or anything after chunked) would hand raw bytes to
        // the application or leave the body's end unknown: refuse the response instead.
        if (!chunked || head.chunked) bad_coding = true;
        head.chunked = chunked;
        te_present = true;
      });
    }
  }
  if (bad_coding) {
    fail(ParseError::BadTransferCoding, kMsgBadCoding);
    return false;
  }
  // Transfer-Encoding overrides Content-Length; if its last coding is not chunked, the body can
  // only end when the peer closes.
  if (te_present) head.content_length = -1;
  if (bodyless_status || head_request_)  // 1xx (101 included), 204, 304, HEAD
    head.body = BodyKind::None;
  else if (head.chunked)
    head.body = BodyKind::Chunked;
  else if (head.content_length >= 0)
    head.body = BodyKind::ContentLength;
  else
    head.body = BodyKind::UntilClose;
  return true;
}

// Handles a head or trailer block; returns bytes consumed, 0 if incomplete or failed.
size_t ResponseParser::feed_block(std::string_view data, ResponseHandler &h) {
  size_t length = scan_block(data);
  if (length == 0) return 0;
  std::string_view block = data.substr(0, length);
  bool trailers = state_ == State::Trailers;
  if (!parse_header_lines(block, trailers ? 0 : status_line_end_)) return 0;
  scan_ = 0;

  ResponseHead head;
  head.version_major = version_major_;
  head.version_minor = version_minor_;
  head.status = status_;
  head.raw = block;
  head.headers = headers_;
  if (trailers) {
    if (raw_chunked_) {
      if (!deliver_body(block, h)) return 0;
    } else if (!headers_.empty() && !h.on_trailers(head)) {
      fail(ParseError::Aborted, kMsgAborted);
      return 0;
    }
    finish(h);
    return length;
  }

  head.reason = block.substr(reason_offset_, reason_length_);
  if (!apply_framing(head)) return 0;
  body_ = head.body;
  content_length_ = head.content_length;
  connection_close_ = head.connection_close;
  keep_alive_ = head.keep_alive;
  if (!h.on_response_head(head)) {
    fail(ParseError::Aborted, kMsgAborted);
    return 0;
  }
  if (head.interim()) return length;  // state stays Head: the final response follows
  switch (body_) {
    case BodyKind::None:
      finish(h);
      break;
    case BodyKind::ContentLength:
      remaining_ = content_length_;
      state_ = State::Body;
      if (remaining_ == 0) finish(h);
      break;
    case BodyKind::Chunked:
      state_ = State::ChunkSize;
      break;
    case BodyKind::UntilClose:
      state_ = State::BodyUntilClose;
      break;
  }
  return length;
}

void ResponseParser::end_chunk_size_line() {
  if (chunk_size_ == 0) {
    state_ = State::Trailers;
  } else {
    remaining_ = static_cast<int64_t>(chunk_size_);
    state_ = State::ChunkData;
  }
  chunk_size_ = 0;
  chunk_digits_ = 0;
  chunk_ext_bytes_ = 0;
}

// Chunk framing outside the data; consumes bytes until the state leaves these framing states.
size_t ResponseParser::feed_chunk_line(std::string_view data) {
  size_t i = 0;
  while (i < data.size()) {
    char c = data[i];
    switch (state_) {
      case State::ChunkSize: {
        int v = hex_value(c);
        if (v < 0) {
          if (chunk_digits_ == 0) {
            fail(ParseError::BadChunk, kMsgBadHex);
            return i;
          }
          state_ = State::ChunkSizeEnd;  // look at c again there
          continue;
        }
        // libcurl counts digits, leading zeros too; the value stays below 2^62 besides.
        if (chunk_digits_ >= limits::kChunkSizeDigits || chunk_size_ >> 58) {
          fail(ParseError::BadChunk, kMsgHexTooLong);
          return i;
        }
        chunk_size_ = chunk_size_ << 4 | static_cast<uint64_t>(v);
        ++chunk_digits_;
        ++i;
        break;
      }
      case State::ChunkSizeEnd:
        ++i;
        if (c == ';') {
          state_ = State::ChunkExt;
        } else if (c == '\r') {
          state_ = State::ChunkSizeLf;
        } else if (c == '\n') {
          end_chunk_size_line();
          return i;
        } else if (!is_ows(c)) {
          fail(ParseError::BadChunk, kMsgBadHex);
          return i - 1;
        }
        break;
      case State::ChunkExt: {
        // Extensions carry nothing we use; skip to LF but bound them like a header block.
        const void *lf = std::memchr(data.data() + i, '\n', data.size() - i);
        size_t end =
            lf ? static_cast<size_t>(static_cast<const char *>(lf) - data.data()) : data.size();
        chunk_ext_bytes_ += end - i;
        if (chunk_ext_bytes_ > max_header_bytes) {
          fail(ParseError::BadChunk, kMsgExtTooLong);
          return i;
        }
        if (!lf) return data.size();
        end_chunk_size_line();
        return end + 1;
      }
      case State::ChunkSizeLf:
        if (c != '\n') {
          fail(ParseError::BadChunk, kMsgBadChunk);
          return i;
        }
        end_chunk_size_line();
        return i + 1;
      case State::ChunkDataEnd:
        ++i;
        if (c == '\r') {
          state_ = State::ChunkDataLf;
        } else if (c == '\n') {
          state_ = State::ChunkSize;
        } else {
          fail(ParseError::BadChunk, kMsgBadChunk);
          return i - 1;
        }
        break;
      case State::ChunkDataLf:
        if (c != '\n') {
          fail(ParseError::BadChunk, kMsgBadChunk);
          return i;
        }
        state_ = State::ChunkSize;
        ++i;
        break;
      default:
        return i;
    }
  }
  return i;
}

}  // namespace evm::h1
