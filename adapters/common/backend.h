/* The contract between adapters/common and one event-loop backend: the
 * backend only watches descriptors, arms one timer, and (when it owns the
 * loop) waits; everything that talks to the multi handle is common. */
#ifndef EVMULTI_ADAPTERS_BACKEND_H
#define EVMULTI_ADAPTERS_BACKEND_H

#include <curl/curl.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct evm_adapter;

/* One socket the multi asked us to watch; handed to curl_multi_assign(). */
typedef struct evm_socket {
  struct evm_adapter *adapter;
  curl_socket_t fd;
  /* CURL_POLL_IN / CURL_POLL_OUT bits the backend watches now (0: none). */
  int watched;
  /* Distinguishes this socket from an earlier one with the same number (it
   * counts the sockets that had the number): a backend that reports events by
   * (fd, generation) never delivers an old socket's event, fetched in the same
   * batch, to its successor. */
  uint32_t generation;
  /* The backend's per-socket state (libevent: its struct event). */
  void *backend_data;
} evm_socket;

/* What a backend saw on a socket; common turns it into CURL_CSELECT_* bits. */
enum {
  EVM_READY_IN = 1,
  EVM_READY_OUT = 2,
  EVM_READY_ERR = 4, /* error condition pending on the socket */
  EVM_READY_HUP = 8  /* peer hung up: reading will tell how */
};

typedef struct evm_backend_ops {
  /* Watch s->fd for want (CURL_POLL_IN|OUT, never 0) instead of s->watched.
   * 0, or -1 on failure. */
  int (*watch)(void *backend, evm_socket *s, int want);
  /* Stop watching s->fd (s->watched != 0) before this returns, so no event
   * of it is delivered later. The descriptor may already be closed. */
  void (*unwatch)(void *backend, evm_socket *s);
  /* One-shot timer: fire after ms milliseconds, 0 meaning as soon as
   * possible; -1 cancels. Re-arming replaces. 0, or -1 on failure. */
  int (*arm_timer)(void *backend, long ms);
  /* Backends that own their loop: wait up to timeout_ms (-1: no limit) and
   * report what is ready through evm_adapter_socket_ready() and
   * evm_adapter_timer_fired(), stopping early once evm_adapter_detached().
   * 0, or -1 with errno. NULL for libevent, whose loop is the application's. */
  int (*wait)(void *backend, int timeout_ms);
  /* Frees the backend: nothing is watched or armed any more by then. */
  void (*destroy)(void *backend);
  /* The generation bits the backend hands back in evm_adapter_socket_ready()
   * (all of them, or the low ones if it has less room). */
  uint32_t generation_mask;
} evm_backend_ops;

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* EVMULTI_ADAPTERS_BACKEND_H */
