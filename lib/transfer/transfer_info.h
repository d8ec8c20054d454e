// What curl_easy_getinfo reports about the latest transfer of a handle.
#pragma once

#include <cstdint>
#include <string>

#include "transfer/header_store.h"
#include "util/clock.h"

namespace evm {

struct TransferInfo {
  long response_code = 0;
  long http_version = 0;  // CURL_HTTP_VERSION_1_0 / 1_1, 0 before a response
  std::string effective_url;
  std::string content_type;
  bool has_content_type = false;
  int64_t size_download = 0;
  int64_t size_upload = 0;
  int64_t content_length_download = -1;
  long header_size = 0;
  long request_size = 0;
  long num_connects = 0;
  long os_errno = 0;
  std::string primary_ip, local_ip;
  long primary_port = 0, local_port = 0;

  // Moments of the transfer; zero means "not reached".
  TimePoint started{}, resolved{}, connected{}, appconnected{}, pretransfer{}, first_byte{},
      finished{};
  long ssl_verify_result = 0;

  // -- redirects and auth
  long redirect_count = 0;   // redirects and auth retries followed
  std::string redirect_url;  // where a 3xx (or a refused follow-up) points
  bool has_redirect_url = false;
  TimePoint redirected{};  // when the last follow-up started: REDIRECT_TIME
  std::string effective_method;
  std::string referer;      // the Referer the latest request sent (CURLINFO_REFERER)
  long httpauth_avail = 0;  // CURLAUTH_* bits the last 401 offered

  // -- uploads and pause
  int64_t content_length_upload = 0;  // the body size announced, -1 when unknown, 0 for none

  // -- response handling
  int64_t filetime = -1;         // Last-Modified, with FILETIME set; -1 when unknown
  bool condition_unmet = false;  // TIMECONDITION said no (a real or simulated 304)

  // -- connections
  int64_t retry_after = 0;                // CURLINFO_RETRY_AFTER, seconds
  const char *scheme = nullptr;           // "HTTP" / "HTTPS" once connected, as libcurl names them
  long protocol = 0;                      // CURLPROTO_HTTP / CURLPROTO_HTTPS
  int64_t last_connection = -1;           // id of the connection used last (ACTIVESOCKET), -1: none
  const void *connection_pool = nullptr;  // ... in this pool
  int64_t xfer_id = -1;                   // CURLINFO_XFER_ID: set by the multi on add
  int64_t queue_us = 0;  // CURLINFO_QUEUE_TIME_T: from the start until a connection was had
  bool queue_known = false;

  // -- header API: every head of the transfer (kept across curl_easy_reset, as libcurl does)
  HeaderStore headers;

  // Microseconds from `started` to `t`, 0 when `t` was not reached.
  int64_t since_start(TimePoint t) const {
    return t == TimePoint{} ? 0 : micros_between(started, t);
  }
};

}  // namespace evm
