// Field reports about the socket-callback contract (curl #14976, #17949, #14280: REMOVE for a
// socket already closed, or one never announced): the cases the fault storm cannot reach,
// where the application removes a transfer while its socket is still connecting or in the
// middle of a TLS handshake. Driver (multi_driver.h) checks every SOCKETFUNCTION call: the
// descriptor is open and the same socket when REMOVE comes, and nothing unknown is named.
#include <arpa/inet.h>
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "https_fixture.h"
#include "multi_driver.h"
#include "scripted_server.h"

using namespace evm::test;

namespace {

// A listener that never accepts. With `hang_connects` its accept queue is filled first, so
// the kernel drops further SYNs and a client's connect stays in progress; without, the
// kernel completes TCP and nobody ever says anything.
class SilentListener {
 public:
  explicit SilentListener(bool hang_connects) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in a = loopback(0);
    REQUIRE(bind(fd_, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
    REQUIRE(listen(fd_, hang_connects ? 0 : 16) == 0);
    port_ = port_of(fd_);
    if (!hang_connects) return;
    // Fill the queue until a connect of our own gets no answer for 100 ms.
    for (int i = 0; i < 16; ++i) {
      int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      REQUIRE(c >= 0);
      fillers_.push_back(c);
      sockaddr_in to = loopback(port_);
      if (connect(c, reinterpret_cast<sockaddr *>(&to), sizeof to) == 0) continue;
      REQUIRE(errno == EINPROGRESS);
      pollfd p{c, POLLOUT, 0};
      if (poll(&p, 1, 100) == 0) {
        hanging_ = true;
        break;
      }
    }
    REQUIRE(hanging_);
  }
  ~SilentListener() {
    for (int c : fillers_) close(c);
    close(fd_);
  }
  SilentListener(const SilentListener &) = delete;
  SilentListener &operator=(const SilentListener &) = delete;
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  bool hanging_ = false;
  std::vector<int> fillers_;
};

ino_t inode_of(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

// Runs `f` until its socket is announced and the loop has turned `turns` more times with the
// transfer still going; then removes it and checks what SOCKETFUNCTION said.
void remove_while_waiting(Driver &d, Fetch &f, int want_what) {
  REQUIRE(curl_multi_add_handle(d.multi, f.easy) == CURLM_OK);
  CHECK(d.action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
  REQUIRE(d.run_until([&] { return !d.fds_of(f.easy).empty(); }, 3000));
  for (int i = 0; i < 10; ++i) d.step(5);
  REQUIRE_FALSE(d.is_done(f.easy));
  std::vector<curl_socket_t> fds = d.fds_of(f.easy);
  REQUIRE(fds.size() == 1);
  curl_socket_t fd = fds[0];
  REQUIRE(d.watched.count(fd) == 1);
  CHECK(d.watched[fd] == want_what);  // still where the test means to interrupt it
  ino_t ino = inode_of(fd);
  REQUIRE(ino != 0);
  size_t calls = d.socket_calls.size();

  CHECK(curl_multi_remove_handle(d.multi, f.easy) == CURLM_OK);

  // Exactly one call more: REMOVE for that socket, made while it was still open.
  REQUIRE(d.socket_calls.size() == calls + 1);
  const auto &last = d.socket_calls.back();
  CHECK(last.fd == fd);
  CHECK(last.what == CURL_POLL_REMOVE);
  CHECK(last.fd_open);
  // And the socket is gone once remove_handle returned (its number may be reused, but not
  // by the same socket).
  CHECK(inode_of(fd) != ino);
  // Nothing more comes for it while the loop turns on.
  for (int i = 0; i < 5; ++i) d.step(5);
  CHECK(d.socket_calls.size() == calls + 1);
  d.check_socket_contract();
}

}  // namespace

TEST_CASE(
    "socket contract: remove_handle while connecting: REMOVE first, then close (curl #14976)") {
  SilentListener listener(true);
  Driver d;
  Fetch f("http://127.0.0.1:" + std::to_string(listener.port()) + "/");
  curl_easy_setopt(f.easy, CURLOPT_CONNECTTIMEOUT_MS, 20000L);
  remove_while_waiting(d, f, CURL_POLL_OUT);
}

TEST_CASE(
    "socket contract: remove_handle mid TLS handshake: REMOVE first, then close (curl #17949)") {
  SilentListener listener(false);
  Driver d;
  Https f("localhost", listener.port(), "/");
  curl_easy_setopt(f.easy, CURLOPT_CONNECTTIMEOUT_MS, 20000L);
  remove_while_waiting(d, f, CURL_POLL_IN);  // the ClientHello went out, the answer is awaited
}

// curl #14280: a socket of a transfer that failed to connect was named after it was gone. A
// port nobody listens on fails at once; twenty such transfers beside a working one.
TEST_CASE(
    "socket contract: refused connects never name an unknown or closed socket (curl #14280)") {
  uint16_t port = refused_port();
  Driver d;
  std::vector<std::unique_ptr<Fetch>> fs;
  for (int i = 0; i < 20; ++i) {
    fs.push_back(make("http://127.0.0.1:" + std::to_string(port) + "/"));
    REQUIRE(curl_multi_add_handle(d.multi, fs.back()->easy) == CURLM_OK);
  }
  fs.push_back(make(server().raw_url("/ok/10")));
  REQUIRE(curl_multi_add_handle(d.multi, fs.back()->easy) == CURLM_OK);
  REQUIRE(d.run_all(10000));
  REQUIRE(d.done.size() == fs.size());
  for (auto &[easy, rc] : d.done)
    CHECK(rc == (easy == fs.back()->easy ? CURLE_OK : CURLE_COULDNT_CONNECT));
  for (auto &f : fs) CHECK(curl_multi_remove_handle(d.multi, f->easy) == CURLM_OK);
  d.cleanup();
  d.check_socket_contract();
}
