// The documented behaviour of libcurl's multi interface, pinned down through the public API
// only, over real loopback sockets: SOCKETFUNCTION / TIMERFUNCTION call discipline,
// curl_multi_socket_action, running_handles, curl_multi_info_read, error codes, handle
// lifecycle and connection limits.
//
// The file also builds against the system libcurl (leave out -Iinclude, link -lcurl; the
// evmulti-only checks sit under EVMULTI_VERSION), and libcurl 7.88 passes it except where
// noted: it closes a socket before its CURL_POLL_REMOVE when a transfer times out while
// still connecting, and it does not finish pending transfers strictly in FIFO order.
// Set MS_TRACE=1 in the environment to print every action and callback.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/select.h>
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

using evm::test::Fetch;
using evm::test::TestServer;
using Clock = std::chrono::steady_clock;

namespace {

TestServer &server() { return evm::test::shared_test_server(); }

bool tracing() {
  static const bool on = std::getenv("MS_TRACE") != nullptr;
  return on;
}

long ms_since(Clock::time_point t) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count());
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
  bool zero_bits = false;      // pass 0 as ev_bitmask ("find out yourself")
  bool socket_events = true;   // false: drive only CURL_SOCKET_TIMEOUT
  bool assign_tokens = true;   // curl_multi_assign a token to each new socket
  bool drain = true;           // read messages after every action
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
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now())
                      .count();
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
        if (duplicate_events && watched.count(fd)) CHECK(action(fd, zero_bits ? 0 : bits) == CURLM_OK);
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

std::unique_ptr<Fetch> make(const std::string &url, long timeout_ms = 0) {
  auto f = std::make_unique<Fetch>(url);
  if (timeout_ms) curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS, timeout_ms);
  return f;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// CURLMOPT_SOCKETFUNCTION

TEST_CASE("SOCKETFUNCTION reports changes only, hands socketp back and removes each socket once") {
  TestServer &srv = server();
  Driver d;
  d.duplicate_events = true;  // spurious wake-ups must not produce repeated reports
  std::vector<std::unique_ptr<Fetch>> fetches;
  fetches.push_back(make(srv.http_url("/bytes/300000")));
  fetches.push_back(make(srv.http_url("/chunked/20000")));
  fetches.push_back(make(srv.http_url("/delay/30")));
  fetches.push_back(make(srv.raw_url("/ok/5000")));
  fetches.push_back(make(srv.raw_url("/close-after/2000")));  // server closes: we close too
  fetches.push_back(make(srv.raw_url("/http10")));
  fetches.push_back(make(srv.raw_url("/slow/3")));
  fetches.push_back(make(srv.http_url("/bytes/10")));
  curl_easy_setopt(fetches.back()->easy, CURLOPT_FORBID_REUSE, 1L);
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);

  REQUIRE(d.run_all());
  REQUIRE(d.done.size() == fetches.size());
  for (auto &[easy, result] : d.done) CHECK(result == CURLE_OK);
  CHECK(fetches[0]->body.size() == 300000);
  CHECK(fetches[5]->body == "abc");

  // The contract, checked call by call while it ran: no repeated `what` for one socket, the
  // socket still open (same inode) at REMOVE, socketp handed back on every later call
  // including REMOVE; and now that all is done, every announced socket has been removed.
  d.check_socket_contract();
  CHECK(d.announces >= 1);
  int removes_seen = 0, removes_with_token = 0;
  for (auto &c : d.socket_calls) {
    if (c.what != CURL_POLL_REMOVE) continue;
    ++removes_seen;
    CHECK(c.fd_open);
    if (c.socketp) ++removes_with_token;
  }
  CHECK(removes_seen == d.announces);
  CHECK(removes_with_token == removes_seen);

  // Removed sockets are unknown again, even if the connection stays cached.
  int token = 0;
  for (curl_socket_t fd : d.seen_fds) CHECK(curl_multi_assign(d.multi, fd, &token) == CURLM_BAD_SOCKET);

  for (auto &f : fetches) CHECK(curl_multi_remove_handle(d.multi, f->easy) == CURLM_OK);
  size_t calls_before = d.socket_calls.size();
  d.cleanup();
  // Cleanup closes cached connections; sockets already removed are not reported again.
  for (size_t i = calls_before; i < d.socket_calls.size(); ++i)
    CHECK(d.socket_calls[i].what != CURL_POLL_REMOVE);
  d.check_socket_contract();
}

TEST_CASE("curl_multi_assign on a socket the multi handle does not know returns CURLM_BAD_SOCKET") {
  CURLM *m = curl_multi_init();
  ForeignFd foreign;
  int token = 0;
  CHECK(curl_multi_assign(m, foreign.fd(), &token) == CURLM_BAD_SOCKET);
  CHECK(curl_multi_assign(m, 1 << 20, &token) == CURLM_BAD_SOCKET);
  CHECK(curl_multi_assign(m, CURL_SOCKET_BAD, &token) == CURLM_BAD_SOCKET);
  CHECK(curl_multi_cleanup(m) == CURLM_OK);
}

TEST_CASE("curl_multi_assign changes the socketp handed to later calls") {
  // Re-assigning (here: to a second token at the first change) must take effect.
  TestServer &srv = server();
  Driver d;
  d.assign_tokens = false;
  int first = 1, second = 2;
  std::map<curl_socket_t, void *> expected;
  std::vector<std::string> wrong;
  d.socket_hook = [&](CURL *, curl_socket_t fd, int what) {
    void *got = d.socket_calls.back().socketp;
    auto it = expected.find(fd);
    if (it == expected.end()) {
      if (got) wrong.push_back("new socket with socketp");
      expected[fd] = &first;
      CHECK(curl_multi_assign(d.multi, fd, &first) == CURLM_OK);
      return;
    }
    if (got != it->second) wrong.push_back("socketp not handed back");
    if (what == CURL_POLL_REMOVE) {
      expected.erase(it);
    } else if (it->second == &first) {
      it->second = &second;
      CHECK(curl_multi_assign(d.multi, fd, &second) == CURLM_OK);
    }
  };
  auto f = make(srv.http_url("/bytes/200000"));
  REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  CHECK(wrong.empty());
  CHECK(expected.empty());
  d.check_socket_contract();
  curl_multi_remove_handle(d.multi, f->easy);
}

// ---------------------------------------------------------------------------------------
// CURLMOPT_TIMERFUNCTION

TEST_CASE("TIMERFUNCTION: 0 on add_handle, -1 once nothing is pending") {
  TestServer &srv = server();
  SUBCASE("a transfer that finishes on a socket event cancels its pending deadline") {
    Driver d;
    auto f = make(srv.http_url("/delay/50"), 5000);  // a deadline far away stays armed
    REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    REQUIRE(d.timer_calls.size() == 1);
    CHECK(d.timer_calls[0].ms == 0);  // "run me now"
    REQUIRE(d.run_all());
    REQUIRE(d.done.size() == 1);
    CHECK(d.done[0].second == CURLE_OK);
    REQUIRE(d.timer_calls.size() >= 3);
    CHECK(d.timer_calls[d.timer_calls.size() - 2].ms > 0);
    CHECK(d.timer_calls.back().ms == -1);
    CHECK_FALSE(d.timer_armed);
    for (size_t i = 1; i < d.timer_calls.size(); ++i)
      CHECK_FALSE((d.timer_calls[i].ms == -1 && d.timer_calls[i - 1].ms == -1));
    long t = 0;
    CHECK(curl_multi_timeout(d.multi, &t) == CURLM_OK);
    CHECK(t == -1);
    curl_multi_remove_handle(d.multi, f->easy);
    d.check_socket_contract();
  }
  SUBCASE("after plain transfers no timer is left armed") {
    // The app's timer is one-shot: once it fired, libcurl owes no -1 for it; any deadline
    // reported after that must be cancelled with -1 when the last transfer finishes.
    Driver d;
    std::vector<std::unique_ptr<Fetch>> fetches;
    for (int i = 0; i < 3; ++i) fetches.push_back(make(srv.http_url("/bytes/100")));
    for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    REQUIRE(d.run_all());
    CHECK(d.done.size() == 3);
    CHECK_FALSE(d.timer_armed);
    long t = 0;
    CHECK(curl_multi_timeout(d.multi, &t) == CURLM_OK);
    CHECK(t == -1);
    for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
    d.check_socket_contract();
  }
  SUBCASE("removing the only handle before it ran cancels the timer") {
    Driver d;
    auto f = make(srv.http_url("/bytes/100"));
    REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    REQUIRE(d.timer_calls.size() == 1);
    CHECK(d.timer_calls[0].ms == 0);
    REQUIRE(curl_multi_remove_handle(d.multi, f->easy) == CURLM_OK);
    REQUIRE(d.timer_calls.size() == 2);
    CHECK(d.timer_calls[1].ms == -1);
    long t = 0;
    CHECK(curl_multi_timeout(d.multi, &t) == CURLM_OK);
    CHECK(t == -1);
  }
}

TEST_CASE("TIMERFUNCTION reports a TIMEOUT_MS deadline, and only when the earliest deadline changes") {
  TestServer &srv = server();
  Driver d;
  constexpr long kTimeout = 1000;
  auto stall = make(srv.raw_url("/stall"), kTimeout);
  auto start = Clock::now();
  auto expect = start + std::chrono::milliseconds(kTimeout);
  auto near = [](Clock::time_point a, Clock::time_point b, int ms) {
    return a > b - std::chrono::milliseconds(ms) && a < b + std::chrono::milliseconds(ms);
  };
  REQUIRE(curl_multi_add_handle(d.multi, stall->easy) == CURLM_OK);
  // Run until the request is sent and the transfer waits for the response, and past any
  // short-lived connect-phase timers (libcurl 7.88 has a 200 ms one).
  REQUIRE(d.run_until([&] {
    for (auto &c : d.socket_calls)
      if (c.easy == stall->easy && c.what == CURL_POLL_IN) return true;
    return false;
  }));
  d.run_until([&] { return ms_since(start) > 300; });
  REQUIRE(d.running == 1);
  REQUIRE(d.timer_armed);
  REQUIRE(!d.timer_calls.empty());
  // Never asked to wake up later than the transfer's timeout; now asked for exactly that.
  for (auto &c : d.timer_calls)
    if (c.ms >= 0) CHECK(c.deadline() < expect + std::chrono::milliseconds(30));
  auto reported = d.timer_calls.back().deadline();
  CHECK(near(reported, expect, 60));
  std::vector<curl_socket_t> fds = d.fds_of(stall->easy);
  REQUIRE(fds.size() == 1);

  size_t timers_before = d.timer_calls.size();
  size_t sockets_before = d.socket_calls.size();
  SUBCASE("events that do not change the deadline do not re-report it") {
    ForeignFd foreign;
    CHECK(d.action(foreign.fd(), CURL_CSELECT_IN) == CURLM_OK);
    CHECK(d.action(foreign.fd(), 0) == CURLM_OK);
    CHECK(d.running == 1);
    // A spurious wake-up of the transfer's own socket: nothing to read yet.
    CHECK(d.action(fds[0], CURL_CSELECT_IN) == CURLM_OK);
    CHECK(d.action(fds[0], 0) == CURLM_OK);
    CHECK(d.running == 1);
    for (int i = 0; i < 3; ++i) d.step(10);  // quiet socket: nothing happens
    CHECK(d.timer_calls.size() == timers_before);
    CHECK(d.socket_calls.size() == sockets_before);
    CHECK(d.done.empty());
  }
  SUBCASE("another transfer's deadlines come and go, then the old deadline is back") {
    auto quick = make(srv.http_url("/bytes/100"));
    REQUIRE(curl_multi_add_handle(d.multi, quick->easy) == CURLM_OK);
    REQUIRE(d.timer_calls.size() == timers_before + 1);
    CHECK(d.timer_calls.back().ms == 0);
    REQUIRE(d.run_until([&] { return d.is_done(quick->easy); }));
    CHECK(*d.result_of(quick->easy) == CURLE_OK);
    curl_multi_remove_handle(d.multi, quick->easy);
    REQUIRE(d.run_until([&] { return d.timer_armed && near(d.deadline, reported, 15); }, 400));
    CHECK(d.running == 1);
    CHECK(ms_since(start) < kTimeout - 100);
    // Every report was a change: no two in a row name the same deadline.
    for (size_t i = timers_before + 1; i < d.timer_calls.size(); ++i) {
      auto &a = d.timer_calls[i - 1], &b = d.timer_calls[i];
      if (a.ms > 0 && b.ms > 0) CHECK_FALSE(near(a.deadline(), b.deadline(), 2));
    }
  }
  curl_multi_remove_handle(d.multi, stall->easy);
  CHECK_FALSE(d.timer_armed);  // nothing pending any more
  d.check_socket_contract();
}

// libcurl 7.88 fails the socket contract here: the connect-phase timeout closes the socket
// first and reports CURL_POLL_REMOVE afterwards.
TEST_CASE("TIMEOUT_MS 200 against /stall times out when only CURL_SOCKET_TIMEOUT is driven") {
  TestServer &srv = server();
  for (const std::string &url : {srv.raw_url("/stall"), srv.http_url("/stall")}) {
    CAPTURE(url);
    Driver d;
    d.socket_events = false;
    auto f = make(url, 200);
    auto start = Clock::now();
    REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    CHECK(d.timer_calls.at(0).ms == 0);
    REQUIRE(d.run_until([&] { return !d.done.empty(); }, 2000));
    long took = ms_since(start);
    CHECK(d.done[0].first == f->easy);
    CHECK(d.done[0].second == CURLE_OPERATION_TIMEDOUT);
    CHECK(took >= 190);
    CHECK(took < 1000);
    CHECK(d.running == 0);
    CHECK_FALSE(d.timer_armed);  // the 200 ms timer fired; nothing else was asked for
    curl_multi_remove_handle(d.multi, f->easy);
    d.check_socket_contract();
  }
}

// ---------------------------------------------------------------------------------------
// curl_multi_socket_action

TEST_CASE("curl_multi_socket_action on an fd the multi never saw is OK and changes nothing") {
  TestServer &srv = server();
  Driver d;
  auto a = make(srv.raw_url("/stall"));
  auto b = make(srv.http_url("/stall"));
  REQUIRE(curl_multi_add_handle(d.multi, a->easy) == CURLM_OK);
  REQUIRE(curl_multi_add_handle(d.multi, b->easy) == CURLM_OK);
  REQUIRE(d.run_until([&] { return d.fds_of(a->easy).size() == 1 && d.fds_of(b->easy).size() == 1; }));
  for (int i = 0; i < 5; ++i) d.step(10);
  REQUIRE(d.running == 2);
  auto watched = d.watched;
  size_t sockets = d.socket_calls.size(), timers = d.timer_calls.size();

  ForeignFd foreign;
  for (int bits : {0, CURL_CSELECT_IN, CURL_CSELECT_OUT, CURL_CSELECT_ERR,
                   CURL_CSELECT_IN | CURL_CSELECT_OUT | CURL_CSELECT_ERR}) {
    CAPTURE(bits);
    int running = -1;
    CHECK(curl_multi_socket_action(d.multi, foreign.fd(), bits, &running) == CURLM_OK);
    CHECK(running == 2);
    // Descriptor numbers far beyond anything open are just as unknown.
    running = -1;
    CHECK(curl_multi_socket_action(d.multi, 1 << 20, bits, &running) == CURLM_OK);
    CHECK(running == 2);
  }
  int left = -1;
  CHECK(curl_multi_info_read(d.multi, &left) == nullptr);
  CHECK(left == 0);
  CHECK(d.socket_calls.size() == sockets);
  CHECK(d.timer_calls.size() == timers);
  CHECK(d.watched == watched);
  curl_multi_remove_handle(d.multi, a->easy);
  curl_multi_remove_handle(d.multi, b->easy);
  d.check_socket_contract();
}

TEST_CASE("an ev_bitmask of 0 lets the library find out: whole transfers driven that way") {
  TestServer &srv = server();
  Driver d;
  d.zero_bits = true;
  std::vector<std::unique_ptr<Fetch>> fetches;
  fetches.push_back(make(srv.http_url("/bytes/400000")));
  fetches.push_back(make(srv.http_url("/bytes/1")));
  fetches.push_back(make(srv.http_url("/chunked/50000")));
  fetches.push_back(make(srv.raw_url("/ok/70000")));
  fetches.push_back(make(srv.raw_url("/close-delimited/3000")));
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  REQUIRE(d.done.size() == fetches.size());
  for (auto &[easy, result] : d.done) CHECK(result == CURLE_OK);
  CHECK(fetches[0]->body.size() == 400000);
  CHECK(fetches[1]->body == "a");
  CHECK(fetches[2]->body.size() == 50000);
  CHECK(fetches[3]->body.size() == 70000);
  CHECK(fetches[4]->body.size() == 3000);
  for (auto &f : fetches) CHECK(f->status() == 200);
  for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
  d.check_socket_contract();
}

TEST_CASE("CURL_SOCKET_TIMEOUT runs only the transfers whose deadline has passed") {
  TestServer &srv = server();
  Driver d;
  auto soon = make(srv.raw_url("/stall"), 150);
  auto later = make(srv.raw_url("/stall"), 2500);
  auto start = Clock::now();
  REQUIRE(curl_multi_add_handle(d.multi, soon->easy) == CURLM_OK);
  REQUIRE(curl_multi_add_handle(d.multi, later->easy) == CURLM_OK);
  REQUIRE(d.run_until([&] { return d.is_done(soon->easy); }, 1500));
  CHECK(*d.result_of(soon->easy) == CURLE_OPERATION_TIMEDOUT);
  CHECK(ms_since(start) < 1000);
  CHECK(d.running == 1);
  CHECK_FALSE(d.is_done(later->easy));
  // Running the timeouts early, repeatedly, touches nothing that is not due.
  for (int i = 0; i < 5; ++i) {
    CHECK(d.action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
    CHECK(d.running == 1);
  }
  CHECK(d.done.size() == 1);
  CHECK(d.fds_of(later->easy).size() == 1);
  REQUIRE(d.timer_armed);
  CHECK(d.deadline > Clock::now());
  CHECK(d.deadline < start + std::chrono::milliseconds(2530));
  curl_multi_remove_handle(d.multi, soon->easy);
  curl_multi_remove_handle(d.multi, later->easy);
  d.check_socket_contract();
}

// ---------------------------------------------------------------------------------------
// running_handles

TEST_CASE("running_handles counts the transfers not yet done") {
  TestServer &srv = server();
  Driver d;
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < 3; ++i) fetches.push_back(make(srv.http_url("/delay/" + std::to_string(20 + 20 * i))));
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  std::vector<std::string> mismatches;
  d.after_action = [&] {
    if (d.running + static_cast<int>(d.done.size()) != 3)
      mismatches.push_back("running " + std::to_string(d.running) + " with " +
                           std::to_string(d.done.size()) + " done");
  };
  CHECK(d.action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
  CHECK(d.running <= 3);
  CHECK(d.running >= 0);
  REQUIRE(d.run_all());
  CHECK(d.running == 0);
  CHECK(d.done.size() == 3);
  CHECK(mismatches.empty());
  // Finished: further actions keep reporting 0.
  CHECK(d.action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
  CHECK(d.running == 0);
  for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
  d.check_socket_contract();
}

TEST_CASE("a handle that fails at once is done in the first action and not counted as running") {
  TestServer &srv = server();
  Driver d;
  auto bad = make("http://");
  auto good = make(srv.http_url("/delay/50"));
  REQUIRE(curl_multi_add_handle(d.multi, bad->easy) == CURLM_OK);
  REQUIRE(curl_multi_add_handle(d.multi, good->easy) == CURLM_OK);
  CHECK(d.action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
  REQUIRE(d.done.size() == 1);
  CHECK(d.done[0].first == bad->easy);
  CHECK(d.done[0].second == CURLE_URL_MALFORMAT);
  CHECK(d.running == 1);
  REQUIRE(d.run_all());
  REQUIRE(d.done.size() == 2);
  CHECK(d.done[1].first == good->easy);
  CHECK(d.done[1].second == CURLE_OK);
  CHECK(good->body == "ok\n");
  // The failed handle never got a socket.
  CHECK(d.fds_of(bad->easy).empty());
  curl_multi_remove_handle(d.multi, bad->easy);
  curl_multi_remove_handle(d.multi, good->easy);
  d.check_socket_contract();
}

// ---------------------------------------------------------------------------------------
// curl_multi_info_read

TEST_CASE("curl_multi_info_read: queue counts, NULL when empty, message lifetime, removal") {
  TestServer &srv = server();
  Driver d;
  d.drain = false;
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < 3; ++i) fetches.push_back(make(srv.http_url("/bytes/" + std::to_string(10 + i))));
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  std::set<CURL *> all;
  for (auto &f : fetches) all.insert(f->easy);

  SUBCASE("counts down and then returns NULL; messages stay valid until their handle goes") {
    std::vector<CURLMsg *> msgs;
    std::vector<std::pair<CURL *, CURLcode>> copies;
    for (int expect_left = 2; expect_left >= 0; --expect_left) {
      int left = -1;
      CURLMsg *m = curl_multi_info_read(d.multi, &left);
      REQUIRE(m != nullptr);
      CHECK(left == expect_left);
      CHECK(m->msg == CURLMSG_DONE);
      CHECK(m->data.result == CURLE_OK);
      msgs.push_back(m);
      copies.emplace_back(m->easy_handle, m->data.result);
    }
    int left = -1;
    CHECK(curl_multi_info_read(d.multi, &left) == nullptr);
    CHECK(left == 0);
    std::set<CURL *> got;
    for (auto &c : copies) got.insert(c.first);
    CHECK(got == all);
    // Still readable after later reads and after other handles were removed.
    for (size_t i = 0; i < msgs.size(); ++i) {
      CHECK(msgs[i]->msg == CURLMSG_DONE);
      CHECK(msgs[i]->easy_handle == copies[i].first);
      CHECK(msgs[i]->data.result == copies[i].second);
      CHECK(curl_multi_remove_handle(d.multi, copies[i].first) == CURLM_OK);
      for (size_t j = i + 1; j < msgs.size(); ++j) {
        CHECK(msgs[j]->easy_handle == copies[j].first);
        CHECK(msgs[j]->data.result == copies[j].second);
      }
    }
  }
  SUBCASE("removing a handle drops its unread message") {
    REQUIRE(curl_multi_remove_handle(d.multi, fetches[1]->easy) == CURLM_OK);
    int left = -1;
    CURLMsg *m = curl_multi_info_read(d.multi, &left);
    REQUIRE(m != nullptr);
    CHECK(left == 1);
    CHECK(m->easy_handle != fetches[1]->easy);
    CURL *first = m->easy_handle;
    m = curl_multi_info_read(d.multi, &left);
    REQUIRE(m != nullptr);
    CHECK(left == 0);
    CHECK(m->easy_handle != fetches[1]->easy);
    CHECK(m->easy_handle != first);
    CHECK(curl_multi_info_read(d.multi, &left) == nullptr);
    // Removing and re-adding the drained ones does not resurrect anything.
    CHECK(curl_multi_remove_handle(d.multi, fetches[0]->easy) == CURLM_OK);
    CHECK(curl_multi_remove_handle(d.multi, fetches[2]->easy) == CURLM_OK);
    CHECK(curl_multi_info_read(d.multi, &left) == nullptr);
  }
  d.check_socket_contract();
}

// ---------------------------------------------------------------------------------------
// Error codes

TEST_CASE("multi calls report bad handles and arguments with libcurl's codes") {
  CURLM *m = curl_multi_init();
  CURLM *other = curl_multi_init();
  CURL *e = curl_easy_init();
  CURL *e2 = curl_easy_init();
  REQUIRE(m);
  REQUIRE(other);
  REQUIRE(e);
  int running = 0, n = 0;
  long t = 0;
  fd_set r, w, x;
  FD_ZERO(&r);
  FD_ZERO(&w);
  FD_ZERO(&x);
  int maxfd = 0;

  SUBCASE("CURLM_BAD_HANDLE for NULL or an easy handle where a multi is expected") {
    for (CURLM *bad : {static_cast<CURLM *>(nullptr), static_cast<CURLM *>(e)}) {
      CHECK(curl_multi_add_handle(bad, e2) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_remove_handle(bad, e2) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_perform(bad, &running) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_setopt(bad, CURLMOPT_MAXCONNECTS, 1L) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_fdset(bad, &r, &w, &x, &maxfd) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_timeout(bad, &t) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_wait(bad, nullptr, 0, 0, &n) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_poll(bad, nullptr, 0, 0, &n) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_wakeup(bad) == CURLM_BAD_HANDLE);
#ifdef EVMULTI_VERSION
      // libcurl 7.88 crashes on a NULL here (and misreads an easy handle); we must not.
      CHECK(curl_multi_socket_action(bad, CURL_SOCKET_TIMEOUT, 0, &running) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_assign(bad, 0, nullptr) == CURLM_BAD_HANDLE);
#endif
      CHECK(curl_multi_cleanup(bad) == CURLM_BAD_HANDLE);
      CHECK(curl_multi_info_read(bad, &n) == nullptr);
    }
  }
  SUBCASE("CURLM_BAD_EASY_HANDLE for NULL or a multi handle where an easy is expected") {
    CHECK(curl_multi_add_handle(m, nullptr) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_remove_handle(m, nullptr) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_add_handle(m, static_cast<CURL *>(other)) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_remove_handle(m, static_cast<CURL *>(other)) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_add_handle(m, static_cast<CURL *>(m)) == CURLM_BAD_EASY_HANDLE);
  }
  SUBCASE("CURLM_ADDED_ALREADY for a handle in this or another multi") {
    REQUIRE(curl_multi_add_handle(m, e) == CURLM_OK);
    CHECK(curl_multi_add_handle(m, e) == CURLM_ADDED_ALREADY);
    CHECK(curl_multi_add_handle(other, e) == CURLM_ADDED_ALREADY);
    // Removing it from the wrong multi is refused and leaves it where it was.
    CHECK(curl_multi_remove_handle(other, e) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_add_handle(m, e) == CURLM_ADDED_ALREADY);
    CHECK(curl_multi_remove_handle(m, e) == CURLM_OK);
    // Once out, it may join the other one.
    CHECK(curl_multi_add_handle(other, e) == CURLM_OK);
    CHECK(curl_multi_remove_handle(m, e) == CURLM_BAD_EASY_HANDLE);
    CHECK(curl_multi_remove_handle(other, e) == CURLM_OK);
  }
  SUBCASE("removing a handle that is not added is fine") {
    CHECK(curl_multi_remove_handle(m, e) == CURLM_OK);
    REQUIRE(curl_multi_add_handle(m, e) == CURLM_OK);
    CHECK(curl_multi_remove_handle(m, e) == CURLM_OK);
    CHECK(curl_multi_remove_handle(m, e) == CURLM_OK);
  }
  SUBCASE("CURLM_UNKNOWN_OPTION") {
    CHECK(curl_multi_setopt(m, static_cast<CURLMoption>(9999), 1L) == CURLM_UNKNOWN_OPTION);
    CHECK(curl_multi_setopt(m, static_cast<CURLMoption>(CURLOPTTYPE_LONG + 999), 1L) ==
          CURLM_UNKNOWN_OPTION);
    CHECK(curl_multi_setopt(m, static_cast<CURLMoption>(0), 1L) == CURLM_UNKNOWN_OPTION);
  }
  SUBCASE("CURLM_BAD_FUNCTION_ARGUMENT for a negative wait") {
    CHECK(curl_multi_wait(m, nullptr, 0, -1, &n) == CURLM_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_multi_poll(m, nullptr, 0, -1, &n) == CURLM_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_multi_wait(m, nullptr, 0, -1000, nullptr) == CURLM_BAD_FUNCTION_ARGUMENT);
    // Zero is a valid "do not block".
    CHECK(curl_multi_wait(m, nullptr, 0, 0, &n) == CURLM_OK);
    CHECK(curl_multi_poll(m, nullptr, 0, 0, &n) == CURLM_OK);
  }
  curl_easy_cleanup(e);
  curl_easy_cleanup(e2);
  CHECK(curl_multi_cleanup(other) == CURLM_OK);
  CHECK(curl_multi_cleanup(m) == CURLM_OK);
}

// Calls curl_multi_add_handle / remove_handle / perform / socket_action from inside a
// callback. libcurl 7.88 refuses all four with CURLM_RECURSIVE_API_CALL from
// SOCKETFUNCTION, TIMERFUNCTION and WRITEFUNCTION.
struct RecursionProbe {
  CURLM *multi = nullptr;
  CURL *victim = nullptr;  // added to the multi; remove_handle must not take it out
  bool fired = false;
  std::vector<CURLMcode> codes;
  void probe() {
    if (fired) return;
    fired = true;
    CURL *fresh = curl_easy_init();
    int running = -1;
    codes.push_back(curl_multi_add_handle(multi, fresh));
    codes.push_back(curl_multi_remove_handle(multi, victim));
    codes.push_back(curl_multi_perform(multi, &running));
    codes.push_back(curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, &running));
    curl_easy_cleanup(fresh);  // never added: refused above
  }
};

TEST_CASE("multi calls made from inside callbacks return CURLM_RECURSIVE_API_CALL") {
  TestServer &srv = server();
  Driver d;
  RecursionProbe p;
  p.multi = d.multi;
  auto victim = make(srv.http_url("/delay/40"));
  auto primary = make(srv.http_url("/bytes/5000"));
  p.victim = victim->easy;
  const char *where = "";

  SUBCASE("SOCKETFUNCTION") {
    where = "socket";
    d.socket_hook = [&](CURL *, curl_socket_t, int) { p.probe(); };
  }
  SUBCASE("TIMERFUNCTION") {
    where = "timer";
    d.timer_hook = [&](long) { p.probe(); };
  }
  SUBCASE("WRITEFUNCTION") {
    where = "write";
    curl_write_callback w = [](char *, size_t size, size_t nmemb, void *userp) -> size_t {
      static_cast<RecursionProbe *>(userp)->probe();
      return size * nmemb;
    };
    curl_easy_setopt(primary->easy, CURLOPT_WRITEFUNCTION, w);
    curl_easy_setopt(primary->easy, CURLOPT_WRITEDATA, &p);
  }
  CAPTURE(where);
  REQUIRE(curl_multi_add_handle(d.multi, victim->easy) == CURLM_OK);
  REQUIRE(curl_multi_add_handle(d.multi, primary->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  REQUIRE(p.fired);
  REQUIRE(p.codes.size() == 4);
  CHECK(p.codes[0] == CURLM_RECURSIVE_API_CALL);  // add_handle
  CHECK(p.codes[1] == CURLM_RECURSIVE_API_CALL);  // remove_handle
  CHECK(p.codes[2] == CURLM_RECURSIVE_API_CALL);  // perform
  CHECK(p.codes[3] == CURLM_RECURSIVE_API_CALL);  // socket_action
  // The refused calls had no effect: both transfers ran to completion.
  REQUIRE(d.done.size() == 2);
  for (auto &[easy, result] : d.done) CHECK(result == CURLE_OK);
  CHECK(victim->body == "ok\n");
  curl_multi_remove_handle(d.multi, victim->easy);
  curl_multi_remove_handle(d.multi, primary->easy);
  d.check_socket_contract();
}

// ---------------------------------------------------------------------------------------
// Lifecycle

TEST_CASE("removing a handle mid-transfer stops it cleanly and spares the others") {
  TestServer &srv = server();
  for (const std::string &path : {std::string("/slow/100"), std::string("/stall"), std::string("/stall-body")}) {
    CAPTURE(path);
    Driver d;
    auto victim = make(srv.raw_url(path));
    std::vector<std::unique_ptr<Fetch>> others;
    others.push_back(make(srv.http_url("/bytes/100000")));
    others.push_back(make(srv.raw_url("/ok/20000")));
    others.push_back(make(srv.http_url("/delay/60")));
    REQUIRE(curl_multi_add_handle(d.multi, victim->easy) == CURLM_OK);
    for (auto &f : others) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    // Until the victim waits for (more of) its response.
    REQUIRE(d.run_until([&] {
      for (auto &c : d.socket_calls)
        if (c.easy == victim->easy && c.what == CURL_POLL_IN) return true;
      return false;
    }));
    for (int i = 0; i < 4; ++i) d.step(15);
    REQUIRE_FALSE(d.is_done(victim->easy));
    std::vector<curl_socket_t> fds = d.fds_of(victim->easy);
    REQUIRE(fds.size() == 1);
    REQUIRE(d.watched.count(fds[0]));

    size_t before = d.socket_calls.size();
    REQUIRE(curl_multi_remove_handle(d.multi, victim->easy) == CURLM_OK);
    // Its socket got its REMOVE during the call, while still open.
    bool removed = false;
    for (size_t i = before; i < d.socket_calls.size(); ++i)
      if (d.socket_calls[i].fd == fds[0] && d.socket_calls[i].what == CURL_POLL_REMOVE) {
        removed = true;
        CHECK(d.socket_calls[i].fd_open);
      }
    CHECK(removed);
    CHECK_FALSE(d.watched.count(fds[0]));

    size_t after_remove = d.socket_calls.size();
    REQUIRE(d.run_all());
    for (size_t i = after_remove; i < d.socket_calls.size(); ++i)
      CHECK(d.socket_calls[i].easy != victim->easy);
    CHECK_FALSE(d.is_done(victim->easy));  // no message for a removed handle
    REQUIRE(d.done.size() == others.size());
    for (auto &[easy, result] : d.done) CHECK(result == CURLE_OK);
    CHECK(others[0]->body.size() == 100000);
    CHECK(others[1]->body.size() == 20000);
    CHECK(others[2]->body == "ok\n");
    for (auto &f : others) curl_multi_remove_handle(d.multi, f->easy);
    d.check_socket_contract();
  }
}

TEST_CASE("a finished handle re-added with a new URL runs again") {
  TestServer &srv = server();
  Driver d;
  auto f = make(srv.http_url("/bytes/10"));
  REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  REQUIRE(d.done.size() == 1);
  CHECK(d.done[0].second == CURLE_OK);
  CHECK(f->body.size() == 10);
  // Still in the multi, finished: adding it again is refused until it is removed.
  CHECK(curl_multi_add_handle(d.multi, f->easy) == CURLM_ADDED_ALREADY);
  REQUIRE(curl_multi_remove_handle(d.multi, f->easy) == CURLM_OK);

  const std::string next[] = {srv.raw_url("/ok/2345"), srv.http_url("/status/404"),
                              srv.http_url("/chunked/3000")};
  const size_t sizes[] = {2345, 11, 3000};
  const long codes[] = {200, 404, 200};
  for (int i = 0; i < 3; ++i) {
    CAPTURE(next[i]);
    f->body.clear();
    d.done.clear();
    curl_easy_setopt(f->easy, CURLOPT_URL, next[i].c_str());
    REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    CHECK(d.timer_calls.back().ms == 0);
    REQUIRE(d.run_all());
    REQUIRE(d.done.size() == 1);
    CHECK(d.done[0].first == f->easy);
    CHECK(d.done[0].second == CURLE_OK);
    CHECK(f->body.size() == sizes[i]);
    CHECK(f->status() == codes[i]);
    REQUIRE(curl_multi_remove_handle(d.multi, f->easy) == CURLM_OK);
  }
  d.check_socket_contract();
}

TEST_CASE("curl_multi_cleanup with handles still added leaves them usable") {
  TestServer &srv = server();
  auto finished = make(srv.http_url("/bytes/10"));
  auto stalled = make(srv.raw_url("/stall"));
  auto never_ran = make(srv.http_url("/bytes/20"));
  {
    Driver d;
    REQUIRE(curl_multi_add_handle(d.multi, finished->easy) == CURLM_OK);
    REQUIRE(curl_multi_add_handle(d.multi, stalled->easy) == CURLM_OK);
    REQUIRE(d.run_until([&] { return d.is_done(finished->easy); }));
    REQUIRE(d.run_until([&] { return !d.fds_of(stalled->easy).empty(); }));
    REQUIRE(curl_multi_add_handle(d.multi, never_ran->easy) == CURLM_OK);
    d.cleanup();
  }
  // Out of the dead multi: they can be used alone, with old or new options.
  finished->body.clear();
  CHECK(curl_easy_perform(finished->easy) == CURLE_OK);
  CHECK(finished->body.size() == 10);
  curl_easy_setopt(stalled->easy, CURLOPT_URL, srv.http_url("/bytes/7").c_str());
  CHECK(curl_easy_perform(stalled->easy) == CURLE_OK);
  CHECK(stalled->body == "abcdefg");
  CHECK(curl_easy_perform(never_ran->easy) == CURLE_OK);
  CHECK(never_ran->body.size() == 20);
  // And they can join a new multi.
  Driver d2;
  never_ran->body.clear();
  REQUIRE(curl_multi_add_handle(d2.multi, never_ran->easy) == CURLM_OK);
  REQUIRE(d2.run_all());
  REQUIRE(d2.done.size() == 1);
  CHECK(d2.done[0].second == CURLE_OK);
  CHECK(never_ran->body.size() == 20);
  curl_multi_remove_handle(d2.multi, never_ran->easy);
}

TEST_CASE("curl_multi_wakeup cuts a long curl_multi_poll short") {
  TestServer &srv = server();
  CURLM *m = curl_multi_init();
  SUBCASE("from another thread, nothing added") {
    auto start = Clock::now();
    std::thread waker([m] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      CHECK(curl_multi_wakeup(m) == CURLM_OK);
    });
    int n = -1;
    CHECK(curl_multi_poll(m, nullptr, 0, 10000, &n) == CURLM_OK);
    waker.join();
    long took = ms_since(start);
    CHECK(took >= 90);
    CHECK(took < 2000);
  }
  SUBCASE("from another thread, with a stalled transfer") {
    auto f = make(srv.raw_url("/stall"));
    REQUIRE(curl_multi_add_handle(m, f->easy) == CURLM_OK);
    int running = 0;
    for (int i = 0; i < 5; ++i) {
      CHECK(curl_multi_perform(m, &running) == CURLM_OK);
      curl_multi_wait(m, nullptr, 0, 20, nullptr);
    }
    CHECK(running == 1);
    auto start = Clock::now();
    std::thread waker([m] {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      CHECK(curl_multi_wakeup(m) == CURLM_OK);
    });
    CHECK(curl_multi_poll(m, nullptr, 0, 10000, nullptr) == CURLM_OK);
    waker.join();
    CHECK(ms_since(start) < 2000);
    curl_multi_remove_handle(m, f->easy);
  }
  SUBCASE("a wakeup before the poll makes it return at once") {
    CHECK(curl_multi_wakeup(m) == CURLM_OK);
    auto start = Clock::now();
    CHECK(curl_multi_poll(m, nullptr, 0, 10000, nullptr) == CURLM_OK);
    CHECK(ms_since(start) < 1000);
  }
  CHECK(curl_multi_cleanup(m) == CURLM_OK);
}

#ifdef EVMULTI_VERSION  // curl_multi_get_handles arrived in libcurl 8.4.0
TEST_CASE("curl_multi_get_handles lists the added handles") {
  CURLM *m = curl_multi_init();
  CURL **none = curl_multi_get_handles(m);
  REQUIRE(none != nullptr);
  CHECK(none[0] == nullptr);
  curl_free(none);
  CURL *e[3] = {curl_easy_init(), curl_easy_init(), curl_easy_init()};
  for (CURL *x : e) REQUIRE(curl_multi_add_handle(m, x) == CURLM_OK);
  auto listed = [m] {
    std::multiset<CURL *> out;
    CURL **list = curl_multi_get_handles(m);
    REQUIRE(list != nullptr);
    for (CURL **p = list; *p; ++p) out.insert(*p);
    curl_free(list);
    return out;
  };
  CHECK(listed() == std::multiset<CURL *>{e[0], e[1], e[2]});
  REQUIRE(curl_multi_remove_handle(m, e[1]) == CURLM_OK);
  CHECK(listed() == std::multiset<CURL *>{e[0], e[2]});
  CHECK(curl_multi_get_handles(nullptr) == nullptr);
  CHECK(curl_multi_cleanup(m) == CURLM_OK);
  for (CURL *x : e) curl_easy_cleanup(x);
}
#endif

TEST_CASE("curl_multi_fdset and curl_multi_timeout agree with the callbacks") {
  TestServer &srv = server();
  Driver d;
  std::vector<std::string> disagreements;
  int checks = 0;
  auto compare = [&] {
    ++checks;
    fd_set r, w, x;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_ZERO(&x);
    int maxfd = -2;
    CHECK(curl_multi_fdset(d.multi, &r, &w, &x, &maxfd) == CURLM_OK);
    int want_max = d.watched.empty() ? -1 : d.watched.rbegin()->first;
    if (maxfd != want_max)
      disagreements.push_back("max_fd " + std::to_string(maxfd) + " vs " + std::to_string(want_max));
    for (int fd = 0; fd < FD_SETSIZE; ++fd) {
      auto it = d.watched.find(fd);
      int want = it == d.watched.end() ? 0 : it->second;
      bool rd = FD_ISSET(fd, &r), wr = FD_ISSET(fd, &w);
      if (rd != bool(want & CURL_POLL_IN) || wr != bool(want & CURL_POLL_OUT))
        disagreements.push_back("fd " + std::to_string(fd) + " interest " + std::to_string(want) +
                                " vs fdset " + std::to_string(rd) + std::to_string(wr));
    }
    long t = -2;
    CHECK(curl_multi_timeout(d.multi, &t) == CURLM_OK);
    if (!d.timer_armed) {
      if (t != -1) disagreements.push_back("timeout " + std::to_string(t) + " with no timer");
    } else {
      long left = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        d.deadline - Clock::now())
                                        .count());
      if (left < 0) left = 0;
      if (t < 0 || std::labs(t - left) > 10)
        disagreements.push_back("timeout " + std::to_string(t) + " vs timer " + std::to_string(left));
    }
  };
  compare();  // empty multi: nothing to watch, no timeout
  std::vector<std::unique_ptr<Fetch>> fetches;
  fetches.push_back(make(srv.http_url("/bytes/200000")));
  fetches.push_back(make(srv.http_url("/delay/50")));
  fetches.push_back(make(srv.raw_url("/slow/3")));
  fetches.push_back(make(srv.raw_url("/stall"), 300));
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  d.after_action = compare;
  REQUIRE(d.run_all());
  compare();
  CHECK(checks > 5);
  for (auto &s : disagreements) FAIL_CHECK(s);
  REQUIRE(d.done.size() == 4);
  for (auto &[easy, result] : d.done)
    CHECK(result == (easy == fetches[3]->easy ? CURLE_OPERATION_TIMEDOUT : CURLE_OK));
  for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
  d.check_socket_contract();
}

// ---------------------------------------------------------------------------------------
// Connection limits and the pending queue

namespace {

// Runs `n` transfers of `path` on one multi with `opt` = `value`; returns the server's new
// connections.
uint64_t run_limited(CURLMoption opt, long value, int n, const std::string &path,
                     std::vector<CURL *> *order = nullptr) {
  TestServer &srv = server();
  Driver d;
  REQUIRE(curl_multi_setopt(d.multi, opt, value) == CURLM_OK);
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < n; ++i) fetches.push_back(make(srv.http_url(path)));
  uint64_t before = srv.connections_accepted();
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  uint64_t opened = srv.connections_accepted() - before;
  REQUIRE(d.done.size() == fetches.size());
  int ok = 0;
  for (auto &[easy, result] : d.done) ok += result == CURLE_OK;
  CHECK(ok == n);
  for (auto &f : fetches) CHECK(f->body == "ok\n");
  if (order) {
    std::vector<CURL *> want;
    for (auto &f : fetches) want.push_back(f->easy);
    order->clear();
    for (auto &[easy, result] : d.done) order->push_back(easy);
    CHECK(*order == want);
    if (tracing())
      for (auto *e : *order)
        fprintf(stderr, "order %ld\n", long(std::find(want.begin(), want.end(), e) - want.begin()));
  }
  for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
  d.check_socket_contract();
  return opened;
}

}  // namespace

TEST_CASE("CURLMOPT_MAX_HOST_CONNECTIONS 3: 30 transfers share exactly 3 connections") {
  CHECK(run_limited(CURLMOPT_MAX_HOST_CONNECTIONS, 3, 30, "/delay/30") == 3);
}

TEST_CASE("CURLMOPT_MAX_TOTAL_CONNECTIONS 2: 20 transfers share exactly 2 connections") {
  CHECK(run_limited(CURLMOPT_MAX_TOTAL_CONNECTIONS, 2, 20, "/delay/20") == 2);
}

// Our pending queue is a FIFO (DESIGN.md); libcurl 7.88 gives no such guarantee.
TEST_CASE("pending transfers start in the order they were added") {
  std::vector<CURL *> order;
  CHECK(run_limited(CURLMOPT_MAX_HOST_CONNECTIONS, 1, 10, "/delay/5", &order) == 1);
  std::vector<CURL *> order2;
  CHECK(run_limited(CURLMOPT_MAX_TOTAL_CONNECTIONS, 1, 10, "/delay/5", &order2) == 1);
}

TEST_CASE("CURLMOPT_MAXCONNECTS 1 keeps one idle connection") {
  TestServer &srv = server();
  Driver d;
  REQUIRE(curl_multi_setopt(d.multi, CURLMOPT_MAXCONNECTS, 1L) == CURLM_OK);
  auto batch = [&](int round) {
    std::vector<std::unique_ptr<Fetch>> fetches;
    for (int i = 0; i < 4; ++i) fetches.push_back(make(srv.http_url("/delay/60")));
    uint64_t before = srv.connections_accepted();
    d.done.clear();
    for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
    REQUIRE(d.run_all());
    REQUIRE(d.done.size() == 4);
    for (auto &[easy, result] : d.done) CHECK(result == CURLE_OK);
    for (auto &f : fetches) CHECK(f->body == "ok\n");
    for (auto &f : fetches) curl_multi_remove_handle(d.multi, f->easy);
    CAPTURE(round);
    return srv.connections_accepted() - before;
  };
  CHECK(batch(1) == 4);  // all four in parallel
  uint64_t second = batch(2);
  CHECK(second >= 3);  // at most one was kept
  CHECK(second <= 4);
  d.check_socket_contract();
}

// ---------------------------------------------------------------------------------------
// Failures stay with their transfer

TEST_CASE("transfers that fail do not disturb the others in the same multi") {
  TestServer &srv = server();
  Driver d;
  std::vector<std::unique_ptr<Fetch>> good, bad;
  for (int i = 0; i < 4; ++i) good.push_back(make(srv.http_url("/bytes/" + std::to_string(100000 + i))));
  good.push_back(make(srv.raw_url("/ok/30000")));
  bad.push_back(make(srv.raw_url("/reset")));
  bad.push_back(make(srv.raw_url("/garbage")));
  bad.push_back(make(srv.raw_url("/partial")));
  bad.push_back(make(srv.raw_url("/empty")));
  bad.push_back(make("http://127.0.0.1:1/"));  // refused connection
  // Interleave so failures happen among working transfers.
  for (size_t i = 0; i < std::max(good.size(), bad.size()); ++i) {
    if (i < bad.size()) REQUIRE(curl_multi_add_handle(d.multi, bad[i]->easy) == CURLM_OK);
    if (i < good.size()) REQUIRE(curl_multi_add_handle(d.multi, good[i]->easy) == CURLM_OK);
  }
  REQUIRE(d.run_all());
  REQUIRE(d.done.size() == good.size() + bad.size());
  for (size_t i = 0; i < good.size(); ++i) {
    CAPTURE(i);
    REQUIRE(d.result_of(good[i]->easy));
    CHECK(*d.result_of(good[i]->easy) == CURLE_OK);
    CHECK(good[i]->status() == 200);
  }
  for (int i = 0; i < 4; ++i) CHECK(good[i]->body.size() == static_cast<size_t>(100000 + i));
  CHECK(good[4]->body.size() == 30000);
  for (auto &b : bad) {
    REQUIRE(d.result_of(b->easy));
    CHECK(*d.result_of(b->easy) != CURLE_OK);
    CHECK(b->error[0] != '\0');  // CURLOPT_ERRORBUFFER says why
  }
  CHECK(*d.result_of(bad[2]->easy) == CURLE_PARTIAL_FILE);
  CHECK(*d.result_of(bad[3]->easy) == CURLE_GOT_NOTHING);
  CHECK(*d.result_of(bad[4]->easy) == CURLE_COULDNT_CONNECT);
  for (auto &f : good) curl_multi_remove_handle(d.multi, f->easy);
  for (auto &f : bad) curl_multi_remove_handle(d.multi, f->easy);
  d.check_socket_contract();
}
