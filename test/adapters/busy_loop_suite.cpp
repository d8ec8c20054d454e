// Field reports of busy loops (curl #21643, #21671): a paused transfer whose socket still has
// data waiting, or whose small receive buffer the server keeps full, must not wake the
// application's loop over and over. Each case counts the loop's wake-ups over about a second
// under the adapter under test; a busy loop makes thousands, a quiet one a handful.
#include <doctest/doctest.h>
#include <sys/socket.h>

#include <algorithm>
#include <string>

#include "adapter_harness.h"
#include "test_certs.h"

using namespace evm::test;
using namespace std::chrono_literals;

namespace {

constexpr int kWakeupsPerSecond = 50;  // the bound: a busy loop makes thousands

// A write callback that takes nothing and pauses, every time (as in the reports).
size_t always_pause(char *, size_t, size_t, void *userp) {
  ++*static_cast<int *>(userp);
  return CURL_WRITEFUNC_PAUSE;
}

// SO_RCVBUF and SO_SNDBUF of 32 KiB, as the #21671 report sets them.
int small_buffers(void *, curl_socket_t fd, curlsocktype) {
  int size = 32768;
  int rc = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  rc |= setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  return rc ? CURL_SOCKOPT_ERROR : CURL_SOCKOPT_OK;
}

// Loop wake-ups in `span`, each turn waiting up to 1 s: nothing but the adapter's own events
// (and its timer) ends a wait early.
int wakeups_during(Harness &h, std::chrono::milliseconds span) {
  int turns = 0;
  auto until = Clock::now() + span;
  while (Clock::now() < until) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    h.loop.turn(static_cast<int>(std::max<long>(1, std::min<long>(1000, left.count()))));
    ++turns;
  }
  return turns;
}

// Starts `url` paused at its first body bytes, with small socket buffers, and counts the
// loop's wake-ups while the server keeps the socket readable.
void paused_stays_quiet(const std::string &url, const std::string &ca = {}) {
  Harness h;
  REQUIRE(h.attach());
  int writes = 0;
  Job &j = h.add(url, [&](CURL *e) {
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, always_pause);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &writes);
    curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, small_buffers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 20000L);
    if (!ca.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, ca.c_str());
  });
  REQUIRE(h.run_until([&] { return writes > 0; }, 10s));
  h.run_for(100ms);  // let the server fill both buffers
  int wakeups = wakeups_during(h, 1000ms);
  MESSAGE(std::string(LoopBackend::kName) << ": " << wakeups << " wake-ups in 1 s while paused");
  CHECK(wakeups <= kWakeupsPerSecond);
  CHECK_FALSE(j.done);
  CHECK(writes == 1);  // a paused transfer is not offered its data again until unpaused
  // Unpaused, it reads on (and the callback pauses it again at once).
  CHECK(curl_easy_pause(j.fetch.easy, CURLPAUSE_CONT) == CURLE_OK);
  REQUIRE(h.run_until([&] { return writes > 1; }, 5s));
  CHECK(curl_multi_remove_handle(h.multi, j.fetch.easy) == CURLM_OK);
  h.by_easy.erase(j.fetch.easy);
}

}  // namespace

TEST_CASE("busy loop: a paused download with data waiting keeps the loop quiet (curl #21643)") {
  paused_stays_quiet(server().raw_url("/endless"));
}

TEST_CASE(
    "busy loop: a paused HTTPS download, small socket buffers, keeps it quiet (curl #21671)") {
  const std::string ca = TestPki::get().ca_file;
  TestServerOptions o;
  o.tls = TestServerOptions::Tls::Good;
  TestServer tls(o);
  REQUIRE(tls.start());
  paused_stays_quiet(tls.raw_url("/endless"), ca);
}

// A host name the resolver looks up (c-ares: its sockets join the loop for the lookup), then
// the pause: nothing of the lookup keeps the loop awake afterwards (#21643's eventfd).
TEST_CASE("busy loop: a paused download after a name lookup keeps the loop quiet (curl #21643)") {
  paused_stays_quiet("http://localhost:" + std::to_string(server().raw_port()) + "/endless");
}

// The application reads slowly: it takes one write callback's worth, pauses, and unpauses
// again every 100 ms, while the server keeps the 32 KiB receive buffer full. The loop wakes
// for the unpauses and the data they let in, not in between.
TEST_CASE(
    "busy loop: a slow reader of a full small receive buffer wakes the loop boundedly (curl "
    "#21671)") {
  Harness h;
  REQUIRE(h.attach());
  struct Reader {
    size_t bytes = 0;
    int calls = 0;
    bool take = true;  // one callback's data per unpause, then pause again
  } r;
  Job &j = h.add(server().raw_url("/endless"), [&](CURL *e) {
    curl_easy_setopt(
        e, CURLOPT_WRITEFUNCTION, +[](char *, size_t size, size_t n, void *userp) -> size_t {
          auto *rd = static_cast<Reader *>(userp);
          ++rd->calls;
          if (!rd->take) return CURL_WRITEFUNC_PAUSE;
          rd->take = false;
          rd->bytes += size * n;
          return size * n;
        });
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, small_buffers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 20000L);
  });
  REQUIRE(h.run_until([&] { return r.calls > 1; }, 10s));
  int turns = 0, unpauses = 0;
  auto until = Clock::now() + 1000ms;
  auto next = Clock::now() + 100ms;
  while (Clock::now() < until) {
    auto now = Clock::now();
    if (now >= next) {
      r.take = true;
      ++unpauses;
      CHECK(curl_easy_pause(j.fetch.easy, CURLPAUSE_CONT) == CURLE_OK);
      next = now + 100ms;
      continue;
    }
    h.loop.turn(static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count() + 1));
    ++turns;
  }
  MESSAGE(std::string(LoopBackend::kName) << ": " << turns << " wake-ups in 1 s for " << unpauses
                                          << " unpauses, " << r.bytes << " bytes read");
  CHECK(unpauses >= 5);
  CHECK(turns <= kWakeupsPerSecond);
  CHECK(r.bytes > 0);
  CHECK_FALSE(j.done);
  CHECK(curl_multi_remove_handle(h.multi, j.fetch.easy) == CURLM_OK);
  h.by_easy.erase(j.fetch.easy);
}
