// Field reports about leaked connections: under connection-cache eviction with many hosts, and
// with TLS peers that close without close_notify, every socket is closed when its connection
// goes, none lingers in CLOSE_WAIT, and the cache holds no more than CURLMOPT_MAXCONNECTS.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "https_fixture.h"
#include "multi_driver.h"
#include "proc_sockets.h"

using namespace evm::test;

namespace {

// Host names h0.test .. h15.test, all pinned to 127.0.0.1: 16 origins on one server.
struct ManyHosts {
  curl_slist *resolve = nullptr;
  int hosts;
  ManyHosts(int n, uint16_t port) : hosts(n) {
    for (int h = 0; h < n; ++h) {
      std::string entry = name(h) + ":" + std::to_string(port) + ":127.0.0.1";
      resolve = curl_slist_append(resolve, entry.c_str());
    }
  }
  ~ManyHosts() { curl_slist_free_all(resolve); }
  ManyHosts(const ManyHosts &) = delete;
  ManyHosts &operator=(const ManyHosts &) = delete;
  static std::string name(int h) { return "h" + std::to_string(h) + ".test"; }
};

struct Expect {
  CURLcode code;
  size_t body;
};

// Runs `total` transfers, at most `window` at a time, through d; `make_one(i)` builds the i-th
// and says what it must end with. Every transfer must end once, with its expected result.
template <class MakeOne>
void run_window(Driver &d, int total, int window, MakeOne make_one) {
  std::map<CURL *, std::pair<std::unique_ptr<Fetch>, Expect>> live;
  int started = 0, finished = 0, right = 0;
  size_t seen = 0;
  auto start = [&] {
    auto [fetch, expect] = make_one(started++);
    CURL *e = fetch->easy;
    live.emplace(e, std::make_pair(std::move(fetch), expect));
    REQUIRE(curl_multi_add_handle(d.multi, e) == CURLM_OK);
  };
  d.after_action = [&] {
    for (; seen < d.done.size(); ++seen) {
      auto [easy, rc] = d.done[seen];
      auto it = live.find(easy);
      if (it == live.end()) continue;
      const Expect &want = it->second.second;
      bool ok = rc == want.code && it->second.first->body.size() == want.body;
      if (!ok)
        MESSAGE("transfer ended with " << rc << " and " << it->second.first->body.size()
                                       << " bytes: " << it->second.first->error);
      right += ok;
      CHECK(curl_multi_remove_handle(d.multi, easy) == CURLM_OK);
      live.erase(it);
      ++finished;
      if (started < total) start();
    }
  };
  while (started < window && started < total) start();
  CHECK(d.action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
  REQUIRE(d.run_until([&] { return finished == total; }, 60000));
  d.after_action = nullptr;
  CHECK(right == total);
}

// The loop with nothing to do for a while: what the multi closes on its own it closes now.
void idle(Driver &d, int ms) {
  auto until = Clock::now() + std::chrono::milliseconds(ms);
  while (Clock::now() < until) d.step(10);
}

}  // namespace

// curl #22306: 16 hosts, a cache of 5 and many transfers made libcurl leave evicted
// connections' sockets open, found in CLOSE_WAIT once the servers gave up on them. A quarter
// of the hosts answer HTTP/1.0 and close, as in the report.
TEST_CASE(
    "leaks: MAXCONNECTS 5, 16 hosts, 3,000 transfers: no CLOSE_WAIT, 5 cached (curl #22306)") {
  TestServer &srv = server();
  const std::set<uint16_t> ports{srv.raw_port()};
  ManyHosts hosts(16, srv.raw_port());
  REQUIRE(client_sockets_to(ports) == 0);
  auto server_let_go = [&] { return wait_until([&] { return srv.open_connections() == 0; }); };
  REQUIRE(server_let_go());
  const int baseline = open_fd_count();  // the whole process: client, server, anything
  {
    Driver d;
    REQUIRE(curl_multi_setopt(d.multi, CURLMOPT_MAXCONNECTS, 5L) == CURLM_OK);
    run_window(d, 3000, 32, [&](int i) {
      int h = i % 16;
      bool closes = h >= 12;
      std::string url = "http://" + ManyHosts::name(h) + ":" + std::to_string(srv.raw_port()) +
                        (closes ? "/http10" : "/ok/64");
      auto f = make(url, 20000);
      curl_easy_setopt(f->easy, CURLOPT_RESOLVE, hosts.resolve);
      return std::make_pair(std::move(f), Expect{CURLE_OK, closes ? 3u : 64u});
    });
    idle(d, 200);
    int cached = client_sockets_to(ports);
    MESSAGE("client sockets while idle: " << cached);
    CHECK(cached <= 5);
    CHECK(cached >= 1);  // the cache is used at all: keep-alive hosts stay connected
    CHECK(client_sockets_to(ports, kTcpCloseWait) == 0);
    CHECK(d.watched.size() <= 5);  // the loop watches nothing the cache does not hold
    d.cleanup();
    CHECK(client_sockets_to(ports) == 0);
    d.check_socket_contract();
  }
  // Back to the descriptors the process had before, once the server has closed its ends.
  CHECK(server_let_go());
  CHECK(open_fd_count() == baseline);
}

// curl #22282: TLS connections that libcurl closed gracefully (close_notify, then waiting for
// the peer's) were never progressed under the socket API and leaked. Here 16 TLS hosts, a
// cache of 5, so most transfers evict a TLS connection; a quarter of the transfers meet a
// server that ends the connection with a FIN and no close_notify, mid-body.
TEST_CASE("leaks: TLS peers closing without close_notify leak nothing (curl #22282)") {
  TestServer &srv = good_server();
  const std::set<uint16_t> ports{srv.raw_port()};
  ManyHosts hosts(16, srv.raw_port());
  REQUIRE(client_sockets_to(ports) == 0);
  Driver d;
  REQUIRE(curl_multi_setopt(d.multi, CURLMOPT_MAXCONNECTS, 5L) == CURLM_OK);
  run_window(d, 300, 16, [&](int i) {
    int h = i % 16;
    bool cut = i % 4 == 3;
    std::string url = "https://" + ManyHosts::name(h) + ":" + std::to_string(srv.raw_port()) +
                      (cut ? "/fin-no-notify/2000" : "/ok/2000");
    auto f = make(url, 20000);
    curl_easy_setopt(f->easy, CURLOPT_RESOLVE, hosts.resolve);
    curl_easy_setopt(f->easy, CURLOPT_CAINFO, pki().ca_file.c_str());
    curl_easy_setopt(f->easy, CURLOPT_SSL_VERIFYHOST, 0L);  // the certificate names localhost
    // The cut ones end short of their Content-Length: CURLE_PARTIAL_FILE, as libcurl 7.88
    // says for a TLS peer's FIN without close_notify (seen with curl 7.88.1, OpenSSL 3).
    return std::make_pair(std::move(f),
                          cut ? Expect{CURLE_PARTIAL_FILE, 1000} : Expect{CURLE_OK, 2000});
  });
  idle(d, 200);
  int cached = client_sockets_to(ports);
  CHECK(cached <= 5);
  CHECK(client_sockets_to(ports, kTcpCloseWait) == 0);
  d.cleanup();
  CHECK(client_sockets_to(ports) == 0);
  d.check_socket_contract();
}

// The same peer on one connection at a time, with the descriptor count of the whole process
// (client and in-process server) back where it started once the server has let go.
TEST_CASE(
    "leaks: a TLS FIN without close_notify, and a TLS reset, return every descriptor (curl "
    "#22282)") {
  TestServer &srv = good_server();
  const std::set<uint16_t> ports{srv.raw_port()};
  auto server_let_go = [&] { return wait_until([&] { return srv.open_connections() == 0; }); };
  for (const char *path : {"/fin-no-notify/100000", "/reset"}) {
    CAPTURE(path);
    REQUIRE(server_let_go());
    const int baseline = open_fd_count();
    {
      Driver d;
      Https f("localhost", srv.raw_port(), path);
      curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 20000L);
      REQUIRE(curl_multi_add_handle(d.multi, f.easy) == CURLM_OK);
      REQUIRE(d.run_all(20000));
      REQUIRE(d.done.size() == 1);
      // libcurl 7.88: a FIN short of Content-Length is a partial file; a reset a receive error.
      CHECK(d.done[0].second ==
            (std::string(path) == "/reset" ? CURLE_RECV_ERROR : CURLE_PARTIAL_FILE));
      CHECK(f.error[0] != '\0');
      CHECK(f.body.size() < 100000);
      CHECK(client_sockets_to(ports) == 0);  // a failed connection is closed, not cached
      CHECK(curl_multi_remove_handle(d.multi, f.easy) == CURLM_OK);
      d.check_socket_contract();
    }
    CHECK(server_let_go());
    CHECK(open_fd_count() == baseline);
  }
}
