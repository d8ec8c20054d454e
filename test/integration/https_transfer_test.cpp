// Transfers over TLS: large bodies both ways, chunked and close-delimited bodies, truncation,
// a stalled handshake among working transfers, and 1,000 concurrent transfers driven by
// curl_multi_socket_action, against the test server and against a loopback nginx.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <string>
#include <utility>

#include "https_fixture.h"

using namespace evm::test;

namespace {

// 1,000 concurrent transfers of distinct sizes.
int concurrent_https(uint16_t port, int n) {
  return socket_action_batch(port, n, [](int i) { return static_cast<size_t>(100 + i); });
}

}  // namespace

TEST_SUITE_BEGIN("https");

TEST_CASE("HTTPS: large bodies both ways, chunked and close-delimited bodies, truncation") {
  TestServer &server = good_server();
  SUBCASE("an 8 MB download") {
    Https h(server, "/bytes/8000000");
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.body.size() == 8000000);
    CHECK(h.body == body_of(8000000));
  }
  SUBCASE("an 8 MB download through curl_multi_socket_action") {
    // Records OpenSSL has already pulled off the socket must be read without waiting for the
    // socket to become readable again.
    CHECK(socket_action_batch(server.http_port(), 1, [](int) { return size_t{8000000}; }) == 1);
  }
  SUBCASE("a 3 MB upload") {
    Https h(server, "/echo");
    std::string upload = body_of(3000000);
    curl_easy_setopt(h.easy, CURLOPT_POSTFIELDS, upload.data());
    curl_easy_setopt(h.easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(upload.size()));
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.status() == 200);
    CHECK(h.body.rfind("POST /echo", 0) == 0);
    REQUIRE(h.body.size() >= upload.size());
    CHECK(h.body.compare(h.body.size() - upload.size(), upload.size(), upload) == 0);
  }
  SUBCASE("chunked") {
    Https h(server, "/chunked/100000");
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.body == body_of(100000));
  }
  SUBCASE("a body ended by the server closing (close_notify, then FIN)") {
    Https h("localhost", server.raw_port(), "/close-delimited/50000");
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.body == body_of(50000));
  }
  SUBCASE("HTTP/1.0 over TLS") {
    Https h("localhost", server.raw_port(), "/http10");
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(h.body == "abc");
  }
  SUBCASE("a body cut short is CURLE_PARTIAL_FILE") {
    Https h("localhost", server.raw_port(), "/partial");
    CHECK(h.perform() == CURLE_PARTIAL_FILE);
  }
  SUBCASE("a reset connection is CURLE_RECV_ERROR") {
    Https h("localhost", server.raw_port(), "/reset");
    CHECK(h.perform() == CURLE_RECV_ERROR);
    CHECK(std::string(h.error).size() > 0);
  }
  SUBCASE("a server closing without a byte of response is CURLE_GOT_NOTHING") {
    Https h("localhost", server.raw_port(), "/empty");
    CHECK(h.perform() == CURLE_GOT_NOTHING);
  }
  SUBCASE("a stalled body times out") {
    Https h("localhost", server.raw_port(), "/stall-body");
    curl_easy_setopt(h.easy, CURLOPT_TIMEOUT_MS, 400L);
    CHECK(h.perform() == CURLE_OPERATION_TIMEDOUT);
  }
}

TEST_CASE("HTTPS: an unanswered ClientHello holds up nobody, and CONNECTTIMEOUT covers it") {
  // A listener that never accepts: the kernel completes TCP, nobody ever speaks TLS.
  int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(lfd >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  REQUIRE(bind(lfd, reinterpret_cast<sockaddr *>(&sa), sizeof sa) == 0);
  REQUIRE(listen(lfd, 16) == 0);
  REQUIRE(getsockname(lfd, reinterpret_cast<sockaddr *>(&sa), &len) == 0);

  Multi multi;
  Https stalled("localhost", ntohs(sa.sin_port), "/bytes/5");
  curl_easy_setopt(stalled.easy, CURLOPT_CONNECTTIMEOUT_MS, 600L);
  Https fine(good_server(), "/bytes/5");
  const auto start = Clock::now();
  REQUIRE(curl_multi_add_handle(multi.m, stalled.easy) == CURLM_OK);
  REQUIRE(curl_multi_add_handle(multi.m, fine.easy) == CURLM_OK);
  std::map<CURL *, std::pair<CURLcode, Clock::duration>> results;
  int running = 2;
  while (results.size() < 2 && Clock::now() - start < std::chrono::seconds(10)) {
    REQUIRE(curl_multi_perform(multi.m, &running) == CURLM_OK);
    int left;
    while (CURLMsg *m = curl_multi_info_read(multi.m, &left))
      if (m->msg == CURLMSG_DONE) results[m->easy_handle] = {m->data.result, Clock::now() - start};
    if (results.size() < 2) REQUIRE(curl_multi_poll(multi.m, nullptr, 0, 100, nullptr) == CURLM_OK);
  }
  REQUIRE(results.size() == 2);
  CHECK(results[fine.easy].first == CURLE_OK);
  CHECK(fine.body == body_of(5));
  CHECK(results[fine.easy].second < results[stalled.easy].second);
  CHECK(results[stalled.easy].first == CURLE_OPERATION_TIMEDOUT);
  CHECK(results[stalled.easy].second >= std::chrono::milliseconds(500));
  CHECK(results[stalled.easy].second < std::chrono::seconds(5));
  curl_multi_remove_handle(multi.m, stalled.easy);
  curl_multi_remove_handle(multi.m, fine.easy);
  close(lfd);
}

TEST_CASE("HTTPS: 1,000 concurrent transfers through curl_multi_socket_action and epoll") {
  TestServer &server = good_server();
  uint64_t handshakes = server.tls_handshakes();
  CHECK(concurrent_https(server.http_port(), 1000) == 1000);
  CHECK(server.tls_handshakes() - handshakes >= 500);  // mostly fresh TLS connections
}

TEST_CASE("nginx: 1,000 concurrent transfers through curl_multi_socket_action and epoll") {
  NginxServer *n = nginx();
  if (!n) return;
  CHECK(concurrent_https(n->port(NginxServer::Site::Good), 1000) == 1000);
}

TEST_SUITE_END();
