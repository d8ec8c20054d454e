// The share interface over loopback: handles in different multi handles (and threads) sharing
// a DNS cache, a cookie jar, TLS sessions and connections, each observed from the server side
// (DNS questions asked, Cookie headers received, handshakes resumed, connections accepted).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "fake_dns.h"
#include "https_fixture.h"
#include "shared_test_server.h"

using namespace evm::test;

namespace {

struct Share {
  CURLSH *sh = curl_share_init();
  explicit Share(std::initializer_list<curl_lock_data> data) {
    for (curl_lock_data d : data) REQUIRE(curl_share_setopt(sh, CURLSHOPT_SHARE, d) == CURLSHE_OK);
  }
  ~Share() { CHECK(curl_share_cleanup(sh) == CURLSHE_OK); }
};

std::string url_on(uint16_t port, const std::string &host, const std::string &path) {
  return "http://" + host + ":" + std::to_string(port) + path;
}

// A Fetch that asks `dns` for names and gives up after 10 s.
struct DnsFetch : Fetch {
  DnsFetch(const FakeDns &dns, const std::string &url) : Fetch(url) {
    REQUIRE(curl_easy_setopt(easy, CURLOPT_DNS_SERVERS, dns.servers().c_str()) == CURLE_OK);
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 10L);
  }
};

// One std::mutex per lock data; also notes a lock taken twice by one thread (which would
// deadlock an application's non-recursive mutex) and how many locks were taken.
struct Locks {
  std::mutex mutex[CURL_LOCK_DATA_LAST];
  std::atomic<std::thread::id> owner[CURL_LOCK_DATA_LAST];
  std::atomic<int> taken{0};
  std::atomic<int> recursive{0};
  std::atomic<int> unbalanced{0};

  static void lock(CURL *, curl_lock_data d, curl_lock_access, void *userp) {
    auto *self = static_cast<Locks *>(userp);
    if (self->owner[d].load() == std::this_thread::get_id()) {
      ++self->recursive;
      return;
    }
    self->mutex[d].lock();
    self->owner[d] = std::this_thread::get_id();
    ++self->taken;
  }
  static void unlock(CURL *, curl_lock_data d, void *userp) {
    auto *self = static_cast<Locks *>(userp);
    if (self->owner[d].load() != std::this_thread::get_id()) {
      ++self->unbalanced;
      return;
    }
    self->owner[d] = std::thread::id();
    self->mutex[d].unlock();
  }
  void install(CURLSH *sh) {
    curl_share_setopt(sh, CURLSHOPT_LOCKFUNC, &Locks::lock);
    curl_share_setopt(sh, CURLSHOPT_UNLOCKFUNC, &Locks::unlock);
    curl_share_setopt(sh, CURLSHOPT_USERDATA, this);
  }
};

}  // namespace

TEST_SUITE_BEGIN("share");

TEST_CASE("share DNS: a handle in another multi uses the name the first one resolved") {
  FakeDns dns;
  REQUIRE(dns.start());
  REQUIRE(dns.add("shared.test", "127.0.0.1"));
  REQUIRE(dns.add("private.test", "127.0.0.1"));
  const uint16_t port = server().http_port();
  SUBCASE("shared: asked once") {
    Share s{CURL_LOCK_DATA_DNS};
    DnsFetch a(dns, url_on(port, "shared.test", "/bytes/3"));
    DnsFetch b(dns, url_on(port, "shared.test", "/bytes/4"));
    curl_easy_setopt(a.easy, CURLOPT_SHARE, s.sh);
    curl_easy_setopt(b.easy, CURLOPT_SHARE, s.sh);
    Multi m1, m2;
    REQUIRE(run_in(m1.m, a.easy) == CURLE_OK);
    uint64_t asked = dns.queries_for("shared.test");
    CHECK(asked >= 1);
    REQUIRE(run_in(m2.m, b.easy) == CURLE_OK);
    CHECK(b.body == "abcd");
    CHECK(dns.queries_for("shared.test") == asked);
    curl_easy_setopt(a.easy, CURLOPT_SHARE, nullptr);
    curl_easy_setopt(b.easy, CURLOPT_SHARE, nullptr);
  }
  SUBCASE("not shared: each multi asks") {
    DnsFetch a(dns, url_on(port, "private.test", "/bytes/3"));
    DnsFetch b(dns, url_on(port, "private.test", "/bytes/4"));
    Multi m1, m2;
    REQUIRE(run_in(m1.m, a.easy) == CURLE_OK);
    uint64_t asked = dns.queries_for("private.test");
    REQUIRE(run_in(m2.m, b.easy) == CURLE_OK);
    CHECK(dns.queries_for("private.test") > asked);
  }
}

TEST_CASE("share COOKIE: a cookie one handle received is sent by another, in another multi") {
  TestServer &srv = server();
  Share s{CURL_LOCK_DATA_COOKIE};
  Fetch a(url_on(srv.raw_port(), "127.0.0.1", "/cookie/set?c=shared%3D1"));
  Fetch b(url_on(srv.raw_port(), "127.0.0.1", "/cookie/get"));
  Fetch c(url_on(srv.raw_port(), "127.0.0.1", "/cookie/get"));
  curl_easy_setopt(a.easy, CURLOPT_SHARE, s.sh);
  curl_easy_setopt(b.easy, CURLOPT_SHARE, s.sh);
  curl_easy_setopt(c.easy, CURLOPT_COOKIEFILE, "");  // its own jar: sees nothing
  Multi m1, m2;
  REQUIRE(run_in(m1.m, a.easy) == CURLE_OK);
  REQUIRE(run_in(m2.m, b.easy) == CURLE_OK);
  REQUIRE(run_in(m2.m, c.easy) == CURLE_OK);
  CHECK(b.body == "Cookie: shared=1\n");
  CHECK(c.body == "no cookie\n");
  curl_easy_setopt(a.easy, CURLOPT_SHARE, nullptr);
  curl_easy_setopt(b.easy, CURLOPT_SHARE, nullptr);
}

TEST_CASE("share SSL_SESSION: a handle in another multi resumes the first one's session") {
  TestServer &srv = good_server();
  SUBCASE("shared: the second handshake is resumed") {
    Share s{CURL_LOCK_DATA_SSL_SESSION};
    Https a(srv, "/bytes/5");
    Https b(srv, "/bytes/6");
    curl_easy_setopt(a.easy, CURLOPT_SHARE, s.sh);
    curl_easy_setopt(b.easy, CURLOPT_SHARE, s.sh);
    uint64_t handshakes = srv.tls_handshakes(), resumed = srv.tls_resumed();
    Multi m1, m2;
    REQUIRE(run_in(m1.m, a.easy) == CURLE_OK);
    REQUIRE(run_in(m2.m, b.easy) == CURLE_OK);
    CHECK(b.body == body_of(6));
    CHECK(srv.tls_handshakes() - handshakes == 2);
    CHECK(srv.tls_resumed() - resumed == 1);
    CHECK(b.verify_result() == 0);
    curl_easy_setopt(a.easy, CURLOPT_SHARE, nullptr);
    curl_easy_setopt(b.easy, CURLOPT_SHARE, nullptr);
  }
  SUBCASE("not shared: two full handshakes") {
    Https a(srv, "/bytes/5");
    Https b(srv, "/bytes/6");
    uint64_t resumed = srv.tls_resumed();
    Multi m1, m2;
    REQUIRE(run_in(m1.m, a.easy) == CURLE_OK);
    REQUIRE(run_in(m2.m, b.easy) == CURLE_OK);
    CHECK(srv.tls_resumed() - resumed == 0);
  }
}

TEST_CASE("share CONNECT: curl_easy_perform of another handle reuses the connection") {
  TestServer &srv = server();
  SUBCASE("shared: one connection for both") {
    Locks locks;  // outlives the share: its cleanup calls the lock function
    Share s{CURL_LOCK_DATA_CONNECT};
    locks.install(s.sh);
    Fetch a(url_on(srv.http_port(), "127.0.0.1", "/bytes/3"));
    Fetch b(url_on(srv.http_port(), "127.0.0.1", "/bytes/4"));
    curl_easy_setopt(a.easy, CURLOPT_SHARE, s.sh);
    curl_easy_setopt(b.easy, CURLOPT_SHARE, s.sh);
    uint64_t accepted = srv.connections_accepted();
    REQUIRE(curl_easy_perform(a.easy) == CURLE_OK);
    int taken = locks.taken;
    REQUIRE(curl_easy_perform(b.easy) == CURLE_OK);
    CHECK(b.body == "abcd");
    CHECK(info_long(a.easy, CURLINFO_NUM_CONNECTS) == 1);
    CHECK(info_long(b.easy, CURLINFO_NUM_CONNECTS) == 0);
    CHECK(srv.connections_accepted() - accepted == 1);
    CHECK(locks.taken > taken);  // the pool was used under CURL_LOCK_DATA_CONNECT
    CHECK(locks.recursive == 0);
    CHECK(locks.unbalanced == 0);
    curl_easy_setopt(a.easy, CURLOPT_SHARE, nullptr);
    curl_easy_setopt(b.easy, CURLOPT_SHARE, nullptr);
  }
  SUBCASE("not shared: each handle connects") {
    Fetch a(url_on(srv.http_port(), "127.0.0.1", "/bytes/3"));
    Fetch b(url_on(srv.http_port(), "127.0.0.1", "/bytes/4"));
    REQUIRE(curl_easy_perform(a.easy) == CURLE_OK);
    REQUIRE(curl_easy_perform(b.easy) == CURLE_OK);
    CHECK(info_long(b.easy, CURLINFO_NUM_CONNECTS) == 1);
  }
  SUBCASE("in an application's multi handle the multi's connections are used, and said so") {
    Share s{CURL_LOCK_DATA_CONNECT};
    Fetch a(url_on(srv.http_port(), "127.0.0.1", "/bytes/3"));
    curl_easy_setopt(a.easy, CURLOPT_SHARE, s.sh);
    std::string trace;
    curl_easy_setopt(
        a.easy, CURLOPT_DEBUGFUNCTION,
        +[](CURL *, curl_infotype type, char *data, size_t size, void *userp) {
          if (type == CURLINFO_TEXT) static_cast<std::string *>(userp)->append(data, size);
          return 0;
        });
    curl_easy_setopt(a.easy, CURLOPT_DEBUGDATA, &trace);
    curl_easy_setopt(a.easy, CURLOPT_VERBOSE, 1L);
    Multi m;
    REQUIRE(run_in(m.m, a.easy) == CURLE_OK);
    CHECK(trace.find("Connections are shared only between curl_easy_perform calls") !=
          std::string::npos);
    curl_easy_setopt(a.easy, CURLOPT_SHARE, nullptr);
  }
}

TEST_CASE("share DNS and COOKIE: two threads in curl_easy_perform loops, mutex lock callbacks") {
  FakeDns dns;
  REQUIRE(dns.start());
  REQUIRE(dns.add("threads.test", "127.0.0.1"));
  TestServer &srv = server();
  Locks locks;
  Share s{CURL_LOCK_DATA_DNS, CURL_LOCK_DATA_COOKIE};
  locks.install(s.sh);
  constexpr int kRounds = 25;
  std::atomic<int> failures{0}, missing_cookie{0};
  auto worker = [&](int id) {
    const std::string name = "t" + std::to_string(id);
    // No doctest assertion on this thread: a failed REQUIRE would throw out of it.
    Fetch f(url_on(srv.raw_port(), "threads.test", "/cookie/x"));
    curl_easy_setopt(f.easy, CURLOPT_DNS_SERVERS, dns.servers().c_str());
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT, 10L);
    curl_easy_setopt(f.easy, CURLOPT_SHARE, s.sh);
    for (int i = 0; i < kRounds; ++i) {
      // Each round sets this thread's cookie anew and must send the one it set last round.
      std::string url =
          url_on(srv.raw_port(), "threads.test", "/cookie/x?c=" + name + "%3D" + std::to_string(i));
      curl_easy_setopt(f.easy, CURLOPT_URL, url.c_str());
      f.body.clear();
      if (curl_easy_perform(f.easy) != CURLE_OK) ++failures;
      if (i > 0 && f.body.find(name + "=" + std::to_string(i - 1)) == std::string::npos)
        ++missing_cookie;
    }
    curl_easy_setopt(f.easy, CURLOPT_SHARE, nullptr);
  };
  std::thread t1(worker, 1), t2(worker, 2);
  t1.join();
  t2.join();
  CHECK(failures == 0);
  CHECK(missing_cookie == 0);
  CHECK(locks.recursive == 0);
  CHECK(locks.unbalanced == 0);
  CHECK(locks.taken > 4 * kRounds);  // at least DNS and two cookie uses per round and thread
  // Both threads' private multis asked the shared cache: the name was asked for at most once
  // per thread (both may miss at the very start), never once per round.
  CHECK(dns.queries_for("threads.test", FakeDns::kTypeA) <= 2);
  // The jar holds both threads' last cookies.
  CURL *reader = curl_easy_init();
  curl_easy_setopt(reader, CURLOPT_SHARE, s.sh);
  curl_slist *list = nullptr;
  curl_easy_getinfo(reader, CURLINFO_COOKIELIST, &list);
  std::string all;
  for (curl_slist *i = list; i; i = i->next) all += std::string(i->data) + "\n";
  curl_slist_free_all(list);
  CHECK(all.find("t1\t" + std::to_string(kRounds - 1)) != std::string::npos);
  CHECK(all.find("t2\t" + std::to_string(kRounds - 1)) != std::string::npos);
  curl_easy_cleanup(reader);
}

TEST_SUITE_END();

TEST_CASE("share CONNECT: a CONNECT_ONLY handle keeps its connection for curl_easy_send") {
  Share s{CURL_LOCK_DATA_CONNECT};
  Fetch a(server().http_url("/bytes/3"));
  curl_easy_setopt(a.easy, CURLOPT_SHARE, s.sh);
  curl_easy_setopt(a.easy, CURLOPT_CONNECT_ONLY, 1L);
  REQUIRE(curl_easy_perform(a.easy) == CURLE_OK);
  curl_socket_t fd = CURL_SOCKET_BAD;
  CHECK(curl_easy_getinfo(a.easy, CURLINFO_ACTIVESOCKET, &fd) == CURLE_OK);
  CHECK(fd != CURL_SOCKET_BAD);
  const char req[] = "GET /bytes/3 HTTP/1.1\r\nHost: x\r\n\r\n";
  size_t n = 0;
  CHECK(curl_easy_send(a.easy, req, sizeof req - 1, &n) == CURLE_OK);
  CHECK(n == sizeof req - 1);
  curl_easy_setopt(a.easy, CURLOPT_SHARE, nullptr);
}

namespace {

struct Nested {
  CURL *inner = nullptr;
  CURLcode inner_rc = CURLE_FAILED_INIT;
};

size_t perform_inner(char *, size_t size, size_t nmemb, void *userp) {
  auto *n = static_cast<Nested *>(userp);
  if (n->inner) {
    CURL *inner = n->inner;
    n->inner = nullptr;
    n->inner_rc = curl_easy_perform(inner);
  }
  return size * nmemb;
}

}  // namespace

TEST_CASE("share CONNECT: curl_easy_perform of a joined handle from inside another's callback") {
  // The outer perform holds the share's loop; the inner one runs beside it instead of waiting
  // for it forever (found by review: a hang). libcurl 7.88 completes both.
  Share s{CURL_LOCK_DATA_CONNECT};
  Fetch outer(server().http_url("/bytes/3"));
  Fetch inner(server().http_url("/bytes/4"));
  curl_easy_setopt(outer.easy, CURLOPT_SHARE, s.sh);
  curl_easy_setopt(inner.easy, CURLOPT_SHARE, s.sh);
  Nested nested{inner.easy};
  curl_easy_setopt(outer.easy, CURLOPT_WRITEFUNCTION, perform_inner);
  curl_easy_setopt(outer.easy, CURLOPT_WRITEDATA, &nested);
  CHECK(curl_easy_perform(outer.easy) == CURLE_OK);
  CHECK(nested.inner_rc == CURLE_OK);
  CHECK(inner.body == "abcd");
  curl_easy_setopt(outer.easy, CURLOPT_SHARE, nullptr);
  curl_easy_setopt(inner.easy, CURLOPT_SHARE, nullptr);
}
