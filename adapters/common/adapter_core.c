#include "adapter_core.h"

#include <errno.h>
#include <stdlib.h>

#include "socket_table.h"

struct evm_adapter {
  CURLM *multi;
  const evm_backend_ops *ops;
  void *backend;
  evmulti_done_cb done;
  void *userp;
  evm_socket_table sockets;
  int running;       /* running_handles of the last socket_action */
  int timer_armed;   /* the multi wants a timeout action (due now or on the backend's timer) */
  int backend_timer; /* the backend's one-shot timer is pending */
  int due_now;       /* a 0 ms timeout asked for while act() runs: act() serves it itself */
  int acting;        /* act() frames on the stack */
  int holds;         /* frames of ours on the stack that still use this adapter */
  int detached;
  int stop_requested;
};

static void destroy(evm_adapter *a) {
  a->ops->destroy(a->backend);
  evm_socket_table_free(&a->sockets);
  free(a);
}

void evm_adapter_hold(evm_adapter *a) {
  ++a->holds;
}

int evm_adapter_release(evm_adapter *a) {
  if (--a->holds == 0 && a->detached) {
    destroy(a);
    return 1;
  }
  return 0;
}

int evm_adapter_detached(const evm_adapter *a) {
  return a->detached;
}
int evm_adapter_running(const evm_adapter *a) {
  return a->running;
}
void evm_adapter_stop(evm_adapter *a) {
  a->stop_requested = 1;
}

static void forget_socket(evm_adapter *a, evm_socket *s) {
  if (s->watched) a->ops->unwatch(a->backend, s);
  evm_socket_table_remove(&a->sockets, s->fd);
  free(s);
}

/* CURLMOPT_SOCKETFUNCTION. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
  evm_adapter *a = (evm_adapter *)userp;
  /* socketp is our evm_socket once assigned, and we free one only on REMOVE
   * (after which the multi forgets it) or in the detach (which assigns NULL
   * first), so it is always live. The table covers a failed assign. */
  evm_socket *s = socketp ? (evm_socket *)socketp : evm_socket_table_get(&a->sockets, fd);
  int want = what & CURL_POLL_INOUT;
  (void)easy;

  if (what == CURL_POLL_REMOVE) {
    /* Unwatched before we return: the descriptor is closed next and its
     * number may come back at once for another socket. */
    if (s) forget_socket(a, s);
    return 0;
  }
  if (!s) {
    s = (evm_socket *)calloc(1, sizeof *s);
    if (!s) return -1;
    s->adapter = a;
    s->fd = fd;
    if (evm_socket_table_put(&a->sockets, s) != 0) {
      free(s);
      return -1;
    }
    curl_multi_assign(a->multi, fd, s);
  }
  if (want == s->watched) return 0;
  if (want == 0) { /* CURL_POLL_NONE: keep the state, watch nothing */
    a->ops->unwatch(a->backend, s);
    s->watched = 0;
    return 0;
  }
  if (a->ops->watch(a->backend, s, want) != 0) return -1;
  s->watched = want;
  return 0;
}

/* Arms (ms >= 0) or cancels (-1) the backend's timer, skipping a cancel of
 * a timer that is not pending: on epoll and kqueue every change is a system
 * call, and a busy multi reports a timeout change for almost every transfer. */
static int set_backend_timer(evm_adapter *a, long ms) {
  if (ms < 0 && !a->backend_timer) return 0;
  a->backend_timer = ms >= 0;
  return a->ops->arm_timer(a->backend, ms);
}

/* CURLMOPT_TIMERFUNCTION. */
static int on_timer(CURLM *multi, long timeout_ms, void *userp) {
  evm_adapter *a = (evm_adapter *)userp;
  (void)multi;
  a->timer_armed = timeout_ms >= 0;
  a->due_now = 0;
  /* "As soon as possible" while we are in act() (a done callback adding a
   * handle, most often): act() runs it before returning to the loop, with no
   * round trip through the backend's timer. */
  if (timeout_ms == 0 && a->acting) {
    a->due_now = 1;
    return set_backend_timer(a, -1);
  }
  return set_backend_timer(a, timeout_ms < 0 ? -1 : timeout_ms);
}

/* Reads every finished transfer right after the action that finished it; the
 * message is copied out first because the callback may remove the handle.
 * Returns how many finished. */
static int drain_done(evm_adapter *a) {
  CURLMsg *m;
  int left, finished = 0;
  while (!a->detached && (m = curl_multi_info_read(a->multi, &left)) != NULL) {
    if (m->msg == CURLMSG_DONE) {
      CURL *easy = m->easy_handle;
      CURLcode result = m->data.result;
      a->done(easy, result, a->userp);
      ++finished;
    }
  }
  return finished;
}

/* At most this many timeouts due at once are served inside one act(); a
 * multi that keeps asking for more goes back through the loop, so other
 * events get their turn. Only a timeout asked for around a finished transfer
 * (its done callback adding the next handle) is served here: one asked for by
 * a transfer that merely has more to read waits for the loop's next turn. */
#define DUE_NOW_ROUNDS 64

static void act(evm_adapter *a, curl_socket_t fd, int cselect) {
  int running = a->running, rounds = 0;
  ++a->acting;
  if (curl_multi_socket_action(a->multi, fd, cselect, &running) == CURLM_OK) a->running = running;
  int finished = drain_done(a);
  while (a->due_now && finished && !a->detached && rounds++ < DUE_NOW_ROUNDS) {
    a->due_now = 0;
    a->timer_armed = 0;
    if (curl_multi_socket_action(a->multi, CURL_SOCKET_TIMEOUT, 0, &running) == CURLM_OK)
      a->running = running;
    finished = drain_done(a);
  }
  --a->acting;
  if (a->due_now && !a->detached) {
    a->due_now = 0;
    set_backend_timer(a, 0);
  }
}

int evm_adapter_socket_ready(evm_adapter *a, curl_socket_t fd, uint32_t generation, int ready) {
  evm_socket *s = evm_socket_table_get(&a->sockets, fd);
  int cselect = 0;
  if (a->detached || !s || ((s->generation ^ generation) & a->ops->generation_mask) != 0) return 0;
  if ((ready & EVM_READY_IN) && (s->watched & CURL_POLL_IN)) cselect |= CURL_CSELECT_IN;
  if ((ready & EVM_READY_OUT) && (s->watched & CURL_POLL_OUT)) cselect |= CURL_CSELECT_OUT;
  if (ready & (EVM_READY_ERR | EVM_READY_HUP)) {
    /* Report the directions the multi waits for, so its own recv or send
     * meets the error or the end and reports the precise cause (libcurl
     * fails a socket reported with CURL_CSELECT_ERR alone). */
    if (s->watched & CURL_POLL_IN) cselect |= CURL_CSELECT_IN;
    if (s->watched & CURL_POLL_OUT) cselect |= CURL_CSELECT_OUT;
    if (ready & EVM_READY_ERR) cselect |= CURL_CSELECT_ERR;
  }
  if (!(cselect & (CURL_CSELECT_IN | CURL_CSELECT_OUT))) return 0;
  evm_adapter_hold(a);
  act(a, fd, cselect);
  return evm_adapter_release(a);
}

int evm_adapter_timer_fired(evm_adapter *a) {
  if (a->detached) return 0;
  a->timer_armed = 0;
  a->backend_timer = 0;
  evm_adapter_hold(a);
  act(a, CURL_SOCKET_TIMEOUT, 0);
  return evm_adapter_release(a);
}

static void unset_callbacks(CURLM *multi) {
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, (curl_socket_callback)NULL);
  curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, (void *)NULL);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, (curl_multi_timer_callback)NULL);
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, (void *)NULL);
}

evm_adapter *evm_adapter_attach(CURLM *multi, const evm_backend_ops *ops, void *backend,
                                evmulti_done_cb done, void *userp) {
  evm_adapter *a;
  if (!multi || !ops || !done) {
    errno = EINVAL;
    return NULL;
  }
  a = (evm_adapter *)calloc(1, sizeof *a);
  if (!a) return NULL;
  a->multi = multi;
  a->ops = ops;
  a->backend = backend;
  a->done = done;
  a->userp = userp;
  /* The first setopt tells whether the multi takes options now at all (a
   * bad handle, or a call from inside one of its callbacks, does not). */
  if (curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, (void *)a) != CURLM_OK) {
    free(a);
    errno = EINVAL;
    return NULL;
  }
  curl_multi_setopt(multi, CURLMOPT_TIMERDATA, (void *)a);
  curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
  /* Handles added before the attach announced their timer to nobody. */
  a->timer_armed = 1;
  if (set_backend_timer(a, 0) != 0) {
    int saved = errno;
    unset_callbacks(multi);
    free(a);
    errno = saved;
    return NULL;
  }
  return a;
}

int evm_adapter_detach(evm_adapter *a) {
  evm_socket *s;
  size_t cursor = 0;
  if (a->detached) return 0;
  if (curl_multi_setopt(a->multi, CURLMOPT_SOCKETFUNCTION, (curl_socket_callback)NULL) !=
      CURLM_OK) {
    errno = EBUSY; /* inside a libcurl callback: nothing changed */
    return -1;
  }
  unset_callbacks(a->multi);
  a->detached = 1;
  while ((s = evm_socket_table_take(&a->sockets, &cursor)) != NULL) {
    if (s->watched) a->ops->unwatch(a->backend, s);
    curl_multi_assign(a->multi, s->fd, NULL);
    free(s);
  }
  set_backend_timer(a, -1);
  a->timer_armed = 0;
  a->due_now = 0;
  if (a->holds == 0) destroy(a);
  return 0;
}

int evm_adapter_dispatch(evm_adapter *a, int timeout_ms) {
  int rc;
  if (a->detached) {
    errno = EINVAL;
    return -1;
  }
  evm_adapter_hold(a);
  rc = a->ops->wait(a->backend, timeout_ms);
  evm_adapter_release(a);
  return rc;
}

int evm_adapter_run(evm_adapter *a) {
  int rc, saved;
  if (a->detached) {
    errno = EINVAL;
    return -1;
  }
  evm_adapter_hold(a);
  for (;;) {
    if (a->stop_requested || a->detached) {
      a->stop_requested = 0;
      rc = 1;
      break;
    }
    if (a->running == 0 && !a->timer_armed) {
      rc = 0;
      break;
    }
    if (a->ops->wait(a->backend, -1) != 0 && errno != EINTR) {
      rc = -1;
      break;
    }
  }
  saved = errno;
  evm_adapter_release(a);
  errno = saved;
  return rc;
}
