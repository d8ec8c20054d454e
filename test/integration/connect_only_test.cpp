// CURLOPT_CONNECT_ONLY with curl_easy_send/curl_easy_recv: the transfer stops once connected
// (TLS included), the connection stays with the handle, raw bytes go over it without blocking,
// and libcurl 7.88's answers for the cases without a connection.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <string>
#include <thread>

#include "easy_options_fixture.h"
#include "https_fixture.h"
#include "scripted_server.h"

using namespace evm::test;

namespace {

// A loopback listener the test accepts on itself, so it sees exactly what reaches the peer
// and when the client closes.
struct RawPeer {
  int listener = -1;
  int fd = -1;
  RawPeer() {
    listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener >= 0);
    sockaddr_in a = loopback(0);
    REQUIRE(bind(listener, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0);
    REQUIRE(listen(listener, 4) == 0);
  }
  ~RawPeer() {
    if (fd >= 0) close(fd);
    close(listener);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_of(listener)) + "/"; }
  // The connection the client made (it is in the backlog once connect() succeeded).
  void accept_client() {
    pollfd p{listener, POLLIN, 0};
    REQUIRE(poll(&p, 1, 5000) == 1);
    fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    REQUIRE(fd >= 0);
  }
  // Whatever arrives within `ms`; "" when nothing did. Stops at EOF.
  std::string read_for(int ms, bool *eof = nullptr) {
    std::string in;
    pollfd p{fd, POLLIN, 0};
    while (poll(&p, 1, ms) == 1) {
      char buf[4096];
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n <= 0) {
        if (eof) *eof = true;
        break;
      }
      in.append(buf, static_cast<size_t>(n));
      ms = 0;
    }
    return in;
  }
  // Blocks until `n` bytes came or the client left.
  std::string read_exactly(size_t n) {
    std::string in;
    while (in.size() < n) {
      bool eof = false;
      std::string more = read_for(5000, &eof);
      if (more.empty()) break;
      in += more;
      if (eof) break;
    }
    return in;
  }
  bool sees_close() {
    bool eof = false;
    char buf[64];
    pollfd p{fd, POLLIN, 0};
    while (!eof && poll(&p, 1, 5000) == 1) eof = recv(fd, buf, sizeof buf, 0) <= 0;
    return eof;
  }
};

curl_socket_t active_socket(CURL *e) {
  curl_socket_t s = CURL_SOCKET_BAD;
  CHECK(curl_easy_getinfo(e, CURLINFO_ACTIVESOCKET, &s) == CURLE_OK);
  return s;
}

bool wait_socket(curl_socket_t s, short events) {
  pollfd p{s, events, 0};
  return poll(&p, 1, 5000) == 1;
}

// Sends all of `data`, waiting on the socket whenever curl_easy_send says CURLE_AGAIN.
CURLcode send_all(CURL *e, const std::string &data) {
  size_t done = 0;
  while (done < data.size()) {
    size_t n = 0;
    CURLcode rc = curl_easy_send(e, data.data() + done, data.size() - done, &n);
    if (rc == CURLE_AGAIN) {
      if (!wait_socket(active_socket(e), POLLOUT)) return CURLE_OPERATION_TIMEDOUT;
      continue;
    }
    if (rc) return rc;
    done += n;
  }
  return CURLE_OK;
}

// Receives until the peer closes (CURLE_OK with 0 bytes) or `until` is in the data.
CURLcode recv_until(CURL *e, std::string &out, const std::string &until = {}) {
  for (;;) {
    char buf[1024];
    size_t n = 0;
    CURLcode rc = curl_easy_recv(e, buf, sizeof buf, &n);
    if (rc == CURLE_AGAIN) {
      if (!wait_socket(active_socket(e), POLLIN)) return CURLE_OPERATION_TIMEDOUT;
      continue;
    }
    if (rc) return rc;
    if (n == 0) return CURLE_OK;
    out.append(buf, n);
    if (!until.empty() && out.find(until) != std::string::npos) return CURLE_OK;
  }
}

int collect_text(CURL *, curl_infotype type, char *data, size_t size, void *userp) {
  if (type == CURLINFO_TEXT) static_cast<std::string *>(userp)->append(data, size);
  return 0;
}

}  // namespace

TEST_CASE("connect_only: perform stops at the connection, send and recv carry raw bytes") {
  RawPeer peer;
  Fetch f(peer.url());
  REQUIRE(curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L) == CURLE_OK);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  peer.accept_client();
  CHECK(f.status() == 0);
  CHECK(f.body.empty());
  CHECK(f.headers.empty());
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);

  // Not a byte of HTTP went out.
  CHECK(peer.read_for(100).empty());
  curl_socket_t s = active_socket(f.easy);
  REQUIRE(s != CURL_SOCKET_BAD);
  CHECK(info_long(f.easy, CURLINFO_LASTSOCKET) == static_cast<long>(s));

  // Nothing to read yet: CURLE_AGAIN at once, not a wait.
  char buf[64];
  size_t n = 99;
  CHECK(curl_easy_recv(f.easy, buf, sizeof buf, &n) == CURLE_AGAIN);
  CHECK(n == 0);

  const std::string hello = "raw bytes, not HTTP\n";
  CHECK(send_all(f.easy, hello) == CURLE_OK);
  CHECK(peer.read_exactly(hello.size()) == hello);

  const std::string answer = "and raw bytes back";
  REQUIRE(send(peer.fd, answer.data(), answer.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(answer.size()));
  std::string got;
  CHECK(recv_until(f.easy, got, answer) == CURLE_OK);
  CHECK(got == answer);

  // The peer closes: a receive of 0 bytes with CURLE_OK, as libcurl says end of stream.
  shutdown(peer.fd, SHUT_WR);
  got.clear();
  CHECK(recv_until(f.easy, got) == CURLE_OK);
  CHECK(got.empty());
}

TEST_CASE("connect_only: a large send goes out in pieces without blocking") {
  RawPeer peer;
  Fetch f(peer.url());
  curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  peer.accept_client();
  // More than the socket buffers hold while the peer reads nothing: some send must say AGAIN.
  const std::string big(32 * 1024 * 1024, 'x');
  size_t done = 0;
  bool saw_again = false;
  while (done < big.size()) {
    size_t n = 0;
    CURLcode rc = curl_easy_send(f.easy, big.data() + done, big.size() - done, &n);
    if (rc == CURLE_AGAIN) {
      saw_again = true;
      break;
    }
    REQUIRE(rc == CURLE_OK);
    REQUIRE(n > 0);
    done += n;
  }
  CHECK(saw_again);
  CHECK(done < big.size());
  // The rest goes once the peer reads.
  std::string rest = big.substr(done);
  std::string received;
  std::thread reader([&] { received = peer.read_exactly(big.size()); });
  CHECK(send_all(f.easy, rest) == CURLE_OK);
  reader.join();
  CHECK(received.size() == big.size());
}

TEST_CASE("connect_only: what send and recv answer without a CONNECT_ONLY connection") {
  char buf[16];
  size_t n = 99;
  SUBCASE("a handle without CONNECT_ONLY") {
    Fetch f(server().http_url("/echo"));
    CHECK(curl_easy_send(f.easy, "x", 1, &n) == CURLE_UNSUPPORTED_PROTOCOL);
    CHECK(n == 0);
    CHECK(std::string(f.error) == "CONNECT_ONLY is required");
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);  // a normal transfer does not change that
    CHECK(curl_easy_recv(f.easy, buf, sizeof buf, &n) == CURLE_UNSUPPORTED_PROTOCOL);
  }
  SUBCASE("CONNECT_ONLY set, nothing performed yet") {
    Fetch f(server().http_url("/echo"));
    curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L);
    CHECK(curl_easy_send(f.easy, "x", 1, &n) == CURLE_UNSUPPORTED_PROTOCOL);
    CHECK(std::string(f.error) == "Failed to get recent socket");
    CHECK(curl_easy_recv(f.easy, buf, sizeof buf, &n) == CURLE_UNSUPPORTED_PROTOCOL);
  }
  SUBCASE("the connect failed") {
    Fetch f("http://127.0.0.1:" + std::to_string(refused_port()) + "/");
    curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_COULDNT_CONNECT);
    CHECK(curl_easy_send(f.easy, "x", 1, &n) == CURLE_UNSUPPORTED_PROTOCOL);
  }
  SUBCASE("curl_easy_reset clears CONNECT_ONLY") {
    RawPeer peer;
    Fetch f(peer.url());
    curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L);
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    curl_easy_reset(f.easy);
    CHECK(curl_easy_send(f.easy, "x", 1, &n) == CURLE_UNSUPPORTED_PROTOCOL);
  }
  SUBCASE("bad arguments") {
    Fetch f(server().http_url("/echo"));
    curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L);
    CHECK(curl_easy_send(nullptr, "x", 1, &n) == CURLE_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_easy_recv(nullptr, buf, 1, &n) == CURLE_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_easy_send(f.easy, "x", 1, nullptr) == CURLE_BAD_FUNCTION_ARGUMENT);
    CHECK(curl_easy_recv(f.easy, nullptr, 1, &n) == CURLE_BAD_FUNCTION_ARGUMENT);
  }
}

TEST_CASE("connect_only: empty sends say AGAIN and empty receives say OK, as libcurl") {
  RawPeer peer;
  Fetch f(peer.url());
  curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  size_t n = 99;
  CHECK(curl_easy_send(f.easy, "", 0, &n) == CURLE_AGAIN);
  CHECK(n == 0);
  char buf[4];
  n = 99;
  CHECK(curl_easy_recv(f.easy, buf, 0, &n) == CURLE_OK);
  CHECK(n == 0);
}

TEST_CASE("connect_only: a broken connection fails the send with CURLE_SEND_ERROR") {
  RawPeer peer;
  Fetch f(peer.url());
  curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  peer.accept_client();
  // A reset, not a polite close: the next send cannot succeed.
  linger lg{1, 0};
  setsockopt(peer.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
  close(peer.fd);
  peer.fd = -1;
  REQUIRE(wait_socket(active_socket(f.easy), POLLIN));
  CURLcode rc = CURLE_OK;
  for (int i = 0; i < 3 && rc == CURLE_OK; ++i) {
    size_t n = 0;
    rc = curl_easy_send(f.easy, "x", 1, &n);
  }
  CHECK(rc == CURLE_SEND_ERROR);
  CHECK(std::string(f.error).find("Send failure") == 0);
}

TEST_CASE("connect_only: the connection closes with the handle, or with the next transfer") {
  SUBCASE("curl_easy_cleanup") {
    RawPeer peer;
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, peer.url().c_str());
    curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
    REQUIRE(curl_easy_perform(e) == CURLE_OK);
    peer.accept_client();
    CHECK(peer.read_for(50).empty());
    curl_easy_cleanup(e);
    CHECK(peer.sees_close());
  }
  SUBCASE("the next curl_easy_perform") {
    RawPeer first, second;
    Fetch f(first.url());
    curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L);
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    first.accept_client();
    curl_easy_setopt(f.easy, CURLOPT_URL, second.url().c_str());
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    second.accept_client();
    CHECK(first.sees_close());
    CHECK(send_all(f.easy, "to the second") == CURLE_OK);
    CHECK(second.read_exactly(13) == "to the second");
  }
}

TEST_CASE("connect_only: through a multi handle, done once connected, gone on removal") {
  RawPeer peer;
  Fetch f(peer.url());
  curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L);
  CURLM *m = curl_multi_init();
  REQUIRE(curl_multi_add_handle(m, f.easy) == CURLM_OK);
  CURLcode result = CURLE_GOT_NOTHING;
  bool done = false;
  for (int i = 0; i < 500 && !done; ++i) {
    int running = 0;
    REQUIRE(curl_multi_perform(m, &running) == CURLM_OK);
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(m, &left))
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == f.easy) {
        result = msg->data.result;
        done = true;
      }
    if (!done) REQUIRE(curl_multi_poll(m, nullptr, 0, 100, nullptr) == CURLM_OK);
  }
  REQUIRE(done);
  CHECK(result == CURLE_OK);
  peer.accept_client();

  // The multi watches nothing for it any more; the application polls the socket itself.
  unsigned count = 99;
  CHECK(curl_multi_waitfds(m, nullptr, 0, &count) == CURLM_OK);
  CHECK(count == 0);

  // A normal transfer to the same origin may not take that connection.
  {
    Fetch other(peer.url());
    curl_easy_setopt(other.easy, CURLOPT_TIMEOUT_MS, 300L);
    REQUIRE(curl_multi_add_handle(m, other.easy) == CURLM_OK);
    int running = 1;
    for (int i = 0; i < 100 && running; ++i) {
      curl_multi_perform(m, &running);
      if (running) curl_multi_poll(m, nullptr, 0, 50, nullptr);
    }
    CHECK(info_long(other.easy, CURLINFO_NUM_CONNECTS) == 1);
    CHECK(info_off(other.easy, CURLINFO_CONN_ID) != info_off(f.easy, CURLINFO_CONN_ID));
    curl_multi_remove_handle(m, other.easy);
  }
  CHECK(peer.read_for(50).empty());  // nothing of `other` came over the session connection

  CHECK(send_all(f.easy, "ping") == CURLE_OK);
  CHECK(peer.read_exactly(4) == "ping");

  REQUIRE(curl_multi_remove_handle(m, f.easy) == CURLM_OK);
  CHECK(peer.sees_close());
  size_t n = 0;
  CHECK(curl_easy_send(f.easy, "x", 1, &n) == CURLE_UNSUPPORTED_PROTOCOL);
  CHECK(active_socket(f.easy) == CURL_SOCKET_BAD);
  curl_multi_cleanup(m);
}

TEST_CASE("connect_only: over HTTPS the bytes go through TLS") {
  TestServer &tls = tls_server(Tls::Good);
  uint64_t handshakes = tls.tls_handshakes();
  Https h(tls, "/");
  curl_easy_setopt(h.easy, CURLOPT_CONNECT_ONLY, 1L);
  REQUIRE(h.perform() == CURLE_OK);
  CHECK(h.verify_result() == 0);
  CHECK(h.status() == 0);
  std::string request = "GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
  CHECK(send_all(h.easy, request) == CURLE_OK);
  std::string response;
  CHECK(recv_until(h.easy, response) == CURLE_OK);
  CHECK(response.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(response.find("GET /echo\n") != std::string::npos);
  // Counted once the server has finished its side, which it had before it answered.
  CHECK(tls.tls_handshakes() == handshakes + 1);
}

TEST_CASE("connect_only: the option's values, as libcurl 7.88 takes them") {
  Fetch f(server().http_url("/echo"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 3L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 0L) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L) == CURLE_OK);
  SUBCASE("2 (a WebSocket upgrade, not built in): the whole transfer runs") {
    CHECK(curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 2L) == CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.status() == 200);
    CHECK(f.body.rfind("GET /echo", 0) == 0);
  }
  SUBCASE("-1 is taken, and is not 1") {
    CHECK(curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, -1L) == CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.status() == 200);
  }
}

TEST_CASE("curl_easy_upkeep: nothing to do for HTTP/1.1, as libcurl") {
  CHECK(curl_easy_upkeep(nullptr) == CURLE_BAD_FUNCTION_ARGUMENT);
  Fetch f(server().http_url("/echo"));
  CHECK(curl_easy_upkeep(f.easy) == CURLE_OK);  // nothing performed yet
  CHECK(curl_easy_setopt(f.easy, CURLOPT_UPKEEP_INTERVAL_MS, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_UPKEEP_INTERVAL_MS, 0L) == CURLE_OK);
  std::string text;
  curl_easy_setopt(f.easy, CURLOPT_DEBUGFUNCTION, collect_text);
  curl_easy_setopt(f.easy, CURLOPT_DEBUGDATA, &text);
  curl_easy_setopt(f.easy, CURLOPT_VERBOSE, 1L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  text.clear();
  CHECK(curl_easy_upkeep(f.easy) == CURLE_OK);
  CHECK(text == "upkeep: HTTP/1.1 connections need no keep-alive traffic\n");
  // The idle connection is still there to be reused.
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);
}

TEST_CASE("connect_only: a trace line after the handle's multi is gone reaches DEBUGFUNCTION") {
  // curl_easy_upkeep and refused send/recv trace outside any transfer; the multi the handle ran
  // in last may have been cleaned up by then (found by review: a use after free).
  Fetch f(server().http_url("/bytes/3"));
  std::string text;
  curl_easy_setopt(f.easy, CURLOPT_DEBUGFUNCTION, collect_text);
  curl_easy_setopt(f.easy, CURLOPT_DEBUGDATA, &text);
  curl_easy_setopt(f.easy, CURLOPT_VERBOSE, 1L);
  CURLM *m = curl_multi_init();
  REQUIRE(run_in(m, f.easy) == CURLE_OK);
  curl_multi_remove_handle(m, f.easy);
  curl_multi_cleanup(m);
  text.clear();
  CHECK(curl_easy_upkeep(f.easy) == CURLE_OK);
  CHECK(text == "upkeep: HTTP/1.1 connections need no keep-alive traffic\n");
  size_t n = 0;
  CHECK(curl_easy_send(f.easy, "x", 1, &n) == CURLE_UNSUPPORTED_PROTOCOL);
  CHECK(text.find("CONNECT_ONLY is required") != std::string::npos);
}

TEST_CASE("connect_only: its own connection, not an idle pooled one, and none kept on abort") {
  Fetch f(server().http_url("/bytes/3"));
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);  // leaves an idle connection in the pool
  curl_easy_setopt(f.easy, CURLOPT_CONNECT_ONLY, 1L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);  // as libcurl: a new one
  CHECK(active_socket(f.easy) != CURL_SOCKET_BAD);

  // A progress callback that aborts at the end: the transfer fails and keeps no connection.
  Fetch g(server().http_url("/bytes/3"));
  curl_easy_setopt(g.easy, CURLOPT_CONNECT_ONLY, 1L);
  curl_easy_setopt(g.easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(
      g.easy, CURLOPT_XFERINFOFUNCTION,
      +[](void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return 1; });
  CHECK(curl_easy_perform(g.easy) == CURLE_ABORTED_BY_CALLBACK);
  CHECK(active_socket(g.easy) == CURL_SOCKET_BAD);
  size_t n = 0;
  CHECK(curl_easy_send(g.easy, "x", 1, &n) == CURLE_UNSUPPORTED_PROTOCOL);
}
