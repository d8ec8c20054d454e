/* evmulti: multi handles, many transfers driven by the application's own
 * event loop (libcurl-compatible subset). Normally reached through
 * <curl/curl.h>. */
#ifndef EVMULTI_CURL_MULTI_H
#define EVMULTI_CURL_MULTI_H

#include "curl.h"

/* fd_set for curl_multi_fdset(). */
#if defined(_WIN32)
#include <winsock2.h>
#else
#include <sys/select.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Marks the calls libcurl has deprecated, for compilers that can say so. */
#if defined(__clang__) || \
    (defined(__GNUC__) && (__GNUC__ > 4 || (__GNUC__ == 4 && __GNUC_MINOR__ >= 5)))
#define EVMULTI_DEPRECATED(msg) __attribute__((deprecated(msg)))
#else
#define EVMULTI_DEPRECATED(msg)
#endif

/* A multi handle. Opaque; typed only under CURL_STRICTER. */
#ifdef CURL_STRICTER
typedef struct Curl_multi CURLM;
#else
typedef void CURLM;
#endif

/* Result of every multi call. */
typedef enum {
  CURLM_CALL_MULTI_PERFORM = -1,
  CURLM_OK = 0,
  CURLM_BAD_HANDLE = 1,
  CURLM_BAD_EASY_HANDLE = 2,
  CURLM_OUT_OF_MEMORY = 3,
  CURLM_INTERNAL_ERROR = 4,
  CURLM_BAD_SOCKET = 5,
  CURLM_UNKNOWN_OPTION = 6,
  CURLM_ADDED_ALREADY = 7,
  CURLM_RECURSIVE_API_CALL = 8,
  CURLM_WAKEUP_FAILURE = 9,
  CURLM_BAD_FUNCTION_ARGUMENT = 10,
  CURLM_ABORTED_BY_CALLBACK = 11,
  CURLM_UNRECOVERABLE_POLL = 12,
  CURLM_LAST = 13
} CURLMcode;

/* Same value, named for the socket API. */
#define CURLM_CALL_MULTI_SOCKET CURLM_CALL_MULTI_PERFORM

/* CURLMOPT_PIPELINING bits (long). */
#define CURLPIPE_NOTHING 0L
#define CURLPIPE_HTTP1 1L
#define CURLPIPE_MULTIPLEX 2L

/* Kinds of message curl_multi_info_read() returns. */
typedef enum { CURLMSG_NONE = 0, CURLMSG_DONE = 1, CURLMSG_LAST = 2 } CURLMSG;

/* A message about one easy handle; for CURLMSG_DONE, data.result is the
 * transfer's outcome. */
struct CURLMsg {
  CURLMSG msg;
  CURL *easy_handle;
  union {
    void *whatever;
    CURLcode result;
  } data;
};
typedef struct CURLMsg CURLMsg;

/* Event bits for struct curl_waitfd. */
#define CURL_WAIT_POLLIN 0x0001
#define CURL_WAIT_POLLPRI 0x0002
#define CURL_WAIT_POLLOUT 0x0004

/* An extra descriptor for curl_multi_wait() / curl_multi_poll() to watch. */
struct curl_waitfd {
  curl_socket_t fd;
  short events;
  short revents;
};

/* What CURLMOPT_SOCKETFUNCTION asks the application to watch a socket for. */
#define CURL_POLL_NONE 0
#define CURL_POLL_IN 1
#define CURL_POLL_OUT 2
#define CURL_POLL_INOUT 3
#define CURL_POLL_REMOVE 4

/* Socket argument to curl_multi_socket_action() meaning "a timeout fired". */
#define CURL_SOCKET_TIMEOUT CURL_SOCKET_BAD

/* ev_bitmask bits for curl_multi_socket_action(); 0 lets the library look. */
#define CURL_CSELECT_IN 0x01
#define CURL_CSELECT_OUT 0x02
#define CURL_CSELECT_ERR 0x04

/* CURLMOPT_SOCKETFUNCTION: start, change or stop (CURL_POLL_REMOVE) watching
 * socket s for what; socketp is the pointer given to curl_multi_assign(). */
typedef int (*curl_socket_callback)(CURL *easy, curl_socket_t s, int what, void *userp,
                                    void *socketp);

/* CURLMOPT_TIMERFUNCTION: call curl_multi_socket_action(CURL_SOCKET_TIMEOUT)
 * in timeout_ms milliseconds; -1 cancels the timer, 0 means now. */
typedef int (*curl_multi_timer_callback)(CURLM *multi, long timeout_ms, void *userp);

/* Options for curl_multi_setopt(). Others return CURLM_UNKNOWN_OPTION. */
typedef enum {
  CURLMOPT_SOCKETFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 1,
  CURLMOPT_SOCKETDATA = CURLOPTTYPE_OBJECTPOINT + 2,
  CURLMOPT_PIPELINING = CURLOPTTYPE_LONG + 3,
  CURLMOPT_TIMERFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 4,
  CURLMOPT_TIMERDATA = CURLOPTTYPE_OBJECTPOINT + 5,
  CURLMOPT_MAXCONNECTS = CURLOPTTYPE_LONG + 6,
  CURLMOPT_MAX_HOST_CONNECTIONS = CURLOPTTYPE_LONG + 7,
  /* 8 to 12: HTTP/1.1 pipelining knobs (libcurl itself no longer pipelines). */
  CURLMOPT_MAX_PIPELINE_LENGTH = CURLOPTTYPE_LONG + 8,
  CURLMOPT_CONTENT_LENGTH_PENALTY_SIZE = CURLOPTTYPE_OFF_T + 9,
  CURLMOPT_CHUNK_LENGTH_PENALTY_SIZE = CURLOPTTYPE_OFF_T + 10,
  CURLMOPT_PIPELINING_SITE_BL = CURLOPTTYPE_OBJECTPOINT + 11,
  CURLMOPT_PIPELINING_SERVER_BL = CURLOPTTYPE_OBJECTPOINT + 12,
  CURLMOPT_MAX_TOTAL_CONNECTIONS = CURLOPTTYPE_LONG + 13,
  /* HTTP/2 server push and stream limit. */
  CURLMOPT_PUSHFUNCTION = CURLOPTTYPE_FUNCTIONPOINT + 14,
  CURLMOPT_PUSHDATA = CURLOPTTYPE_OBJECTPOINT + 15,
  CURLMOPT_MAX_CONCURRENT_STREAMS = CURLOPTTYPE_LONG + 16,
  CURLMOPT_LASTENTRY /* one past the last; never an option */
} CURLMoption;

/* New multi handle, or NULL when out of memory. */
CURL_EXTERN CURLM *curl_multi_init(void);

/* Frees the multi handle. Easy handles still in it are detached, not freed. */
CURL_EXTERN CURLMcode curl_multi_cleanup(CURLM *multi_handle);

/* Adds a transfer; it starts on the next perform / socket_action. */
CURL_EXTERN CURLMcode curl_multi_add_handle(CURLM *multi_handle, CURL *curl_handle);

/* Takes a transfer out, finished or not. */
CURL_EXTERN CURLMcode curl_multi_remove_handle(CURLM *multi_handle, CURL *curl_handle);

/* Adds the library's sockets to the sets for select(); *max_fd is -1 when
 * there are none. */
CURL_EXTERN CURLMcode curl_multi_fdset(CURLM *multi_handle, fd_set *read_fd_set,
                                       fd_set *write_fd_set, fd_set *exc_fd_set, int *max_fd);

/* Waits up to timeout_ms for activity on the library's sockets or extra_fds;
 * *ret is the number of descriptors with activity. curl_multi_poll() also
 * waits when there is nothing to watch and can be cut short by
 * curl_multi_wakeup(). */
CURL_EXTERN CURLMcode curl_multi_wait(CURLM *multi_handle, struct curl_waitfd extra_fds[],
                                      unsigned int extra_nfds, int timeout_ms, int *ret);
CURL_EXTERN CURLMcode curl_multi_poll(CURLM *multi_handle, struct curl_waitfd extra_fds[],
                                      unsigned int extra_nfds, int timeout_ms, int *ret);

/* Makes a curl_multi_poll() in another thread return at once. */
CURL_EXTERN CURLMcode curl_multi_wakeup(CURLM *multi_handle);

/* Advances every transfer as far as it can go without blocking. */
CURL_EXTERN CURLMcode curl_multi_perform(CURLM *multi_handle, int *running_handles);

/* Next queued message or NULL; *msgs_in_queue is how many remain after it.
 * The message is valid until the handle is removed or this is called again. */
CURL_EXTERN CURLMsg *curl_multi_info_read(CURLM *multi_handle, int *msgs_in_queue);

/* Text for a CURLMcode; static, never NULL. */
CURL_EXTERN const char *curl_multi_strerror(CURLMcode);

/* Old socket API: act on socket s (or on timeouts) without event bits. */
CURL_EXTERN CURLMcode EVMULTI_DEPRECATED("use curl_multi_socket_action()")
    curl_multi_socket(CURLM *multi_handle, curl_socket_t s, int *running_handles);

/* Reports activity (ev_bitmask of CURL_CSELECT_*) on socket s, or a fired
 * timer when s is CURL_SOCKET_TIMEOUT, and advances the affected transfers. */
CURL_EXTERN CURLMcode curl_multi_socket_action(CURLM *multi_handle, curl_socket_t s, int ev_bitmask,
                                               int *running_handles);

/* Old socket API: advance every transfer. */
CURL_EXTERN CURLMcode EVMULTI_DEPRECATED("use curl_multi_socket_action()")
    curl_multi_socket_all(CURLM *multi_handle, int *running_handles);

/* As in libcurl, calls to curl_multi_socket() go to curl_multi_socket_action()
 * unless CURL_ALLOW_OLD_MULTI_SOCKET is defined. */
#ifndef CURL_ALLOW_OLD_MULTI_SOCKET
#define curl_multi_socket(x, y, z) curl_multi_socket_action(x, y, 0, z)
#endif

/* Milliseconds until curl_multi_socket_action() / perform should be called
 * at the latest; -1 means no timeout is set. */
CURL_EXTERN CURLMcode curl_multi_timeout(CURLM *multi_handle, long *milliseconds);

/* Sets one option; the argument's type follows the option's CURLOPTTYPE. */
/* The name in parentheses: curl.h may already have made it a checking macro. */
CURL_EXTERN CURLMcode(curl_multi_setopt)(CURLM *multi_handle, CURLMoption option, ...);

/* Associates sockp with sockfd; it is passed to the socket callback. */
CURL_EXTERN CURLMcode curl_multi_assign(CURLM *multi_handle, curl_socket_t sockfd, void *sockp);

/* NULL-terminated array of the easy handles in the multi handle; free it
 * with curl_free(). NULL when out of memory. (libcurl 8.4.0 API.) */
CURL_EXTERN CURL **curl_multi_get_handles(CURLM *multi_handle);

/* Fills ufds with the sockets and events the transfers wait for (size entries at most);
 * *fd_count gets how many there are. CURLM_OUT_OF_MEMORY when size is too small.
 * (libcurl 8.8.0 API.) */
CURL_EXTERN CURLMcode curl_multi_waitfds(CURLM *multi, struct curl_waitfd *ufds, unsigned int size,
                                         unsigned int *fd_count);

/* HTTP/2 server push (CURLMOPT_PUSHFUNCTION). The callback answers CURL_PUSH_OK to take
 * the pushed stream, CURL_PUSH_DENY to refuse it, CURL_PUSH_ERROROUT to fail the parent. */
#define CURL_PUSH_OK 0
#define CURL_PUSH_DENY 1
#define CURL_PUSH_ERROROUT 2

/* The pushed request's headers, valid only during the callback. */
struct curl_pushheaders;

/* The num'th header ("name:value"), or the value of a header by name; NULL when absent. */
CURL_EXTERN char *curl_pushheader_bynum(struct curl_pushheaders *h, size_t num);
CURL_EXTERN char *curl_pushheader_byname(struct curl_pushheaders *h, const char *name);

typedef int (*curl_push_callback)(CURL *parent, CURL *easy, size_t num_headers,
                                  struct curl_pushheaders *headers, void *userp);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_CURL_MULTI_H */
