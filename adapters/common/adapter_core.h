/* The backend-independent half of every adapter: installs the multi's socket
 * and timer callbacks, keeps per-socket state (curl_multi_assign), turns
 * readiness and timer expiry into curl_multi_socket_action(), hands finished
 * transfers to the application, and owns the attach/detach lifetime. */
#ifndef EVMULTI_ADAPTERS_ADAPTER_CORE_H
#define EVMULTI_ADAPTERS_ADAPTER_CORE_H

#include <evmulti/adapter.h>

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct evm_adapter evm_adapter;

/* Installs the callbacks on multi and asks for a run at once (for handles
 * added before). The backend must be ready to watch and arm. NULL with errno
 * on failure, with the multi left as it was. */
evm_adapter *evm_adapter_attach(CURLM *multi, const evm_backend_ops *ops, void *backend,
                                evmulti_done_cb done, void *userp);

/* Unsets the callbacks, unwatches every socket and cancels the timer at
 * once; frees the adapter and its backend now, or when the last hold is
 * released if a dispatch is under way. 0, or -1 (EBUSY) from inside a
 * libcurl callback. */
int evm_adapter_detach(evm_adapter *a);
int evm_adapter_detached(const evm_adapter *a);

/* Backend -> common. ready is EVM_READY_* bits for socket (fd, generation);
 * events of a socket that is gone or was replaced are dropped. Both return 1
 * when the adapter (and backend) was freed meanwhile: touch nothing then. */
int evm_adapter_socket_ready(evm_adapter *a, curl_socket_t fd, uint32_t generation, int ready);
int evm_adapter_timer_fired(evm_adapter *a);

/* Keeps the adapter's memory alive across several calls into the multi (a
 * batch of events). release returns 1 when it freed the adapter. */
void evm_adapter_hold(evm_adapter *a);
int evm_adapter_release(evm_adapter *a);

/* Loop-owning backends: one round waiting up to timeout_ms, or rounds until
 * idle or stopped; see evmulti_epoll_dispatch / _run / _stop. */
int evm_adapter_dispatch(evm_adapter *a, int timeout_ms);
int evm_adapter_run(evm_adapter *a);
void evm_adapter_stop(evm_adapter *a);

int evm_adapter_running(const evm_adapter *a);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_ADAPTERS_ADAPTER_CORE_H */
