/* evmulti: the platform types of libcurl's API (libcurl-compatible).
 *
 * curl_off_t is 64-bit signed everywhere; curl_socklen_t is the platform's
 * socklen_t. The format and suffix macros say how to print and write one.
 * Normally reached through <curl/curl.h>. */
#ifndef EVMULTI_CURL_SYSTEM_H
#define EVMULTI_CURL_SYSTEM_H

#if defined(_WIN32)
#include <winsock2.h>
#include <ws2tcpip.h>
#define CURL_TYPEOF_CURL_SOCKLEN_T int
#else
#include <sys/socket.h>
#include <sys/types.h>
#define CURL_TYPEOF_CURL_SOCKLEN_T socklen_t
#define CURL_PULL_SYS_TYPES_H 1
#define CURL_PULL_SYS_SOCKET_H 1
#endif

/* C89 lacks long long, so LP64 targets use long, as libcurl does there. */
#if defined(__LP64__) || defined(_LP64) || defined(__x86_64__) || defined(__aarch64__) || \
    (defined(__SIZEOF_LONG__) && __SIZEOF_LONG__ == 8)
#define CURL_TYPEOF_CURL_OFF_T long
#define CURL_FORMAT_CURL_OFF_T "ld"
#define CURL_FORMAT_CURL_OFF_TU "lu"
#define CURL_SUFFIX_CURL_OFF_T L
#define CURL_SUFFIX_CURL_OFF_TU UL
#elif defined(_MSC_VER)
#define CURL_TYPEOF_CURL_OFF_T __int64
#define CURL_FORMAT_CURL_OFF_T "I64d"
#define CURL_FORMAT_CURL_OFF_TU "I64u"
#define CURL_SUFFIX_CURL_OFF_T i64
#define CURL_SUFFIX_CURL_OFF_TU ui64
#else
#define CURL_TYPEOF_CURL_OFF_T long long
#define CURL_FORMAT_CURL_OFF_T "lld"
#define CURL_FORMAT_CURL_OFF_TU "llu"
#define CURL_SUFFIX_CURL_OFF_T LL
#define CURL_SUFFIX_CURL_OFF_TU ULL
#endif

typedef CURL_TYPEOF_CURL_SOCKLEN_T curl_socklen_t;
#if defined(__GNUC__) && !defined(__LP64__) && !defined(_LP64)
__extension__
#endif
    typedef CURL_TYPEOF_CURL_OFF_T curl_off_t;

/* Set where the preprocessor is ISO's (has ##); libcurl's headers define it the same way. */
#if defined(__STDC__) || defined(_MSC_VER) || defined(__cplusplus)
#define CURL_ISOCPP
#endif

/* CURL_OFF_T_C(123) is a curl_off_t constant, CURL_OFF_TU_C(123) an unsigned one. */
#define EVMULTI_OFF_T_GLUE2(v, s) v##s
#define EVMULTI_OFF_T_GLUE(v, s) EVMULTI_OFF_T_GLUE2(v, s)
#define CURL_OFF_T_C(Val) EVMULTI_OFF_T_GLUE(Val, CURL_SUFFIX_CURL_OFF_T)
#define CURL_OFF_TU_C(Val) EVMULTI_OFF_T_GLUE(Val, CURL_SUFFIX_CURL_OFF_TU)

#endif /* EVMULTI_CURL_SYSTEM_H */
