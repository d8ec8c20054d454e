// Single transfers through curl_easy_perform against the loopback test server.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <vector>

#include "easy_fixture.h"
#include "shared_test_server.h"

using evm::test::Fetch;
using evm::test::TestServer;

namespace {

TestServer &server() {
  return evm::test::shared_test_server();
}

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

}  // namespace

TEST_CASE("a Content-Length body arrives whole") {
  Fetch f(server().http_url("/bytes/100000"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 200);
  CHECK(f.body == pattern(100000));
  curl_off_t size = 0;
  curl_easy_getinfo(f.easy, CURLINFO_SIZE_DOWNLOAD_T, &size);
  CHECK(size == 100000);
  curl_easy_getinfo(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &size);
  CHECK(size == 100000);
}

TEST_CASE("a chunked body arrives whole") {
  Fetch f(server().http_url("/chunked/5000"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(5000));
  curl_off_t len = 0;
  curl_easy_getinfo(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
  CHECK(len == -1);
}

TEST_CASE("bad input ends the transfer with libcurl's code and a readable text") {
  struct Case {
    std::string url;
    CURLcode code;
  };
  const Case cases[] = {
      {"http://", CURLE_URL_MALFORMAT},
      {"ftp://127.0.0.1/", CURLE_UNSUPPORTED_PROTOCOL},
      {"http://no-such-host.invalid/", CURLE_COULDNT_RESOLVE_HOST},
      {"http://127.0.0.1:1/", CURLE_COULDNT_CONNECT},
      {server().raw_url("/empty"), CURLE_GOT_NOTHING},
      // libcurl 7.88 takes a reply that is not HTTP for HTTP/0.9, which it does not allow.
      {server().raw_url("/garbage"), CURLE_UNSUPPORTED_PROTOCOL},
      {server().raw_url("/partial"), CURLE_PARTIAL_FILE},
      {server().raw_url("/reset"), CURLE_RECV_ERROR},
      {server().raw_url("/badheader"), CURLE_WEIRD_SERVER_REPLY},
      {server().raw_url("/badchunk"), CURLE_RECV_ERROR},
      // One header line over 100 KiB: libcurl 7.88's line buffer refuses to grow.
      {server().raw_url("/bigheader/200000"), CURLE_OUT_OF_MEMORY},
  };
  for (const Case &c : cases) {
    CAPTURE(c.url);
    Fetch f(c.url);
    CHECK(curl_easy_perform(f.easy) == c.code);
    CHECK(std::string(f.error).size() > 5);
  }
}

TEST_CASE("IPv6 literals and names that resolve to both families connect") {
  TestServer v6({"::1"});
  REQUIRE(v6.start());
  SUBCASE("an IPv6 literal URL") {
    Fetch f(v6.http_url("/bytes/10"));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    const char *ip = nullptr;
    curl_easy_getinfo(f.easy, CURLINFO_PRIMARY_IP, &ip);
    CHECK(std::string(ip) == "::1");
  }
  SUBCASE("localhost reaches a server that listens on ::1 only") {
    Fetch f("http://localhost:" + std::to_string(v6.http_port()) + "/bytes/10");
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body.size() == 10);
  }
  SUBCASE("localhost falls back to IPv4 when IPv6 is refused") {
    Fetch f("http://localhost:" + std::to_string(server().http_port()) + "/bytes/10");
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    const char *ip = nullptr;
    curl_easy_getinfo(f.easy, CURLINFO_PRIMARY_IP, &ip);
    CHECK(std::string(ip) == "127.0.0.1");
  }
}

TEST_CASE("credentials in the URL are sent with Basic authentication") {
  std::string url = server().http_url("/echo");
  url.insert(url.find("//") + 2, "user:pa%3Ass@");
  Fetch f(url);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body.find("Authorization: Basic dXNlcjpwYTpzcw==\n") != std::string::npos);
}

namespace {
// Records TCP_NODELAY of every socket the multi asks to watch.
int record_nodelay(CURL *, curl_socket_t fd, int what, void *userp, void *) {
  if (what == CURL_POLL_REMOVE) return 0;
  int on = -1;
  socklen_t len = sizeof on;
  if (getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0)
    static_cast<std::vector<int> *>(userp)->push_back(on);
  return 0;
}

std::vector<int> nodelay_seen(long option) {
  std::vector<int> seen;
  CURLM *m = curl_multi_init();
  curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, record_nodelay);
  curl_multi_setopt(m, CURLMOPT_SOCKETDATA, &seen);
  // A delayed answer makes sure the transfer waits on its socket at least once.
  Fetch f(server().http_url("/delay/50"));
  if (option >= 0) curl_easy_setopt(f.easy, CURLOPT_TCP_NODELAY, option);
  curl_multi_add_handle(m, f.easy);
  int running = 1;
  while (running) {
    curl_multi_perform(m, &running);
    if (running) curl_multi_poll(m, nullptr, 0, 100, nullptr);
  }
  curl_multi_remove_handle(m, f.easy);
  curl_multi_cleanup(m);
  return seen;
}
}  // namespace

TEST_CASE("TCP_NODELAY is on by default and can be turned off") {
  auto on = nodelay_seen(-1);
  REQUIRE_FALSE(on.empty());
  CHECK(on.back() != 0);
  auto off = nodelay_seen(0);
  REQUIRE_FALSE(off.empty());
  CHECK(off.back() == 0);
}

TEST_CASE("sending into a closed connection fails the transfer without SIGPIPE") {
  // The server closes at once; a large body cannot all be sent. A SIGPIPE would kill the test
  // binary, so reaching the checks is the proof that MSG_NOSIGNAL is used.
  std::string body(8 * 1024 * 1024, 'x');
  Fetch f(server().raw_url("/empty"));
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  CURLcode rc = curl_easy_perform(f.easy);
  CHECK((rc == CURLE_SEND_ERROR || rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR));
  CHECK(std::string(f.error).size() > 5);
}
