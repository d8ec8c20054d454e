// The request head the attempt serialized for HTTP/1.1, said again for HTTP/2: pseudo-headers
// from the request line and Host, names in lower case, connection-specific headers left out
// (RFC 9113 section 8.2.2), as libcurl turns its own HTTP/1.1 head into an HTTP/2 request.
#pragma once

#include <nghttp2/nghttp2.h>

#include <string>
#include <string_view>
#include <vector>

namespace evm::h2 {

struct RequestHeaders {
  std::vector<nghttp2_nv> nv;  // point into `storage`
  std::string storage;
  std::string display;  // the head as VERBOSE shows it: "GET / HTTP/2\r\nHost: ...\r\n\r\n"
};

// `drop_expect`: the Expect: 100-continue in the head is the engine's own, which HTTP/2 does
// without. False when `h1_head` is not a request line and header lines.
bool convert_request(std::string_view h1_head, bool tls, bool drop_expect, RequestHeaders &out);

}  // namespace evm::h2
