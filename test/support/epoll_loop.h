// The smallest hiperfifo-style driver for tests: an epoll set fed by SOCKETFUNCTION, a deadline
// fed by TIMERFUNCTION, and step() turning one wait into curl_multi_socket_action calls.
#pragma once

#include <curl/curl.h>
#include <doctest/doctest.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <chrono>

namespace evm::test {

struct EpollLoop {
  using Clock = std::chrono::steady_clock;
  int epfd = epoll_create1(EPOLL_CLOEXEC);
  long timeout_ms = -1;  // as last reported by TIMERFUNCTION; -1 once fired or cancelled
  Clock::time_point deadline;
  int socket_calls = 0;

  EpollLoop() = default;
  EpollLoop(const EpollLoop &) = delete;
  EpollLoop &operator=(const EpollLoop &) = delete;
  ~EpollLoop() { close(epfd); }

  void attach(CURLM *multi) {
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
  }

  // One epoll_wait (at most until the deadline), then the socket actions it calls for.
  void step(CURLM *multi, int *running) {
    epoll_event events[256];
    int n = epoll_wait(epfd, events, 256, wait_ms());
    for (int i = 0; i < n; ++i) {
      int bits = ((events[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
                 ((events[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                 ((events[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
      REQUIRE(curl_multi_socket_action(multi, events[i].data.fd, bits, running) == CURLM_OK);
    }
    if (timeout_ms >= 0 && wait_ms() == 0) {
      timeout_ms = -1;  // one-shot, as an application timer is
      REQUIRE(curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, running) == CURLM_OK);
    }
  }

 private:
  static int on_socket(CURL *, curl_socket_t fd, int what, void *userp, void *) {
    auto *self = static_cast<EpollLoop *>(userp);
    ++self->socket_calls;
    if (what == CURL_POLL_REMOVE) {
      CHECK(epoll_ctl(self->epfd, EPOLL_CTL_DEL, fd, nullptr) == 0);
      return 0;
    }
    epoll_event ev{};
    ev.data.fd = fd;
    ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
    if (epoll_ctl(self->epfd, EPOLL_CTL_MOD, fd, &ev) != 0)
      CHECK(epoll_ctl(self->epfd, EPOLL_CTL_ADD, fd, &ev) == 0);
    return 0;
  }
  static int on_timer(CURLM *, long ms, void *userp) {
    auto *self = static_cast<EpollLoop *>(userp);
    self->timeout_ms = ms;
    self->deadline = Clock::now() + std::chrono::milliseconds(ms < 0 ? 0 : ms);
    return 0;
  }
  int wait_ms() const {
    if (timeout_ms < 0) return 1000;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() < 0 ? 0 : static_cast<int>(left.count()) + 1;
  }
};

}  // namespace evm::test
