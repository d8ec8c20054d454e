// What the multi interface tests (test/api: socket_callback, timer_callback, socket_action,
// info_read, multi_errors, handle_lifecycle, multi_poll, connection_limits) share: a driver
// that runs a multi handle on the shared epoll loop (epoll_loop.h) through
// CURLMOPT_SOCKETFUNCTION and CURLMOPT_TIMERFUNCTION, recording every callback and checking
// the socket-callback contract.
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
#include "epoll_loop.h"
#include "shared_test_server.h"
#include "timing.h"

namespace evm::test {

inline bool tracing() {
  static const bool on = std::getenv("MS_TRACE") != nullptr;
  return on;
}

// Drives a multi handle on the shared epoll loop (epoll_loop.h), which records every
// callback, and checks the socket-callback contract as the calls come.
class Driver : public EpollLoop {
 public:
  CURLM *multi;

  // Behaviour switches.
  bool zero_bits = false;         // pass 0 as ev_bitmask ("find out yourself")
  bool socket_events = true;      // false: drive only CURL_SOCKET_TIMEOUT
  bool assign_tokens = true;      // curl_multi_assign a token to each new socket
  bool drain = true;              // read messages after every action
  bool duplicate_events = false;  // report every socket event twice (a spurious wake-up)
  std::function<void(CURL *, curl_socket_t, int)> socket_hook;
  std::function<void(long)> timer_hook;
  std::function<void()> after_action;

  // Records, beside the loop's socket_calls, timer_calls and watched.
  std::vector<std::string> violations;
  std::vector<std::pair<CURL *, CURLcode>> done;
  std::set<curl_socket_t> seen_fds;
  int running = -1;
  int announces = 0, removes = 0;

  explicit Driver(CURLM *m = curl_multi_init()) : multi(m) {
    REQUIRE(multi);
    REQUIRE(epfd >= 0);
    REQUIRE(curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, socket_function) == CURLM_OK);
    REQUIRE(curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, callback_data()) == CURLM_OK);
    REQUIRE(curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, timer_function) == CURLM_OK);
    REQUIRE(curl_multi_setopt(multi, CURLMOPT_TIMERDATA, callback_data()) == CURLM_OK);
  }
  ~Driver() override {
    if (multi) curl_multi_cleanup(multi);
  }

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
    int wait = wait_ms(max_wait_ms);
    if (socket_events) {
      for_each_ready(wait, [&](curl_socket_t fd, int bits) {
        CHECK(action(fd, zero_bits ? 0 : bits) == CURLM_OK);
        if (duplicate_events && watched.count(fd))
          CHECK(action(fd, zero_bits ? 0 : bits) == CURLM_OK);
      });
    } else if (wait > 0) {
      // Socket events are left out on purpose, so the timer is all there is to wait for.
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
    }
    if (take_due_timer()) CHECK(action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
  }

  bool run_until(const std::function<bool()> &pred, int budget_ms = 2500) {
    return wait_until(pred, std::chrono::milliseconds(budget_ms), [this] { step(); });
  }
  // Until running_handles, as reported by an action made from here on, is 0.
  bool run_all(int budget_ms = 2500) {
    running = -1;
    if (!timer_armed()) CHECK(action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
    return run_until([this] { return running == 0; }, budget_ms);
  }

  // Every socket announced with IN/OUT was later removed exactly once, and nothing broke
  // the call discipline on the way. The multi is cleaned up first: evmulti keeps idle
  // connections watched until they close (curl #20377), and cleanup closes them.
  void check_socket_contract() {
    if (multi) cleanup();
    check_watching_nothing();
  }
  // The same, with the multi kept: for when no connection can be idle and watched.
  void check_watching_nothing() const {
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

 protected:
  // The contract, call by call, then the epoll set as the loop keeps it.
  void socket_callback(CURL *easy, curl_socket_t fd, int what, void *socketp) override {
    bool open = socket_calls.back().fd_open;
    struct stat st {};
    if (open) fstat(fd, &st);
    if (tracing())
      fprintf(stderr, "  socket easy=%p fd=%d what=%d socketp=%p open=%d ino=%lu\n", easy, fd, what,
              socketp, open, (unsigned long)st.st_ino);
    seen_fds.insert(fd);
    if (what < CURL_POLL_NONE || what > CURL_POLL_REMOVE) violation("bad what", fd);
    FdState &s = fd_state_[fd];
    if (!s.active) {
      if (what == CURL_POLL_REMOVE) {
        violation("REMOVE for a socket that was never announced", fd);
      } else {
        ++announces;
        s.active = true;
        s.ino = st.st_ino;
        s.token = nullptr;
        if (!open) violation("announced socket is not open", fd);
        if (socketp) violation("a new socket came with a socketp", fd);
        if (assign_tokens) {
          tokens_.push_back(fd);
          s.token = &tokens_.back();
          if (curl_multi_assign(multi, fd, s.token) != CURLM_OK)
            violation("curl_multi_assign refused an announced socket", fd);
        }
        if (!epoll_mod(fd, what)) epoll_add(fd, what);
      }
    } else {
      if (what == s.last_what) violation("same what twice in a row", fd);
      if (!open || st.st_ino != s.ino) violation("socket closed or replaced before REMOVE", fd);
      if (s.token && socketp != s.token) violation("socketp not handed back", fd);
      if (what == CURL_POLL_REMOVE) {
        ++removes;
        s.active = false;
        epoll_del(fd);
      } else if (!epoll_mod(fd, what)) {
        epoll_add(fd, what);
      }
    }
    s.last_what = what;
    if (socket_hook) socket_hook(easy, fd, what);
  }

  void timer_callback(long ms) override {
    if (tracing()) fprintf(stderr, "  timer %ld\n", ms);
    if (timer_hook) timer_hook(ms);
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
