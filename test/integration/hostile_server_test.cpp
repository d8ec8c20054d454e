// How the engine must behave against a hostile server. Each case runs one hostile transfer
// beside four normal ones on the same multi handle; every handle must end with exactly one
// CURLMSG_DONE, the normal ones with CURLE_OK and byte-exact bodies, the hostile one with
// libcurl's result code and a filled error buffer. (Compiled against the system libcurl,
// Debian's 7.88.1-10+deb12u15, every case here passes.)
//   - /endless with a slow WRITEFUNCTION times out, and no single curl_multi_perform or
//     curl_multi_socket_action call hands it more than 4 MiB (plain and TLS);
//   - huge CURLOPT_TIMEOUT / CURLOPT_TIMEOUT_MS values do not time out at once, and setopt
//     answers them as libcurl 7.88 does;
//   - endless 1xx heads fail with CURLE_RECV_ERROR at libcurl's 300 KiB header limit;
//   - an oversize head (over 300 KiB, or one line over 100 KiB) still reports its status;
//   - unsolicited or malformed Transfer-Encoding fails with CURLE_BAD_CONTENT_ENCODING;
//   - a connection that delivered bytes beyond its response is not reused;
//   - happy eyeballs: the second address family starts 200 ms after the first, or at once
//     when the first fails at once.
// Callbacks that would otherwise let a broken engine run forever stop it with an error
// instead (see kRunaway*), so a failing case fails instead of hanging.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "easy_fixture.h"
#include "scripted_server.h"
#include "getinfo.h"
#include "ipv6_loopback.h"
#include "epoll_loop.h"
#include "shared_test_server.h"
#include "test_certs.h"
#include "test_server.h"

namespace {

using evm::test::ipv6_loopback_available;
using evm::test::TestPki;
using evm::test::TestServer;
using evm::test::TestServerOptions;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kMiB = 1024 * 1024;
// libcurl reads at most about 100 x 16 KiB per call for one transfer.
constexpr uint64_t kMaxBytesPerCall = 4 * kMiB;
// libcurl 8.3+: all heads of one response together (interim 1xx included).
constexpr uint64_t kMaxResponseHeaders = 300 * 1024;
constexpr uint64_t kContinueHeadSize = sizeof("HTTP/1.1 100 Continue\r\n\r\n") - 1;
// Beyond these a callback gives up (CURLE_WRITE_ERROR) so that a broken engine ends.
constexpr uint64_t kRunawayPerCall = 64 * kMiB;
constexpr uint64_t kRunawayTotal = 1024 * kMiB;
constexpr uint64_t kRunawayHeaders = 16 * kMiB;

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// This file's own servers, started on first use, so that their counters see only these
// tests. OpenSSL is set up first: its exit handler must run after the servers' threads end.
TestServer &hostile_server(bool tls) {
  (void)TestPki::get();
  static std::unique_ptr<TestServer> servers[2];
  auto &slot = servers[tls ? 1 : 0];
  if (!slot) {
    TestServerOptions o;
    if (tls) o.tls = TestServerOptions::Tls::Good;
    slot = std::make_unique<TestServer>(o);
    REQUIRE(slot->start());
  }
  return *slot;
}

// Counts what a multi call hands to the hostile transfer's callbacks.
struct Meter {
  uint64_t total = 0;
  uint64_t this_call = 0;
  uint64_t max_call = 0;
  int calls = 0;
  Clock::duration longest_call{};  // reported, never asserted
};

// The hostile WRITEFUNCTION of the /endless cases: ~0.2 ms per call, bytes counted, none kept.
size_t slow_sink(char *, size_t size, size_t n, void *userp) {
  auto *m = static_cast<Meter *>(userp);
  const uint64_t bytes = size * n;
  m->total += bytes;
  m->this_call += bytes;
  std::this_thread::sleep_for(std::chrono::microseconds(200));
  if (m->this_call > kRunawayPerCall || m->total > kRunawayTotal) return 0;
  return bytes;
}

size_t count_headers(char *, size_t size, size_t n, void *userp) {
  auto *total = static_cast<uint64_t *>(userp);
  *total += size * n;
  return *total > kRunawayHeaders ? 0 : size * n;
}

struct Xfer : evm::test::Fetch {
  std::string expected;  // the body a normal transfer must deliver
  int done = 0;          // CURLMSG_DONE messages seen
  CURLcode result = CURLE_OK;
  curl_slist *resolve = nullptr;

  explicit Xfer(const std::string &url) : Fetch(url) {
    // A safety net: nothing here should take this long.
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 20000L);
    if (url.rfind("https://", 0) == 0)
      curl_easy_setopt(easy, CURLOPT_CAINFO, TestPki::get().ca_file.c_str());
  }
  ~Xfer() {
    curl_easy_cleanup(easy);  // before the list it may point at
    easy = nullptr;
    curl_slist_free_all(resolve);
  }
  std::string err() const { return error; }
  long info_long(CURLINFO what) const { return evm::test::info_long(easy, what); }
  curl_off_t info_off(CURLINFO what) const { return evm::test::info_off(easy, what); }
};

enum class Driver { kPoll, kEpoll };

// One multi handle and the transfers in it; handles stay in the multi until the end, so a
// second CURLMSG_DONE for any of them would be seen.
class Run {
 public:
  explicit Run(Driver d) : driver_(d) {
    if (driver_ == Driver::kEpoll) loop_.attach(multi_);
  }
  ~Run() {
    for (auto &x : xfers_) curl_multi_remove_handle(multi_, x->easy);
    xfers_.clear();
    curl_multi_cleanup(multi_);
  }
  Run(const Run &) = delete;
  Run &operator=(const Run &) = delete;

  CURLM *multi() const { return multi_; }
  Meter *meter = nullptr;  // measured around every perform / socket_action call

  // A transfer to configure before start().
  Xfer &make(const std::string &url) {
    xfers_.push_back(std::make_unique<Xfer>(url));
    return *xfers_.back();
  }
  void start(Xfer &x) { REQUIRE(curl_multi_add_handle(multi_, x.easy) == CURLM_OK); }

  // Four well-behaved transfers with known bodies, two on each listener of `server`.
  std::vector<Xfer *> start_normals(TestServer &server) {
    const struct {
      bool raw;
      size_t size;
    } specs[] = {{true, 100000}, {false, 150000}, {true, 300000}, {false, 70000}};
    std::vector<Xfer *> out;
    for (const auto &s : specs) {
      const std::string path = (s.raw ? "/ok/" : "/bytes/") + std::to_string(s.size);
      Xfer &x = make(s.raw ? server.raw_url(path) : server.http_url(path));
      x.expected = pattern(s.size);
      start(x);
      out.push_back(&x);
    }
    return out;
  }

  bool all_done() const {
    return std::all_of(xfers_.begin(), xfers_.end(), [](auto &x) { return x->done > 0; });
  }

  // Drives until every transfer has reported CURLMSG_DONE or `limit` has passed.
  void drive(std::chrono::milliseconds limit = std::chrono::milliseconds(20000)) {
    const auto until = Clock::now() + limit;
    int running = 0;
    if (driver_ == Driver::kEpoll)
      REQUIRE(metered([&] {
                return curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, &running);
              }) == CURLM_OK);
    read_messages();
    while (!all_done() && Clock::now() < until) {
      if (driver_ == Driver::kPoll) {
        REQUIRE(metered([&] { return curl_multi_perform(multi_, &running); }) == CURLM_OK);
        read_messages();
        if (!all_done()) REQUIRE(curl_multi_poll(multi_, nullptr, 0, 100, nullptr) == CURLM_OK);
      } else {
        epoll_step(&running);
        read_messages();
      }
    }
    read_messages();
    for (auto &x : xfers_) {
      CAPTURE(x->err());
      CHECK(x->done == 1);
    }
  }

 private:
  template <class F>
  CURLMcode metered(F call) {
    if (meter != nullptr) meter->this_call = 0;
    const auto t0 = Clock::now();
    CURLMcode rc = call();
    if (meter != nullptr) {
      meter->max_call = std::max(meter->max_call, meter->this_call);
      meter->longest_call = std::max(meter->longest_call, Clock::now() - t0);
      ++meter->calls;
    }
    return rc;
  }

  // One epoll_wait (at most until the engine's deadline, never over 100 ms), then the socket
  // actions it calls for, each its own metered call.
  void epoll_step(int *running) {
    int wait_ms = 100;
    if (loop_.timeout_ms >= 0) {
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(loop_.deadline - Clock::now());
      wait_ms = static_cast<int>(std::clamp<long long>(left.count() + 1, 0, 100));
    }
    epoll_event events[64];
    int n = epoll_wait(loop_.epfd, events, 64, wait_ms);
    for (int i = 0; i < n; ++i) {
      int bits = ((events[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
                 ((events[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
                 ((events[i].events & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
      REQUIRE(metered([&] {
                return curl_multi_socket_action(multi_, events[i].data.fd, bits, running);
              }) == CURLM_OK);
    }
    if (loop_.timeout_ms >= 0 && Clock::now() >= loop_.deadline) {
      loop_.timeout_ms = -1;  // one-shot, as an application timer is
      REQUIRE(metered([&] {
                return curl_multi_socket_action(multi_, CURL_SOCKET_TIMEOUT, 0, running);
              }) == CURLM_OK);
    }
  }

  void read_messages() {
    int left = 0;
    while (CURLMsg *m = curl_multi_info_read(multi_, &left)) {
      CHECK(m->msg == CURLMSG_DONE);
      auto it = std::find_if(xfers_.begin(), xfers_.end(),
                             [&](auto &x) { return x->easy == m->easy_handle; });
      REQUIRE(it != xfers_.end());
      ++(*it)->done;
      (*it)->result = m->data.result;
    }
  }

  Driver driver_;
  CURLM *multi_ = curl_multi_init();
  evm::test::EpollLoop loop_;
  std::vector<std::unique_ptr<Xfer>> xfers_;
};

void check_normals(const std::vector<Xfer *> &normals) {
  for (Xfer *x : normals) {
    CAPTURE(x->err());
    CHECK(x->done == 1);
    CHECK(x->result == CURLE_OK);
    CHECK(x->body.size() == x->expected.size());
    const bool byte_exact = x->body == x->expected;  // not printed: bodies are large
    CHECK(byte_exact);
  }
}

void check_failed(const Xfer &x, CURLcode expected) {
  CAPTURE(x.err());
  CHECK(x.done == 1);
  CHECK(x.result == expected);
  CHECK(std::strlen(x.error) > 0);
}

// Case 1: an endless body read by a slow application.
void endless_case(bool tls, const char *path, Driver driver) {
  TestServer &server = hostile_server(tls);
  const auto t0 = Clock::now();
  Meter meter;
  {
    Run run(driver);
    Xfer &hostile = run.make(server.raw_url(path));
    curl_easy_setopt(hostile.easy, CURLOPT_WRITEFUNCTION, slow_sink);
    curl_easy_setopt(hostile.easy, CURLOPT_WRITEDATA, &meter);
    curl_easy_setopt(hostile.easy, CURLOPT_TIMEOUT_MS, 2000L);
    run.meter = &meter;
    run.start(hostile);
    auto normals = run.start_normals(server);
    run.drive();
    const std::string label = std::string(path) + (tls ? " over TLS" : "");
    MESSAGE(
        label << ": result " << hostile.result << " after " << meter.total << " bytes in "
              << meter.calls << " calls, at most " << meter.max_call
              << " bytes in one call; longest call "
              << std::chrono::duration_cast<std::chrono::milliseconds>(meter.longest_call).count()
              << " ms");
    check_failed(hostile, CURLE_OPERATION_TIMEDOUT);
    CHECK(meter.total > 0);
    CHECK(meter.total < kRunawayTotal);
    CHECK(meter.max_call <= kMaxBytesPerCall);
    check_normals(normals);
  }
  CHECK(Clock::now() - t0 < std::chrono::seconds(20));
}

sockaddr_in6 v6_loopback(uint16_t port) {
  sockaddr_in6 sin6{};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_addr = in6addr_loopback;
  sin6.sin6_port = htons(port);
  return sin6;
}

// True if nothing is bound to [::1]:port (so a connect there is refused at once).
bool v6_port_free(uint16_t port) {
  int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  int one = 1;
  setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  sockaddr_in6 sin6 = v6_loopback(port);
  bool ok = bind(fd, reinterpret_cast<sockaddr *>(&sin6), sizeof(sin6)) == 0;
  close(fd);
  return ok;
}

// A listener on [::1]:port that never accepts: backlog 0 and its accept queue filled, so
// Linux drops further SYNs and a connect() to it stays pending (until SYN retries run out).
class Blackhole {
 public:
  ~Blackhole() {
    for (int fd : fillers_) close(fd);
    if (listener_ >= 0) close(listener_);
  }
  // False if the port is taken on ::1 or the queue cannot be shown to be full.
  bool open(uint16_t port) {
    listener_ = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0) return false;
    int one = 1;
    setsockopt(listener_, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    sockaddr_in6 sin6 = v6_loopback(port);
    if (bind(listener_, reinterpret_cast<sockaddr *>(&sin6), sizeof(sin6)) != 0 ||
        listen(listener_, 0) != 0)
      return false;
    // Connect until one connect stays pending: that SYN, and every later one, was dropped.
    for (int i = 0; i < 16; ++i) {
      int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      if (fd < 0) return false;
      fillers_.push_back(fd);
      if (connect(fd, reinterpret_cast<sockaddr *>(&sin6), sizeof(sin6)) == 0) continue;
      if (errno != EINPROGRESS) return false;
      pollfd p{fd, POLLOUT, 0};
      int n = poll(&p, 1, 300);
      if (n == 0) return true;  // still pending
      int err = 0;
      socklen_t len = sizeof(err);
      if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) return false;
    }
    return false;
  }

 private:
  int listener_ = -1;
  std::vector<int> fillers_;
};

// Case 6: a name resolving to [::1] first, then 127.0.0.1, on the raw port of `server`.
struct EyeballsResult {
  CURLcode result = CURLE_OK;
  curl_off_t connect_time_us = -1;
  std::string primary_ip;
};

EyeballsResult eyeballs_transfer(TestServer &server) {
  const std::string port = std::to_string(server.raw_port());
  Run run(Driver::kPoll);
  Xfer &x = run.make("http://eyeballs.test:" + port + "/ok/1000");
  x.resolve = curl_slist_append(nullptr, ("eyeballs.test:" + port + ":[::1],127.0.0.1").c_str());
  curl_easy_setopt(x.easy, CURLOPT_RESOLVE, x.resolve);
  curl_easy_setopt(x.easy, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
  run.start(x);
  auto normals = run.start_normals(evm::test::shared_test_server());
  run.drive();
  check_normals(normals);
  CAPTURE(x.err());
  const bool byte_exact = x.body == pattern(1000);
  CHECK(byte_exact);
  EyeballsResult r;
  r.result = x.result;
  r.connect_time_us = x.info_off(CURLINFO_CONNECT_TIME_T);
  const char *ip = nullptr;
  curl_easy_getinfo(x.easy, CURLINFO_PRIMARY_IP, &ip);
  r.primary_ip = ip != nullptr ? ip : "";
  return r;
}

}  // namespace

TEST_CASE("hostile: an endless body with a slow application times out, bounded per call") {
  SUBCASE("close-delimited, curl_multi_perform") {
    endless_case(false, "/endless", Driver::kPoll);
  }
  SUBCASE("huge Content-Length, curl_multi_socket_action") {
    endless_case(false, "/endless-length", Driver::kEpoll);
  }
  SUBCASE("close-delimited over TLS, curl_multi_socket_action") {
    endless_case(true, "/endless", Driver::kEpoll);
  }
  SUBCASE("close-delimited over TLS, curl_multi_perform") {
    endless_case(true, "/endless", Driver::kPoll);
  }
}

TEST_CASE("hostile: huge timeouts do not expire at once") {
  // As the system libcurl 7.88.1 answers (probed): CURLOPT_TIMEOUT takes 0..INT_MAX/1000 and
  // refuses more with CURLE_BAD_FUNCTION_ARGUMENT, the transfer then running without a timeout;
  // CURLOPT_TIMEOUT_MS accepts 9300000000000 and the transfer succeeds.
  struct Case {
    CURLoption option;
    long value;
    CURLcode setopt;
    const char *name;
  };
  const Case cases[] = {
      {CURLOPT_TIMEOUT, LONG_MAX, CURLE_BAD_FUNCTION_ARGUMENT, "CURLOPT_TIMEOUT LONG_MAX"},
      {CURLOPT_TIMEOUT_MS, 9300000000000L, CURLE_OK, "CURLOPT_TIMEOUT_MS 9300000000000"},
  };
  TestServer &server = hostile_server(false);
  for (const Case &k : cases) {
    for (Driver driver : {Driver::kPoll, Driver::kEpoll}) {
      const std::string what =
          std::string(k.name) +
          (driver == Driver::kPoll ? ", curl_multi_perform" : ", curl_multi_socket_action");
      CAPTURE(what);
      Run run(driver);
      // A delayed answer makes the engine wait with this deadline pending.
      Xfer &x = run.make(server.http_url("/delay/200"));
      curl_easy_setopt(x.easy, CURLOPT_TIMEOUT_MS, 0L);  // no safety net: the option decides
      CHECK(curl_easy_setopt(x.easy, k.option, k.value) == k.setopt);
      run.start(x);
      auto normals = run.start_normals(server);
      run.drive();
      CAPTURE(x.err());
      CHECK(x.done == 1);
      CHECK(x.result == CURLE_OK);
      CHECK(x.body == "ok\n");
      check_normals(normals);
    }
  }
}

TEST_CASE("hostile: endless 1xx heads fail at the 300 KiB header limit") {
  TestServer &server = hostile_server(false);
  Run run(Driver::kPoll);
  Xfer &hostile = run.make(server.raw_url("/continue-forever"));
  uint64_t header_bytes = 0;
  curl_easy_setopt(hostile.easy, CURLOPT_HEADERFUNCTION, count_headers);
  curl_easy_setopt(hostile.easy, CURLOPT_HEADERDATA, &header_bytes);
  curl_easy_setopt(hostile.easy, CURLOPT_TIMEOUT_MS, 10000L);
  run.start(hostile);
  auto normals = run.start_normals(server);
  run.drive();
  MESSAGE("/continue-forever: result " << hostile.result << " after " << header_bytes
                                       << " header bytes");
  check_failed(hostile, CURLE_RECV_ERROR);
  // Stopped by the limit: not before it (at most a head short), not later than one head.
  CHECK(header_bytes + kContinueHeadSize >= kMaxResponseHeaders);
  CHECK(header_bytes <= kMaxResponseHeaders + kContinueHeadSize);
  CHECK(hostile.body.empty());
  check_normals(normals);
}

TEST_CASE("hostile: unsolicited or malformed Transfer-Encoding fails at once") {
  TestServer &server = hostile_server(false);
  for (const std::string path : {"/te-gzip", "/te-chunked-bogus"}) {
    CAPTURE(path);
    Run run(Driver::kPoll);
    Xfer &hostile = run.make(server.raw_url(path));
    curl_easy_setopt(hostile.easy, CURLOPT_TIMEOUT_MS, 10000L);
    run.start(hostile);
    auto normals = run.start_normals(server);
    run.drive();
    CAPTURE(hostile.body);
    check_failed(hostile, CURLE_BAD_CONTENT_ENCODING);
    CHECK(hostile.result != CURLE_OPERATION_TIMEDOUT);
    CHECK(hostile.body.empty());  // nothing handed over as if it were the body
    check_normals(normals);
  }
}

TEST_CASE("hostile: a connection that sent more than its response is not reused") {
  // The hostile server sees only the two sequential transfers; the normal ones go to the
  // shared server.
  TestServer &server = hostile_server(false);
  struct Case {
    const char *first;
    std::string first_body;
    long second_num_connects;
    uint64_t connections;
  };
  const Case cases[] = {
      {"/excess", "ok", 1, 2},        // excess bytes: the connection is closed
      {"/ok/10", pattern(10), 0, 1},  // the control: a clean keep-alive connection is reused
  };
  for (const Case &k : cases) {
    const std::string first_path = k.first;
    CAPTURE(first_path);
    const uint64_t accepted = server.connections_accepted();
    Run run(Driver::kPoll);
    Xfer &first = run.make(server.raw_url(k.first));
    run.start(first);
    auto normals = run.start_normals(evm::test::shared_test_server());
    run.drive();
    CAPTURE(first.err());
    CHECK(first.result == CURLE_OK);
    CHECK(first.body == k.first_body);
    CHECK(first.info_long(CURLINFO_NUM_CONNECTS) == 1);
    check_normals(normals);

    Xfer &second = run.make(server.raw_url("/ok/10"));
    run.start(second);
    run.drive();
    CAPTURE(second.err());
    CHECK(second.result == CURLE_OK);
    CHECK(second.body == pattern(10));
    CHECK(second.info_long(CURLINFO_NUM_CONNECTS) == k.second_num_connects);
    CHECK(server.connections_accepted() - accepted == k.connections);
  }
}

TEST_CASE("hostile: happy eyeballs waits 200 ms for a hanging first family, not for a failed one") {
  if (!ipv6_loopback_available()) {
    MESSAGE("::1 not available: two address families cannot be tested; skipped");
    return;
  }
  // A server of its own: it is restarted until its raw port is free on ::1 too.
  TestServer server;
  bool free_port = false;
  for (int i = 0; i < 10 && !free_port; ++i) {
    server.stop();
    REQUIRE(server.start());
    free_port = v6_port_free(server.raw_port());
  }
  REQUIRE(free_port);

  SUBCASE("IPv6 hangs: IPv4 starts after the delay") {
    Blackhole hole;
    REQUIRE(hole.open(server.raw_port()));
    EyeballsResult r = eyeballs_transfer(server);
    MESSAGE("hanging IPv6: result " << r.result << ", connect time " << r.connect_time_us
                                    << " us via " << r.primary_ip);
    CHECK(r.result == CURLE_OK);
    CHECK(r.primary_ip == "127.0.0.1");
    CHECK(r.connect_time_us >= 190000);  // the delay was honoured
    CHECK(r.connect_time_us < 2500000);  // and IPv4 did not wait for the connect timeout
  }
  SUBCASE("IPv6 refused: IPv4 starts at once") {
    EyeballsResult r = eyeballs_transfer(server);
    MESSAGE("refused IPv6: result " << r.result << ", connect time " << r.connect_time_us
                                    << " us via " << r.primary_ip);
    CHECK(r.result == CURLE_OK);
    CHECK(r.primary_ip == "127.0.0.1");
    CHECK(r.connect_time_us >= 0);
    CHECK(r.connect_time_us < 150000);
  }
}

// libcurl 7.88, probed: a head of 7 lines of 50 000 bytes fails with CURLE_RECV_ERROR ("Too large
// response headers: 350088 > 307200"), one of 5 such lines (250 KB) is fine, and a single line
// over 100 KiB fails with CURLE_OUT_OF_MEMORY; each time RESPONSE_CODE is the parsed status.
TEST_CASE("hostile: an oversize head fails at libcurl's limits and reports its status line") {
  auto head_of = [](int lines) {
    std::string head = "HTTP/1.1 203 Non-Authoritative Information\r\n";
    for (int i = 0; i < lines; ++i)
      head += "X-H" + std::to_string(i) + ": " + std::string(50000, 'y') + "\r\n";
    return head + "Content-Length: 2\r\nConnection: close\r\n\r\nok";
  };
  SUBCASE("250 KB of header lines are within the limit") {
    evm::test::ScriptedServer s(head_of(5));
    evm::test::Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == "ok");
    CHECK(f.status() == 203);
  }
  SUBCASE("350 KB of header lines are not, and the status stays reported") {
    evm::test::ScriptedServer s(head_of(7));
    evm::test::Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_RECV_ERROR);
    CHECK(std::string(f.error).find("Too large response headers") == 0);
    CHECK(f.status() == 203);
    CHECK(f.body.empty());
  }
  SUBCASE("one header line over 100 KiB") {
    evm::test::Fetch f(evm::test::server().raw_url("/bigheader/200000"));
    CHECK(curl_easy_perform(f.easy) == CURLE_OUT_OF_MEMORY);
    CHECK(std::strlen(f.error) > 0);
    CHECK(f.status() == 200);
    CHECK(f.body.empty());
  }
}
