/* evmulti: libcurl-compatible C API, the subset evmulti implements.
 *
 * Every name, type and numeric value below equals libcurl 7.88's, so a
 * program written for libcurl builds unchanged against these headers and a
 * binary built against libcurl's headers behaves the same against evmulti.
 * Including this file is all a program needs; it pulls in easy.h and
 * multi.h. */
#ifndef EVMULTI_CURL_CURL_H
#define EVMULTI_CURL_CURL_H

/* CURL_NO_OLDIES hides the old alias names and makes handles typed. */
#ifdef CURL_NO_OLDIES
#define CURL_STRICTER
#endif

#include "curlver.h"

/* The system headers libcurl's curl.h provides; programs rely on them. */
#include <limits.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>
#if defined(_WIN32)
#include <winsock2.h>
#else
#include <sys/socket.h>
#include <sys/time.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Keep the API visible when the library is built with -fvisibility=hidden. */
#ifndef CURL_EXTERN
#if defined(__GNUC__) && __GNUC__ >= 4 && !defined(_WIN32)
#define CURL_EXTERN __attribute__((visibility("default")))
#else
#define CURL_EXTERN
#endif
#endif

/* An easy handle: one transfer. Opaque; typed only under CURL_STRICTER. */
#ifdef CURL_STRICTER
typedef struct Curl_easy CURL;
#else
typedef void CURL;
#endif

#if defined(_WIN32)
typedef SOCKET curl_socket_t;
#define CURL_SOCKET_BAD INVALID_SOCKET
#else
typedef int curl_socket_t;
#define CURL_SOCKET_BAD (-1)
#endif

/* Sizes and offsets: 64-bit signed everywhere. C89 lacks long long, so LP64
 * targets use long (as libcurl does there). */
#if defined(__LP64__) || defined(_LP64)
typedef long curl_off_t;
#define CURL_FORMAT_CURL_OFF_T "ld"
#elif defined(_MSC_VER)
typedef __int64 curl_off_t;
#define CURL_FORMAT_CURL_OFF_T "I64d"
#elif defined(__GNUC__)
__extension__ typedef long long curl_off_t;
#define CURL_FORMAT_CURL_OFF_T "lld"
#else
typedef long long curl_off_t;
#define CURL_FORMAT_CURL_OFF_T "lld"
#endif

/* Singly linked list of strings, e.g. request headers. */
struct curl_slist {
  char *data;
  struct curl_slist *next;
};

/* Result of every easy and global call, and of each finished transfer. */
typedef enum {
  CURLE_OK = 0,
  CURLE_UNSUPPORTED_PROTOCOL = 1,
  CURLE_FAILED_INIT = 2,
  CURLE_URL_MALFORMAT = 3,
  CURLE_NOT_BUILT_IN = 4,
  CURLE_COULDNT_RESOLVE_PROXY = 5,
  CURLE_COULDNT_RESOLVE_HOST = 6,
  CURLE_COULDNT_CONNECT = 7,
  CURLE_WEIRD_SERVER_REPLY = 8,
  CURLE_REMOTE_ACCESS_DENIED = 9,
  CURLE_FTP_ACCEPT_FAILED = 10,
  CURLE_FTP_WEIRD_PASS_REPLY = 11,
  CURLE_FTP_ACCEPT_TIMEOUT = 12,
  CURLE_FTP_WEIRD_PASV_REPLY = 13,
  CURLE_FTP_WEIRD_227_FORMAT = 14,
  CURLE_FTP_CANT_GET_HOST = 15,
  CURLE_HTTP2 = 16,
  CURLE_FTP_COULDNT_SET_TYPE = 17,
  CURLE_PARTIAL_FILE = 18,
  CURLE_FTP_COULDNT_RETR_FILE = 19,
  CURLE_OBSOLETE20 = 20,
  CURLE_QUOTE_ERROR = 21,
  CURLE_HTTP_RETURNED_ERROR = 22,
  CURLE_WRITE_ERROR = 23,
  CURLE_OBSOLETE24 = 24,
  CURLE_UPLOAD_FAILED = 25,
  CURLE_READ_ERROR = 26,
  CURLE_OUT_OF_MEMORY = 27,
  CURLE_OPERATION_TIMEDOUT = 28,
  CURLE_OBSOLETE29 = 29,
  CURLE_FTP_PORT_FAILED = 30,
  CURLE_FTP_COULDNT_USE_REST = 31,
  CURLE_OBSOLETE32 = 32,
  CURLE_RANGE_ERROR = 33,
  CURLE_HTTP_POST_ERROR = 34,
  CURLE_SSL_CONNECT_ERROR = 35,
  CURLE_BAD_DOWNLOAD_RESUME = 36,
  CURLE_FILE_COULDNT_READ_FILE = 37,
  CURLE_LDAP_CANNOT_BIND = 38,
  CURLE_LDAP_SEARCH_FAILED = 39,
  CURLE_OBSOLETE40 = 40,
  CURLE_FUNCTION_NOT_FOUND = 41,
  CURLE_ABORTED_BY_CALLBACK = 42,
  CURLE_BAD_FUNCTION_ARGUMENT = 43,
  CURLE_OBSOLETE44 = 44,
  CURLE_INTERFACE_FAILED = 45,
  CURLE_OBSOLETE46 = 46,
  CURLE_TOO_MANY_REDIRECTS = 47,
  CURLE_UNKNOWN_OPTION = 48,
  CURLE_SETOPT_OPTION_SYNTAX = 49,
  CURLE_OBSOLETE50 = 50,
  CURLE_OBSOLETE51 = 51,
  CURLE_GOT_NOTHING = 52,
  CURLE_SSL_ENGINE_NOTFOUND = 53,
  CURLE_SSL_ENGINE_SETFAILED = 54,
  CURLE_SEND_ERROR = 55,
  CURLE_RECV_ERROR = 56,
  CURLE_OBSOLETE57 = 57,
  CURLE_SSL_CERTPROBLEM = 58,
  CURLE_SSL_CIPHER = 59,
  CURLE_PEER_FAILED_VERIFICATION = 60,
  CURLE_BAD_CONTENT_ENCODING = 61,
  CURLE_OBSOLETE62 = 62,
  CURLE_FILESIZE_EXCEEDED = 63,
  CURLE_USE_SSL_FAILED = 64,
  CURLE_SEND_FAIL_REWIND = 65,
  CURLE_SSL_ENGINE_INITFAILED = 66,
  CURLE_LOGIN_DENIED = 67,
  CURLE_TFTP_NOTFOUND = 68,
  CURLE_TFTP_PERM = 69,
  CURLE_REMOTE_DISK_FULL = 70,
  CURLE_TFTP_ILLEGAL = 71,
  CURLE_TFTP_UNKNOWNID = 72,
  CURLE_REMOTE_FILE_EXISTS = 73,
  CURLE_TFTP_NOSUCHUSER = 74,
  CURLE_OBSOLETE75 = 75,
  CURLE_OBSOLETE76 = 76,
  CURLE_SSL_CACERT_BADFILE = 77,
  CURLE_REMOTE_FILE_NOT_FOUND = 78,
  CURLE_SSH = 79,
  CURLE_SSL_SHUTDOWN_FAILED = 80,
  CURLE_AGAIN = 81,
  CURLE_SSL_CRL_BADFILE = 82,
  CURLE_SSL_ISSUER_ERROR = 83,
  CURLE_FTP_PRET_FAILED = 84,
  CURLE_RTSP_CSEQ_ERROR = 85,
  CURLE_RTSP_SESSION_ERROR = 86,
  CURLE_FTP_BAD_FILE_LIST = 87,
  CURLE_CHUNK_FAILED = 88,
  CURLE_NO_CONNECTION_AVAILABLE = 89,
  CURLE_SSL_PINNEDPUBKEYNOTMATCH = 90,
  CURLE_SSL_INVALIDCERTSTATUS = 91,
  CURLE_HTTP2_STREAM = 92,
  CURLE_RECURSIVE_API_CALL = 93,
  CURLE_AUTH_ERROR = 94,
  CURLE_HTTP3 = 95,
  CURLE_QUIC_CONNECT_ERROR = 96,
  CURLE_PROXY = 97,
  CURLE_SSL_CLIENTCERT = 98,
  CURLE_UNRECOVERABLE_POLL = 99,
  CURL_LAST = 100
} CURLcode;

#ifndef CURL_NO_OLDIES
/* Earlier names of the codes above, still accepted. */
#define CURLE_OBSOLETE10 CURLE_FTP_ACCEPT_FAILED
#define CURLE_OBSOLETE12 CURLE_FTP_ACCEPT_TIMEOUT
#define CURLE_OBSOLETE16 CURLE_HTTP2
#define CURLE_FTP_WEIRD_SERVER_REPLY CURLE_WEIRD_SERVER_REPLY
#define CURLE_SSL_CACERT CURLE_PEER_FAILED_VERIFICATION
#define CURLE_SSL_PEER_CERTIFICATE CURLE_PEER_FAILED_VERIFICATION
#define CURLE_UNKNOWN_TELNET_OPTION CURLE_UNKNOWN_OPTION
#define CURLE_TELNET_OPTION_SYNTAX CURLE_SETOPT_OPTION_SYNTAX
#define CURLE_OBSOLETE CURLE_OBSOLETE50
#define CURLE_BAD_PASSWORD_ENTERED CURLE_OBSOLETE46
#define CURLE_BAD_CALLING_ORDER CURLE_OBSOLETE44
#define CURLE_FTP_USER_PASSWORD_INCORRECT CURLE_OBSOLETE10
#define CURLE_FTP_CANT_RECONNECT CURLE_OBSOLETE16
#define CURLE_FTP_COULDNT_GET_SIZE CURLE_OBSOLETE32
#define CURLE_FTP_COULDNT_SET_ASCII CURLE_OBSOLETE29
#define CURLE_FTP_WEIRD_USER_REPLY CURLE_OBSOLETE12
#define CURLE_FTP_WRITE_ERROR CURLE_OBSOLETE20
#define CURLE_LIBRARY_NOT_FOUND CURLE_OBSOLETE40
#define CURLE_MALFORMAT_USER CURLE_OBSOLETE24
#define CURLE_SHARE_IN_USE CURLE_OBSOLETE57
#define CURLE_URL_MALFORMAT_USER CURLE_NOT_BUILT_IN
#define CURLE_FTP_ACCESS_DENIED CURLE_REMOTE_ACCESS_DENIED
#define CURLE_FTP_COULDNT_SET_BINARY CURLE_FTP_COULDNT_SET_TYPE
#define CURLE_FTP_QUOTE_ERROR CURLE_QUOTE_ERROR
#define CURLE_TFTP_DISKFULL CURLE_REMOTE_DISK_FULL
#define CURLE_TFTP_EXISTS CURLE_REMOTE_FILE_EXISTS
#define CURLE_HTTP_RANGE_ERROR CURLE_RANGE_ERROR
#define CURLE_FTP_SSL_FAILED CURLE_USE_SSL_FAILED
#define CURLE_OPERATION_TIMEOUTED CURLE_OPERATION_TIMEDOUT
#define CURLE_HTTP_NOT_FOUND CURLE_HTTP_RETURNED_ERROR
#define CURLE_HTTP_PORT_FAILED CURLE_INTERFACE_FAILED
#define CURLE_FTP_COULDNT_STOR_FILE CURLE_UPLOAD_FAILED
#define CURLE_FTP_PARTIAL_FILE CURLE_PARTIAL_FILE
#define CURLE_FTP_BAD_DOWNLOAD_RESUME CURLE_BAD_DOWNLOAD_RESUME
#define CURLE_LDAP_INVALID_URL CURLE_OBSOLETE62
#define CURLE_CONV_REQD CURLE_OBSOLETE76
#define CURLE_CONV_FAILED CURLE_OBSOLETE75
#define CURLE_ALREADY_COMPLETE 99999
#endif /* !CURL_NO_OLDIES */

/* Size of the buffer CURLOPT_ERRORBUFFER points to. */
#define CURL_ERROR_SIZE 256

/* CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION: consume size * nitems bytes
 * and return that count; any other count fails the transfer. */
typedef size_t (*curl_write_callback)(char *buffer, size_t size, size_t nitems,
                                      void *outstream);

/* The most body bytes one WRITEFUNCTION call receives. */
#define CURL_MAX_WRITE_SIZE 16384

/* Write callback returns: pause this transfer, or fail it. */
#define CURL_WRITEFUNC_PAUSE 0x10000001
#define CURL_WRITEFUNC_ERROR 0xFFFFFFFF

/* Old progress callback (doubles); return non-zero to abort. */
typedef int (*curl_progress_callback)(void *clientp, double dltotal, double dlnow,
                                      double ultotal, double ulnow);

/* CURLOPT_XFERINFOFUNCTION: byte counts so far; return non-zero to abort. */
typedef int (*curl_xferinfo_callback)(void *clientp, curl_off_t dltotal, curl_off_t dlnow,
                                      curl_off_t ultotal, curl_off_t ulnow);

/* An option's number is its argument type's base plus its index. */
#define CURLOPTTYPE_LONG 0
#define CURLOPTTYPE_OBJECTPOINT 10000
#define CURLOPTTYPE_FUNCTIONPOINT 20000
#define CURLOPTTYPE_OFF_T 30000
#define CURLOPTTYPE_BLOB 40000

/* Aliases naming what the argument is: char *, struct curl_slist *, a
 * callback's user pointer, a long taken from a fixed set. */
#define CURLOPTTYPE_STRINGPOINT CURLOPTTYPE_OBJECTPOINT
#define CURLOPTTYPE_SLISTPOINT CURLOPTTYPE_OBJECTPOINT
#define CURLOPTTYPE_CBPOINT CURLOPTTYPE_OBJECTPOINT
#define CURLOPTTYPE_VALUES CURLOPTTYPE_LONG

/* Options for curl_easy_setopt(). Others return CURLE_UNKNOWN_OPTION. */
typedef enum {
  CURLOPT_WRITEDATA = CURLOPTTYPE_CBPOINT + 1,
  CURLOPT_URL = CURLOPTTYPE_STRINGPOINT + 2,
  CURLOPT_ERRORBUFFER = CURLOPTTYPE_OBJECTPOINT + 10,
  CURLOPT_WRITEFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 11,
  CURLOPT_TIMEOUT = CURLOPTTYPE_LONG + 13,
  CURLOPT_POSTFIELDS = CURLOPTTYPE_OBJECTPOINT + 15,
  CURLOPT_USERAGENT = CURLOPTTYPE_STRINGPOINT + 18,
  CURLOPT_HTTPHEADER = CURLOPTTYPE_SLISTPOINT + 23,
  CURLOPT_HEADERDATA = CURLOPTTYPE_CBPOINT + 29,
  CURLOPT_CUSTOMREQUEST = CURLOPTTYPE_STRINGPOINT + 36,
  CURLOPT_VERBOSE = CURLOPTTYPE_LONG + 41,
  CURLOPT_NOPROGRESS = CURLOPTTYPE_LONG + 43,
  CURLOPT_NOBODY = CURLOPTTYPE_LONG + 44,
  CURLOPT_FAILONERROR = CURLOPTTYPE_LONG + 45,
  CURLOPT_POST = CURLOPTTYPE_LONG + 47,
  CURLOPT_XFERINFODATA = CURLOPTTYPE_CBPOINT + 57,
  CURLOPT_POSTFIELDSIZE = CURLOPTTYPE_LONG + 60,
  CURLOPT_FRESH_CONNECT = CURLOPTTYPE_LONG + 74,
  CURLOPT_FORBID_REUSE = CURLOPTTYPE_LONG + 75,
  CURLOPT_CONNECTTIMEOUT = CURLOPTTYPE_LONG + 78,
  CURLOPT_HEADERFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 79,
  CURLOPT_HTTPGET = CURLOPTTYPE_LONG + 80,
  CURLOPT_HTTP_VERSION = CURLOPTTYPE_VALUES + 84,
  CURLOPT_NOSIGNAL = CURLOPTTYPE_LONG + 99,
  CURLOPT_PRIVATE = CURLOPTTYPE_OBJECTPOINT + 103,
  CURLOPT_IPRESOLVE = CURLOPTTYPE_VALUES + 113,
  CURLOPT_POSTFIELDSIZE_LARGE = CURLOPTTYPE_OFF_T + 120,
  CURLOPT_TCP_NODELAY = CURLOPTTYPE_LONG + 121,
  CURLOPT_TIMEOUT_MS = CURLOPTTYPE_LONG + 155,
  CURLOPT_CONNECTTIMEOUT_MS = CURLOPTTYPE_LONG + 156,
  CURLOPT_COPYPOSTFIELDS = CURLOPTTYPE_OBJECTPOINT + 165,
  CURLOPT_RESOLVE = CURLOPTTYPE_SLISTPOINT + 203,
  CURLOPT_DNS_SERVERS = CURLOPTTYPE_STRINGPOINT + 211,
  CURLOPT_XFERINFOFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 219
} CURLoption;

/* One user pointer serves both progress callbacks. */
#define CURLOPT_PROGRESSDATA CURLOPT_XFERINFODATA

#ifndef CURL_NO_OLDIES
/* Names these options had before libcurl 7.9.7. */
#define CURLOPT_FILE CURLOPT_WRITEDATA
#define CURLOPT_WRITEHEADER CURLOPT_HEADERDATA
#endif

/* CURLOPT_HTTP_VERSION values (also what CURLINFO_HTTP_VERSION reports). */
enum {
  CURL_HTTP_VERSION_NONE = 0,
  CURL_HTTP_VERSION_1_0 = 1,
  CURL_HTTP_VERSION_1_1 = 2,
  CURL_HTTP_VERSION_2_0 = 3,
  CURL_HTTP_VERSION_2TLS = 4,
  CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE = 5,
  CURL_HTTP_VERSION_3 = 30
};
#define CURL_HTTP_VERSION_2 CURL_HTTP_VERSION_2_0

/* CURLOPT_IPRESOLVE values. */
#define CURL_IPRESOLVE_WHATEVER 0
#define CURL_IPRESOLVE_V4 1
#define CURL_IPRESOLVE_V6 2

/* A CURLINFO number is its result type's base plus its index. */
#define CURLINFO_STRING 0x100000
#define CURLINFO_LONG 0x200000
#define CURLINFO_DOUBLE 0x300000
#define CURLINFO_SLIST 0x400000
#define CURLINFO_PTR 0x400000
#define CURLINFO_SOCKET 0x500000
#define CURLINFO_OFF_T 0x600000
#define CURLINFO_MASK 0x0fffff
#define CURLINFO_TYPEMASK 0xf00000

/* Queries for curl_easy_getinfo(). Others return CURLE_UNKNOWN_OPTION. */
typedef enum {
  CURLINFO_NONE = 0,
  CURLINFO_EFFECTIVE_URL = CURLINFO_STRING + 1,
  CURLINFO_RESPONSE_CODE = CURLINFO_LONG + 2,
  CURLINFO_TOTAL_TIME = CURLINFO_DOUBLE + 3,
  CURLINFO_NAMELOOKUP_TIME = CURLINFO_DOUBLE + 4,
  CURLINFO_CONNECT_TIME = CURLINFO_DOUBLE + 5,
  CURLINFO_PRETRANSFER_TIME = CURLINFO_DOUBLE + 6,
  CURLINFO_SIZE_UPLOAD_T = CURLINFO_OFF_T + 7,
  CURLINFO_SIZE_DOWNLOAD_T = CURLINFO_OFF_T + 8,
  CURLINFO_SPEED_DOWNLOAD_T = CURLINFO_OFF_T + 9,
  CURLINFO_HEADER_SIZE = CURLINFO_LONG + 11,
  CURLINFO_REQUEST_SIZE = CURLINFO_LONG + 12,
  CURLINFO_CONTENT_LENGTH_DOWNLOAD_T = CURLINFO_OFF_T + 15,
  CURLINFO_STARTTRANSFER_TIME = CURLINFO_DOUBLE + 17,
  CURLINFO_CONTENT_TYPE = CURLINFO_STRING + 18,
  CURLINFO_PRIVATE = CURLINFO_STRING + 21,
  CURLINFO_OS_ERRNO = CURLINFO_LONG + 25,
  CURLINFO_NUM_CONNECTS = CURLINFO_LONG + 26,
  CURLINFO_PRIMARY_IP = CURLINFO_STRING + 32,
  CURLINFO_PRIMARY_PORT = CURLINFO_LONG + 40,
  CURLINFO_LOCAL_IP = CURLINFO_STRING + 41,
  CURLINFO_LOCAL_PORT = CURLINFO_LONG + 42,
  CURLINFO_HTTP_VERSION = CURLINFO_LONG + 46,
  CURLINFO_TOTAL_TIME_T = CURLINFO_OFF_T + 50,
  CURLINFO_NAMELOOKUP_TIME_T = CURLINFO_OFF_T + 51,
  CURLINFO_CONNECT_TIME_T = CURLINFO_OFF_T + 52,
  CURLINFO_PRETRANSFER_TIME_T = CURLINFO_OFF_T + 53,
  CURLINFO_STARTTRANSFER_TIME_T = CURLINFO_OFF_T + 54
} CURLINFO;

/* The name CURLINFO_RESPONSE_CODE had before libcurl 7.10.8. */
#define CURLINFO_HTTP_CODE CURLINFO_RESPONSE_CODE

/* curl_global_init() flags. SSL and WIN32 are accepted and have no effect. */
#define CURL_GLOBAL_SSL (1 << 0)
#define CURL_GLOBAL_WIN32 (1 << 1)
#define CURL_GLOBAL_ALL (CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32)
#define CURL_GLOBAL_NOTHING 0
#define CURL_GLOBAL_DEFAULT CURL_GLOBAL_ALL

/* Process-wide setup and teardown; call once each, before and after all
 * other use. */
CURL_EXTERN CURLcode curl_global_init(long flags);
CURL_EXTERN void curl_global_cleanup(void);

/* Version text; owned by the library, do not free. */
CURL_EXTERN char *curl_version(void);

/* Frees memory the library handed out (e.g. curl_multi_get_handles()). */
CURL_EXTERN void curl_free(void *p);

/* Text for a CURLcode; static, never NULL. */
CURL_EXTERN const char *curl_easy_strerror(CURLcode);

/* Appends a copy of data; returns the list head, or NULL on failure (the
 * list passed in is then left unchanged). */
CURL_EXTERN struct curl_slist *curl_slist_append(struct curl_slist *list, const char *data);
CURL_EXTERN void curl_slist_free_all(struct curl_slist *list);

#ifdef __cplusplus
} /* extern "C" */
#endif

/* The easy and multi declarations need the types above. */
#include "easy.h"
#include "multi.h"

/* Make a wrong argument count to the variadic setters a compile error. */
#define curl_easy_setopt(handle, opt, param) curl_easy_setopt(handle, opt, param)
#define curl_easy_getinfo(handle, info, arg) curl_easy_getinfo(handle, info, arg)
#define curl_multi_setopt(handle, opt, param) curl_multi_setopt(handle, opt, param)

#endif /* EVMULTI_CURL_CURL_H */
