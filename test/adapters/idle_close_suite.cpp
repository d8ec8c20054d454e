// curl #20377 under each adapter: an idle pooled connection the server closes is noticed by
// the loop (it stays watched while idle and another transfer runs) and its descriptor
// released at once; the kernel then hands the same number to the next connection, and that socket's
// events reach its new owner only: no stale watcher of the old socket (a kqueue knote, an
// epoll registration, a libevent event) fires for it.
#include <doctest/doctest.h>
#include <sys/socket.h>

#include <set>
#include <string>
#include <vector>

#include "adapter_harness.h"
#include "proc_sockets.h"

using namespace evm::test;
using namespace std::chrono_literals;

// evmulti's contract; libcurl 7.88 leaves idle connections unwatched until their next use.
#if defined(EVM_TEST_ENGINE_EVMULTI)

namespace {

// Records the number of every socket the transfer opens.
int note_fd(void *userp, curl_socket_t fd, curlsocktype) {
  static_cast<std::vector<curl_socket_t> *>(userp)->push_back(fd);
  return CURL_SOCKOPT_OK;
}

}  // namespace

TEST_CASE(
    "idle close: the server's close of an idle connection releases it; its fd number serves the "
    "next (curl #20377)") {
  constexpr int kRounds = 15;
  TestServer &srv = server();
  const std::set<uint16_t> ports{srv.raw_port()};
  Harness h;
  REQUIRE(h.attach());
  std::vector<curl_socket_t> fds;
  auto keep_fds = [&](CURL *e) {
    curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, note_fd);
    curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, &fds);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
  };
  // Idle connections are watched while a transfer runs: this one never gets an answer.
  Job &busy = h.add(srv.raw_url("/stall"),
                    [](CURL *e) { curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 30000L); });
  int released = 0;
  for (int round = 0; round < kRounds; ++round) {
    CAPTURE(round);
    // The server closes this connection 250 ms after answering: when it is idle, even on a
    // loaded machine (a close that comes while the transfer still reads is another case).
    Job &j = h.add(srv.raw_url("/idle-close/250"), keep_fds);
    REQUIRE(h.run_until([&] { return j.done; }, 5s));
    CHECK(j.result == CURLE_OK);
    CHECK(j.fetch.body == "ok");
    // Only /stall runs; the loop alone must see the close and let the descriptor go.
    REQUIRE(h.loop.running() == 1);
    bool gone = h.run_until([&] { return client_sockets_to(ports) == 1; }, 3s);
    CHECK(gone);
    if (!gone) break;
    ++released;
  }
  CHECK(released == kRounds);
  CHECK_FALSE(busy.done);
  CHECK(curl_multi_remove_handle(h.multi, busy.fetch.easy) == CURLM_OK);
  h.by_easy.erase(busy.fetch.easy);
  // Each connection was new (the old one was closed) and got the number its predecessor had
  // most of the time: the case a stale watcher would misdeliver.
  REQUIRE(fds.size() == size_t{kRounds});
  int reused = 0;
  for (size_t i = 1; i < fds.size(); ++i) reused += fds[i] == fds[i - 1];
  MESSAGE(std::string(LoopBackend::kName)
          << ": " << reused << " of " << kRounds - 1 << " fd numbers reused");
  CHECK(reused > 0);
  if (h.loop.socket_registrations() >= 0) CHECK(h.loop.socket_registrations() == 0);
}
#endif
