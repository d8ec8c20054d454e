/* evmulti adapter for kqueue (the BSDs and macOS natively, Linux through
 * libkqueue). The adapter's kqueue holds the transfers' sockets
 * (EVFILT_READ / EVFILT_WRITE) and an EVFILT_TIMER. Ways to use it:
 * - run: evmulti_kqueue_run() runs the loop until no transfer is left or
 *   evmulti_kqueue_stop() is called;
 * - one round at a time: evmulti_kqueue_dispatch(), waiting or not;
 * - embed by descriptor (native kqueue): evmulti_kqueue_fd() becomes readable
 *   when something is ready; the application watches it in its own loop
 *   (poll, or EVFILT_READ in its own kqueue) and then calls
 *   evmulti_kqueue_dispatch(adapter, 0). libkqueue's descriptor cannot be
 *   watched this way: there evmulti_kqueue_fd() fails with ENOTSUP;
 * - the application's events in the adapter's kqueue: it registers its own
 *   kevents (a pipe, a signal, a timer...) in evmulti_kqueue_queue() and gets
 *   them through evmulti_kqueue_on_other_events(). Works everywhere. */
#ifndef EVMULTI_KQUEUE_H
#define EVMULTI_KQUEUE_H

#include "adapter.h"

#ifdef __cplusplus
extern "C" {
#endif

struct kevent;

/* An attached multi handle. Opaque. */
typedef struct evmulti_kqueue evmulti_kqueue;

/* Gets one event of the application's own from the adapter's kqueue. */
typedef void (*evmulti_kqueue_other_cb)(const struct kevent *event, void *userp);

/* Starts driving multi; done (required) gets every finished transfer with
 * userp. Returns NULL (errno set) on failure; then nothing was changed on
 * the multi handle. */
EVMULTI_ADAPTER_API evmulti_kqueue *evmulti_kqueue_attach(CURLM *multi, evmulti_done_cb done,
                                                          void *userp);

/* The descriptor to watch for reading when embedding (native kqueue only);
 * -1 with errno ENOTSUP under libkqueue. It belongs to the adapter and is
 * closed by the detach: take it out of the application's loop first. */
EVMULTI_ADAPTER_API int evmulti_kqueue_fd(const evmulti_kqueue *adapter);

/* The adapter's kqueue, for kevent() changes of the application's own. Any
 * event the application adds there (udata as it likes; an EVFILT_TIMER with
 * any ident but the adapter's address) is handed to cb, not to the multi.
 * The application must not touch the transfers' sockets there. */
EVMULTI_ADAPTER_API int evmulti_kqueue_queue(const evmulti_kqueue *adapter);
EVMULTI_ADAPTER_API void evmulti_kqueue_on_other_events(evmulti_kqueue *adapter,
                                                        evmulti_kqueue_other_cb cb, void *userp);

/* Waits up to timeout_ms (0: not at all, -1: without limit) for something to
 * be ready and handles it: one round of the loop. 0, or -1 with errno (EINTR
 * included). */
EVMULTI_ADAPTER_API int evmulti_kqueue_dispatch(evmulti_kqueue *adapter, int timeout_ms);

/* Waits and handles events until no transfer is running and no timer is
 * pending (0), until evmulti_kqueue_stop() is called or the adapter is
 * detached from a callback (1), or an error (-1, errno set). Handles added
 * from the done callback keep it running. */
EVMULTI_ADAPTER_API int evmulti_kqueue_run(evmulti_kqueue *adapter);

/* Makes evmulti_kqueue_run() return 1 once the current event is handled;
 * called while the loop is not running, the next run returns 1 at once.
 * Call it from the loop's thread (a done callback, say). */
EVMULTI_ADAPTER_API void evmulti_kqueue_stop(evmulti_kqueue *adapter);

/* Transfers still running as of the last curl_multi_socket_action(). */
EVMULTI_ADAPTER_API int evmulti_kqueue_running(const evmulti_kqueue *adapter);

/* Stops driving the multi handle: its callbacks are unset, the kqueue is
 * closed (with the application's kevents in it). 0 on success; -1 (errno
 * EBUSY) when called from inside a libcurl callback, with nothing changed. */
EVMULTI_ADAPTER_API int evmulti_kqueue_detach(evmulti_kqueue *adapter);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_KQUEUE_H */
