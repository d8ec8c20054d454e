// curl_easy_send, curl_easy_recv (over a CONNECT_ONLY transfer's connection) and
// curl_easy_upkeep.
#include <curl/curl.h>

#include "api/c_edge.h"
#include "multi/multi.h"
#include "transfer/connect_only.h"
#include "transfer/transfer.h"

using evm::Transfer;
using evm::api::guarded;

namespace {

// The handle, or why the call cannot run: a bad argument, or a call from inside a callback.
CURLcode enter(CURL *handle, const void *buf, size_t len, size_t *n, Transfer *&t) {
  t = Transfer::from(handle);
  if (!t || !n || (!buf && len)) return CURLE_BAD_FUNCTION_ARGUMENT;
  *n = 0;
  if (t->multi && t->multi->in_callback()) return CURLE_RECURSIVE_API_CALL;
  return CURLE_OK;
}

}  // namespace

extern "C" CURLcode curl_easy_send(CURL *handle, const void *buffer, size_t buflen, size_t *n) {
  return guarded(CURLE_OUT_OF_MEMORY, [&] {
    Transfer *t;
    if (CURLcode rc = enter(handle, buffer, buflen, n, t)) return rc;
    return evm::session_send(*t, buffer, buflen, *n);
  });
}

extern "C" CURLcode curl_easy_recv(CURL *handle, void *buffer, size_t buflen, size_t *n) {
  return guarded(CURLE_OUT_OF_MEMORY, [&] {
    Transfer *t;
    if (CURLcode rc = enter(handle, buffer, buflen, n, t)) return rc;
    return evm::session_recv(*t, buffer, buflen, *n);
  });
}

extern "C" CURLcode curl_easy_upkeep(CURL *handle) {
  return guarded(CURLE_OUT_OF_MEMORY, [&] {
    Transfer *t = Transfer::from(handle);
    if (!t) return CURLE_BAD_FUNCTION_ARGUMENT;
    // Upkeep sends what a protocol needs to keep an idle connection open (an HTTP/2 PING).
    // HTTP/1.1 has no such traffic, so, as in libcurl, there is nothing to send; the trace
    // says so, as UPKEEP_INTERVAL_MS has nothing to pace.
    t->trace().info("upkeep: HTTP/1.1 connections need no keep-alive traffic");
    return CURLE_OK;
  });
}
