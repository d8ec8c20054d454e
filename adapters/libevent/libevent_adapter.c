/* libevent backend: one persistent struct event per socket and one evtimer,
 * all on the application's event_base. event_del() also takes an event off
 * the list of those about to run, so a removed socket's event never fires. */
#include <evmulti/libevent.h>

#include <errno.h>
#include <stdint.h>
#include <event2/event.h>
#include <stdlib.h>

#include "adapter_core.h"

struct evmulti_libevent {
  evm_adapter *core;
  struct event_base *base;
  struct event *timer;
};

static void on_socket_event(evutil_socket_t fd, short what, void *arg) {
  evm_socket *s = (evm_socket *)arg;
  int ready = ((what & EV_READ) ? EVM_READY_IN : 0) | ((what & EV_WRITE) ? EVM_READY_OUT : 0);
  /* s may be freed inside; nothing is touched after. */
  evm_adapter_socket_ready(s->adapter, (curl_socket_t)fd, s->generation, ready);
}

static void on_timer_event(evutil_socket_t fd, short what, void *arg) {
  evmulti_libevent *lb = (evmulti_libevent *)arg;
  (void)fd;
  (void)what;
  evm_adapter_timer_fired(lb->core);
}

static int le_watch(void *backend, evm_socket *s, int want) {
  evmulti_libevent *lb = (evmulti_libevent *)backend;
  struct event *ev = (struct event *)s->backend_data;
  short flags = (short)(EV_PERSIST | ((want & CURL_POLL_IN) ? EV_READ : 0) |
                        ((want & CURL_POLL_OUT) ? EV_WRITE : 0));
  if (!ev) {
    ev = event_new(lb->base, s->fd, flags, on_socket_event, s);
    if (!ev) return -1;
    s->backend_data = ev;
  } else {
    /* New interest on the same socket: re-assign the stopped event. */
    event_del(ev);
    event_assign(ev, lb->base, s->fd, flags, on_socket_event, s);
  }
  return event_add(ev, NULL);
}

static void le_unwatch(void *backend, evm_socket *s) {
  (void)backend;
  if (s->backend_data) event_free((struct event *)s->backend_data); /* deletes it first */
  s->backend_data = NULL;
}

static int le_arm_timer(void *backend, long ms) {
  evmulti_libevent *lb = (evmulti_libevent *)backend;
  struct timeval tv;
  if (ms < 0) return evtimer_del(lb->timer);
  tv.tv_sec = ms / 1000;
  tv.tv_usec = (ms % 1000) * 1000;
  return evtimer_add(lb->timer, &tv);
}

static void le_destroy(void *backend) {
  evmulti_libevent *lb = (evmulti_libevent *)backend;
  event_free(lb->timer);
  free(lb);
}

static const evm_backend_ops libevent_ops = {le_watch, le_unwatch, le_arm_timer,
                                             NULL,     le_destroy, UINT32_MAX};

evmulti_libevent *evmulti_libevent_attach(CURLM *multi, struct event_base *base,
                                          evmulti_done_cb done, void *userp) {
  int saved;
  evmulti_libevent *lb;
  if (!base) {
    errno = EINVAL;
    return NULL;
  }
  lb = (evmulti_libevent *)calloc(1, sizeof *lb);
  if (!lb) return NULL;
  lb->base = base;
  lb->timer = evtimer_new(base, on_timer_event, lb);
  if (lb->timer) lb->core = evm_adapter_attach(multi, &libevent_ops, lb, done, userp);
  if (lb->core) return lb;
  saved = errno;
  if (lb->timer) event_free(lb->timer);
  free(lb);
  errno = saved;
  return NULL;
}

int evmulti_libevent_running(const evmulti_libevent *lb) {
  return evm_adapter_running(lb->core);
}
int evmulti_libevent_detach(evmulti_libevent *lb) {
  return evm_adapter_detach(lb->core);
}
