/* evmulti: the few C library declarations libcurl's stdcheaders.h offers to
 * programs built without the standard headers (libcurl-compatible). */
#ifndef EVMULTI_CURL_STDCHEADERS_H
#define EVMULTI_CURL_STDCHEADERS_H

#include <stdio.h> /* FILE: a header must compile on its own */
#include <sys/types.h>

size_t fread(void *, size_t, size_t, FILE *);
size_t fwrite(const void *, size_t, size_t, FILE *);

int strcasecmp(const char *, const char *);
int strncasecmp(const char *, const char *, size_t);

#endif /* EVMULTI_CURL_STDCHEADERS_H */
