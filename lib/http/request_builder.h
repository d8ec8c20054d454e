// Serializes an HTTP/1.x request head byte-for-byte like libcurl 7.88, including how
// CURLOPT_HTTPHEADER entries replace, remove or blank libcurl's own headers.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace evm::http {

inline constexpr int64_t kNoBody = -1;           // GET/HEAD/...: no body at all
inline constexpr int64_t kUnknownBodySize = -2;  // upload of unknown size: chunked

struct RequestSpec {
  std::string_view method;         // "GET", "HEAD", "POST" or the CURLOPT_CUSTOMREQUEST string
  std::string_view target;         // Url::target
  std::string_view host_header;    // Url::host_header()
  std::string_view authorization;  // e.g. "Basic dXM6cHc="; empty = none
  std::string_view user_agent;     // CURLOPT_USERAGENT; empty = none
  // Values of the headers features add; empty = none. Each is left out when a custom header of
  // the same name exists. Emitted in libcurl 7.88's order (see build_request).
  std::string_view range;            // "bytes=0-99" (RANGE, RESUME_FROM)
  std::string_view accept_encoding;  // ACCEPT_ENCODING
  std::string_view referer;          // REFERER, AUTOREFERER
  std::string_view cookie;           // COOKIE and the cookie engine: "a=1; b=2"
  std::string_view time_condition;   // a whole line: "If-Modified-Since: <date>"
  // A body's own type (MIME: multipart/form-data; boundary=...). It replaces any custom
  // Content-Type entry (the caller folded that entry's value in), as libcurl does for forms.
  std::string_view content_type;
  bool expect_100 = false;                      // add "Expect: 100-continue" after the body headers
  std::span<const char *const> custom_headers;  // CURLOPT_HTTPHEADER, in list order
  int64_t body_size = kNoBody;  // >= 0: known size (Content-Length), or kNoBody/kUnknownBodySize
  bool http10 = false;
  bool is_post = false;  // POSTFIELDS/POST body: adds the form Content-Type by default
};

enum class RequestError {
  kOk,
  // Unknown body size needs chunked encoding, which HTTP/1.0 lacks, and no custom
  // Transfer-Encoding header decides otherwise. Nothing is appended. Engine maps to
  // CURLE_UPLOAD_FAILED (25) with `message` in the error buffer, as libcurl does.
  kChunkedNeedsHttp11,
  // A string the application gave (method, a header value, an HTTPHEADER entry) holds a CR or
  // LF, which would end its line early and smuggle the rest in as headers of its own. libcurl
  // 7.88 sends such strings verbatim; evmulti refuses the request (CURLE_BAD_FUNCTION_ARGUMENT)
  // with `message` naming the string. Nothing is appended.
  kLineBreak,
};

struct RequestBuildResult {
  RequestError code = RequestError::kOk;
  const char *message = "";
  // The body must be sent with chunked transfer-coding: either the size is unknown or a
  // custom "Transfer-Encoding:" header mentions "chunked". False means send it as is.
  bool chunked_body = false;
  bool ok() const { return code == RequestError::kOk; }
};

// Appends the request line, headers and the blank line to `out`.
// Header order is libcurl's: Host, Authorization, Range, User-Agent, Accept, Accept-Encoding,
// Referer, Transfer-Encoding, Cookie, the time condition, the custom headers, Content-Length,
// Content-Type, Expect. No Connection header is added. Whether to expect a 100 is the caller's
// decision (spec.expect_100); a custom Expect entry always wins.
RequestBuildResult build_request(const RequestSpec &spec, std::string &out);

}  // namespace evm::http
