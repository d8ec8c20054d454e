// What the multi interface tests (test/api: socket_callback, timer_callback, socket_action,
// info_read, multi_errors, handle_lifecycle, multi_poll, connection_limits) share: a driver
// that runs a multi handle on epoll through CURLMOPT_SOCKETFUNCTION and
// CURLMOPT_TIMERFUNCTION, recording every callback and checking the socket-callback contract.
//
// These tests pin down libcurl's documented multi behaviour through the public API only, over
// real loopback sockets. They also build against the system libcurl (leave out -Iinclude, link
// -lcurl; the evmulti-only checks sit under EVMULTI_VERSION), and libcurl 7.88 passes them
// except where noted: it closes a socket before its CURL_POLL_REMOVE when a transfer times out
// while still connecting, and it does not finish pending transfers strictly in FIFO order.
// Set MS_TRACE=1 in the environment to print every action and callback.
#pragma once

#include <curl/curl.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "easy_fixture.h"
#include "shared_test_server.h"
#include "timing.h"

namespace evm::test {

inline bool tracing() {
  static const bool on = std::getenv("MS_TRACE") != nullptr;
  return on;
}

// Drives a multi handle with epoll through CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION
// and records every callback, checking the socket-callback contract as it goes.
class Driver {
 public:
  struct SocketCall {
    CURL *easy;
    curl_socket_t fd;
    int what;
    void *socketp;
    bool fd_open;
  };
  struct TimerCall {
    long ms;
    Clock::time_point at;
    Clock::time_point deadline() const { return at + std::chrono::milliseconds(ms); }
  };

  CURLM *multi;
  int epfd = epoll_create1(EPOLL_CLOEXEC);

  // Behaviour switches.
  bool zero_bits = false;         // pass 0 as ev_bitmask ("find out yourself")
  bool socket_events = true;      // false: drive only CURL_SOCKET_TIMEOUT
  bool assign_tokens = true;      // curl_multi_assign a token to each new socket
  bool drain = true;              // read messages after every action
  bool duplicate_events = false;  // report every socket event twice (a spurious wake-up)
  std::function<void(CURL *, curl_socket_t, int)> socket_hook;
  std::function<void(long)> timer_hook;
  std::function<void()> after_action;

  // Records.
  std::vector<SocketCall> socket_calls;
  std::vector<TimerCall> timer_calls;
  std::vector<std::string> violations;
  std::map<curl_socket_t, int> watched;  // fd -> current CURL_POLL_* interest
  std::vector<std::pair<CURL *, CURLcode>> done;
  std::set<curl_socket_t> seen_fds;
  int running = -1;
  int announces = 0, removes = 0;

  bool timer_armed = false;
  Clock::time_point deadline;

  explicit Driver(CURLM *m = curl_multi_init()) : multi(m) {
    REQUIRE(multi);
    REQUIRE(epfd >= 0);
    REQUIRE(curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Driver::on_socket) == CURLM_OK);
    REQUIRE(curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this) == CURLM_OK);
    REQUIRE(curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Driver::on_timer) == CURLM_OK);
    REQUIRE(curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this) == CURLM_OK);
  }
  ~Driver() {
    if (multi) curl_multi_cleanup(multi);
    close(epfd);
  }
  Driver(const Driver &) = delete;
  Driver &operator=(const Driver &) = delete;

  // Cleans the multi up now, still recording callbacks made during cleanup.
  void cleanup() {
    CHECK(curl_multi_cleanup(multi) == CURLM_OK);
    multi = nullptr;
  }

  CURLMcode action(curl_socket_t fd, int bits) {
    if (tracing()) fprintf(stderr, "action fd=%d bits=%d\n", fd, bits);
    CURLMcode rc = curl_multi_socket_action(multi, fd, bits, &running);
    if (tracing()) fprintf(stderr, "  -> running=%d\n", running);
    if (drain) read_messages();
    if (after_action) after_action();
    return rc;
  }

  void read_messages() {
    int left = 0;
    while (CURLMsg *m = curl_multi_info_read(multi, &left)) {
      CHECK(m->msg == CURLMSG_DONE);
      done.emplace_back(m->easy_handle, m->data.result);
    }
  }

  bool is_done(CURL *e) const { return result_of(e) != nullptr; }
  const CURLcode *result_of(CURL *e) const {
    for (auto &d : done)
      if (d.first == e) return &d.second;
    return nullptr;
  }

  // One round: wait for socket activity (at most max_wait_ms, never past the timer), report
  // it, then fire the timer if it is due.
  void step(int max_wait_ms = 20) {
    int wait = max_wait_ms;
    if (timer_armed) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
      wait = static_cast<int>(std::clamp<long>(left, 0, wait));
    }
    if (socket_events) {
      epoll_event events[64];
      int n = epoll_wait(epfd, events, 64, wait);
      for (int i = 0; i < n; ++i) {
        curl_socket_t fd = events[i].data.fd;
        if (!watched.count(fd)) continue;  // removed by an earlier action in this round
        int bits = ((events[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
                   ((events[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                   ((events[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
        CHECK(action(fd, zero_bits ? 0 : bits) == CURLM_OK);
        if (duplicate_events && watched.count(fd))
          CHECK(action(fd, zero_bits ? 0 : bits) == CURLM_OK);
      }
    } else if (wait > 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    }
    if (timer_armed && Clock::now() >= deadline) {
      timer_armed = false;
      CHECK(action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
    }
  }

  bool run_until(const std::function<bool()> &pred, int budget_ms = 2500) {
    auto start = Clock::now();
    while (!pred()) {
      if (ms_since(start) > budget_ms) return false;
      step();
    }
    return true;
  }
  // Until running_handles, as reported by an action made from here on, is 0.
  bool run_all(int budget_ms = 2500) {
    running = -1;
    if (!timer_armed) CHECK(action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
    return run_until([this] { return running == 0; }, budget_ms);
  }

  // Every socket announced with IN/OUT was later removed exactly once, and nothing broke
  // the call discipline on the way.
  void check_socket_contract() const {
    for (const auto &v : violations) FAIL_CHECK(v);
    CHECK(violations.empty());
    CHECK(watched.empty());
    CHECK(announces == removes);
  }

  std::vector<curl_socket_t> fds_of(CURL *easy) const {
    std::vector<curl_socket_t> out;
    for (auto &c : socket_calls)
      if (c.easy == easy && std::find(out.begin(), out.end(), c.fd) == out.end())
        out.push_back(c.fd);
    return out;
  }

 private:
  struct FdState {
    bool active = false;
    int last_what = -1;
    void *token = nullptr;
    ino_t ino = 0;
  };
  std::map<curl_socket_t, FdState> fd_state_;
  std::deque<int> tokens_;

  void violation(std::string what, curl_socket_t fd) {
    violations.push_back(what + " (fd " + std::to_string(fd) + ")");
  }

  static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
    auto *d = static_cast<Driver *>(userp);
    struct stat st {};
    bool open = fcntl(fd, F_GETFD) != -1 && fstat(fd, &st) == 0;
    if (tracing())
      fprintf(stderr, "  socket easy=%p fd=%d what=%d socketp=%p open=%d ino=%lu\n", easy, fd, what,
              socketp, open, (unsigned long)st.st_ino);
    d->socket_calls.push_back({easy, fd, what, socketp, open});
    d->seen_fds.insert(fd);
    if (what < CURL_POLL_NONE || what > CURL_POLL_REMOVE) d->violation("bad what", fd);
    FdState &s = d->fd_state_[fd];
    if (!s.active) {
      if (what == CURL_POLL_REMOVE) {
        d->violation("REMOVE for a socket that was never announced", fd);
      } else {
        ++d->announces;
        s.active = true;
        s.ino = st.st_ino;
        s.token = nullptr;
        if (!open) d->violation("announced socket is not open", fd);
        if (socketp) d->violation("a new socket came with a socketp", fd);
        if (d->assign_tokens) {
          d->tokens_.push_back(fd);
          s.token = &d->tokens_.back();
          if (curl_multi_assign(d->multi, fd, s.token) != CURLM_OK)
            d->violation("curl_multi_assign refused an announced socket", fd);
        }
        d->watch(fd, what, true);
      }
    } else {
      if (what == s.last_what) d->violation("same what twice in a row", fd);
      if (!open || st.st_ino != s.ino) d->violation("socket closed or replaced before REMOVE", fd);
      if (s.token && socketp != s.token) d->violation("socketp not handed back", fd);
      if (what == CURL_POLL_REMOVE) {
        ++d->removes;
        s.active = false;
        d->watched.erase(fd);
        epoll_ctl(d->epfd, EPOLL_CTL_DEL, fd, nullptr);
      } else {
        d->watch(fd, what, false);
      }
    }
    s.last_what = what;
    if (d->socket_hook) d->socket_hook(easy, fd, what);
    return 0;
  }

  void watch(curl_socket_t fd, int what, bool add) {
    watched[fd] = what;
    epoll_event ev{};
    ev.data.fd = fd;
    ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
    if (epoll_ctl(epfd, add ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, &ev) != 0)
      epoll_ctl(epfd, add ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
  }

  static int on_timer(CURLM *, long ms, void *userp) {
    auto *d = static_cast<Driver *>(userp);
    d->timer_calls.push_back({ms, Clock::now()});
    if (tracing()) fprintf(stderr, "  timer %ld\n", ms);
    if (ms < 0) {
      d->timer_armed = false;
    } else {
      d->timer_armed = true;
      d->deadline = Clock::now() + std::chrono::milliseconds(ms);
    }
    if (d->timer_hook) d->timer_hook(ms);
    return 0;
  }
};

// A pipe whose read end is readable: an fd the multi handle has never seen.
struct ForeignFd {
  int fds[2] = {-1, -1};
  ForeignFd() {
    REQUIRE(pipe(fds) == 0);
    REQUIRE(write(fds[1], "x", 1) == 1);
  }
  ~ForeignFd() {
    close(fds[0]);
    close(fds[1]);
  }
  int fd() const { return fds[0]; }
};

inline std::unique_ptr<Fetch> make(const std::string &url, long timeout_ms = 0) {
  auto f = std::make_unique<Fetch>(url);
  if (timeout_ms) curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  return f;
}

}  // namespace evm::test
