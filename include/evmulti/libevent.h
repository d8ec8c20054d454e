/* evmulti adapter for libevent 2: drives a multi handle from the
 * application's own struct event_base, beside the application's events.
 * The application keeps calling event_base_dispatch()/event_base_loop(). */
#ifndef EVMULTI_LIBEVENT_H
#define EVMULTI_LIBEVENT_H

#include "adapter.h"

#ifdef __cplusplus
extern "C" {
#endif

struct event_base;

/* An attached multi handle. Opaque. */
typedef struct evmulti_libevent evmulti_libevent;

/* Starts driving multi from base; done (required) gets every finished
 * transfer with userp. Returns NULL (errno set) on failure; then nothing was
 * changed on the multi handle. */
EVMULTI_ADAPTER_API evmulti_libevent *evmulti_libevent_attach(CURLM *multi, struct event_base *base,
                                                              evmulti_done_cb done, void *userp);

/* Transfers still running as of the last curl_multi_socket_action(). */
EVMULTI_ADAPTER_API int evmulti_libevent_running(const evmulti_libevent *adapter);

/* Stops driving the multi handle: its callbacks are unset, every event of
 * the adapter is deleted and freed. 0 on success; -1 (errno EBUSY) when
 * called from inside a libcurl callback, with nothing changed. */
EVMULTI_ADAPTER_API int evmulti_libevent_detach(evmulti_libevent *adapter);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_LIBEVENT_H */
