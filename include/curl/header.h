/* evmulti: the header API (libcurl-compatible): the response headers of a
 * transfer, looked up after or during it. Normally reached through <curl/curl.h>. */
#ifndef EVMULTI_CURL_HEADER_H
#define EVMULTI_CURL_HEADER_H

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

struct curl_header {
  char *name; /* as the server spelled it */
  char *value;
  size_t amount;       /* how many headers of the request carry this name */
  size_t index;        /* which of them this is, from 0 */
  unsigned int origin; /* one CURLH_* bit */
  void *anchor;        /* the library's own */
};

/* Where a header came from; the origin argument takes several, or'ed. */
#define CURLH_HEADER (1 << 0)  /* a response's head */
#define CURLH_TRAILER (1 << 1) /* chunked trailers */
#define CURLH_CONNECT (1 << 2) /* a proxy's CONNECT response */
#define CURLH_1XX (1 << 3)     /* an interim 1xx response */
#define CURLH_PSEUDO (1 << 4)  /* HTTP/2 and 3 pseudo headers */

typedef enum {
  CURLHE_OK,
  CURLHE_BADINDEX,  /* the name exists, not with that index */
  CURLHE_MISSING,   /* no header of that name */
  CURLHE_NOHEADERS, /* no headers at all, yet */
  CURLHE_NOREQUEST, /* no request with that number */
  CURLHE_OUT_OF_MEMORY,
  CURLHE_BAD_ARGUMENT,
  CURLHE_NOT_BUILT_IN
} CURLHcode;

/* request -1 is the last request of the transfer (after redirects), 0 the first. The
 * struct stays valid until the next call or the handle's next transfer. */
CURL_EXTERN CURLHcode curl_easy_header(CURL *easy, const char *name, size_t index,
                                       unsigned int origin, int request, struct curl_header **hout);
/* The header after prev (NULL: the first), or NULL at the end. */
CURL_EXTERN struct curl_header *curl_easy_nextheader(CURL *easy, unsigned int origin, int request,
                                                     struct curl_header *prev);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_CURL_HEADER_H */
