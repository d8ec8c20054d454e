// CURLOPT_CONNECT_ONLY sessions: a transfer that stops once connected leaves its connection with
// the handle, and curl_easy_send/recv move raw bytes over it through its filter chain (so TLS
// works), without blocking.
#pragma once

#include <curl/curl.h>

#include <cstddef>

namespace evm {

class Transfer;

// libcurl 7.88's answers: CURLE_UNSUPPORTED_PROTOCOL without CONNECT_ONLY or without a
// connection, CURLE_AGAIN when nothing can move now, CURLE_SEND_ERROR / CURLE_RECV_ERROR when
// the connection fails. A receive of 0 bytes with CURLE_OK means the peer closed.
CURLcode session_send(Transfer &t, const void *buf, size_t len, size_t &sent);
CURLcode session_recv(Transfer &t, void *buf, size_t len, size_t &received);

}  // namespace evm
