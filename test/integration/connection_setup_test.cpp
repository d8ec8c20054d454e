// Connection set-up options over loopback: CONNECT_TO, PORT, INTERFACE, LOCALPORT(RANGE), TCP
// keep-alive, the socket callbacks (open, sockopt, close), PREREQFUNCTION, MAXAGE_CONN and
// MAXLIFETIME_CONN, DNS_CACHE_TIMEOUT, BUFFERSIZE, PIPEWAIT, and the getinfo items ACTIVESOCKET,
// LASTSOCKET, RETRY_AFTER, SCHEME and PROTOCOL. Expected values are what libcurl 7.88 does.
#include <curl/curl.h>
#include <dirent.h>
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <string>
#include <thread>
#include <vector>

#include "easy_options_fixture.h"
#include "fake_dns.h"
#include "fd_capture.h"
#include "ipv6_loopback.h"
#include "scripted_server.h"

using namespace evm::test;

namespace {

std::string port_str() {
  return std::to_string(server().http_port());
}

// A list the test owns for the handle's lifetime (libcurl borrows slists).
struct Slist {
  curl_slist *list = nullptr;
  explicit Slist(std::initializer_list<std::string> items) {
    for (const auto &s : items) list = curl_slist_append(list, s.c_str());
  }
  ~Slist() { curl_slist_free_all(list); }
};

// Open descriptors of this process, to show nothing leaked.
int open_fds() {
  int n = 0;
  if (DIR *d = opendir("/proc/self/fd")) {
    while (readdir(d)) ++n;
    closedir(d);
  }
  return n;
}

int sockopt_int(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  if (getsockopt(fd, level, name, &v, &len) != 0) return -2;
  return v;
}

// What the socket callbacks saw, in order: O(pen), S(ockopt), C(lose).
struct SocketLog {
  std::string order;
  std::vector<curl_socket_t> opened, closed;
  curl_sockaddr seen{};
  int purpose = -1;
  int sockopt_answer = CURL_SOCKOPT_OK;
  bool open_fails = false;
  bool connect_in_open = false;  // the application connects the socket itself
  uint16_t move_to_port = 0;     // the application sends the socket to this port instead
  int keepalive = -1, keepidle = -1, keepintvl = -1;
};

curl_socket_t log_open(void *p, curlsocktype purpose, curl_sockaddr *a) {
  auto *log = static_cast<SocketLog *>(p);
  log->order += 'O';
  log->purpose = purpose;
  std::memcpy(&log->seen, a, sizeof log->seen);
  if (log->open_fails) return CURL_SOCKET_BAD;
  if (log->move_to_port)
    reinterpret_cast<sockaddr_in *>(&a->addr)->sin_port = htons(log->move_to_port);
  curl_socket_t fd = socket(a->family, a->socktype, a->protocol);
  if (log->connect_in_open) connect(fd, &a->addr, a->addrlen);
  log->opened.push_back(fd);
  return fd;
}

int log_sockopt(void *p, curl_socket_t fd, curlsocktype purpose) {
  auto *log = static_cast<SocketLog *>(p);
  log->order += 'S';
  log->purpose = purpose;
  log->keepalive = sockopt_int(fd, SOL_SOCKET, SO_KEEPALIVE);
  log->keepidle = sockopt_int(fd, IPPROTO_TCP, TCP_KEEPIDLE);
  log->keepintvl = sockopt_int(fd, IPPROTO_TCP, TCP_KEEPINTVL);
  return log->sockopt_answer;
}

int log_close(void *p, curl_socket_t fd) {
  auto *log = static_cast<SocketLog *>(p);
  log->order += 'C';
  log->closed.push_back(fd);
  return close(fd);
}

void watch_sockets(CURL *e, SocketLog &log, bool open = true) {
  if (open) {
    curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, log_open);
    curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, &log);
  }
  curl_easy_setopt(e, CURLOPT_SOCKOPTFUNCTION, log_sockopt);
  curl_easy_setopt(e, CURLOPT_SOCKOPTDATA, &log);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, log_close);
  curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, &log);
}

curl_socket_t active_socket(CURL *e) {
  curl_socket_t s = 12345;
  curl_easy_getinfo(e, CURLINFO_ACTIVESOCKET, &s);
  return s;
}

}  // namespace

TEST_CASE("CONNECT_TO sends a made-up host's request to the test server, Host header kept") {
  Slist to({"made.up.example:80:127.0.0.1:" + port_str()});
  Fetch f("http://made.up.example/echo");
  CHECK(curl_easy_setopt(f.easy, CURLOPT_CONNECT_TO, to.list) == CURLE_OK);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(Echo(f.body).value("Host") == "made.up.example");
  CHECK(info_long(f.easy, CURLINFO_PRIMARY_PORT) == server().http_port());
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == "http://made.up.example/echo");
  // Performed again: the same route reuses the connection.
  f.body.clear();
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);
}

TEST_CASE("CONNECT_TO: empty parts match any host and port and keep the URL's") {
  uint16_t dead = refused_port();
  SUBCASE("any host, any port, new host and port") {
    Slist to({"nomatch.example::x:1", "::127.0.0.1:" + port_str()});
    Fetch f("http://MADE.up.example:" + std::to_string(dead) + "/echo");
    curl_easy_setopt(f.easy, CURLOPT_CONNECT_TO, to.list);
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(Echo(f.body).value("Host") == "MADE.up.example:" + std::to_string(dead));
  }
  SUBCASE("only the port changes") {
    Slist to({"127.0.0.1:" + std::to_string(dead) + "::" + port_str()});
    Fetch f("http://127.0.0.1:" + std::to_string(dead) + "/echo");
    curl_easy_setopt(f.easy, CURLOPT_CONNECT_TO, to.list);
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(info_long(f.easy, CURLINFO_PRIMARY_PORT) == server().http_port());
  }
  SUBCASE("an entry whose host or port does not match is skipped") {
    Slist to({"other.example::127.0.0.1:" + port_str(), ":1:127.0.0.1:" + port_str()});
    Fetch f("http://127.0.0.1:" + std::to_string(dead) + "/echo");
    curl_easy_setopt(f.easy, CURLOPT_CONNECT_TO, to.list);
    CHECK(curl_easy_perform(f.easy) == CURLE_COULDNT_CONNECT);
  }
}

TEST_CASE("CONNECT_TO: a connection made without it is not reused by a request with it") {
  Fetch f(server().http_url("/bytes/10"));
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  Slist to({"::127.0.0.1:" + port_str()});
  curl_easy_setopt(f.easy, CURLOPT_CONNECT_TO, to.list);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);
  curl_easy_setopt(f.easy, CURLOPT_CONNECT_TO, nullptr);
}

TEST_CASE("CONNECT_TO with a bad port is a syntax error with libcurl's text") {
  Slist to({"::127.0.0.1:" + port_str() + "x"});
  Fetch f(server().http_url("/echo"));
  curl_easy_setopt(f.easy, CURLOPT_CONNECT_TO, to.list);
  CHECK(curl_easy_perform(f.easy) == CURLE_SETOPT_OPTION_SYNTAX);
  CHECK(std::string(f.error) ==
        "No valid port number in connect to host string (" + port_str() + "x)");
}

TEST_CASE("PORT overrides the URL's port; the Host header follows, the effective URL does not") {
  std::string url = "http://127.0.0.1:" + std::to_string(refused_port()) + "/echo";
  Fetch f(url);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_PORT, static_cast<long>(server().http_port())) ==
        CURLE_OK);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(Echo(f.body).value("Host") == "127.0.0.1:" + port_str());
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == url);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_PORT, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_PORT, 65536L) == CURLE_BAD_FUNCTION_ARGUMENT);
}

TEST_CASE("INTERFACE binds the local end; a bad one fails with libcurl's text") {
  SUBCASE("lo") {
    Fetch f(server().http_url("/bytes/10"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_INTERFACE, "lo") == CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(10));
  }
  SUBCASE("an address, with host!") {
    Fetch f(server().http_url("/bytes/10"));
    curl_easy_setopt(f.easy, CURLOPT_INTERFACE, "host!127.0.0.1");
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(info_string(f.easy, CURLINFO_LOCAL_IP) == "127.0.0.1");
  }
  SUBCASE("if! with an interface that does not exist") {
    Fetch f(server().http_url("/bytes/10"));
    curl_easy_setopt(f.easy, CURLOPT_INTERFACE, "if!nonexist0");
    CHECK(curl_easy_perform(f.easy) == CURLE_INTERFACE_FAILED);
    CHECK(std::string(f.error) == "Couldn't bind to interface 'nonexist0'");
  }
  SUBCASE("a plain name that is neither interface nor address") {
    Fetch f(server().http_url("/bytes/10"));
    curl_easy_setopt(f.easy, CURLOPT_INTERFACE, "nonexist0");
    CHECK(curl_easy_perform(f.easy) == CURLE_INTERFACE_FAILED);
    CHECK(std::string(f.error) == "Couldn't bind to 'nonexist0'");
  }
  SUBCASE("an address this host does not have") {
    Fetch f(server().http_url("/bytes/10"));
    curl_easy_setopt(f.easy, CURLOPT_INTERFACE, "192.0.2.1");
    CHECK(curl_easy_perform(f.easy) == CURLE_INTERFACE_FAILED);
    CHECK(std::string(f.error) == "bind failed with errno 99: Cannot assign requested address");
  }
}

TEST_CASE("LOCALPORT and LOCALPORTRANGE pick the local port") {
  uint16_t base = refused_port();
  SUBCASE("within the range") {
    Fetch f(server().http_url("/bytes/10"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_LOCALPORT, static_cast<long>(base)) == CURLE_OK);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_LOCALPORTRANGE, 10L) == CURLE_OK);
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    long port = info_long(f.easy, CURLINFO_LOCAL_PORT);
    CHECK(port >= base);
    CHECK(port < base + 10);
  }
  SUBCASE("a port in use moves on to the next, or fails at the range's end") {
    int holder = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a = loopback(0);
    a.sin_addr.s_addr = htonl(INADDR_ANY);
    a.sin_port = htons(base);
    REQUIRE(bind(holder, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
    {
      Fetch f(server().http_url("/bytes/10"));
      curl_easy_setopt(f.easy, CURLOPT_LOCALPORT, static_cast<long>(base));
      CHECK(curl_easy_perform(f.easy) == CURLE_INTERFACE_FAILED);
      CHECK(std::string(f.error) == "bind failed with errno 98: Address already in use");
    }
    {
      Fetch f(server().http_url("/bytes/10"));
      curl_easy_setopt(f.easy, CURLOPT_LOCALPORT, static_cast<long>(base));
      curl_easy_setopt(f.easy, CURLOPT_LOCALPORTRANGE, 20L);
      CHECK(curl_easy_perform(f.easy) == CURLE_OK);
      long port = info_long(f.easy, CURLINFO_LOCAL_PORT);
      CHECK(port > base);
      CHECK(port < base + 20);
    }
    close(holder);
  }
  Fetch f(server().http_url("/"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_LOCALPORT, 65536L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_LOCALPORTRANGE, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
}

TEST_CASE("TCP_KEEPALIVE, TCP_KEEPIDLE and TCP_KEEPINTVL are set on the socket") {
  SocketLog log;
  Fetch f(server().http_url("/bytes/10"));
  watch_sockets(f.easy, log, false);
  SUBCASE("set") {
    CHECK(curl_easy_setopt(f.easy, CURLOPT_TCP_KEEPALIVE, 1L) == CURLE_OK);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_TCP_KEEPIDLE, 33L) == CURLE_OK);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_TCP_KEEPINTVL, 7L) == CURLE_OK);
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    // Already set when SOCKOPTFUNCTION runs, and still there on the kept connection.
    CHECK(log.keepalive == 1);
    CHECK(log.keepidle == 33);
    CHECK(log.keepintvl == 7);
    curl_socket_t s = active_socket(f.easy);
    REQUIRE(s != CURL_SOCKET_BAD);
    CHECK(sockopt_int(s, SOL_SOCKET, SO_KEEPALIVE) == 1);
    CHECK(sockopt_int(s, IPPROTO_TCP, TCP_KEEPIDLE) == 33);
  }
  SUBCASE("off by default") {
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(log.keepalive == 0);
  }
  CHECK(curl_easy_setopt(f.easy, CURLOPT_TCP_KEEPIDLE, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
}

TEST_CASE("socket callbacks: open, sockopt, then close through the callback, nothing leaked") {
  {
    // The server and the library's one-time set-up open descriptors of their own: first.
    Fetch warm(server().http_url("/bytes/1"));
    REQUIRE(curl_easy_perform(warm.easy) == CURLE_OK);
  }
  int fds_before = open_fds();
  SocketLog log;
  {
    Fetch f(server().http_url("/bytes/100"));
    watch_sockets(f.easy, log);
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(100));
    CHECK(log.order == "OS");
    CHECK(log.purpose == CURLSOCKTYPE_IPCXN);
    CHECK(log.seen.family == AF_INET);
    CHECK(log.seen.socktype == SOCK_STREAM);
    CHECK(log.seen.protocol == IPPROTO_TCP);
    CHECK(log.seen.addrlen == sizeof(sockaddr_in));
    REQUIRE(log.opened.size() == 1);
    CHECK(active_socket(f.easy) == log.opened[0]);
    // A reused connection opens nothing.
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(log.order == "OS");
  }
  // The idle connection went with the handle, through CLOSESOCKETFUNCTION.
  CHECK(log.order == "OSC");
  CHECK(log.closed == log.opened);
  // The test server runs in this process: give it a moment to close its end too.
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while (open_fds() > fds_before && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(open_fds() <= fds_before);
}

TEST_CASE("socket callbacks: an IPv6 peer's whole address reaches OPENSOCKETFUNCTION") {
  if (!ipv6_loopback_available()) return;
  TestServerOptions o;
  o.bind_address = "::1";
  TestServer v6(o);
  REQUIRE(v6.start());
  SocketLog log;
  Fetch f(v6.http_url("/bytes/10"));
  watch_sockets(f.easy, log);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(10));
  CHECK(log.seen.family == AF_INET6);
  CHECK(log.seen.addrlen == sizeof(sockaddr_in6));
}

TEST_CASE("socket callbacks: OPENSOCKETFUNCTION may change the address") {
  SocketLog log;
  log.move_to_port = server().http_port();
  Fetch f("http://127.0.0.1:" + std::to_string(refused_port()) + "/bytes/10");
  watch_sockets(f.easy, log);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(10));
  CHECK(info_long(f.easy, CURLINFO_PRIMARY_PORT) == server().http_port());
}

TEST_CASE("socket callbacks: refusals") {
  SocketLog log;
  Fetch f(server().http_url("/bytes/10"));
  watch_sockets(f.easy, log);
  std::string where = "Failed to connect to 127.0.0.1 port " + port_str() + " after ";
  SUBCASE("OPENSOCKETFUNCTION returns CURL_SOCKET_BAD") {
    log.open_fails = true;
    CHECK(curl_easy_perform(f.easy) == CURLE_COULDNT_CONNECT);
    CHECK(std::string(f.error).rfind(where, 0) == 0);
    CHECK(std::string(f.error).find(" ms: Couldn't connect to server") != std::string::npos);
    CHECK(log.order == "O");
  }
  SUBCASE("SOCKOPTFUNCTION says error: the socket is closed through the callback") {
    log.sockopt_answer = CURL_SOCKOPT_ERROR;
    CHECK(curl_easy_perform(f.easy) == CURLE_ABORTED_BY_CALLBACK);
    CHECK(std::string(f.error).find(" ms: Operation was aborted by an application callback") !=
          std::string::npos);
    CHECK(log.order == "OSC");
    CHECK(log.closed == log.opened);
  }
  SUBCASE("SOCKOPTFUNCTION says already connected: no connect is made") {
    log.connect_in_open = true;
    log.sockopt_answer = CURL_SOCKOPT_ALREADY_CONNECTED;
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(10));
  }
}

namespace {

struct Prereq {
  int calls = 0;
  std::string peer_ip, local_ip;
  int peer_port = 0, local_port = 0;
  int answer = CURL_PREREQFUNC_OK;
  int abort_on_call = 0;  // when non-zero, that call answers ABORT
};

int on_prereq(void *p, char *peer_ip, char *local_ip, int peer_port, int local_port) {
  auto *r = static_cast<Prereq *>(p);
  ++r->calls;
  r->peer_ip = peer_ip;
  r->local_ip = local_ip;
  r->peer_port = peer_port;
  r->local_port = local_port;
  return r->calls == r->abort_on_call ? CURL_PREREQFUNC_ABORT : r->answer;
}

}  // namespace

TEST_CASE("PREREQFUNCTION sees the connection before each request; ABORT ends the transfer") {
  Prereq r;
  Fetch f(server().http_url("/echo"));
  curl_easy_setopt(f.easy, CURLOPT_PREREQFUNCTION, on_prereq);
  curl_easy_setopt(f.easy, CURLOPT_PREREQDATA, &r);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(r.calls == 1);
  CHECK(r.peer_ip == "127.0.0.1");
  CHECK(r.local_ip == "127.0.0.1");
  CHECK(r.peer_port == server().http_port());
  CHECK(r.local_port == info_long(f.easy, CURLINFO_LOCAL_PORT));
  // Again on the reused connection.
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(r.calls == 2);

  r.answer = CURL_PREREQFUNC_ABORT;
  uint64_t served = server().requests_served();
  f.body.clear();
  CHECK(curl_easy_perform(f.easy) == CURLE_ABORTED_BY_CALLBACK);
  CHECK(std::string(f.error) == "operation aborted by pre-request callback");
  CHECK(f.body.empty());
  CHECK(server().requests_served() == served);
  // The connection is not kept after an abort.
  CHECK(active_socket(f.easy) == CURL_SOCKET_BAD);
}

TEST_CASE("PREREQFUNCTION is asked again for a redirect that keeps the connection") {
  Prereq r;
  Fetch f(server().raw_url("/redir/302?to=/ok/3"));
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(f.easy, CURLOPT_PREREQFUNCTION, on_prereq);
  curl_easy_setopt(f.easy, CURLOPT_PREREQDATA, &r);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(r.calls == 2);
  // An abort on the second request ends the transfer before it is sent.
  r.calls = 0;
  r.abort_on_call = 2;
  CHECK(curl_easy_perform(f.easy) == CURLE_ABORTED_BY_CALLBACK);
  CHECK(r.calls == 2);
}

TEST_CASE("MAXAGE_CONN: a connection idle for longer is not reused") {
  Fetch f(server().http_url("/bytes/10"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_MAXAGE_CONN, 1L) == CURLE_OK);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);  // not idle for a whole second yet
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_MAXAGE_CONN, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
}

TEST_CASE("MAXLIFETIME_CONN: a connection older than that is not reused, however busy") {
  Fetch f(server().http_url("/bytes/10"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_MAXLIFETIME_CONN, 1L) == CURLE_OK);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  // Kept busy: never idle long, yet it ages.
  bool renewed = false;
  auto start = std::chrono::steady_clock::now();
  while (!renewed && std::chrono::steady_clock::now() - start < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    renewed = info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1;
  }
  CHECK(renewed);
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::seconds(1));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_MAXLIFETIME_CONN, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
}

TEST_CASE("DNS_CACHE_TIMEOUT: the resolver's cache per handle") {
  FakeDns dns;
  REQUIRE(dns.start());
  REQUIRE(dns.add("cache.test", "127.0.0.1"));
  Fetch f("http://cache.test:" + port_str() + "/bytes/10");
  curl_easy_setopt(f.easy, CURLOPT_DNS_SERVERS, dns.servers().c_str());
  curl_easy_setopt(f.easy, CURLOPT_FORBID_REUSE, 1L);  // every transfer resolves anew
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 5000L);
  auto queries_after_perform = [&] {
    REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
    return dns.queries_for("cache.test");
  };
  SUBCASE("default: the second lookup is a cache hit") {
    uint64_t first = queries_after_perform();
    CHECK(first > 0);
    CHECK(queries_after_perform() == first);
  }
  SUBCASE("0: no cache") {
    CHECK(curl_easy_setopt(f.easy, CURLOPT_DNS_CACHE_TIMEOUT, 0L) == CURLE_OK);
    uint64_t first = queries_after_perform();
    CHECK(queries_after_perform() > first);
  }
  SUBCASE("-1: forever, and 1 s: expired after two") {
    CHECK(curl_easy_setopt(f.easy, CURLOPT_DNS_CACHE_TIMEOUT, -1L) == CURLE_OK);
    uint64_t first = queries_after_perform();
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    CHECK(queries_after_perform() == first);
    curl_easy_setopt(f.easy, CURLOPT_DNS_CACHE_TIMEOUT, 1L);
    CHECK(queries_after_perform() > first);
  }
  CHECK(curl_easy_setopt(f.easy, CURLOPT_DNS_CACHE_TIMEOUT, -2L) == CURLE_BAD_FUNCTION_ARGUMENT);
}

namespace {

size_t largest_write(char *, size_t size, size_t n, void *p) {
  auto *largest = static_cast<size_t *>(p);
  if (size * n > *largest) *largest = size * n;
  return size * n;
}

}  // namespace

TEST_CASE("BUFFERSIZE bounds what one read, and so one write callback, holds") {
  auto largest_with = [](long buffersize) {
    size_t largest = 0;
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/200000").c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, largest_write);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &largest);
    if (buffersize) CHECK(curl_easy_setopt(e, CURLOPT_BUFFERSIZE, buffersize) == CURLE_OK);
    CHECK(curl_easy_perform(e) == CURLE_OK);
    curl_off_t got = info_off(e, CURLINFO_SIZE_DOWNLOAD_T);
    CHECK(got == 200000);
    curl_easy_cleanup(e);
    return largest;
  };
  CHECK(largest_with(0) > 2000);
  CHECK(largest_with(2000) <= 2000);
  CHECK(largest_with(10) <= 1024);  // below the minimum: 1024
  CHECK(largest_with(CURL_MAX_READ_SIZE) <= CURL_MAX_WRITE_SIZE);
}

TEST_CASE("PIPEWAIT toward an origin that cannot multiplex does not wait") {
  // Clear-text HTTP/1.1: no connection to it will ever carry a second stream.
  Fetch f(server().http_url("/bytes/10"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_PIPEWAIT, 1L) == CURLE_OK);
  curl_easy_setopt(f.easy, CURLOPT_VERBOSE, 1L);
  FdCapture err(STDERR_FILENO);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  std::string trace = err.finish();
  CHECK(f.body == pattern(10));
  CHECK(trace.find("PIPEWAIT") == std::string::npos);
}

TEST_CASE("getinfo: SCHEME, PROTOCOL, ACTIVESOCKET and LASTSOCKET") {
  Fetch f(server().http_url("/bytes/10"));
  const char *scheme = "unset";
  long protocol = -1, last = 0;
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_SCHEME, &scheme) == CURLE_OK);
  CHECK(scheme == nullptr);
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_PROTOCOL, &protocol) == CURLE_OK);
  CHECK(protocol == 0);
  CHECK(active_socket(f.easy) == CURL_SOCKET_BAD);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_string(f.easy, CURLINFO_SCHEME) == "HTTP");
  CHECK(info_long(f.easy, CURLINFO_PROTOCOL) == CURLPROTO_HTTP);
  curl_socket_t s = active_socket(f.easy);
  CHECK(s != CURL_SOCKET_BAD);
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_LASTSOCKET, &last) == CURLE_OK);
  CHECK(last == s);
  // A connection that is closed after the transfer leaves nothing to report.
  curl_easy_setopt(f.easy, CURLOPT_FORBID_REUSE, 1L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(active_socket(f.easy) == CURL_SOCKET_BAD);
  // A failed connect reports no scheme.
  curl_easy_setopt(f.easy, CURLOPT_URL,
                   ("http://127.0.0.1:" + std::to_string(refused_port()) + "/").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_COULDNT_CONNECT);
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_SCHEME, &scheme) == CURLE_OK);
  CHECK(scheme == nullptr);
}

namespace {

curl_socket_t socket_seen_in_write = 0;
size_t note_active_socket(char *, size_t size, size_t n, void *easy) {
  curl_easy_getinfo(static_cast<CURL *>(easy), CURLINFO_ACTIVESOCKET, &socket_seen_in_write);
  return size * n;
}

}  // namespace

TEST_CASE("getinfo: ACTIVESOCKET during the transfer is the connection's socket") {
  SocketLog log;
  CURL *e = curl_easy_init();
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/10").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, note_active_socket);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, e);
  watch_sockets(e, log);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  REQUIRE(log.opened.size() == 1);
  CHECK(socket_seen_in_write == log.opened[0]);
  curl_easy_cleanup(e);
}

TEST_CASE("getinfo: RETRY_AFTER from seconds or an HTTP-date") {
  auto retry_after = [](const std::string &value) {
    ScriptedServer s("HTTP/1.1 503 Busy\r\nRetry-After: " + value +
                     "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    Fetch f(s.url("/"));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    return info_off(f.easy, CURLINFO_RETRY_AFTER);
  };
  CHECK(retry_after("120") == 120);
  CHECK(retry_after(" 30 ") == 30);
  CHECK(retry_after("12abc") == 12);
  CHECK(retry_after("-5") == 0);
  CHECK(retry_after("soon") == 0);
  // 2037-10-21 07:28:00 UTC, about 343 million seconds ahead of the probe's day; compute it.
  curl_off_t ahead = retry_after("Wed, 21 Oct 2037 07:28:00 GMT");
  curl_off_t expected = 2139722880 - static_cast<curl_off_t>(std::time(nullptr));
  CHECK(ahead >= expected - 5);
  CHECK(ahead <= expected + 5);
  CHECK(retry_after("Wed, 21 Oct 2015 07:28:00 GMT") < 0);
  CHECK(retry_after("Sunday, 06-Nov-94 08:49:37 GMT") < 0);
  CHECK(retry_after("Sun Nov  6 08:49:37 1994") < 0);
  Fetch none(server().http_url("/bytes/1"));
  CHECK(curl_easy_perform(none.easy) == CURLE_OK);
  CHECK(info_off(none.easy, CURLINFO_RETRY_AFTER) == 0);
}
