// curl #20377: an idle pooled HTTP/1.1 connection that the server closed was noticed only
// when the next transfer to that host tried to reuse it; until then its socket sat in
// CLOSE_WAIT. The contract (DESIGN.md, "Idle connections are watched while transfers run"):
// while any transfer runs, an idle connection keeps CURL_POLL_IN in the name of the multi's
// internal easy handle, so the server's close leads to CURL_POLL_REMOVE and the descriptor
// closed at once; with no transfer running the idle ones are unwatched (the application's
// loop runs dry) and a close that came meanwhile is read as soon as transfers run again.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "multi_driver.h"
#include "proc_sockets.h"

using namespace evm::test;

namespace {

ino_t inode_of(int fd) {
  struct stat st {};
  return fstat(fd, &st) == 0 ? st.st_ino : 0;
}

// The last SOCKETFUNCTION call for fd, or nullptr.
const EpollLoop::SocketCall *last_call(const Driver &d, curl_socket_t fd) {
  for (auto it = d.socket_calls.rbegin(); it != d.socket_calls.rend(); ++it)
    if (it->fd == fd) return &*it;
  return nullptr;
}

// Client sockets to the raw listener, the one /idle-close and /stall live on.
int raw_clients(int state = 0) {
  return client_sockets_to({server().raw_port()}, state);
}

}  // namespace

TEST_CASE("idle close: a pooled connection the server closes is released at once (curl #20377)") {
  TestServer &srv = server();
  constexpr int kConns = 4;
  Driver d;
  // A transfer that keeps running (the server never answers it) all through the test.
  auto busy = make(srv.raw_url("/stall"), 20000);
  REQUIRE(curl_multi_add_handle(d.multi, busy->easy) == CURLM_OK);
  // Four connections at once; the server closes each 300 ms after its response.
  std::vector<std::unique_ptr<Fetch>> fs;
  for (int i = 0; i < kConns; ++i) {
    fs.push_back(make(srv.raw_url("/idle-close/300"), 10000));
    REQUIRE(curl_multi_add_handle(d.multi, fs.back()->easy) == CURLM_OK);
  }
  REQUIRE(d.run_until([&] { return d.done.size() == size_t{kConns}; }, 5000));
  std::vector<curl_socket_t> fds;
  std::vector<ino_t> inodes;
  for (auto &f : fs) {
    CHECK(*d.result_of(f->easy) == CURLE_OK);
    CHECK(f->body == "ok");
    CHECK(curl_multi_remove_handle(d.multi, f->easy) == CURLM_OK);
    for (curl_socket_t fd : d.fds_of(f->easy)) {
      fds.push_back(fd);
      inodes.push_back(inode_of(fd));
    }
  }
  REQUIRE(fds.size() == size_t{kConns});
  REQUIRE(raw_clients() == kConns + 1);  // the four are in the pool, beside /stall's

  // Kept in the pool, each stays watched for reading (its interest did not change, so no call
  // said so: SOCKETFUNCTION reports changes only).
  for (curl_socket_t fd : fds) {
    CAPTURE(fd);
    REQUIRE(d.watched.count(fd) == 1);
    CHECK(d.watched[fd] == CURL_POLL_IN);
  }

  // Only /stall runs: the loop waits, and the server's closes are seen as they come.
  REQUIRE(d.run_until([&] { return raw_clients() == 1; }, 3000));
  CHECK_FALSE(d.is_done(busy->easy));
  for (size_t i = 0; i < fds.size(); ++i) {
    CAPTURE(fds[i]);
    CHECK(inode_of(fds[i]) != inodes[i]);  // closed (its number may serve another socket)
    CHECK(d.watched.count(fds[i]) == 0);
    const EpollLoop::SocketCall *c = last_call(d, fds[i]);
    REQUIRE(c != nullptr);
    CHECK(c->what == CURL_POLL_REMOVE);
    CHECK(c->fd_open);
    // In the name of the multi's internal handle: the removed ones may be freed by now.
    CHECK(c->easy != nullptr);
    CHECK(c->easy != busy->easy);
    for (auto &f : fs) CHECK(c->easy != f->easy);
  }
  CHECK(raw_clients(kTcpCloseWait) == 0);

  // The next transfer to that host connects afresh and succeeds.
  uint64_t accepted = srv.connections_accepted();
  auto again = make(srv.raw_url("/ok/5"), 10000);
  REQUIRE(curl_multi_add_handle(d.multi, again->easy) == CURLM_OK);
  REQUIRE(d.run_until([&] { return d.is_done(again->easy); }, 5000));
  CHECK(*d.result_of(again->easy) == CURLE_OK);
  CHECK(again->body == "abcde");
  CHECK(srv.connections_accepted() - accepted == 1);
  CHECK(curl_multi_remove_handle(d.multi, again->easy) == CURLM_OK);
  CHECK(curl_multi_remove_handle(d.multi, busy->easy) == CURLM_OK);
  d.check_socket_contract();
}

// With nothing running the loop must be able to run dry: the idle connection is unwatched.
// The server closes it meanwhile; the next transfer watches idle connections again, the close
// is read at once, and the transfer runs on a connection of its own.
TEST_CASE(
    "idle close: with no transfer running idle connections are unwatched, and the close is read "
    "later (curl #20377)") {
  TestServer &srv = server();
  Driver d;
  auto first = make(srv.raw_url("/idle-close/100"), 10000);
  REQUIRE(curl_multi_add_handle(d.multi, first->easy) == CURLM_OK);
  REQUIRE(d.run_all(5000));
  CHECK(curl_multi_remove_handle(d.multi, first->easy) == CURLM_OK);
  std::vector<curl_socket_t> fds = d.fds_of(first->easy);
  REQUIRE(fds.size() == 1);
  CHECK(d.watched.empty());  // nothing to wait for: the application's loop may end
  // Unwatched with a REMOVE that names a handle, never NULL (applications read
  // CURLINFO_PRIVATE from it): the multi's internal one, as while it was watched.
  const EpollLoop::SocketCall *unwatched = last_call(d, fds[0]);
  REQUIRE(unwatched != nullptr);
  CHECK(unwatched->what == CURL_POLL_REMOVE);
  CHECK(unwatched->easy != nullptr);
  CHECK_FALSE(d.timer_armed());
  // The server closes it; pooled and unwatched, it sits in CLOSE_WAIT until looked at.
  REQUIRE(wait_until([&] { return raw_clients(kTcpCloseWait) == 1; }));

  uint64_t accepted = srv.connections_accepted();
  auto second = make(srv.raw_url("/ok/4"), 10000);
  REQUIRE(curl_multi_add_handle(d.multi, second->easy) == CURLM_OK);
  REQUIRE(d.run_all(5000));
  CHECK(*d.result_of(second->easy) == CURLE_OK);
  CHECK(second->body == "abcd");
  CHECK(srv.connections_accepted() - accepted == 1);  // not the dead one
  CHECK(raw_clients(kTcpCloseWait) == 0);
  CHECK(curl_multi_remove_handle(d.multi, second->easy) == CURLM_OK);
  d.check_socket_contract();
}
