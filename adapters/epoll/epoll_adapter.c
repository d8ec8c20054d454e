/* epoll backend: one epoll set holds the transfers' sockets and a timerfd,
 * so embedding the adapter in another loop takes one descriptor. */
#include <evmulti/epoll.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "adapter_core.h"

/* A socket's token is (generation << 32 | fd); no socket has fd 0xffffffff. */
#define TIMER_TOKEN UINT64_MAX
#define EVENTS_PER_WAIT 256

struct evmulti_epoll {
  evm_adapter *core;
  int epfd;
  int timerfd;
};

static uint64_t token_of(const evm_socket *s) {
  return ((uint64_t)s->generation << 32) | (uint32_t)s->fd;
}

static int ep_watch(void *backend, evm_socket *s, int want) {
  evmulti_epoll *ep = (evmulti_epoll *)backend;
  struct epoll_event ev;
  int op = s->watched ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  memset(&ev, 0, sizeof ev);
  ev.events = ((want & CURL_POLL_IN) ? EPOLLIN : 0u) | ((want & CURL_POLL_OUT) ? EPOLLOUT : 0u);
  ev.data.u64 = token_of(s);
  if (epoll_ctl(ep->epfd, op, s->fd, &ev) == 0) return 0;
  /* The set disagrees with our books: a registration survived (EEXIST) or
   * the kernel dropped it with a closed descriptor (ENOENT). Either way the
   * new token must win. */
  if (op == EPOLL_CTL_ADD && errno == EEXIST)
    op = EPOLL_CTL_MOD;
  else if (op == EPOLL_CTL_MOD && errno == ENOENT)
    op = EPOLL_CTL_ADD;
  else
    return -1;
  return epoll_ctl(ep->epfd, op, s->fd, &ev);
}

static void ep_unwatch(void *backend, evm_socket *s) {
  evmulti_epoll *ep = (evmulti_epoll *)backend;
  /* EBADF / ENOENT: the descriptor is already closed, and closing it took
   * the registration with it. Nothing else can fail here. */
  (void)epoll_ctl(ep->epfd, EPOLL_CTL_DEL, s->fd, NULL);
}

static int ep_arm_timer(void *backend, long ms) {
  evmulti_epoll *ep = (evmulti_epoll *)backend;
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  if (ms > 0) {
    its.it_value.tv_sec = ms / 1000;
    its.it_value.tv_nsec = (ms % 1000) * 1000000L;
  } else if (ms == 0) {
    its.it_value.tv_nsec = 1; /* an all-zero value would disarm */
  }
  return timerfd_settime(ep->timerfd, 0, &its, NULL);
}

static int ready_bits(uint32_t events) {
  return ((events & EPOLLIN) ? EVM_READY_IN : 0) | ((events & EPOLLOUT) ? EVM_READY_OUT : 0) |
         ((events & EPOLLERR) ? EVM_READY_ERR : 0) | ((events & EPOLLHUP) ? EVM_READY_HUP : 0);
}

static int ep_wait(void *backend, int timeout_ms) {
  evmulti_epoll *ep = (evmulti_epoll *)backend;
  struct epoll_event events[EVENTS_PER_WAIT];
  int i, n = epoll_wait(ep->epfd, events, EVENTS_PER_WAIT, timeout_ms);
  if (n < 0) return -1;
  for (i = 0; i < n && !evm_adapter_detached(ep->core); ++i) {
    uint64_t token = events[i].data.u64;
    if (token == TIMER_TOKEN) {
      uint64_t expirations;
      /* Nothing to read means an action earlier in this batch re-armed or
       * cancelled the timer after it fired: that expiry is void. */
      if (read(ep->timerfd, &expirations, sizeof expirations) == (ssize_t)sizeof expirations)
        evm_adapter_timer_fired(ep->core);
      continue;
    }
    /* Looked up again by (fd, generation): an earlier event of this batch
     * may have removed the socket, and its number may now be another's. */
    evm_adapter_socket_ready(ep->core, (curl_socket_t)(uint32_t)token, (uint32_t)(token >> 32),
                             ready_bits(events[i].events));
  }
  return 0;
}

static void ep_destroy(void *backend) {
  evmulti_epoll *ep = (evmulti_epoll *)backend;
  close(ep->timerfd);
  close(ep->epfd);
  free(ep);
}

static const evm_backend_ops epoll_ops = {ep_watch, ep_unwatch, ep_arm_timer,
                                          ep_wait,  ep_destroy, UINT32_MAX};

evmulti_epoll *evmulti_epoll_attach(CURLM *multi, evmulti_done_cb done, void *userp) {
  struct epoll_event ev;
  int saved;
  evmulti_epoll *ep = (evmulti_epoll *)calloc(1, sizeof *ep);
  if (!ep) return NULL;
  ep->epfd = epoll_create1(EPOLL_CLOEXEC);
  ep->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  memset(&ev, 0, sizeof ev);
  ev.events = EPOLLIN;
  ev.data.u64 = TIMER_TOKEN;
  if (ep->epfd >= 0 && ep->timerfd >= 0 &&
      epoll_ctl(ep->epfd, EPOLL_CTL_ADD, ep->timerfd, &ev) == 0)
    ep->core = evm_adapter_attach(multi, &epoll_ops, ep, done, userp);
  if (ep->core) return ep;
  saved = errno;
  if (ep->timerfd >= 0) close(ep->timerfd);
  if (ep->epfd >= 0) close(ep->epfd);
  free(ep);
  errno = saved;
  return NULL;
}

int evmulti_epoll_fd(const evmulti_epoll *ep) {
  return ep->epfd;
}
int evmulti_epoll_dispatch(evmulti_epoll *ep, int timeout_ms) {
  return evm_adapter_dispatch(ep->core, timeout_ms);
}
int evmulti_epoll_run(evmulti_epoll *ep) {
  return evm_adapter_run(ep->core);
}
void evmulti_epoll_stop(evmulti_epoll *ep) {
  evm_adapter_stop(ep->core);
}
int evmulti_epoll_running(const evmulti_epoll *ep) {
  return evm_adapter_running(ep->core);
}
int evmulti_epoll_detach(evmulti_epoll *ep) {
  return evm_adapter_detach(ep->core);
}
