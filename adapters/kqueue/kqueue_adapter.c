/* kqueue backend: EVFILT_READ / EVFILT_WRITE per socket and one one-shot
 * EVFILT_TIMER in one kqueue, which may also hold the application's events.
 * The adapter's knotes carry a udata pointing into its own tag block: that
 * tells them from the application's, and the slot within tells a socket's
 * (or a timer arming's) events from those of its predecessor fetched in the
 * same batch. */
#include <evmulti/kqueue.h>

#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "adapter_core.h"

#define GENERATION_SLOTS 256 /* successive sockets on one number within one batch */
#define TIMER_SLOTS 256      /* re-armings within one batch */
#define EVENTS_PER_WAIT 256

struct evmulti_kqueue {
  evm_adapter *core;
  int kq;
  unsigned timer_arming; /* bumped at every (re-)arm and cancel */
  evmulti_kqueue_other_cb other;
  void *other_userp;
  /* Never read or written: only their addresses are used, as udata. */
  char tags[GENERATION_SLOTS + TIMER_SLOTS];
};

static void *socket_tag(evmulti_kqueue *k, uint32_t generation) {
  return &k->tags[generation % GENERATION_SLOTS];
}
static void *timer_tag(evmulti_kqueue *k) {
  return &k->tags[GENERATION_SLOTS + k->timer_arming % TIMER_SLOTS];
}
/* Our timer's ident: an address of ours, so no application timer has it. */
static uintptr_t timer_ident(const evmulti_kqueue *k) {
  return (uintptr_t)k;
}

static int change(int kq, uintptr_t ident, short filter, unsigned short flags, unsigned int fflags,
                  intptr_t data, void *udata) {
  struct kevent kev;
  EV_SET(&kev, ident, filter, flags, fflags, data, udata);
  /* One change per call: with no room for results, a failing change would
   * hide which one of several failed. */
  return kevent(kq, &kev, 1, NULL, 0, NULL);
}

/* Starts or stops one filter so that it matches want. */
static int set_filter(evmulti_kqueue *k, const evm_socket *s, int bit, short filter, int want) {
  int had = s->watched & bit, wants = want & bit;
  if (wants && !had)
    return change(k->kq, (uintptr_t)s->fd, filter, EV_ADD, 0, 0, socket_tag(k, s->generation));
  if (!wants && had) /* ENOENT / EBADF: gone with its closed descriptor */
    (void)change(k->kq, (uintptr_t)s->fd, filter, EV_DELETE, 0, 0, NULL);
  return 0;
}

static int kq_watch(void *backend, evm_socket *s, int want) {
  evmulti_kqueue *k = (evmulti_kqueue *)backend;
  if (set_filter(k, s, CURL_POLL_IN, EVFILT_READ, want) != 0) return -1;
  return set_filter(k, s, CURL_POLL_OUT, EVFILT_WRITE, want);
}

static void kq_unwatch(void *backend, evm_socket *s) {
  evmulti_kqueue *k = (evmulti_kqueue *)backend;
  (void)set_filter(k, s, CURL_POLL_IN, EVFILT_READ, 0);
  (void)set_filter(k, s, CURL_POLL_OUT, EVFILT_WRITE, 0);
}

static int kq_arm_timer(void *backend, long ms) {
  evmulti_kqueue *k = (evmulti_kqueue *)backend;
  ++k->timer_arming;
  if (ms < 0) {
    /* ENOENT: the one-shot already fired and went away. */
    (void)change(k->kq, timer_ident(k), EVFILT_TIMER, EV_DELETE, 0, 0, NULL);
    return 0;
  }
#ifdef NOTE_USECONDS
  /* In microseconds so that "now" is 1 us rather than a whole millisecond. */
  return change(k->kq, timer_ident(k), EVFILT_TIMER, EV_ADD | EV_ONESHOT, NOTE_USECONDS,
                ms ? (intptr_t)ms * 1000 : 1, timer_tag(k));
#else
  return change(k->kq, timer_ident(k), EVFILT_TIMER, EV_ADD | EV_ONESHOT, 0, ms ? ms : 1,
                timer_tag(k));
#endif
}

static void handle(evmulti_kqueue *k, const struct kevent *e) {
  uintptr_t slot = (uintptr_t)e->udata - (uintptr_t)k->tags;
  int ready;
  if ((uintptr_t)e->udata < (uintptr_t)k->tags || slot >= sizeof k->tags) {
    if (k->other) k->other(e, k->other_userp);
    return;
  }
  if (e->filter == EVFILT_TIMER) {
    /* An expiry of an arming that a later action in this batch replaced. */
    if (e->udata == timer_tag(k)) evm_adapter_timer_fired(k->core);
    return;
  }
  ready = e->filter == EVFILT_READ ? EVM_READY_IN : EVM_READY_OUT;
  if (e->flags & EV_EOF) ready |= EVM_READY_HUP;
  /* EV_EOF with fflags: the socket's pending error, taken off the socket. */
  if ((e->flags & EV_ERROR) || ((e->flags & EV_EOF) && e->fflags)) ready |= EVM_READY_ERR;
  evm_adapter_socket_ready(k->core, (curl_socket_t)e->ident, (uint32_t)slot, ready);
}

static int kq_wait(void *backend, int timeout_ms) {
  evmulti_kqueue *k = (evmulti_kqueue *)backend;
  struct kevent events[EVENTS_PER_WAIT];
  struct timespec ts, *limit = NULL;
  int i, n;
  if (timeout_ms >= 0) {
    ts.tv_sec = timeout_ms / 1000;
    ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
    limit = &ts;
  }
  n = kevent(k->kq, NULL, 0, events, EVENTS_PER_WAIT, limit);
  if (n < 0) return -1;
  for (i = 0; i < n && !evm_adapter_detached(k->core); ++i) handle(k, &events[i]);
  return 0;
}

static void kq_destroy(void *backend) {
  evmulti_kqueue *k = (evmulti_kqueue *)backend;
  close(k->kq);
  free(k);
}

static const evm_backend_ops kqueue_ops = {kq_watch, kq_unwatch, kq_arm_timer,
                                           kq_wait,  kq_destroy, GENERATION_SLOTS - 1};

evmulti_kqueue *evmulti_kqueue_attach(CURLM *multi, evmulti_done_cb done, void *userp) {
  int saved;
  evmulti_kqueue *k = (evmulti_kqueue *)calloc(1, sizeof *k);
  if (!k) return NULL;
  k->kq = kqueue();
  if (k->kq >= 0) k->core = evm_adapter_attach(multi, &kqueue_ops, k, done, userp);
  if (k->core) return k;
  saved = errno;
  if (k->kq >= 0) close(k->kq);
  free(k);
  errno = saved;
  return NULL;
}

int evmulti_kqueue_fd(const evmulti_kqueue *k) {
#ifdef LIBKQUEUE
  /* libkqueue hands out one end of a pipe, never readable; its queue is an
   * epoll set it keeps to itself. */
  (void)k;
  errno = ENOTSUP;
  return -1;
#else
  return k->kq;
#endif
}

int evmulti_kqueue_queue(const evmulti_kqueue *k) {
  return k->kq;
}

void evmulti_kqueue_on_other_events(evmulti_kqueue *k, evmulti_kqueue_other_cb cb, void *userp) {
  k->other = cb;
  k->other_userp = userp;
}

int evmulti_kqueue_dispatch(evmulti_kqueue *k, int timeout_ms) {
  return evm_adapter_dispatch(k->core, timeout_ms);
}
int evmulti_kqueue_run(evmulti_kqueue *k) {
  return evm_adapter_run(k->core);
}
void evmulti_kqueue_stop(evmulti_kqueue *k) {
  evm_adapter_stop(k->core);
}
int evmulti_kqueue_running(const evmulti_kqueue *k) {
  return evm_adapter_running(k->core);
}
int evmulti_kqueue_detach(evmulti_kqueue *k) {
  return evm_adapter_detach(k->core);
}
