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
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "easy_fixture.h"
#include "test_server.h"

using evm::test::collect_body;
using evm::test::Fetch;
using evm::test::TestServer;

namespace {

using Clock = std::chrono::steady_clock;

TestServer &server() {
  static TestServer s;
  static bool started = s.start();
  REQUIRE(started);
  return s;
}

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

// NULL comes back as "(null)" so that absent strings can be compared too.
std::string info_string(CURL *e, CURLINFO what) {
  char *v = reinterpret_cast<char *>(1);
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
      size_t colon = line.find(": ");
      if (colon == std::string_view::npos) {
        headers.emplace_back(std::string(line), std::string());
      } else {
        headers.emplace_back(std::string(line.substr(0, colon)),
                             std::string(line.substr(colon + 2)));
      }
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

// Header callback that keeps each call's bytes as one entry.
size_t collect_lines(char *data, size_t size, size_t n, void *userp) {
  static_cast<std::vector<std::string> *>(userp)->emplace_back(data, size * n);
  return size * n;
}

size_t total_size(const std::vector<std::string> &lines) {
  size_t n = 0;
  for (const auto &l : lines) n += l.size();
  return n;
}

std::string read_file(FILE *f) {
  std::fflush(f);
  std::rewind(f);
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out.append(buf, n);
  return out;
}

// Points file descriptor `fd` (1 or 2) at a temporary file until finish().
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
  ~FdCapture() { restore(); }
  FdCapture(const FdCapture &) = delete;
  FdCapture &operator=(const FdCapture &) = delete;

  std::string finish() {
    restore();
    std::string text = read_file(tmp_);
    return text;
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

 public:
  ~FdCapture_tmp_closer() = delete;  // placeholder removed below
};

}  // namespace
