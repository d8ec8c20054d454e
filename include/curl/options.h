/* evmulti: the easy option table (libcurl-compatible): every option's name,
 * id and argument type. Normally reached through <curl/curl.h>. */
#ifndef EVMULTI_CURL_OPTIONS_H
#define EVMULTI_CURL_OPTIONS_H

#include "curl.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  CURLOT_LONG,    /* long, a range */
  CURLOT_VALUES,  /* long, a set of values or bits */
  CURLOT_OFF_T,   /* curl_off_t */
  CURLOT_OBJECT,  /* void * */
  CURLOT_STRING,  /* char *, NUL-terminated */
  CURLOT_SLIST,   /* struct curl_slist * */
  CURLOT_CBPTR,   /* void * handed to a callback as it is */
  CURLOT_BLOB,    /* struct curl_blob * */
  CURLOT_FUNCTION /* a function pointer */
} curl_easytype;

/* The entry is an older name; the same id has a preferred one. */
#define CURLOT_FLAG_ALIAS (1 << 0)

struct curl_easyoption {
  const char *name; /* without the CURLOPT_ prefix */
  CURLoption id;
  curl_easytype type;
  unsigned int flags;
};

/* Case-insensitive lookup by name without the prefix; NULL when unknown. */
CURL_EXTERN const struct curl_easyoption *curl_easy_option_by_name(const char *name);
/* Lookup by id; the preferred (not alias) entry. NULL when unknown. */
CURL_EXTERN const struct curl_easyoption *curl_easy_option_by_id(CURLoption id);
/* Iterates over every option; NULL starts, NULL returned at the end. */
CURL_EXTERN const struct curl_easyoption *curl_easy_option_next(const struct curl_easyoption *prev);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_CURL_OPTIONS_H */
