// TLS sessions and connections: session resumption, connection reuse only between equal TLS
// settings, keep-alive over TLS; against the test server and against a loopback nginx.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <poll.h>

#include <cstdint>
#include <string>

#include "https_fixture.h"

using namespace evm::test;

namespace {

// SOCKETFUNCTION keeping the descriptor of the last socket announced in a curl_socket_t.
int remember_socket(CURL *, curl_socket_t fd, int what, void *userp, void *) {
  if (what != CURL_POLL_REMOVE) *static_cast<curl_socket_t *>(userp) = fd;
  return 0;
}

// Waits up to `timeout_ms` for the peer's FIN on `fd`, reading nothing.
void wait_for_peer_close(curl_socket_t fd, int timeout_ms) {
  pollfd p{fd, POLLRDHUP, 0};
  poll(&p, 1, timeout_ms);
}

}  // namespace

TEST_SUITE_BEGIN("https");

TEST_CASE("HTTPS: TLS session resumption") {
  TestServer &server = good_server();
  SUBCASE("a second connection to the same origin resumes the session") {
    Multi multi;
    Https h(server, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    uint64_t handshakes = server.tls_handshakes(), resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(h.body == body_of(5) + body_of(5));
    CHECK(server.tls_handshakes() - handshakes == 2);
    CHECK(server.tls_resumed() - resumed == 1);
    CHECK(h.verify_result() == 0);
  }
  SUBCASE("curl_easy_perform on the same handle resumes too") {
    Https h(server, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    uint64_t resumed = server.tls_resumed();
    REQUIRE(h.perform() == CURLE_OK);
    REQUIRE(h.perform() == CURLE_OK);
    CHECK(server.tls_resumed() - resumed == 1);
  }
  SUBCASE("SSL_SESSIONID_CACHE 0: full handshakes only") {
    Multi multi;
    Https h(server, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    CHECK(curl_easy_setopt(h.easy, CURLOPT_SSL_SESSIONID_CACHE, 0L) == CURLE_OK);
    uint64_t handshakes = server.tls_handshakes(), resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_handshakes() - handshakes == 2);
    CHECK(server.tls_resumed() - resumed == 0);
  }
  SUBCASE("TLS 1.2 sessions resume too") {
    Multi multi;
    Https h(server, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                     versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_2));
    uint64_t resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_resumed() - resumed == 1);
  }
  SUBCASE("sessions are kept per host name: localhost's is not offered to 127.0.0.1") {
    Multi multi;
    Https h(server, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    uint64_t resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    std::string url = Https::make_url("127.0.0.1", server.http_port(), "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_URL, url.c_str());
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_resumed() - resumed == 0);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_resumed() - resumed == 1);
  }
  SUBCASE("a session made without verification is not resumed by a verifying transfer") {
    Multi multi;
    Https h(server, "/bytes/5", /*trust_test_ca=*/false);
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L);
    uint64_t resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h.easy, CURLOPT_CAINFO, pki().ca_file.c_str());
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_resumed() - resumed == 0);
  }
  SUBCASE("a session made without the name check does not skip it later") {
    Multi multi;
    Https h("localhost", test_server_origin().wrong_name, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 0L);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 2L);
    CHECK(run_in(multi.m, h.easy) == CURLE_PEER_FAILED_VERIFICATION);
  }
  SUBCASE("a session of an unverified self-signed server is never a way around verification") {
    Multi multi;
    Https h("localhost", test_server_origin().self_signed, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 1L);
    CHECK(run_in(multi.m, h.easy) == CURLE_PEER_FAILED_VERIFICATION);
    CHECK(h.verify_result() == 18);
  }
}

TEST_CASE("HTTPS: connections are reused only between equal TLS settings") {
  TestServer &server = good_server();
  SUBCASE("the same settings share one connection: one handshake for two transfers") {
    Multi multi;
    Https h(server, "/bytes/5");
    uint64_t handshakes = server.tls_handshakes();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_handshakes() - handshakes == 1);
    CHECK(h.info_long(CURLINFO_NUM_CONNECTS) == 0);
    // No handshake took place for this transfer: libcurl 7.88 reports 0.
    CHECK(h.info_off(CURLINFO_APPCONNECT_TIME_T) == 0);
  }
  SUBCASE("SSL_VERIFYHOST differs: a new connection") {
    Multi multi;
    Https h(server, "/bytes/5");
    uint64_t handshakes = server.tls_handshakes();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYHOST, 0L);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_handshakes() - handshakes == 2);
    CHECK(h.info_long(CURLINFO_NUM_CONNECTS) == 1);
  }
  SUBCASE("CAINFO names the same file differently: a new connection") {
    Multi multi;
    Https h(server, "/bytes/5");
    uint64_t handshakes = server.tls_handshakes();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    std::string other = (fs::path(pki().ca_file).parent_path() / "." / "ca.pem").string();
    REQUIRE(fs::equivalent(other, pki().ca_file));
    curl_easy_setopt(h.easy, CURLOPT_CAINFO, other.c_str());
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(server.tls_handshakes() - handshakes == 2);
  }
  SUBCASE("a connection made without verification is not reused by a verifying transfer") {
    Multi multi;
    Https h("localhost", test_server_origin().self_signed, "/bytes/5");
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 0L);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSL_VERIFYPEER, 1L);
    CHECK(run_in(multi.m, h.easy) == CURLE_PEER_FAILED_VERIFICATION);
  }
  SUBCASE("no client certificate after one: a new connection") {
    Multi multi;
    TestServer &cc = tls_server(Tls::Good, true);
    Https h(cc, "/bytes/5");
    // TLS 1.2, so a missing certificate fails the handshake itself.
    curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                     versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_2));
    curl_easy_setopt(h.easy, CURLOPT_SSLCERT, pki().client_cert.c_str());
    curl_easy_setopt(h.easy, CURLOPT_SSLKEY, pki().client_key.c_str());
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    curl_easy_setopt(h.easy, CURLOPT_SSLCERT, nullptr);
    curl_easy_setopt(h.easy, CURLOPT_SSLKEY, nullptr);
    CHECK(run_in(multi.m, h.easy) == CURLE_SSL_CONNECT_ERROR);
  }
}

TEST_CASE("HTTPS: keep-alive over TLS") {
  TestServer &server = good_server();
  SUBCASE("20 requests on one handle: one handshake") {
    Multi multi;
    Https h(server, "/bytes/100");
    uint64_t handshakes = server.tls_handshakes();
    for (int i = 0; i < 20; ++i) REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(h.body.size() == 2000);
    CHECK(server.tls_handshakes() - handshakes == 1);
  }
  SUBCASE("the server closed the idle connection: the next transfer reconnects (and resumes)") {
    Multi multi;
    curl_socket_t connection = CURL_SOCKET_BAD;
    curl_multi_setopt(multi.m, CURLMOPT_SOCKETFUNCTION, remember_socket);
    curl_multi_setopt(multi.m, CURLMOPT_SOCKETDATA, &connection);
    Https h("localhost", server.raw_port(), "/close-after/5");
    uint64_t handshakes = server.tls_handshakes(), resumed = server.tls_resumed();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    // Until the close_notify and FIN have arrived, so the pool sees a dead connection.
    wait_for_peer_close(connection, 5000);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(h.body == body_of(5) + body_of(5));
    CHECK(server.tls_handshakes() - handshakes == 2);
    CHECK(server.tls_resumed() - resumed == 1);
  }
  SUBCASE("200 transfers over at most 4 connections") {
    uint64_t handshakes = server.tls_handshakes();
    CHECK(socket_action_batch(
              server.http_port(), 200, [](int i) { return static_cast<size_t>(1000 + i); }, 4) ==
          200);
    CHECK(server.tls_handshakes() - handshakes <= 4);
  }
}

TEST_CASE("nginx: session resumption and connection reuse") {
  NginxServer *n = nginx();
  if (!n) return;
  const uint16_t port = n->port(NginxServer::Site::Good);
  for (long tls12 : {0L, 1L}) {
    CAPTURE(tls12);
    Multi multi;
    Https h("localhost", port, "/bytes/3");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    if (tls12)
      curl_easy_setopt(h.easy, CURLOPT_SSLVERSION,
                       versions(CURL_SSLVERSION_TLSv1_2, CURL_SSLVERSION_MAX_TLSv1_2));
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(contains(h.headers, "X-SSL-Reused: ."));
    h.headers.clear();
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    INFO(h.headers);
    CHECK(contains(h.headers, "X-SSL-Reused: r"));
  }
  {
    Multi multi;
    Https h("localhost", port, "/bytes/3");
    curl_easy_setopt(h.easy, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(h.easy, CURLOPT_SSL_SESSIONID_CACHE, 0L);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    INFO(h.headers);
    CHECK(!contains(h.headers, "X-SSL-Reused: r"));
  }
  {
    Multi multi;
    Https h("localhost", port, "/bytes/3");
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    REQUIRE(run_in(multi.m, h.easy) == CURLE_OK);
    CHECK(h.info_long(CURLINFO_NUM_CONNECTS) == 0);  // the second one reused the connection
  }
}

TEST_SUITE_END();
