// The adapter under test behind one small interface, so the same suite runs over every
// backend: adapter_suite.cpp is compiled once per backend with EVM_TEST_BACKEND_LIBEVENT,
// _EPOLL or _KQUEUE defined. Each drives the loop the way an application embedding the
// adapter does: libevent through the application's event_base, epoll and kqueue through their
// one descriptor in the application's poll() plus the dispatch call (libkqueue: dispatch with
// a timeout, its descriptor cannot be polled).
#pragma once

#include <curl/curl.h>
#include <poll.h>

#include <fstream>
#include <string>

#if defined(EVM_TEST_BACKEND_LIBEVENT)
#include <event2/event.h>
#include <evmulti/libevent.h>
#elif defined(EVM_TEST_BACKEND_EPOLL)
#include <evmulti/epoll.h>
#elif defined(EVM_TEST_BACKEND_KQUEUE)
#include <evmulti/kqueue.h>
#else
#error "define EVM_TEST_BACKEND_LIBEVENT, _EPOLL or _KQUEUE"
#endif

namespace evm::test {

#if defined(EVM_TEST_BACKEND_LIBEVENT)

class LoopBackend {
 public:
  static constexpr const char *kName = "libevent";

  LoopBackend()
      : base_(event_base_new()),
        tick_(evtimer_new(
            base_, [](evutil_socket_t, short, void *) {}, nullptr)) {}
  ~LoopBackend() {
    if (adapter_) evmulti_libevent_detach(adapter_);
    event_free(tick_);
    event_base_free(base_);
  }
  LoopBackend(const LoopBackend &) = delete;
  LoopBackend &operator=(const LoopBackend &) = delete;

  bool attach(CURLM *multi, evmulti_done_cb done, void *userp) {
    adapter_ = evmulti_libevent_attach(multi, base_, done, userp);
    return adapter_ != nullptr;
  }
  int detach() {
    int rc = evmulti_libevent_detach(adapter_);
    if (rc == 0) adapter_ = nullptr;
    return rc;
  }
  // Only valid while attached and outside a callback that detached.
  int running() const { return evmulti_libevent_running(adapter_); }

  // One loop iteration; a timer of our own bounds the wait and is gone again afterwards, so
  // the event count below is the adapter's alone.
  void turn(int max_wait_ms) {
    timeval tv{max_wait_ms / 1000, (max_wait_ms % 1000) * 1000};
    evtimer_add(tick_, &tv);
    event_base_loop(base_, EVLOOP_ONCE);
    evtimer_del(tick_);
  }
  // Events the adapter has added to the base (socket events and its timer when armed).
  int registrations() const { return event_base_get_num_events(base_, EVENT_BASE_COUNT_ADDED); }
  // Registrations that are sockets, when the count can tell them from the timer; -1 if not.
  int socket_registrations() const { return -1; }

  event_base *base() { return base_; }

 private:
  event_base *base_;
  event *tick_;
  evmulti_libevent *adapter_ = nullptr;
};

#else

#if defined(EVM_TEST_BACKEND_EPOLL)
struct OwnedLoopApi {
  using Adapter = evmulti_epoll;
  static constexpr const char *kName = "epoll";
  static constexpr auto attach = evmulti_epoll_attach;
  static constexpr auto fd = evmulti_epoll_fd;
  static constexpr auto dispatch = evmulti_epoll_dispatch;
  static constexpr auto run = evmulti_epoll_run;
  static constexpr auto stop = evmulti_epoll_stop;
  static constexpr auto running = evmulti_epoll_running;
  static constexpr auto detach = evmulti_epoll_detach;
};
#else
struct OwnedLoopApi {
  using Adapter = evmulti_kqueue;
  static constexpr const char *kName = "kqueue";
  static constexpr auto attach = evmulti_kqueue_attach;
  static constexpr auto fd = evmulti_kqueue_fd;
  static constexpr auto dispatch = evmulti_kqueue_dispatch;
  static constexpr auto run = evmulti_kqueue_run;
  static constexpr auto stop = evmulti_kqueue_stop;
  static constexpr auto running = evmulti_kqueue_running;
  static constexpr auto detach = evmulti_kqueue_detach;
};
#endif

class LoopBackend {
 public:
  using Api = OwnedLoopApi;
  static constexpr const char *kName = Api::kName;

  LoopBackend() = default;
  ~LoopBackend() {
    if (adapter_) Api::detach(adapter_);
  }
  LoopBackend(const LoopBackend &) = delete;
  LoopBackend &operator=(const LoopBackend &) = delete;

  bool attach(CURLM *multi, evmulti_done_cb done, void *userp) {
    adapter_ = Api::attach(multi, done, userp);
    return adapter_ != nullptr;
  }
  int detach() {
    int rc = Api::detach(adapter_);
    if (rc == 0) adapter_ = nullptr;
    return rc;
  }
  int running() const { return Api::running(adapter_); }

  // The embedding way: the adapter's one descriptor in our poll(), dispatch when readable.
  // libkqueue's descriptor cannot be polled: there the adapter waits itself.
  void turn(int max_wait_ms) {
    int fd = Api::fd(adapter_);
    if (fd < 0) {
      Api::dispatch(adapter_, max_wait_ms);
      return;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, max_wait_ms) > 0) Api::dispatch(adapter_, 0);
  }

  int registrations() const {
    if (!adapter_) return 0;
    int n = socket_registrations();
    return n < 0 ? n : n + 1;  // + the timerfd, always in the set
  }
  // The epoll set lists its registrations in /proc/self/fdinfo ("tfd:" lines); libkqueue's
  // kqueue does not, so kqueue cannot tell.
  int socket_registrations() const {
#if defined(EVM_TEST_BACKEND_EPOLL)
    if (!adapter_) return 0;
    std::ifstream in("/proc/self/fdinfo/" + std::to_string(Api::fd(adapter_)));
    int n = 0;
    for (std::string line; std::getline(in, line);)
      if (line.rfind("tfd:", 0) == 0) ++n;
    return n - 1;
#else
    return -1;
#endif
  }

  Api::Adapter *adapter() {
    return adapter_;
  }

 private:
  Api::Adapter *adapter_ = nullptr;
};

#endif

}  // namespace evm::test
