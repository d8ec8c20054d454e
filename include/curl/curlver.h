/* evmulti: version of the libcurl API these headers are compatible with.
 * The numbers are the libcurl release whose interface we mirror; the string
 * carries an "-evmulti" suffix so a program can tell which library it got. */
#ifndef EVMULTI_CURL_CURLVER_H
#define EVMULTI_CURL_CURLVER_H

#define LIBCURL_VERSION "7.88.1-evmulti"

/* Who wrote this implementation of the API. */
#define LIBCURL_COPYRIGHT "the evmulti authors"

/* Release date of the libcurl version whose interface we mirror. */
#define LIBCURL_TIMESTAMP "2023-02-20"

#define LIBCURL_VERSION_MAJOR 7
#define LIBCURL_VERSION_MINOR 88
#define LIBCURL_VERSION_PATCH 1

/* 0xXXYYZZ: major, minor and patch, one byte each. */
#define LIBCURL_VERSION_NUM 0x075801

/* Feature checks in the form libcurl programs write them. */
#define CURL_VERSION_BITS(x, y, z) ((x) << 16 | (y) << 8 | (z))
#define CURL_AT_LEAST_VERSION(x, y, z) (LIBCURL_VERSION_NUM >= CURL_VERSION_BITS(x, y, z))

/* Version of evmulti itself. */
#define EVMULTI_VERSION "0.1.0"

#endif /* EVMULTI_CURL_CURLVER_H */
