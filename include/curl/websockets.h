/* evmulti: the WebSocket API (libcurl-compatible declarations). evmulti is built
 * without WebSockets, as a libcurl without them: the functions answer
 * CURLE_NOT_BUILT_IN (curl_ws_meta: NULL). Normally reached through <curl/curl.h>. */
#ifndef EVMULTI_CURL_WEBSOCKETS_H
#define EVMULTI_CURL_WEBSOCKETS_H

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

struct curl_ws_frame {
  int age;              /* zero */
  int flags;            /* CURLWS_* */
  curl_off_t offset;    /* where this chunk starts in the frame */
  curl_off_t bytesleft; /* payload bytes still to come */
  size_t len;           /* bytes in this chunk */
};

/* Frame kinds (curl_ws_frame.flags, curl_ws_send's sendflags). */
#define CURLWS_TEXT (1 << 0)
#define CURLWS_BINARY (1 << 1)
#define CURLWS_CONT (1 << 2)
#define CURLWS_CLOSE (1 << 3)
#define CURLWS_PING (1 << 4)
#define CURLWS_OFFSET (1 << 5)
#define CURLWS_PONG (1 << 6)

/* CURLOPT_WS_OPTIONS bits. */
#define CURLWS_RAW_MODE (1 << 0)

CURL_EXTERN CURLcode curl_ws_recv(CURL *curl, void *buffer, size_t buflen, size_t *recv,
                                  struct curl_ws_frame **metap);
CURL_EXTERN CURLcode curl_ws_send(CURL *curl, const void *buffer, size_t buflen, size_t *sent,
                                  curl_off_t framesize, unsigned int sendflags);
CURL_EXTERN struct curl_ws_frame *curl_ws_meta(CURL *curl);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_CURL_WEBSOCKETS_H */
