// Name resolution through c-ares against a loopback DNS server (CURLOPT_DNS_SERVERS): answers,
// failures, timeouts, the resolver's sockets and timers as the application sees them, query
// sharing, the cache, and the hosts file. Only names under .test and only loopback are used.
#include <curl/curl.h>
#include <doctest/doctest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "easy_fixture.h"
#include "epoll_loop.h"
#include "fake_dns.h"
#include "shared_test_server.h"
#include "timing.h"

using evm::test::Clock;
using evm::test::FakeDns;
using evm::test::Fetch;
using evm::test::ms_since;
using evm::test::server;
using evm::test::TestServer;

namespace {

std::string url_for(const std::string &host, const std::string &path) {
  return "http://" + host + ":" + std::to_string(server().http_port()) + path;
}

// A started FakeDns with the names the tests share.
struct Dns {
  FakeDns dns;
  Dns() {
    REQUIRE(dns.start());
    REQUIRE(dns.add("web.test", "127.0.0.1"));
    dns.add_silent("quiet.test");
  }
};

// A Fetch whose names go to `dns`, with a safety net so a broken engine fails instead of
// hanging curl_easy_perform.
struct DnsFetch : Fetch {
  DnsFetch(const FakeDns &dns, const std::string &url) : Fetch(url) {
    REQUIRE(curl_easy_setopt(easy, CURLOPT_DNS_SERVERS, dns.servers().c_str()) == CURLE_OK);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 5000L);
  }
};

// A multi driven with curl_multi_perform + curl_multi_poll, collecting results.
struct PollMulti {
  CURLM *multi = curl_multi_init();
  std::map<CURL *, CURLcode> results;
  int running = 0;

  ~PollMulti() { curl_multi_cleanup(multi); }

  void add(CURL *easy) { REQUIRE(curl_multi_add_handle(multi, easy) == CURLM_OK); }
  void step() {
    REQUIRE(curl_multi_perform(multi, &running) == CURLM_OK);
    int left;
    while (CURLMsg *m = curl_multi_info_read(multi, &left)) {
      REQUIRE(m->msg == CURLMSG_DONE);
      CHECK(results.count(m->easy_handle) == 0);
      results[m->easy_handle] = m->data.result;
    }
    if (running) REQUIRE(curl_multi_poll(multi, nullptr, 0, 50, nullptr) == CURLM_OK);
  }
  // Steps until `done()` holds or `ms` pass; returns done().
  template <class Pred>
  bool run_until(Pred done, long ms) {
    return evm::test::wait_until(done, std::chrono::milliseconds(ms), [this] { step(); });
  }
  bool finished(CURL *easy) const { return results.count(easy) != 0; }
};

// What SOCKETFUNCTION said about one socket, from the call that first reported it to its
// CURL_POLL_REMOVE (descriptor numbers are reused, so one fd may have several lives).
struct SocketLife {
  curl_socket_t fd;
  int type;        // SO_TYPE, read while the socket was open
  int first_what;  // the first CURL_POLL_* reported
  int removes = 0;
  bool open = true;
};

// The shared epoll loop on a multi handle of its own, also keeping each socket's life (with its
// type) and every transfer's result.
struct ResolverLoop : evm::test::EpollLoop {
  CURLM *multi = curl_multi_init();
  std::vector<SocketLife> lives;
  std::map<CURL *, CURLcode> results;
  int running = 0;

  ResolverLoop() { attach(multi); }
  ~ResolverLoop() override { curl_multi_cleanup(multi); }

  SocketLife *open_life(curl_socket_t fd) {
    for (auto it = lives.rbegin(); it != lives.rend(); ++it)
      if (it->fd == fd) return it->open ? &*it : nullptr;
    return nullptr;
  }

  void add(CURL *easy) { REQUIRE(curl_multi_add_handle(multi, easy) == CURLM_OK); }
  // One epoll_wait of at most `cap` ms, the due socket and timer actions, then the results.
  void step(int cap = 100) {
    EpollLoop::step(multi, &running, cap);
    int left;
    while (CURLMsg *m = curl_multi_info_read(multi, &left)) {
      REQUIRE(m->msg == CURLMSG_DONE);
      results[m->easy_handle] = m->data.result;
    }
  }
  template <class Pred>
  bool run_until(Pred done, long ms) {
    return evm::test::wait_until(done, std::chrono::milliseconds(ms), [this] { step(); });
  }

 protected:
  void socket_callback(CURL *easy, curl_socket_t fd, int what, void *socketp) override {
    if (what == CURL_POLL_REMOVE) {
      SocketLife *life = nullptr;
      for (auto it = lives.rbegin(); it != lives.rend() && !life; ++it)
        if (it->fd == fd) life = &*it;
      if (!life) {
        lives.push_back({fd, -1, CURL_POLL_REMOVE});
        life = &lives.back();
      }
      ++life->removes;
      life->open = false;
      epoll_del(fd);
      return;
    }
    if (!open_life(fd)) {
      int type = -1;
      socklen_t len = sizeof type;
      if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0) type = -1;
      lives.push_back({fd, type, what});
    }
    EpollLoop::socket_callback(easy, fd, what, socketp);
  }
};

}  // namespace

TEST_CASE("a name from CURLOPT_DNS_SERVERS' server is fetched from") {
  Dns d;
  DnsFetch f(d.dns, url_for("web.test", "/bytes/10"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.status() == 200);
  CHECK(f.body == "abcdefghij");
  CHECK(d.dns.queries_for("web.test", FakeDns::kTypeA) == 1);
  char *ip = nullptr;
  REQUIRE(curl_easy_getinfo(f.easy, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK);
  REQUIRE(ip);
  CHECK(std::string(ip) == "127.0.0.1");
}

TEST_CASE("an unknown name fails with CURLE_COULDNT_RESOLVE_HOST naming the host") {
  Dns d;
  DnsFetch f(d.dns, url_for("nope.test", "/bytes/10"));
  CHECK(curl_easy_perform(f.easy) == CURLE_COULDNT_RESOLVE_HOST);
  INFO("error buffer: ", f.error);
  CHECK(std::string(f.error).find("nope.test") != std::string::npos);
  CHECK(d.dns.queries_for("nope.test") >= 1);  // the answer (NXDOMAIN) came from our server
  CHECK(f.body.empty());
}

TEST_CASE("socket_action reports the resolver's UDP socket to SOCKETFUNCTION and removes it once") {
  Dns d;
  ResolverLoop loop;
  DnsFetch f(d.dns, url_for("web.test", "/bytes/10"));
  loop.add(f.easy);
  CHECK(loop.timeout_ms == 0);
  REQUIRE(loop.run_until([&] { return loop.results.count(f.easy) != 0; }, 5000));
  CHECK(loop.results[f.easy] == CURLE_OK);
  CHECK(f.body == "abcdefghij");
  CHECK(d.dns.queries_for("web.test") >= 1);

  auto check_udp = [&] {
    int udp = 0;
    for (const SocketLife &l : loop.lives) {
      INFO("fd ", l.fd, " type ", l.type, " first ", l.first_what, " removes ", l.removes);
      CHECK(l.removes <= 1);  // never two REMOVEs for one socket
      if (l.type != SOCK_DGRAM) continue;
      ++udp;
      CHECK((l.first_what & CURL_POLL_IN) != 0);
      CHECK(l.removes == 1);  // the query is answered: c-ares closed it, the app was told once
    }
    CHECK(udp >= 1);
  };
  check_udp();
  CHECK(curl_multi_remove_handle(loop.multi, f.easy) == CURLM_OK);
  curl_multi_cleanup(loop.multi);
  loop.multi = curl_multi_init();
  check_udp();
}

TEST_CASE("50 concurrent transfers share one query and a later one is served from the cache") {
  Dns d;
  REQUIRE(d.dns.add("many.test", "127.0.0.1"));
  PollMulti m;
  std::vector<std::unique_ptr<DnsFetch>> fetches;
  for (int i = 0; i < 50; ++i) {
    fetches.push_back(
        std::make_unique<DnsFetch>(d.dns, url_for("many.test", "/bytes/" + std::to_string(i + 1))));
    m.add(fetches.back()->easy);
  }
  REQUIRE(m.run_until([&] { return m.results.size() == 50; }, 10000));
  for (size_t i = 0; i < fetches.size(); ++i) {
    CHECK(m.results[fetches[i]->easy] == CURLE_OK);
    CHECK(fetches[i]->body.size() == i + 1);
  }
  CHECK(d.dns.queries_for("many.test", FakeDns::kTypeA) == 1);
  CHECK(d.dns.queries_for("many.test", FakeDns::kTypeAAAA) <= 1);
  uint64_t before = d.dns.queries();

  // A new connection (not a reused one) has to resolve again: the cache answers.
  DnsFetch later(d.dns, url_for("many.test", "/bytes/7"));
  curl_easy_setopt(later.easy, CURLOPT_FRESH_CONNECT, 1L);
  m.add(later.easy);
  REQUIRE(m.run_until([&] { return m.finished(later.easy); }, 5000));
  CHECK(m.results[later.easy] == CURLE_OK);
  CHECK(later.body == "abcdefg");
  long connects = 0;
  curl_easy_getinfo(later.easy, CURLINFO_NUM_CONNECTS, &connects);
  CHECK(connects == 1);
  CHECK(d.dns.queries() == before);

  for (auto &f : fetches) curl_multi_remove_handle(m.multi, f->easy);
  curl_multi_remove_handle(m.multi, later.easy);
}

TEST_CASE("CURLOPT_IPRESOLVE V4 asks only for A records") {
  Dns d;
  REQUIRE(d.dns.add("v4only.test", "127.0.0.1"));
  REQUIRE(d.dns.add("dual.test", "127.0.0.1"));

  DnsFetch v4(d.dns, url_for("v4only.test", "/bytes/3"));
  curl_easy_setopt(v4.easy, CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V4));
  CHECK(curl_easy_perform(v4.easy) == CURLE_OK);
  CHECK(v4.body == "abc");
  CHECK(d.dns.queries_for("v4only.test", FakeDns::kTypeA) == 1);
  CHECK(d.dns.queries_for("v4only.test", FakeDns::kTypeAAAA) == 0);
  CHECK(d.dns.queries_for("v4only.test") == 1);

  // Control: without the option both families are asked for, so the check above means something.
  DnsFetch any(d.dns, url_for("dual.test", "/bytes/3"));
  CHECK(curl_easy_perform(any.easy) == CURLE_OK);
  CHECK(d.dns.queries_for("dual.test", FakeDns::kTypeA) == 1);
  CHECK(d.dns.queries_for("dual.test", FakeDns::kTypeAAAA) == 1);
}

// The names /etc/hosts gives 127.0.0.1, the address the test server listens on.
std::vector<std::string> hosts_file_loopback_names() {
  std::vector<std::string> names;
  std::ifstream hosts("/etc/hosts");
  std::string line;
  while (std::getline(hosts, line)) {
    std::istringstream words(line.substr(0, line.find('#')));
    std::string address, name;
    if (!(words >> address) || address != "127.0.0.1") continue;
    while (words >> name) names.push_back(name);
  }
  return names;
}

bool is_localhost_name(const std::string &name) {
  return name == "localhost" ||
         (name.size() > 10 && name.compare(name.size() - 10, 10, ".localhost") == 0);
}

TEST_CASE("localhost is resolved locally without asking the DNS server") {
  auto names = hosts_file_loopback_names();
  if (std::find(names.begin(), names.end(), "localhost") == names.end()) {
    MESSAGE("skipped: /etc/hosts has no \"127.0.0.1 localhost\" line");
    return;
  }
  Dns d;
  DnsFetch f(d.dns, url_for("localhost", "/bytes/5"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "abcde");
  CHECK(d.dns.queries() == 0);

  // Control: the same handle setup does reach the server for a name not in the hosts file.
  DnsFetch other(d.dns, url_for("web.test", "/bytes/5"));
  CHECK(curl_easy_perform(other.easy) == CURLE_OK);
  CHECK(d.dns.queries() >= 1);
}

TEST_CASE("a name listed in /etc/hosts is resolved from the file and not by the DNS server") {
  // localhost alone no longer proves the hosts file is read (the engine answers it itself), so
  // this takes another name the file maps to 127.0.0.1; the DNS server would say NXDOMAIN.
  std::string name;
  for (const std::string &n : hosts_file_loopback_names())
    if (!is_localhost_name(n)) {
      name = n;
      break;
    }
  if (name.empty()) {
    MESSAGE("skipped: /etc/hosts maps no name but localhost to 127.0.0.1");
    return;
  }
  INFO("hosts file name: ", name);
  Dns d;
  DnsFetch f(d.dns, url_for(name, "/bytes/5"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "abcde");
  CHECK(d.dns.queries_for(name) == 0);
}

TEST_CASE("CURLOPT_DNS_SERVERS rejects what is not a server list") {
  CURL *easy = curl_easy_init();
  CHECK(curl_easy_setopt(easy, CURLOPT_DNS_SERVERS, "not a server list!!") ==
        CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(easy, CURLOPT_DNS_SERVERS, "127.0.0.1:5353,[::1]:53") == CURLE_OK);
  CHECK(curl_easy_setopt(easy, CURLOPT_DNS_SERVERS, "") == CURLE_OK);
  CHECK(curl_easy_setopt(easy, CURLOPT_DNS_SERVERS, static_cast<const char *>(nullptr)) ==
        CURLE_OK);
  curl_easy_cleanup(easy);
}

TEST_CASE("an unanswered lookup ends at CURLOPT_CONNECTTIMEOUT_MS as a resolve timeout") {
  Dns d;
  DnsFetch f(d.dns, url_for("quiet.test", "/bytes/10"));
  curl_easy_setopt(f.easy, CURLOPT_CONNECTTIMEOUT_MS, 300L);
  auto start = Clock::now();
  CHECK(curl_easy_perform(f.easy) == CURLE_OPERATION_TIMEDOUT);
  long took = ms_since(start);
  INFO("took ", took, " ms; error buffer: ", f.error);
  CHECK(took >= 290);
  CHECK(took < 1000);
  std::string error = f.error;
  CHECK(error.find("esolv") != std::string::npos);  // "Resolving timed out after ..."
  CHECK(error.find("timed out") != std::string::npos);
  CHECK(d.dns.queries_for("quiet.test") >= 1);
}

TEST_CASE("a handle removed while its name resolves leaves the multi working") {
  Dns d;
  PollMulti m;
  DnsFetch first(d.dns, url_for("quiet.test", "/bytes/10"));
  DnsFetch second(d.dns, url_for("quiet.test", "/bytes/10"));
  m.add(first.easy);
  m.add(second.easy);
  REQUIRE(m.run_until([&] { return d.dns.queries_for("quiet.test") >= 1; }, 2000));
  CHECK(curl_multi_remove_handle(m.multi, first.easy) == CURLM_OK);

  DnsFetch good(d.dns, url_for("web.test", "/bytes/10"));
  m.add(good.easy);
  REQUIRE(m.run_until([&] { return m.finished(good.easy); }, 5000));
  CHECK(m.results[good.easy] == CURLE_OK);
  CHECK(good.body == "abcdefghij");
  CHECK(m.running == 1);  // `second` still waits for its answer
  CHECK(!m.finished(first.easy));
  CHECK(!m.finished(second.easy));
  CHECK(curl_multi_remove_handle(m.multi, second.easy) == CURLM_OK);

  // The removed handle is clean: it resolves again (a new connection, not the idle one).
  curl_easy_setopt(first.easy, CURLOPT_URL, url_for("web.test", "/bytes/4").c_str());
  curl_easy_setopt(first.easy, CURLOPT_FRESH_CONNECT, 1L);
  m.add(first.easy);
  REQUIRE(m.run_until([&] { return m.finished(first.easy); }, 5000));
  CHECK(m.results[first.easy] == CURLE_OK);
  CHECK(first.body == "abcd");
  long connects = 0;
  curl_easy_getinfo(first.easy, CURLINFO_NUM_CONNECTS, &connects);
  CHECK(connects == 1);
  curl_multi_remove_handle(m.multi, good.easy);
  curl_multi_remove_handle(m.multi, first.easy);
}

TEST_CASE("TIMERFUNCTION carries c-ares' retry timeout while a lookup goes unanswered") {
  Dns d;
  ResolverLoop loop;
  DnsFetch f(d.dns, url_for("quiet.test", "/bytes/10"));
  // Far beyond any c-ares retry interval, so a short timer can only come from the resolver.
  curl_easy_setopt(f.easy, CURLOPT_CONNECTTIMEOUT_MS, 120000L);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 0L);
  loop.add(f.easy);
  REQUIRE(loop.run_until([&] { return d.dns.queries_for("quiet.test") >= 1; }, 2000));
  for (int i = 0; i < 3; ++i) loop.step(20);  // let the first round of sends settle
  uint64_t sent = d.dns.queries_for("quiet.test");
  long armed = loop.timeout_ms;
  auto armed_at = loop.deadline - std::chrono::milliseconds(armed < 0 ? 0 : armed);
  INFO("timer calls so far: ", loop.timer_calls.size(), ", last ", armed);
  REQUIRE(armed != -1);
  CHECK(armed > 0);
  REQUIRE(armed <= 30000);  // c-ares' per-try timeout (resolv.conf caps it at 30 s)

  // When that timer fires, c-ares sends the question again; not before.
  REQUIRE(loop.run_until([&] { return d.dns.queries_for("quiet.test") > sent; }, armed + 2000));
  long waited = static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - armed_at).count());
  CHECK(waited >= armed - 50);
  CHECK(loop.results.count(f.easy) == 0);
  CHECK(loop.timeout_ms != -1);  // the next retry is armed again
  CHECK(curl_multi_remove_handle(loop.multi, f.easy) == CURLM_OK);
}
