// The hiperfifo-style epoll driver the tests share: an epoll set fed by SOCKETFUNCTION, a
// one-shot timer fed by TIMERFUNCTION, and step() turning one wait into
// curl_multi_socket_action calls. It records every callback it gets.
//
// Tests that need more derive from it: socket_callback() and timer_callback() run after the
// loop has recorded a call (and, for the timer, taken the new deadline), and the pieces of
// step() — wait_ms(), for_each_ready(), take_due_timer() — build loops that act differently
// (multi_driver.h's Driver, resolver_test.cpp's loop).
#pragma once

#include <curl/curl.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <vector>

namespace evm::test {

class EpollLoop {
 public:
  using Clock = std::chrono::steady_clock;

  struct SocketCall {
    CURL *easy;
    curl_socket_t fd;
    int what;
    void *socketp;
    bool fd_open;  // the descriptor was open when the call came
  };
  struct TimerCall {
    long ms;
    Clock::time_point at;
    Clock::time_point deadline() const { return at + std::chrono::milliseconds(ms); }
  };

  int epfd = epoll_create1(EPOLL_CLOEXEC);
  long timeout_ms = -1;        // as last reported by TIMERFUNCTION; -1 once fired or cancelled
  Clock::time_point deadline;  // when that timer is due
  std::map<curl_socket_t, int> watched;  // fd -> the CURL_POLL_* interest last reported
  std::vector<SocketCall> socket_calls;  // every SOCKETFUNCTION call, in order
  std::vector<TimerCall> timer_calls;    // every TIMERFUNCTION call, in order

  EpollLoop() = default;
  EpollLoop(const EpollLoop &) = delete;
  EpollLoop &operator=(const EpollLoop &) = delete;
  virtual ~EpollLoop() { close(epfd); }

  void attach(CURLM *multi) {
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, socket_function);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, callback_data());
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_function);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, callback_data());
  }

  bool timer_armed() const { return timeout_ms >= 0; }

  // One epoll_wait (until the timer is due, at most max_wait_ms), the socket actions it calls
  // for, then the timer's if it is due.
  void step(CURLM *multi, int *running, int max_wait_ms = 1000) {
    for_each_ready(wait_ms(max_wait_ms), [&](curl_socket_t fd, int bits) {
      REQUIRE(curl_multi_socket_action(multi, fd, bits, running) == CURLM_OK);
    });
    if (take_due_timer())
      REQUIRE(curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, running) == CURLM_OK);
  }

  // How long to wait for sockets: until the timer is due (0 once it is), at most `cap` ms.
  int wait_ms(int cap) const {
    if (timeout_ms < 0) return cap;
    long left = ms_left();
    return left < 0 ? 0 : static_cast<int>(std::min<long>(cap, left + 1));
  }

  // One epoll_wait of at most `ms`, then on_ready(fd, CURL_CSELECT_* bits) for each ready
  // socket still watched (an earlier one's action may have removed it).
  template <class OnReady>
  void for_each_ready(int ms, OnReady &&on_ready) {
    epoll_event events[256];
    int n = epoll_wait(epfd, events, 256, ms);
    for (int i = 0; i < n; ++i) {
      curl_socket_t fd = events[i].data.fd;
      if (!watched.count(fd)) continue;
      int bits = ((events[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
                 ((events[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                 ((events[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
      on_ready(fd, bits);
    }
  }

  // True, once, when the timer is due (a whole millisecond past its deadline, never early):
  // the caller then runs curl_multi_socket_action(CURL_SOCKET_TIMEOUT). The timer is one-shot,
  // as an application's is.
  bool take_due_timer() {
    if (timeout_ms < 0 || ms_left() >= 0) return false;
    timeout_ms = -1;
    return true;
  }

 protected:
  static int socket_function(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
    auto *self = static_cast<EpollLoop *>(userp);
    bool open = fcntl(fd, F_GETFD) != -1;
    self->socket_calls.push_back({easy, fd, what, socketp, open});
    if (what == CURL_POLL_REMOVE)
      self->watched.erase(fd);
    else
      self->watched[fd] = what;
    self->socket_callback(easy, fd, what, socketp);
    return 0;
  }
  static int timer_function(CURLM *, long ms, void *userp) {
    auto *self = static_cast<EpollLoop *>(userp);
    Clock::time_point now = Clock::now();
    self->timer_calls.push_back({ms, now});
    self->timeout_ms = ms;
    self->deadline = now + std::chrono::milliseconds(ms < 0 ? 0 : ms);
    self->timer_callback(ms);
    return 0;
  }
  // What a derived loop passes as CURLMOPT_SOCKETDATA and CURLMOPT_TIMERDATA.
  void *callback_data() { return static_cast<EpollLoop *>(this); }

  // After a SOCKETFUNCTION call is recorded: brings the epoll set in line with it.
  virtual void socket_callback(CURL *, curl_socket_t fd, int what, void *) {
    if (what == CURL_POLL_REMOVE)
      CHECK(epoll_del(fd));
    else if (!epoll_mod(fd, what))  // not in the set yet
      CHECK(epoll_add(fd, what));
  }
  // After a TIMERFUNCTION call is recorded and its deadline taken.
  virtual void timer_callback(long) {}

  // The epoll set; each is one epoll_ctl, true if it succeeded.
  bool epoll_add(curl_socket_t fd, int what) { return ctl(EPOLL_CTL_ADD, fd, what); }
  bool epoll_mod(curl_socket_t fd, int what) { return ctl(EPOLL_CTL_MOD, fd, what); }
  bool epoll_del(curl_socket_t fd) { return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr) == 0; }

 private:
  bool ctl(int op, curl_socket_t fd, int what) {
    epoll_event ev{};
    ev.data.fd = fd;
    ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
    return epoll_ctl(epfd, op, fd, &ev) == 0;
  }
  long ms_left() const {
    return static_cast<long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
  }
};

}  // namespace evm::test
