// The storm's own checks catch what they are meant to: a client socket left in CLOSE_WAIT, an fd
// that outlived its owner, and a SOCKETFUNCTION call for a socket the engine did not open
// through CURLOPT_OPENSOCKETFUNCTION. Without these the storm could pass by seeing nothing.
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "proc_fds.h"
#include "shared_test_server.h"
#include "storm_driver.h"
#include "timing.h"

namespace evm::test::storm {

TEST_CASE("storm support: a socket whose peer closed shows in CLOSE_WAIT until it is closed") {
  FdTable before = open_fds();
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(listener, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
  REQUIRE(listen(listener, 1) == 0);
  socklen_t len = sizeof a;
  REQUIRE(getsockname(listener, reinterpret_cast<sockaddr *>(&a), &len) == 0);
  unsigned port = ntohs(a.sin_port);
  int client = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(connect(client, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
  int server_side = accept(listener, nullptr, nullptr);
  REQUIRE(server_side >= 0);
  CHECK(close_wait_sockets({port}).empty());
  close(server_side);  // FIN to the client, which does not close
  CHECK(wait_until([&] { return close_wait_sockets({port}).size() == 1; }));
  CHECK(close_wait_sockets({port + 1}).empty());   // not one of "our servers"
  CHECK(fd_diff(open_fds(), before).size() == 2);  // listener and client
  close(client);
  close(listener);
  CHECK(close_wait_sockets({port}).empty());
  CHECK(open_fds() == before);
}

TEST_CASE("storm support: a socket the engine did not open through OPENSOCKETFUNCTION is flagged") {
  for (bool owned : {true, false}) {
    CAPTURE(owned);
    StormDriver d;
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, server().raw_url("/ok/10").c_str());
    curl_easy_setopt(
        easy, CURLOPT_WRITEFUNCTION, +[](char *, size_t s, size_t n, void *) { return s * n; });
    if (owned) d.own_sockets(easy);
    REQUIRE(curl_multi_add_handle(d.multi, easy) == CURLM_OK);
    CHECK(d.run_all(10000));
    curl_multi_remove_handle(d.multi, easy);
    curl_easy_cleanup(easy);
    d.cleanup();
    CHECK(d.violations.empty() == owned);
    CHECK(d.engine_sockets.empty());
    CHECK(d.sockets_opened == (owned ? 1u : 0u));
  }
}

}  // namespace evm::test::storm
