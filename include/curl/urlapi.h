/* evmulti: the URL API (libcurl-compatible): parse, change and rebuild URLs
 * one part at a time. Normally reached through <curl/curl.h>. */
#ifndef EVMULTI_CURL_URLAPI_H
#define EVMULTI_CURL_URLAPI_H

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CURLUE_OK = 0,
  CURLUE_BAD_HANDLE = 1,
  CURLUE_BAD_PARTPOINTER = 2,
  CURLUE_MALFORMED_INPUT = 3,
  CURLUE_BAD_PORT_NUMBER = 4,
  CURLUE_UNSUPPORTED_SCHEME = 5,
  CURLUE_URLDECODE = 6,
  CURLUE_OUT_OF_MEMORY = 7,
  CURLUE_USER_NOT_ALLOWED = 8,
  CURLUE_UNKNOWN_PART = 9,
  CURLUE_NO_SCHEME = 10,
  CURLUE_NO_USER = 11,
  CURLUE_NO_PASSWORD = 12,
  CURLUE_NO_OPTIONS = 13,
  CURLUE_NO_HOST = 14,
  CURLUE_NO_PORT = 15,
  CURLUE_NO_QUERY = 16,
  CURLUE_NO_FRAGMENT = 17,
  CURLUE_NO_ZONEID = 18,
  CURLUE_BAD_FILE_URL = 19,
  CURLUE_BAD_FRAGMENT = 20,
  CURLUE_BAD_HOSTNAME = 21,
  CURLUE_BAD_IPV6 = 22,
  CURLUE_BAD_LOGIN = 23,
  CURLUE_BAD_PASSWORD = 24,
  CURLUE_BAD_PATH = 25,
  CURLUE_BAD_QUERY = 26,
  CURLUE_BAD_SCHEME = 27,
  CURLUE_BAD_SLASHES = 28,
  CURLUE_BAD_USER = 29,
  CURLUE_LACKS_IDN = 30,
  CURLUE_LAST
} CURLUcode;

typedef enum {
  CURLUPART_URL,
  CURLUPART_SCHEME,
  CURLUPART_USER,
  CURLUPART_PASSWORD,
  CURLUPART_OPTIONS,
  CURLUPART_HOST,
  CURLUPART_PORT,
  CURLUPART_PATH,
  CURLUPART_QUERY,
  CURLUPART_FRAGMENT,
  CURLUPART_ZONEID
} CURLUPart;

/* Flags for curl_url_get() and curl_url_set(). */
#define CURLU_DEFAULT_PORT (1 << 0)       /* get: the scheme's port when none is set */
#define CURLU_NO_DEFAULT_PORT (1 << 1)    /* get: no port when it is the scheme's default */
#define CURLU_DEFAULT_SCHEME (1 << 2)     /* https when the URL has no scheme */
#define CURLU_NON_SUPPORT_SCHEME (1 << 3) /* accept schemes the library does not speak */
#define CURLU_PATH_AS_IS (1 << 4)         /* keep ./ and ../ in the path */
#define CURLU_DISALLOW_USER (1 << 5)      /* refuse user and password */
#define CURLU_URLDECODE (1 << 6)          /* get: percent-decoded */
#define CURLU_URLENCODE (1 << 7)          /* set: percent-encode */
#define CURLU_APPENDQUERY (1 << 8)        /* set: add to the query with '&' */
#define CURLU_GUESS_SCHEME (1 << 9)       /* guess the scheme from the host name */
#define CURLU_NO_AUTHORITY (1 << 10)      /* empty authority for unknown schemes */
#define CURLU_ALLOW_SPACE (1 << 11)       /* accept spaces */
#define CURLU_PUNYCODE (1 << 12)          /* get: host name in punycode */

typedef struct Curl_URL CURLU;

/* A new, empty URL handle, or NULL when out of memory. */
CURL_EXTERN CURLU *curl_url(void);
CURL_EXTERN void curl_url_cleanup(CURLU *handle);
/* A copy of the handle with all its parts, or NULL. */
CURL_EXTERN CURLU *curl_url_dup(CURLU *in);
/* *part receives a new string the caller frees with curl_free(). */
CURL_EXTERN CURLUcode curl_url_get(CURLU *handle, CURLUPart what, char **part, unsigned int flags);
/* A NULL part clears it; CURLUPART_URL parses a whole URL, or resolves a relative one. */
CURL_EXTERN CURLUcode curl_url_set(CURLU *handle, CURLUPart what, const char *part,
                                   unsigned int flags);
CURL_EXTERN const char *curl_url_strerror(CURLUcode);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_CURL_URLAPI_H */
