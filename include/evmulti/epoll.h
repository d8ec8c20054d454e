/* evmulti adapter for Linux epoll. Two ways to use it:
 * - run: evmulti_epoll_run() runs the loop until no transfer is left or
 *   evmulti_epoll_stop() is called;
 * - embed: evmulti_epoll_fd() is one descriptor (an epoll set holding the
 *   transfers' sockets and a timerfd) that the application watches for
 *   reading in its own loop; when it is readable, the application calls
 *   evmulti_epoll_dispatch(). */
#ifndef EVMULTI_EPOLL_H
#define EVMULTI_EPOLL_H

#include "adapter.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An attached multi handle. Opaque. */
typedef struct evmulti_epoll evmulti_epoll;

/* Starts driving multi; done (required) gets every finished transfer with
 * userp. Returns NULL (errno set) on failure; then nothing was changed on
 * the multi handle. */
EVMULTI_ADAPTER_API evmulti_epoll *evmulti_epoll_attach(CURLM *multi, evmulti_done_cb done,
                                                        void *userp);

/* The descriptor to watch for reading (level-triggered) when embedding. It
 * belongs to the adapter and is closed by the detach: take it out of the
 * application's loop before detaching. */
EVMULTI_ADAPTER_API int evmulti_epoll_fd(const evmulti_epoll *adapter);

/* Waits up to timeout_ms (0: not at all, -1: without limit) for something to
 * be ready and handles it: one round of the loop. Embedded, call it with 0
 * when evmulti_epoll_fd() is readable. 0, or -1 with errno (EINTR included). */
EVMULTI_ADAPTER_API int evmulti_epoll_dispatch(evmulti_epoll *adapter, int timeout_ms);

/* Waits and handles events until no transfer is running and no timer is
 * pending (0), until evmulti_epoll_stop() is called or the adapter is
 * detached from a callback (1), or an error (-1, errno set). Handles added
 * from the done callback keep it running. */
EVMULTI_ADAPTER_API int evmulti_epoll_run(evmulti_epoll *adapter);

/* Makes evmulti_epoll_run() return 1 once the current event is handled;
 * called while the loop is not running, the next run returns 1 at once.
 * Call it from the loop's thread (a done callback, say). */
EVMULTI_ADAPTER_API void evmulti_epoll_stop(evmulti_epoll *adapter);

/* Transfers still running as of the last curl_multi_socket_action(). */
EVMULTI_ADAPTER_API int evmulti_epoll_running(const evmulti_epoll *adapter);

/* Stops driving the multi handle: its callbacks are unset, the epoll set
 * and the timerfd are closed. 0 on success; -1 (errno EBUSY) when called
 * from inside a libcurl callback, with nothing changed. */
EVMULTI_ADAPTER_API int evmulti_epoll_detach(evmulti_epoll *adapter);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_EPOLL_H */
