// Every easy option and getinfo item of the foundation issue, exercised over real loopback
// sockets through the public C API only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "easy_fixture.h"
#include "shared_test_server.h"

using evm::test::collect_body;
using evm::test::Fetch;
using evm::test::TestServer;

namespace {

using Clock = std::chrono::steady_clock;

TestServer &server() { return evm::test::shared_test_server(); }

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

long ms_since(Clock::time_point t0) {
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count());
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

long info_long(CURL *e, CURLINFO what) {
  long v = -12345;
  CHECK(curl_easy_getinfo(e, what, &v) == CURLE_OK);
  return v;
}

curl_off_t info_off(CURL *e, CURLINFO what) {
  curl_off_t v = -12345;
  CHECK(curl_easy_getinfo(e, what, &v) == CURLE_OK);
  return v;
}

double info_double(CURL *e, CURLINFO what) {
  double v = -12345;
  CHECK(curl_easy_getinfo(e, what, &v) == CURLE_OK);
  return v;
}

// A NULL answer comes back as "(null)" so absent strings can be compared like the others.
std::string info_string(CURL *e, CURLINFO what) {
  char *v = nullptr;
  CHECK(curl_easy_getinfo(e, what, &v) == CURLE_OK);
  return v ? std::string(v) : std::string("(null)");
}

// What the /echo endpoints reflect: "METHOD TARGET\n", "Name: value\n" per request header,
// a blank line, then the request body.
struct Echo {
  std::string request_line;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  explicit Echo(const std::string &text) {
    size_t end = text.find("\n\n");
    std::string_view head(text.data(), end == std::string::npos ? text.size() : end);
    if (end != std::string::npos) body = text.substr(end + 2);
    size_t nl = head.find('\n');
    request_line = std::string(head.substr(0, nl));
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    while (!head.empty()) {
      nl = head.find('\n');
      std::string_view line = head.substr(0, nl);
      head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
      size_t colon = line.find(':');
      std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
  }
  int count(std::string_view name) const {
    int n = 0;
    for (const auto &h : headers) n += iequals(h.first, name) ? 1 : 0;
    return n;
  }
  std::string value(std::string_view name) const {
    for (const auto &h : headers)
      if (iequals(h.first, name)) return h.second;
    return "(absent)";
  }
};

// Header callback keeping each call's bytes as one entry.
size_t collect_lines(char *data, size_t size, size_t n, void *userp) {
  static_cast<std::vector<std::string> *>(userp)->emplace_back(data, size * n);
  return size * n;
}

size_t total_size(const std::vector<std::string> &lines) {
  size_t n = 0;
  for (const auto &l : lines) n += l.size();
  return n;
}

size_t refuse_write(char *, size_t, size_t, void *) {
  return 0;
}

// Takes all but the last byte offered.
size_t short_write(char *, size_t size, size_t n, void *) {
  return size * n > 0 ? size * n - 1 : 0;
}

std::string read_all(FILE *f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  return out;
}

// Points file descriptor `fd` (stdout or stderr) at a temporary file until finish().
class FdCapture {
 public:
  explicit FdCapture(int fd) : fd_(fd) {
    std::fflush(stdout);
    std::fflush(stderr);
    tmp_ = std::tmpfile();
    REQUIRE(tmp_ != nullptr);
    saved_ = dup(fd_);
    REQUIRE(saved_ >= 0);
    REQUIRE(dup2(fileno(tmp_), fd_) >= 0);
  }
  ~FdCapture() {
    restore();
    if (tmp_) std::fclose(tmp_);
  }
  FdCapture(const FdCapture &) = delete;
  FdCapture &operator=(const FdCapture &) = delete;

  std::string finish() {
    restore();
    return read_all(tmp_);
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stdout);
    std::fflush(stderr);
    dup2(saved_, fd_);
    close(saved_);
    saved_ = -1;
  }
  int fd_;
  int saved_ = -1;
  FILE *tmp_ = nullptr;
};

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof(a);
  if (getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0) return 0;
  return ntohs(a.sin_port);
}

// A port on which nothing listens: bound once, then closed.
uint16_t refused_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  REQUIRE(fd >= 0);
  sockaddr_in a = loopback(0);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0);
  uint16_t port = port_of(fd);
  close(fd);
  return port;
}

// A loopback server run by the test itself, one connection at a time: it records the exact
// bytes of each request and answers with `reply`, or, when `reply` is empty, says nothing
// until the client leaves or `hold_ms` has passed (then it closes the connection).
class ScriptedServer {
 public:
  explicit ScriptedServer(std::string reply, int hold_ms = 4000)
      : reply_(std::move(reply)), hold_ms_(hold_ms) {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in a = loopback(0);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0);
    REQUIRE(listen(listener_, 16) == 0);
    port_ = port_of(listener_);
    thread_ = std::thread([this] { run(); });
  }
  ~ScriptedServer() {
    stop_ = true;
    thread_.join();
    close(listener_);
  }
  ScriptedServer(const ScriptedServer &) = delete;
  ScriptedServer &operator=(const ScriptedServer &) = delete;

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  // The first request received, waiting up to a second for it.
  std::string request() {
    for (int i = 0; i < 100; ++i) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (!requests_.empty()) return requests_.front();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "(no request)";
  }

 private:
  static bool request_complete(const std::string &in) {
    size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    size_t length = 0;
    std::string_view head(in.data(), end);
    while (!head.empty()) {
      size_t nl = head.find("\r\n");
      std::string_view line = head.substr(0, nl);
      head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 2);
      if (line.size() > 15 && iequals(line.substr(0, 15), "Content-Length:"))
        length = std::stoul(std::string(line.substr(15)));
    }
    return in.size() >= end + 4 + length;
  }

  bool before(Clock::time_point deadline) const { return !stop_ && Clock::now() < deadline; }

  // Waits for input; false once the peer is gone or the time is up.
  bool read_some(int fd, std::string &in, Clock::time_point deadline) {
    while (before(deadline)) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      char buf[65536];
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) return false;
      in.append(buf, static_cast<size_t>(n));
      return true;
    }
    return false;
  }

  void serve(int fd) {
    auto deadline = Clock::now() + std::chrono::milliseconds(hold_ms_);
    std::string in;
    while (!request_complete(in))
      if (!read_some(fd, in, deadline)) break;
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(in);
    }
    if (!reply_.empty()) {
      size_t sent = 0;
      while (sent < reply_.size()) {
        ssize_t n = send(fd, reply_.data() + sent, reply_.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;
        sent += static_cast<size_t>(n);
      }
      shutdown(fd, SHUT_WR);
      deadline = Clock::now() + std::chrono::seconds(1);
    }
    std::string ignored;
    while (read_some(fd, ignored, deadline)) ignored.clear();
  }

  void run() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      int fd = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      serve(fd);
      close(fd);
    }
  }

  std::string reply_;
  int hold_ms_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

// A loopback port whose connects hang: a listener with backlog 0 that never accepts, its
// accept queue filled first so the kernel drops further SYNs. ready() is false if this
// system answered every connect anyway.
class Blackhole {
 public:
  Blackhole() {
    listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in a = loopback(0);
    REQUIRE(bind(listener_, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0);
    REQUIRE(listen(listener_, 0) == 0);
    port_ = port_of(listener_);
    a = loopback(port_);
    for (int i = 0; i < 16 && !ready_; ++i) {
      int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (s < 0) break;
      fillers_.push_back(s);
      if (connect(s, reinterpret_cast<sockaddr *>(&a), sizeof(a)) == 0) continue;
      if (errno != EINPROGRESS) break;
      pollfd p{s, POLLOUT, 0};
      if (poll(&p, 1, 100) == 0) ready_ = true;  // this one hangs, so will the next
    }
  }
  ~Blackhole() {
    for (int s : fillers_) close(s);
    close(listener_);
  }
  Blackhole(const Blackhole &) = delete;
  Blackhole &operator=(const Blackhole &) = delete;

  bool ready() const { return ready_; }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 private:
  int listener_ = -1;
  uint16_t port_ = 0;
  bool ready_ = false;
  std::vector<int> fillers_;
};

// Runs one transfer through a multi handle, giving up after limit_ms, so that a missing
// timeout fails the test instead of hanging it. nullopt: still running at the limit.
std::optional<CURLcode> perform_bounded(CURL *e, long limit_ms) {
  CURLM *m = curl_multi_init();
  REQUIRE(m != nullptr);
  REQUIRE(curl_multi_add_handle(m, e) == CURLM_OK);
  auto deadline = Clock::now() + std::chrono::milliseconds(limit_ms);
  std::optional<CURLcode> result;
  while (!result && Clock::now() < deadline) {
    int running = 0;
    CHECK(curl_multi_perform(m, &running) == CURLM_OK);
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(m, &left))
      if (msg->msg == CURLMSG_DONE && msg->easy_handle == e) result = msg->data.result;
    if (!result) curl_multi_poll(m, nullptr, 0, 20, nullptr);
  }
  curl_multi_remove_handle(m, e);
  curl_multi_cleanup(m);
  return result;
}

// Progress callback state, reached through XFERINFODATA.
struct Progress {
  int calls = 0;
  int abort_on_call = 0;  // return non-zero from this call on (1-based); 0: never
  bool monotonic = true;
  curl_off_t max_dltotal = 0, last_dlnow = 0;
};

std::atomic<int> progress_without_data{0};

int on_progress(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t, curl_off_t) {
  auto *p = static_cast<Progress *>(clientp);
  if (!p) {
    ++progress_without_data;
    return 0;
  }
  ++p->calls;
  if (dlnow < p->last_dlnow) p->monotonic = false;
  p->last_dlnow = dlnow;
  if (dltotal > p->max_dltotal) p->max_dltotal = dltotal;
  return p->abort_on_call != 0 && p->calls >= p->abort_on_call ? 1 : 0;
}

// Records the pointer it is given and every chunk's size.
struct WriteLog {
  std::string body;
  size_t max_chunk = 0;
  bool size_is_one = true;
};

size_t log_write(char *data, size_t size, size_t n, void *userp) {
  auto *log = static_cast<WriteLog *>(userp);
  if (size != 1) log->size_is_one = false;
  if (size * n > log->max_chunk) log->max_chunk = size * n;
  log->body.append(data, size * n);
  return size * n;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// URL, write and header delivery

TEST_CASE("URL selects what is fetched and EFFECTIVE_URL reports it") {
  const std::string url = server().http_url("/bytes/321?x=1");
  Fetch f(url);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(321));
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == url);
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
}

TEST_CASE("a handle without URL fails with CURLE_URL_MALFORMAT") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
  CHECK(curl_easy_perform(e) == CURLE_URL_MALFORMAT);
  CHECK(std::strlen(error) > 0);
  curl_easy_cleanup(e);
}

TEST_CASE("WRITEFUNCTION gets WRITEDATA, size 1 and at most CURL_MAX_WRITE_SIZE per call") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  WriteLog log;
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/100000").c_str());
  CHECK(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, log_write) == CURLE_OK);
  CHECK(curl_easy_setopt(e, CURLOPT_WRITEDATA, &log) == CURLE_OK);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(log.body == pattern(100000));
  CHECK(log.size_is_one);
  CHECK(log.max_chunk > 0);
  CHECK(log.max_chunk <= CURL_MAX_WRITE_SIZE);
  curl_easy_cleanup(e);
}

TEST_CASE("without WRITEFUNCTION the body is fwrite()n to the FILE* in WRITEDATA") {
  FILE *out = std::tmpfile();
  REQUIRE(out);
  CURL *e = curl_easy_init();
  REQUIRE(e);
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/70000").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(read_all(out) == pattern(70000));
  curl_easy_cleanup(e);
  std::fclose(out);
}

TEST_CASE("without WRITEFUNCTION and WRITEDATA the body goes to stdout") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/3000").c_str());
  std::string captured;
  CURLcode rc;
  {
    FdCapture cap(STDOUT_FILENO);
    rc = curl_easy_perform(e);
    captured = cap.finish();
  }
  CHECK(rc == CURLE_OK);
  CHECK(captured == pattern(3000));
  curl_easy_cleanup(e);
}

TEST_CASE("without header options, headers never reach the write callback") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  std::string body;
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/50").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == pattern(50));
  curl_easy_cleanup(e);
}

TEST_CASE("HEADERFUNCTION gets each line, status line and final blank line included") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  std::vector<std::string> lines;
  std::string body;
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/100").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  CHECK(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, collect_lines) == CURLE_OK);
  CHECK(curl_easy_setopt(e, CURLOPT_HEADERDATA, &lines) == CURLE_OK);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == pattern(100));
  REQUIRE(lines.size() >= 3);
  CHECK(lines.front().rfind("HTTP/1.1 200", 0) == 0);
  CHECK(lines.back() == "\r\n");
  bool one_line_per_call = true;
  bool saw_length = false;
  for (const auto &l : lines) {
    if (l.size() < 2 || l.substr(l.size() - 2) != "\r\n" || l.find('\n') != l.size() - 1)
      one_line_per_call = false;
    if (iequals(l, "Content-Length: 100\r\n")) saw_length = true;
  }
  CHECK(one_line_per_call);
  CHECK(saw_length);
  // HEADER_SIZE counts exactly the bytes the header callback saw.
  CHECK(info_long(e, CURLINFO_HEADER_SIZE) == static_cast<long>(total_size(lines)));
  curl_easy_cleanup(e);
}

TEST_CASE("1xx interim responses reach the header callback too") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  std::vector<std::string> lines;
  std::string body;
  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/continue").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, collect_lines);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &lines);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == "ok");
  const std::vector<std::string> expected = {
      "HTTP/1.1 100 Continue\r\n", "\r\n", "HTTP/1.1 200 OK\r\n", "Content-Length: 2\r\n", "\r\n"};
  CHECK(lines == expected);
  CHECK(info_long(e, CURLINFO_RESPONSE_CODE) == 200);
  CHECK(info_long(e, CURLINFO_HEADER_SIZE) == static_cast<long>(total_size(expected)));
  curl_easy_cleanup(e);
}

TEST_CASE("HEADERDATA alone sends header lines through the write path") {
  SUBCASE("to the FILE* when there is no WRITEFUNCTION either") {
    FILE *body = std::tmpfile();
    FILE *head = std::tmpfile();
    REQUIRE(body);
    REQUIRE(head);
    CURL *e = curl_easy_init();
    REQUIRE(e);
    curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/40").c_str());
    curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, head);
    CHECK(curl_easy_perform(e) == CURLE_OK);
    std::string h = read_all(head);
    CHECK(read_all(body) == pattern(40));
    CHECK(h.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(contains(h, "Content-Length: 40\r\n"));
    CHECK(h.size() >= 4);
    CHECK(h.substr(h.size() - 4) == "\r\n\r\n");
    CHECK(info_long(e, CURLINFO_HEADER_SIZE) == static_cast<long>(h.size()));
    curl_easy_cleanup(e);
    std::fclose(body);
    std::fclose(head);
  }
  SUBCASE("to WRITEFUNCTION, with the HEADERDATA pointer") {
    CURL *e = curl_easy_init();
    REQUIRE(e);
    std::string body, head;
    curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/40").c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &head);
    CHECK(curl_easy_perform(e) == CURLE_OK);
    CHECK(body == pattern(40));
    CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(contains(head, "Content-Length: 40\r\n"));
    curl_easy_cleanup(e);
  }
}

// ---------------------------------------------------------------------------------------
// PRIVATE, NOSIGNAL, ERRORBUFFER, VERBOSE, TCP_NODELAY

TEST_CASE("PRIVATE is handed back by CURLINFO_PRIVATE") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  void *got = reinterpret_cast<void *>(1);
  CHECK(curl_easy_getinfo(e, CURLINFO_PRIVATE, &got) == CURLE_OK);
  CHECK(got == nullptr);
  int tag = 0;
  CHECK(curl_easy_setopt(e, CURLOPT_PRIVATE, &tag) == CURLE_OK);
  CHECK(curl_easy_getinfo(e, CURLINFO_PRIVATE, &got) == CURLE_OK);
  CHECK(got == &tag);
  // ... also after a transfer, the classic way (char *).
  std::string body;
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/5").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  char *as_char = nullptr;
  CHECK(curl_easy_getinfo(e, CURLINFO_PRIVATE, &as_char) == CURLE_OK);
  CHECK(static_cast<void *>(as_char) == &tag);
  curl_easy_cleanup(e);
}

TEST_CASE("NOSIGNAL and TCP_NODELAY are accepted and transfers work with either setting") {
  for (long v : {0L, 1L}) {
    CAPTURE(v);
    Fetch f(server().http_url("/bytes/20000"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_NOSIGNAL, v) == CURLE_OK);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_TCP_NODELAY, v) == CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(20000));
  }
}

TEST_CASE("ERRORBUFFER is cleared on success and explains a failure") {
  Fetch f(server().http_url("/bytes/5"));
  std::strcpy(f.error, "stale text");
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(std::string(f.error).empty());

  std::string refused = "http://127.0.0.1:" + std::to_string(refused_port()) + "/";
  curl_easy_setopt(f.easy, CURLOPT_URL, refused.c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_COULDNT_CONNECT);
  size_t len = strnlen(f.error, CURL_ERROR_SIZE);
  CHECK(len > 0);
  CHECK(len < CURL_ERROR_SIZE);
}

TEST_CASE("VERBOSE traces the request and response heads to stderr") {
  Fetch f(server().http_url("/bytes/10"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_VERBOSE, 1L) == CURLE_OK);
  std::string trace;
  CURLcode rc;
  {
    FdCapture cap(STDERR_FILENO);
    rc = curl_easy_perform(f.easy);
    trace = cap.finish();
  }
  CHECK(rc == CURLE_OK);
  CAPTURE(trace);
  CHECK(contains(trace, "> GET /bytes/10 HTTP/1.1"));
  CHECK(contains(trace, "< HTTP/1.1 200"));
  CHECK(f.body == pattern(10));

  // And says nothing once switched off.
  curl_easy_setopt(f.easy, CURLOPT_VERBOSE, 0L);
  f.body.clear();
  {
    FdCapture cap(STDERR_FILENO);
    rc = curl_easy_perform(f.easy);
    trace = cap.finish();
  }
  CHECK(rc == CURLE_OK);
  CHECK(trace.empty());
}

// ---------------------------------------------------------------------------------------
// Progress

TEST_CASE("XFERINFOFUNCTION is not called while NOPROGRESS is 1 (the default)") {
  // Two transfers side by side, so both cases share the one second it takes to see a call:
  // one left at the default, one switched to 0 and back to 1.
  Fetch by_default(server().http_url("/delay/1100"));
  Fetch switched_back(server().http_url("/delay/1100"));
  Progress p;
  for (Fetch *f : {&by_default, &switched_back}) {
    curl_easy_setopt(f->easy, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(f->easy, CURLOPT_XFERINFODATA, &p);
    curl_easy_setopt(f->easy, CURLOPT_TIMEOUT_MS, 4000L);
  }
  CHECK(curl_easy_setopt(switched_back.easy, CURLOPT_NOPROGRESS, 0L) == CURLE_OK);
  CHECK(curl_easy_setopt(switched_back.easy, CURLOPT_NOPROGRESS, 1L) == CURLE_OK);
  progress_without_data = 0;
  CURLM *m = curl_multi_init();
  REQUIRE(m);
  curl_multi_add_handle(m, by_default.easy);
  curl_multi_add_handle(m, switched_back.easy);
  int done = 0;
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (done < 2 && Clock::now() < deadline) {
    int running = 0;
    curl_multi_perform(m, &running);
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(m, &left)) {
      CHECK(msg->data.result == CURLE_OK);
      ++done;
    }
    if (done < 2) curl_multi_poll(m, nullptr, 0, 50, nullptr);
  }
  curl_multi_remove_handle(m, by_default.easy);
  curl_multi_remove_handle(m, switched_back.easy);
  curl_multi_cleanup(m);
  CHECK(done == 2);
  CHECK(by_default.body == "ok\n");
  CHECK(switched_back.body == "ok\n");
  CHECK(p.calls == 0);
  CHECK(progress_without_data == 0);
}

TEST_CASE("XFERINFOFUNCTION reports progress to XFERINFODATA while NOPROGRESS is 0") {
  Fetch f(server().raw_url("/slow/30"));
  Progress p;
  CHECK(curl_easy_setopt(f.easy, CURLOPT_NOPROGRESS, 0L) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_XFERINFOFUNCTION, on_progress) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_XFERINFODATA, &p) == CURLE_OK);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 5000L);
  progress_without_data = 0;
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(30));
  CHECK(progress_without_data == 0);
  CHECK(p.calls >= 1);
  CHECK(p.monotonic);
  CHECK(p.max_dltotal == 30);
  CHECK(p.last_dlnow > 0);
  CHECK(p.last_dlnow <= 30);
}

TEST_CASE("XFERINFOFUNCTION returning non-zero aborts with CURLE_ABORTED_BY_CALLBACK") {
  Fetch f(server().http_url("/delay/1500"));
  Progress p;
  p.abort_on_call = 1;
  curl_easy_setopt(f.easy, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(f.easy, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(f.easy, CURLOPT_XFERINFODATA, &p);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 4000L);
  auto t0 = Clock::now();
  CHECK(curl_easy_perform(f.easy) == CURLE_ABORTED_BY_CALLBACK);
  CHECK(ms_since(t0) < 1450);
  CHECK(p.calls == 1);
  CHECK(f.body.empty());
  CHECK(std::strlen(f.error) > 0);
}

// ---------------------------------------------------------------------------------------
// Request headers (raw /echo reflects them in order, names as sent)

TEST_CASE("by default the request carries Host and Accept: */* but no User-Agent") {
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.request_line == "GET /echo");
  CHECK(echo.value("Host") == "127.0.0.1:" + std::to_string(server().raw_port()));
  CHECK(echo.count("Host") == 1);
  CHECK(echo.value("Accept") == "*/*");
  CHECK(echo.count("User-Agent") == 0);
  CHECK(echo.count("Content-Length") == 0);
}

TEST_CASE("USERAGENT sets the User-Agent header") {
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_USERAGENT, "evmulti-test/1.0") == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.value("User-Agent") == "evmulti-test/1.0");
  CHECK(echo.count("User-Agent") == 1);
}

TEST_CASE("HTTPHEADER adds, replaces and removes request headers") {
  Fetch f(server().raw_url("/echo"));
  curl_slist *list = nullptr;
  SUBCASE("adds a header") {
    list = curl_slist_append(list, "X-Custom: 42");
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.value("X-Custom") == "42");
    CHECK(echo.value("Accept") == "*/*");
  }
  SUBCASE("replaces Accept, Host and User-Agent") {
    list = curl_slist_append(list, "Accept: text/html");
    list = curl_slist_append(list, "Host: fakehost.example");
    list = curl_slist_append(list, "User-Agent: custom/1");
    curl_easy_setopt(f.easy, CURLOPT_USERAGENT, "ignored/2");
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.value("Accept") == "text/html");
    CHECK(echo.count("Accept") == 1);
    CHECK(echo.value("Host") == "fakehost.example");
    CHECK(echo.count("Host") == 1);
    CHECK(echo.value("User-Agent") == "custom/1");
    CHECK(echo.count("User-Agent") == 1);
  }
  SUBCASE("\"Accept:\" removes the header") {
    list = curl_slist_append(list, "Accept:");
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.count("Accept") == 0);
    CHECK(echo.count("Host") == 1);
  }
  SUBCASE("\"X-Empty;\" sends the header with an empty value, \"X-None:\" sends nothing") {
    list = curl_slist_append(list, "X-Empty;");
    list = curl_slist_append(list, "X-None:");
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.count("X-Empty") == 1);
    CHECK(echo.value("X-Empty") == "");
    CHECK(echo.count("X-None") == 0);
  }
  curl_slist_free_all(list);
}

TEST_CASE("an empty value is sent as \"Name:\" on the wire") {
  ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
  Fetch f(s.url("/x"));
  curl_slist *list = curl_slist_append(nullptr, "X-Empty;");
  curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  std::string req = s.request();
  CAPTURE(req);
  CHECK((contains(req, "\r\nX-Empty:\r\n") || contains(req, "\r\nX-Empty: \r\n")));
  curl_slist_free_all(list);
}

// ---------------------------------------------------------------------------------------
// Methods and request bodies

TEST_CASE("POSTFIELDS sends a POST with the string as body") {
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "a=1&b=2") == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.request_line == "POST /echo");
  CHECK(echo.body == "a=1&b=2");
  CHECK(echo.value("Content-Length") == "7");
  CHECK(echo.value("Content-Type") == "application/x-www-form-urlencoded");
  CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 7);
}

TEST_CASE("POST with POSTFIELDS posts the string") {
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_POST, 1L) == CURLE_OK);
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "posted");
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.request_line == "POST /echo");
  CHECK(echo.body == "posted");
}

TEST_CASE("POSTFIELDSIZE and POSTFIELDSIZE_LARGE set the body length") {
  Fetch f(server().raw_url("/echo"));
  SUBCASE("binary data with NUL bytes") {
    static const char data[] = {'a', '\0', 'b', '\0', 'c'};
    CHECK(curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, 5L) == CURLE_OK);
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, data);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.body == std::string(data, 5));
    CHECK(echo.value("Content-Length") == "5");
    CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 5);
  }
  SUBCASE("shorter than the string") {
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "hello world");
    CHECK(curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(5)) ==
          CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.body == "hello");
    CHECK(echo.value("Content-Length") == "5");
  }
  SUBCASE("zero") {
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "not sent");
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, 0L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.request_line == "POST /echo");
    CHECK(echo.body.empty());
    CHECK(echo.value("Content-Length") == "0");
  }
}

TEST_CASE("a large POSTFIELDS body arrives whole and SIZE_UPLOAD_T counts it") {
  const std::string data = pattern(200000);
  Fetch f(server().raw_url("/echo"));
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, data.c_str());
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 5000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.value("Content-Length") == "200000");
  CHECK(echo.body.size() == data.size());
  CHECK(echo.body == data);
  CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 200000);
}

TEST_CASE("COPYPOSTFIELDS keeps its own copy of the data") {
  Fetch f(server().raw_url("/echo"));
  SUBCASE("a string") {
    char buffer[32];
    std::strcpy(buffer, "copied=yes");
    CHECK(curl_easy_setopt(f.easy, CURLOPT_COPYPOSTFIELDS, buffer) == CURLE_OK);
    std::memset(buffer, 'X', sizeof(buffer) - 1);
    buffer[sizeof(buffer) - 1] = '\0';
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.request_line == "POST /echo");
    CHECK(echo.body == "copied=yes");
  }
  SUBCASE("binary data sized by POSTFIELDSIZE set before") {
    char buffer[5] = {'x', '\0', 'y', '\0', 'z'};
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, 5L);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_COPYPOSTFIELDS, buffer) == CURLE_OK);
    std::memset(buffer, 'Q', sizeof(buffer));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.body == std::string("x\0y\0z", 5));
  }
}

TEST_CASE("HTTPGET after a POST goes back to GET") {
  Fetch f(server().raw_url("/echo"));
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "first");
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(Echo(f.body).request_line == "POST /echo");
  f.body.clear();
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTPGET, 1L) == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.request_line == "GET /echo");
  CHECK(echo.body.empty());
  CHECK(echo.count("Content-Length") == 0);
  CHECK(echo.count("Content-Type") == 0);
  CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 0);
}

TEST_CASE("NOBODY makes a HEAD request: no body though the server sends Content-Length") {
  Fetch f(server().http_url("/bytes/1000"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_NOBODY, 1L) == CURLE_OK);
  auto t0 = Clock::now();
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(ms_since(t0) < 1000);
  CHECK(f.body.empty());
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
  CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) == 1000);
  CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 0);
  CHECK(contains(f.headers, "Content-Length: 1000"));

  // NOBODY 0 goes back to GET, on the same (reused) connection.
  CHECK(curl_easy_setopt(f.easy, CURLOPT_NOBODY, 0L) == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(1000));
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);
}

TEST_CASE("NOBODY sends the method HEAD") {
  ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Length: 50\r\nConnection: close\r\n\r\n");
  Fetch f(s.url("/head"));
  curl_easy_setopt(f.easy, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(s.request().rfind("HEAD /head HTTP/1.1\r\n", 0) == 0);
}

TEST_CASE("CUSTOMREQUEST replaces the method name") {
  Fetch f(server().raw_url("/echo"));
  SUBCASE("alone") {
    CHECK(curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, "PURGE") == CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(Echo(f.body).request_line == "PURGE /echo");
  }
  SUBCASE("with a POST body") {
    curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, "PUT");
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "put-body");
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    Echo echo(f.body);
    CHECK(echo.request_line == "PUT /echo");
    CHECK(echo.body == "put-body");
  }
  SUBCASE("NULL restores the default method") {
    curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, "DELETE");
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(Echo(f.body).request_line == "DELETE /echo");
    f.body.clear();
    curl_easy_setopt(f.easy, CURLOPT_CUSTOMREQUEST, static_cast<char *>(nullptr));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(Echo(f.body).request_line == "GET /echo");
  }
}

TEST_CASE("HTTP_VERSION 1.0 puts HTTP/1.0 in the request line; 1.1 and NONE HTTP/1.1") {
  struct Case {
    long version;
    const char *line;
  };
  for (Case c : {Case{CURL_HTTP_VERSION_1_0, "GET /v HTTP/1.0\r\n"},
                 Case{CURL_HTTP_VERSION_1_1, "GET /v HTTP/1.1\r\n"},
                 Case{CURL_HTTP_VERSION_NONE, "GET /v HTTP/1.1\r\n"}}) {
    CAPTURE(c.version);
    ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    Fetch f(s.url("/v"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, c.version) == CURLE_OK);
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == "ok");
    CHECK(s.request().rfind(c.line, 0) == 0);
  }
}

TEST_CASE("HTTP_VERSION 2 is refused with CURLE_UNSUPPORTED_PROTOCOL for now") {
  Fetch f(server().http_url("/bytes/5"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2)) ==
        CURLE_UNSUPPORTED_PROTOCOL);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS)) ==
        CURLE_UNSUPPORTED_PROTOCOL);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION,
                         static_cast<long>(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)) ==
        CURLE_UNSUPPORTED_PROTOCOL);
  // The handle still speaks HTTP/1.1.
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(5));
  CHECK(info_long(f.easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_1_1);
}

// ---------------------------------------------------------------------------------------
// Timeouts

TEST_CASE("TIMEOUT_MS ends a stalled transfer with CURLE_OPERATION_TIMEDOUT") {
  Fetch f(server().http_url("/stall"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 300L) == CURLE_OK);
  auto t0 = Clock::now();
  std::optional<CURLcode> rc = perform_bounded(f.easy, 3000);
  long ms = ms_since(t0);
  REQUIRE(rc.has_value());
  CHECK(*rc == CURLE_OPERATION_TIMEDOUT);
  CHECK(ms >= 250);
  CHECK(ms < 1500);
  CAPTURE(f.error);
  CHECK(contains(f.error, "timed out"));
}

TEST_CASE("TIMEOUT_MS also covers a body that stops arriving") {
  Fetch f(server().raw_url("/stall-body"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 300L);
  std::optional<CURLcode> rc = perform_bounded(f.easy, 3000);
  REQUIRE(rc.has_value());
  CHECK(*rc == CURLE_OPERATION_TIMEDOUT);
  CHECK(f.body == pattern(10));
  CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 10);
  CHECK(contains(f.error, "timed out"));
}

TEST_CASE("TIMEOUT counts seconds, in curl_easy_perform") {
  ScriptedServer silent("", 4000);  // closes after 4 s: a missing timeout fails, not hangs
  Fetch f(silent.url("/never"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_TIMEOUT, 1L) == CURLE_OK);
  auto t0 = Clock::now();
  CHECK(curl_easy_perform(f.easy) == CURLE_OPERATION_TIMEDOUT);
  long ms = ms_since(t0);
  CHECK(ms >= 900);
  CHECK(ms < 2000);
  CHECK(contains(f.error, "timed out"));
}

TEST_CASE("a transfer that finishes within TIMEOUT_MS succeeds") {
  Fetch f(server().http_url("/delay/100"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 1500L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "ok\n");
}

TEST_CASE("CONNECTTIMEOUT_MS and CONNECTTIMEOUT end a connect that hangs") {
  Blackhole hole;
  if (!hole.ready()) {
    MESSAGE("this system completes every loopback connect; CONNECTTIMEOUT not tested");
    return;
  }
  SUBCASE("milliseconds") {
    Fetch f(hole.url("/"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_CONNECTTIMEOUT_MS, 200L) == CURLE_OK);
    auto t0 = Clock::now();
    std::optional<CURLcode> rc = perform_bounded(f.easy, 3000);
    long ms = ms_since(t0);
    REQUIRE(rc.has_value());
    CHECK(*rc == CURLE_OPERATION_TIMEDOUT);
    CHECK(ms >= 150);
    CHECK(ms < 1000);
    CAPTURE(f.error);
    CHECK(contains(f.error, "timed out"));
  }
  SUBCASE("seconds") {
    Fetch f(hole.url("/"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_CONNECTTIMEOUT, 1L) == CURLE_OK);
    auto t0 = Clock::now();
    std::optional<CURLcode> rc = perform_bounded(f.easy, 4000);
    long ms = ms_since(t0);
    REQUIRE(rc.has_value());
    CHECK(*rc == CURLE_OPERATION_TIMEDOUT);
    CHECK(ms >= 900);
    CHECK(ms < 2000);
  }
}

TEST_CASE("CONNECTTIMEOUT_MS does not limit the transfer after the connect") {
  Fetch f(server().http_url("/delay/600"));
  curl_easy_setopt(f.easy, CURLOPT_CONNECTTIMEOUT_MS, 300L);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "ok\n");
}

// ---------------------------------------------------------------------------------------
// Connections

TEST_CASE("one handle performed twice reuses its connection") {
  Fetch f(server().http_url("/bytes/10"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  long first_local_port = info_long(f.easy, CURLINFO_LOCAL_PORT);
  uint64_t accepted = server().connections_accepted();
  f.body.clear();
  curl_easy_setopt(f.easy, CURLOPT_URL, server().http_url("/bytes/20").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(20));
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);
  CHECK(info_long(f.easy, CURLINFO_LOCAL_PORT) == first_local_port);
  CHECK(server().connections_accepted() == accepted);
}

TEST_CASE("re-performing the same handle works every time") {
  Fetch f(server().http_url("/bytes/1"));
  uint64_t accepted = server().connections_accepted();
  for (int i = 1; i <= 4; ++i) {
    CAPTURE(i);
    f.body.clear();
    f.headers.clear();
    std::string url = i % 2 ? server().http_url("/bytes/" + std::to_string(i * 1000))
                            : server().http_url("/chunked/" + std::to_string(i * 1000));
    curl_easy_setopt(f.easy, CURLOPT_URL, url.c_str());
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(static_cast<size_t>(i) * 1000));
    CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == url);
    CHECK(f.headers.rfind("HTTP/1.1 200", 0) == 0);
  }
  CHECK(server().connections_accepted() == accepted + 1);
}

TEST_CASE("FORBID_REUSE closes the connection after each transfer") {
  Fetch f(server().http_url("/bytes/10"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_FORBID_REUSE, 1L) == CURLE_OK);
  uint64_t accepted = server().connections_accepted();
  for (int i = 0; i < 3; ++i) {
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
    CHECK(server().connections_accepted() == accepted + static_cast<uint64_t>(i) + 1);
  }
}

TEST_CASE("FRESH_CONNECT makes a new connection instead of reusing one") {
  Fetch f(server().http_url("/bytes/10"));
  uint64_t accepted = server().connections_accepted();
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_FRESH_CONNECT, 1L) == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(server().connections_accepted() == accepted + 2);
  // Without it, a cached connection is used again.
  curl_easy_setopt(f.easy, CURLOPT_FRESH_CONNECT, 0L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);
  CHECK(server().connections_accepted() == accepted + 2);
}

TEST_CASE("a request on a reused connection the server had closed is retried once on a fresh one") {
  Fetch f(server().raw_url("/drop-next"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "ok");
  uint64_t accepted = server().connections_accepted();
  f.body.clear();
  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/ok/5").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(5));
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(server().connections_accepted() == accepted + 1);
}

TEST_CASE("Connection: close from the server ends reuse of that connection") {
  Fetch f(server().raw_url("/close-after/100"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(100));
  uint64_t accepted = server().connections_accepted();
  f.body.clear();
  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/ok/7").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(7));
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(server().connections_accepted() == accepted + 1);
}

TEST_CASE("a request header Connection: close is honoured by a fresh connection next time") {
  Fetch f(server().http_url("/bytes/10"));
  curl_slist *list = curl_slist_append(nullptr, "Connection: close");
  curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(10));
  uint64_t accepted = server().connections_accepted();
  curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, static_cast<curl_slist *>(nullptr));
  f.body.clear();
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(10));
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(server().connections_accepted() == accepted + 1);
  curl_slist_free_all(list);
}

TEST_CASE("RESOLVE maps a made-up name to loopback") {
  const std::string port = std::to_string(server().raw_port());
  curl_slist *list = curl_slist_append(nullptr, "other.example:1:127.0.0.2");
  list = curl_slist_append(list, ("fakehost.example:" + port + ":127.0.0.1").c_str());
  const std::string url = "http://fakehost.example:" + port + "/echo";
  Fetch f(url);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_RESOLVE, list) == CURLE_OK);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.request_line == "GET /echo");
  CHECK(echo.value("Host") == "fakehost.example:" + port);
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == url);
  CHECK(info_string(f.easy, CURLINFO_PRIMARY_IP) == "127.0.0.1");
  CHECK(info_long(f.easy, CURLINFO_PRIMARY_PORT) == server().raw_port());
  curl_slist_free_all(list);
}

TEST_CASE("IPRESOLVE restricts the address family") {
  const std::string port = std::to_string(server().http_port());
  SUBCASE("V4 reaches a server on 127.0.0.1 through localhost") {
    Fetch f("http://localhost:" + port + "/bytes/5");
    CHECK(curl_easy_setopt(f.easy, CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V4)) ==
          CURLE_OK);
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(5));
    CHECK(info_string(f.easy, CURLINFO_PRIMARY_IP) == "127.0.0.1");
  }
  SUBCASE("V6 cannot reach a server on 127.0.0.1 through localhost") {
    Fetch f("http://localhost:" + port + "/bytes/5");
    CHECK(curl_easy_setopt(f.easy, CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V6)) ==
          CURLE_OK);
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CURLcode rc = curl_easy_perform(f.easy);
    CHECK((rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST));
    CHECK(f.body.empty());
  }
  SUBCASE("V6 refuses an IPv4 literal") {
    Fetch f(server().http_url("/bytes/5"));
    curl_easy_setopt(f.easy, CURLOPT_IPRESOLVE, static_cast<long>(CURL_IPRESOLVE_V6));
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CURLcode rc = curl_easy_perform(f.easy);
    CHECK((rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST));
    CHECK(f.body.empty());
  }
}

// ---------------------------------------------------------------------------------------
// Response framing and status handling

TEST_CASE("FAILONERROR turns a status >= 400 into CURLE_HTTP_RETURNED_ERROR") {
  Fetch f(server().http_url("/status/404"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);  // without it, a 404 is a normal response
  CHECK(f.body == "status 404\n");
  CHECK(f.status() == 404);

  f.body.clear();
  CHECK(curl_easy_setopt(f.easy, CURLOPT_FAILONERROR, 1L) == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_HTTP_RETURNED_ERROR);
  CHECK(f.status() == 404);
  CHECK(f.body.empty());
  CHECK(contains(f.error, "404"));

  curl_easy_setopt(f.easy, CURLOPT_URL, server().http_url("/status/200").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "status 200\n");
  CHECK(std::string(f.error).empty());
}

TEST_CASE("a chunked body with trailers: body whole, trailer at the header callback") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  std::vector<std::string> lines;
  std::string body;
  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/chunked-trailers").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, collect_lines);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &lines);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == "hello");
  CHECK(info_off(e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) == -1);
  CHECK(info_off(e, CURLINFO_SIZE_DOWNLOAD_T) == 5);
  size_t blank = 0;
  while (blank < lines.size() && lines[blank] != "\r\n") ++blank;
  bool trailer_after_head = false;
  for (size_t i = blank + 1; i < lines.size(); ++i)
    if (lines[i] == "X-Trailer: yes\r\n") trailer_after_head = true;
  CAPTURE(lines.size());
  CHECK(blank < lines.size());
  CHECK(trailer_after_head);
  // The connection is reusable afterwards.
  body.clear();
  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/ok/3").c_str());
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == pattern(3));
  CHECK(info_long(e, CURLINFO_NUM_CONNECTS) == 0);
  curl_easy_cleanup(e);
}

TEST_CASE("a close-delimited body is read to the end and the connection not reused") {
  Fetch f(server().raw_url("/close-delimited/5000"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(5000));
  CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) == -1);
  CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 5000);
  f.body.clear();
  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/ok/4").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(4));
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
}

TEST_CASE("204 and 304 responses have no body") {
  for (int code : {204, 304}) {
    CAPTURE(code);
    Fetch f(server().http_url("/status/" + std::to_string(code)));
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    auto t0 = Clock::now();
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(ms_since(t0) < 1000);
    CHECK(f.status() == code);
    CHECK(f.body.empty());
    CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 0);
    // The connection stays usable.
    curl_easy_setopt(f.easy, CURLOPT_URL, server().http_url("/bytes/6").c_str());
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(6));
  }
}

TEST_CASE("a write callback returning short fails with CURLE_WRITE_ERROR") {
  Fetch f(server().http_url("/bytes/100000"));
  curl_easy_setopt(f.easy, CURLOPT_WRITEFUNCTION, refuse_write);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_WRITE_ERROR);
  CHECK(std::strlen(f.error) > 0);
  // The handle is fine afterwards.
  curl_easy_setopt(f.easy, CURLOPT_WRITEFUNCTION, collect_body);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(100000));
}

TEST_CASE("a header callback returning short fails with CURLE_WRITE_ERROR") {
  Fetch f(server().http_url("/bytes/100"));
  curl_easy_setopt(f.easy, CURLOPT_HEADERFUNCTION, refuse_write);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_WRITE_ERROR);
  CHECK(f.body.empty());
}

TEST_CASE("one failing write callback leaves the other transfers of a multi unaffected") {
  CURLM *m = curl_multi_init();
  REQUIRE(m);
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < 4; ++i) {
    fetches.push_back(std::make_unique<Fetch>(server().http_url("/bytes/200000")));
    curl_easy_setopt(fetches.back()->easy, CURLOPT_TIMEOUT_MS, 5000L);
    if (i == 1) curl_easy_setopt(fetches.back()->easy, CURLOPT_WRITEFUNCTION, short_write);
    REQUIRE(curl_multi_add_handle(m, fetches.back()->easy) == CURLM_OK);
  }
  std::map<CURL *, CURLcode> results;
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (results.size() < fetches.size() && Clock::now() < deadline) {
    int running = 0;
    CHECK(curl_multi_perform(m, &running) == CURLM_OK);
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(m, &left))
      if (msg->msg == CURLMSG_DONE) results[msg->easy_handle] = msg->data.result;
    if (results.size() < fetches.size()) curl_multi_poll(m, nullptr, 0, 50, nullptr);
  }
  REQUIRE(results.size() == fetches.size());
  for (size_t i = 0; i < fetches.size(); ++i) {
    CAPTURE(i);
    if (i == 1) {
      CHECK(results[fetches[i]->easy] == CURLE_WRITE_ERROR);
    } else {
      CHECK(results[fetches[i]->easy] == CURLE_OK);
      CHECK(fetches[i]->body == pattern(200000));
    }
  }
  for (auto &f : fetches) curl_multi_remove_handle(m, f->easy);
  fetches.clear();
  curl_multi_cleanup(m);
}

TEST_CASE("a reset connection and an oversize header end with CURLE_RECV_ERROR") {
  for (const char *path : {"/reset", "/bigheader/200000"}) {
    CAPTURE(path);
    Fetch f(server().raw_url(path));
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CHECK(curl_easy_perform(f.easy) == CURLE_RECV_ERROR);
    CHECK(std::strlen(f.error) > 0);
  }
}

// ---------------------------------------------------------------------------------------
// getinfo

TEST_CASE("getinfo: addresses, ports and sizes of a fresh transfer") {
  Fetch f(server().http_url("/bytes/100000"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
  CHECK(info_long(f.easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_1_1);
  CHECK(info_string(f.easy, CURLINFO_CONTENT_TYPE) == "application/octet-stream");
  CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 100000);
  CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) == 100000);
  CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 0);
  CHECK(info_off(f.easy, CURLINFO_SPEED_DOWNLOAD_T) > 0);
  CHECK(info_long(f.easy, CURLINFO_HEADER_SIZE) == static_cast<long>(f.headers.size()));
  CHECK(info_long(f.easy, CURLINFO_REQUEST_SIZE) > 0);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  CHECK(info_string(f.easy, CURLINFO_PRIMARY_IP) == "127.0.0.1");
  CHECK(info_long(f.easy, CURLINFO_PRIMARY_PORT) == server().http_port());
  CHECK(info_string(f.easy, CURLINFO_LOCAL_IP) == "127.0.0.1");
  long local_port = info_long(f.easy, CURLINFO_LOCAL_PORT);
  CHECK(local_port > 0);
  CHECK(local_port != server().http_port());
  CHECK(info_long(f.easy, CURLINFO_OS_ERRNO) == 0);
}

TEST_CASE("getinfo: TOTAL_TIME_T and SPEED_DOWNLOAD_T are positive for every download") {
  // Fresh connections, so each transfer spans a connect, a request and a 100 kB response.
  for (int i = 0; i < 50; ++i) {
    CAPTURE(i);
    Fetch f(server().http_url("/bytes/100000"));
    auto t0 = Clock::now();
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    long wall_us = static_cast<long>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
    curl_off_t total = info_off(f.easy, CURLINFO_TOTAL_TIME_T);
    CAPTURE(total);
    CHECK(total > 0);
    CHECK(total <= wall_us);
    CHECK(info_off(f.easy, CURLINFO_SPEED_DOWNLOAD_T) > 0);
  }
}

TEST_CASE("getinfo: REQUEST_SIZE is the bytes sent, body included") {
  const char *reply = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
  SUBCASE("GET") {
    ScriptedServer s(reply);
    Fetch f(s.url("/get"));
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    std::string req = s.request();
    CHECK(info_long(f.easy, CURLINFO_REQUEST_SIZE) == static_cast<long>(req.size()));
    CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 0);
  }
  SUBCASE("POST") {
    const std::string data = pattern(100);
    ScriptedServer s(reply);
    Fetch f(s.url("/post"));
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, data.c_str());
    curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    std::string req = s.request();
    CHECK(req.size() > 100);
    CHECK(req.substr(req.size() - 100) == data);
    long request_size = info_long(f.easy, CURLINFO_REQUEST_SIZE);
    CHECK(request_size >= 100);
    CHECK(request_size == static_cast<long>(req.size()));
    CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 100);
  }
}

TEST_CASE("getinfo: CONTENT_TYPE is NULL when the response has none") {
  Fetch f(server().http_url("/bytes/5"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_string(f.easy, CURLINFO_CONTENT_TYPE) == "application/octet-stream");
  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/ok/5").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_string(f.easy, CURLINFO_CONTENT_TYPE) == "(null)");
}

TEST_CASE("getinfo: HTTP_VERSION reports an HTTP/1.0 response") {
  Fetch f(server().raw_url("/http10"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "abc");
  CHECK(info_long(f.easy, CURLINFO_HTTP_VERSION) == CURL_HTTP_VERSION_1_0);
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
}

TEST_CASE("getinfo: CONTENT_LENGTH_DOWNLOAD_T is -1 for a chunked body") {
  Fetch f(server().http_url("/chunked/3000"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(3000));
  CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) == -1);
  CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 3000);
}

TEST_CASE("getinfo: OS_ERRNO is ECONNREFUSED for a refused connect") {
  Fetch f("http://127.0.0.1:" + std::to_string(refused_port()) + "/");
  CHECK(curl_easy_perform(f.easy) == CURLE_COULDNT_CONNECT);
  CHECK(info_long(f.easy, CURLINFO_OS_ERRNO) == ECONNREFUSED);
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 0);
}

TEST_CASE("getinfo: the timings are ordered, in seconds and in microseconds") {
  Fetch f(server().http_url("/delay/100"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  for (int round = 0; round < 2; ++round) {  // a fresh connection, then a reused one
    CAPTURE(round);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    const CURLINFO as_double[] = {CURLINFO_NAMELOOKUP_TIME, CURLINFO_CONNECT_TIME,
                                  CURLINFO_PRETRANSFER_TIME, CURLINFO_STARTTRANSFER_TIME,
                                  CURLINFO_TOTAL_TIME};
    const CURLINFO as_micros[] = {CURLINFO_NAMELOOKUP_TIME_T, CURLINFO_CONNECT_TIME_T,
                                  CURLINFO_PRETRANSFER_TIME_T, CURLINFO_STARTTRANSFER_TIME_T,
                                  CURLINFO_TOTAL_TIME_T};
    double d[5];
    curl_off_t us[5];
    for (int i = 0; i < 5; ++i) {
      d[i] = info_double(f.easy, as_double[i]);
      us[i] = info_off(f.easy, as_micros[i]);
      CAPTURE(i);
      CHECK(d[i] >= 0);
      CHECK(std::fabs(d[i] * 1e6 - static_cast<double>(us[i])) < 2.0);
    }
    for (int i = 0; i < 4; ++i) {
      CAPTURE(i);
      CHECK(d[i] <= d[i + 1]);
      CHECK(us[i] <= us[i + 1]);
    }
    // The server answers after 100 ms.
    CHECK(us[3] >= 90000);
    CHECK(us[4] >= us[3]);
    CHECK(d[4] < 2.0);
  }
}

TEST_CASE("getinfo: an unknown item is CURLE_UNKNOWN_OPTION") {
  Fetch f(server().http_url("/bytes/1"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  long l = 0;
  double d = 0;
  char *s = nullptr;
  curl_off_t o = 0;
  CHECK(curl_easy_getinfo(f.easy, static_cast<CURLINFO>(CURLINFO_LONG + 999), &l) ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_getinfo(f.easy, static_cast<CURLINFO>(CURLINFO_DOUBLE + 999), &d) ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_getinfo(f.easy, static_cast<CURLINFO>(CURLINFO_STRING + 999), &s) ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_getinfo(f.easy, static_cast<CURLINFO>(CURLINFO_OFF_T + 999), &o) ==
        CURLE_UNKNOWN_OPTION);
}

// ---------------------------------------------------------------------------------------
// Handle lifetime

TEST_CASE("curl_easy_reset restores the defaults and keeps the connection cache") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  std::string body;
  int tag = 0;
  curl_slist *list = curl_slist_append(nullptr, "X-Before-Reset: 1");
  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/echo").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "before/1");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &tag);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body.empty());

  curl_easy_reset(e);
  void *priv = &tag;
  CHECK(curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv) == CURLE_OK);
  CHECK(priv == nullptr);
  CHECK(curl_easy_perform(e) == CURLE_URL_MALFORMAT);  // the URL is gone too

  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/echo").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  Echo echo(body);
  CHECK(echo.request_line == "GET /echo");
  CHECK(echo.count("User-Agent") == 0);
  CHECK(echo.count("X-Before-Reset") == 0);
  CHECK(info_long(e, CURLINFO_NUM_CONNECTS) == 0);
  curl_easy_cleanup(e);
  curl_slist_free_all(list);
}

TEST_CASE("curl_easy_duphandle copies the options and works independently") {
  CURL *src = curl_easy_init();
  REQUIRE(src);
  std::string src_body, dup_body;
  int tag = 0;
  char post[] = "payload-1";
  curl_slist *list = curl_slist_append(nullptr, "X-Dup: yes");
  curl_easy_setopt(src, CURLOPT_URL, server().raw_url("/echo").c_str());
  curl_easy_setopt(src, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(src, CURLOPT_WRITEDATA, &src_body);
  curl_easy_setopt(src, CURLOPT_COPYPOSTFIELDS, post);
  curl_easy_setopt(src, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(src, CURLOPT_USERAGENT, "dup/1");
  curl_easy_setopt(src, CURLOPT_PRIVATE, &tag);

  CURL *dup = curl_easy_duphandle(src);
  REQUIRE(dup);
  REQUIRE(dup != src);
  std::memset(post, 'Z', sizeof(post) - 1);
  void *priv = nullptr;
  CHECK(curl_easy_getinfo(dup, CURLINFO_PRIVATE, &priv) == CURLE_OK);
  CHECK(priv == &tag);

  // Changing the copy leaves the original alone.
  curl_easy_setopt(dup, CURLOPT_WRITEDATA, &dup_body);
  curl_easy_setopt(dup, CURLOPT_USERAGENT, "changed/2");
  CHECK(curl_easy_perform(src) == CURLE_OK);
  Echo from_src(src_body);
  CHECK(from_src.request_line == "POST /echo");
  CHECK(from_src.body == "payload-1");
  CHECK(from_src.value("User-Agent") == "dup/1");
  CHECK(dup_body.empty());

  // The copy works after the original is gone, with its own copy of the post data.
  curl_easy_cleanup(src);
  CHECK(curl_easy_perform(dup) == CURLE_OK);
  Echo from_dup(dup_body);
  CHECK(from_dup.request_line == "POST /echo");
  CHECK(from_dup.body == "payload-1");
  CHECK(from_dup.value("X-Dup") == "yes");
  CHECK(from_dup.value("User-Agent") == "changed/2");
  curl_easy_cleanup(dup);
  curl_slist_free_all(list);
}

TEST_CASE("curl_easy_perform on a handle in a multi handle is CURLE_FAILED_INIT") {
  Fetch f(server().http_url("/bytes/8"));
  CURLM *m = curl_multi_init();
  REQUIRE(m);
  REQUIRE(curl_multi_add_handle(m, f.easy) == CURLM_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_FAILED_INIT);
  CHECK(curl_multi_remove_handle(m, f.easy) == CURLM_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(8));
  curl_multi_cleanup(m);
}

TEST_CASE("unknown options are CURLE_UNKNOWN_OPTION and change nothing") {
  Fetch f(server().http_url("/bytes/9"));
  CHECK(curl_easy_setopt(f.easy, static_cast<CURLoption>(CURLOPTTYPE_LONG + 9999), 1L) ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(f.easy, static_cast<CURLoption>(CURLOPTTYPE_OBJECTPOINT + 9999), "x") ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(f.easy, static_cast<CURLoption>(CURLOPTTYPE_FUNCTIONPOINT + 9999),
                         refuse_write) == CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(f.easy, static_cast<CURLoption>(CURLOPTTYPE_OFF_T + 9999),
                         static_cast<curl_off_t>(1)) == CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(f.easy, static_cast<CURLoption>(CURLOPTTYPE_BLOB + 9999),
                         static_cast<void *>(nullptr)) == CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(9));
}

TEST_CASE("a NULL handle never crashes") {
  long code = 0;
  CHECK(curl_easy_setopt(nullptr, CURLOPT_URL, "http://127.0.0.1/") == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(nullptr, CURLOPT_VERBOSE, 1L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_getinfo(nullptr, CURLINFO_RESPONSE_CODE, &code) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_perform(nullptr) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_duphandle(nullptr) == nullptr);
  curl_easy_reset(nullptr);
  curl_easy_cleanup(nullptr);
}
