// The soak's event loop: the shared epoll loop (test/support/epoll_loop.h) with the
// socket-callback contract checked on every call, but with nothing kept per call, so that the
// loop itself does not grow the memory the soak measures.
#pragma once

#include <curl/curl.h>

#include <string>
#include <vector>

#include "epoll_loop.h"

namespace evm::test {

class SoakLoop : public EpollLoop {
 public:
  CURLM *multi;
  int running = -1;
  long socket_calls_seen = 0;
  long violations = 0;
  std::string first_violation;

  explicit SoakLoop(CURLM *m) : multi(m) { attach(m); }

  // One wait (at most max_wait_ms, never past the timer), the socket actions it calls for, the
  // timer's if due; `after_action(fd)` runs after each curl_multi_socket_action (to read
  // messages), with CURL_SOCKET_TIMEOUT for the timer's.
  template <class AfterAction>
  void step(int max_wait_ms, AfterAction &&after_action) {
    for_each_ready(wait_ms(max_wait_ms), [&](curl_socket_t fd, int bits) {
      if (curl_multi_socket_action(multi, fd, bits, &running) != CURLM_OK)
        violation("socket_action failed", fd);
      after_action(fd);
    });
    if (take_due_timer()) {
      if (curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running) != CURLM_OK)
        violation("socket_action(CURL_SOCKET_TIMEOUT) failed", CURL_SOCKET_TIMEOUT);
      after_action(CURL_SOCKET_TIMEOUT);
    }
    // The base class records every call; the soak checks them as they come instead.
    socket_calls.clear();
    timer_calls.clear();
  }

 protected:
  // The contract: an announced socket is open; REMOVE comes only after an announcement and
  // while the descriptor is still open.
  void socket_callback(CURL *easy, curl_socket_t fd, int what, void *socketp) override {
    ++socket_calls_seen;
    const bool open = socket_calls.back().fd_open;
    if (fd < 0) return violation("negative socket", fd);
    if (static_cast<size_t>(fd) >= announced_.size()) announced_.resize(fd + 1024, 0);
    if (what == CURL_POLL_REMOVE) {
      if (!announced_[fd]) violation("REMOVE for a socket that was never announced", fd);
      if (!open) violation("socket closed before its REMOVE", fd);
      announced_[fd] = 0;
    } else if (what < CURL_POLL_NONE || what > CURL_POLL_INOUT) {
      violation("bad what " + std::to_string(what), fd);
    } else {
      if (!open) violation("announced socket is not open", fd);
      announced_[fd] = 1;
    }
    EpollLoop::socket_callback(easy, fd, what, socketp);
  }

 private:
  std::vector<unsigned char> announced_;  // by descriptor: announced and not yet removed

  void violation(const std::string &what, curl_socket_t fd) {
    if (violations++ == 0) first_violation = what + " (fd " + std::to_string(fd) + ")";
  }
};

}  // namespace evm::test
