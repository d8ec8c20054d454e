/* evmulti: easy handles, one per transfer (libcurl-compatible subset).
 * Normally reached through <curl/curl.h>. */
#ifndef EVMULTI_CURL_EASY_H
#define EVMULTI_CURL_EASY_H

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

/* New handle with default options, or NULL when out of memory. */
CURL_EXTERN CURL *curl_easy_init(void);

/* Sets one option; the argument's type follows the option's CURLOPTTYPE. The name is in
 * parentheses here and below: curl.h may already have made it a type-checking macro. */
CURL_EXTERN CURLcode(curl_easy_setopt)(CURL *curl, CURLoption option, ...);

/* Runs the transfer to completion, blocking the caller. */
CURL_EXTERN CURLcode curl_easy_perform(CURL *curl);

/* Frees the handle; it must not be in a multi handle any more. */
CURL_EXTERN void curl_easy_cleanup(CURL *curl);

/* Reads one fact about the last transfer into the pointer argument, whose
 * type follows the query's CURLINFO type base. */
CURL_EXTERN CURLcode(curl_easy_getinfo)(CURL *curl, CURLINFO info, ...);

/* New handle carrying a copy of all options set on curl. */
CURL_EXTERN CURL *curl_easy_duphandle(CURL *curl);

/* Puts every option back to its default; connections stay cached. */
CURL_EXTERN void curl_easy_reset(CURL *curl);

/* With CURLOPT_CONNECT_ONLY: raw bytes over the transfer's connection. CURLE_AGAIN when
 * nothing can be read or written now. */
CURL_EXTERN CURLcode curl_easy_recv(CURL *curl, void *buffer, size_t buflen, size_t *n);
CURL_EXTERN CURLcode curl_easy_send(CURL *curl, const void *buffer, size_t buflen, size_t *n);

/* Keeps the handle's idle connection alive where the protocol needs it. */
CURL_EXTERN CURLcode curl_easy_upkeep(CURL *curl);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_CURL_EASY_H */
