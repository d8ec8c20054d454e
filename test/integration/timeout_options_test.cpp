// TIMEOUT(_MS) and CONNECTTIMEOUT(_MS): a stalled response, a stalled body, a connect that
// hangs, and transfers that finish in time.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "easy_options_fixture.h"
#include "scripted_server.h"

using namespace evm::test;

namespace {

// A loopback port whose connects hang: a listener with backlog 0 that never accepts, its
// accept queue filled first so the kernel drops further SYNs. ready() is false if this
// system answered every connect anyway.
class Blackhole {
 public:
  Blackhole() {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in a = loopback(0);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0);
    REQUIRE(listen(listener_, 0) == 0);
    port_ = port_of(listener_);
    a = loopback(port_);
    for (int i = 0; i < 16 && !ready_; ++i) {
      int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (s < 0) break;
      fillers_.push_back(s);
      if (connect(s, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0) continue;
      if (errno != EINPROGRESS) break;
      pollfd p{s, POLLOUT, 0};
      if (poll(&p, 1, 100) == 0) ready_ = true;  // this one hangs, so will the next
    }
  }
  ~Blackhole() {
    for (int s : fillers_) close(s);
    close(listener_);
  }
  Blackhole(const Blackhole &) = delete;
  Blackhole &operator=(const Blackhole &) = delete;

  bool ready() const { return ready_; }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 private:
  int listener_ = -1;
  uint16_t port_ = 0;
  bool ready_ = false;
  std::vector<int> fillers_;
};

// Runs one transfer through a multi handle, giving up after limit_ms, so that a missing
// timeout fails the test instead of hanging it. nullopt: still running at the limit.
std::optional<CURLcode> perform_bounded(CURL *e, long limit_ms) {
  CURLM *m = curl_multi_init();
  REQUIRE(m != nullptr);
  REQUIRE(curl_multi_add_handle(m, e) == CURLM_OK);
  auto deadline = Clock::now() + std::chrono::milliseconds(limit_ms);
  std::optional<CURLcode> result;
  while (!result && Clock::now() < deadline) {
    int running = 0;
    CHECK(curl_multi_perform(m, &running) == CURLM_OK);
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(m, &left))
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == e) result = msg->data.result;
    if (!result) curl_multi_poll(m, nullptr, 0, 20, nullptr);
  }
  curl_multi_remove_handle(m, e);
  curl_multi_cleanup(m);
  return result;
}

}  // namespace

TEST_CASE("TIMEOUT_MS ends a stalled transfer with CURLE_OPERATION_TIMEDOUT") {
  Fetch f(server().http_url("/stall"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 300L) == CURLE_OK);
  auto t0 = Clock::now();
  std::optional<CURLcode> rc = perform_bounded(f.easy, 3000);
  long ms = ms_since(t0);
  REQUIRE(rc.has_value());
  CHECK(*rc == CURLE_OPERATION_TIMEDOUT);
  CHECK(ms >= 250);
  CHECK(ms < 1500);
  CAPTURE(f.error);
  CHECK(contains(f.error, "timed out"));
}

TEST_CASE("TIMEOUT_MS also covers a body that stops arriving") {
  Fetch f(server().raw_url("/stall-body"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 300L);
  std::optional<CURLcode> rc = perform_bounded(f.easy, 3000);
  REQUIRE(rc.has_value());
  CHECK(*rc == CURLE_OPERATION_TIMEDOUT);
  CHECK(f.body == pattern(10));
  CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 10);
  CHECK(contains(f.error, "timed out"));
}

TEST_CASE("TIMEOUT counts seconds, in curl_easy_perform") {
  ScriptedServer silent("", 4000);  // closes after 4 s: a missing timeout fails, not hangs
  Fetch f(silent.url("/never"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_TIMEOUT, 1L) == CURLE_OK);
  auto t0 = Clock::now();
  CHECK(curl_easy_perform(f.easy) == CURLE_OPERATION_TIMEDOUT);
  long ms = ms_since(t0);
  CHECK(ms >= 900);
  CHECK(ms < 2000);
  CHECK(contains(f.error, "timed out"));
}

TEST_CASE("a transfer that finishes within TIMEOUT_MS succeeds") {
  Fetch f(server().http_url("/delay/100"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 1500L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "ok\n");
}

TEST_CASE("CONNECTTIMEOUT_MS and CONNECTTIMEOUT end a connect that hangs") {
  Blackhole hole;
  if (!hole.ready()) {
    MESSAGE("this system completes every loopback connect; CONNECTTIMEOUT not tested");
    return;
  }
  SUBCASE("milliseconds") {
    Fetch f(hole.url("/"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_CONNECTTIMEOUT_MS, 200L) == CURLE_OK);
    auto t0 = Clock::now();
    std::optional<CURLcode> rc = perform_bounded(f.easy, 3000);
    long ms = ms_since(t0);
    REQUIRE(rc.has_value());
    CHECK(*rc == CURLE_OPERATION_TIMEDOUT);
    CHECK(ms >= 150);
    CHECK(ms < 1000);
    CAPTURE(f.error);
    CHECK(contains(f.error, "timed out"));
  }
  SUBCASE("seconds") {
    Fetch f(hole.url("/"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_CONNECTTIMEOUT, 1L) == CURLE_OK);
    auto t0 = Clock::now();
    std::optional<CURLcode> rc = perform_bounded(f.easy, 4000);
    long ms = ms_since(t0);
    REQUIRE(rc.has_value());
    CHECK(*rc == CURLE_OPERATION_TIMEDOUT);
    CHECK(ms >= 900);
    CHECK(ms < 2000);
  }
}

TEST_CASE("CONNECTTIMEOUT_MS does not limit the transfer after the connect") {
  Fetch f(server().http_url("/delay/600"));
  curl_easy_setopt(f.easy, CURLOPT_CONNECTTIMEOUT_MS, 300L);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "ok\n");
}
