// Loopback endpoints a test sets up itself, for what the shared test server cannot show: the
// exact bytes of a request (ScriptedServer) and a port nothing listens on (refused_port).
#pragma once

#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "text_util.h"
#include "timing.h"

namespace evm::test {

inline sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  return a;
}

inline uint16_t port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof(a);
  if (getsockname(fd, reinterpret_cast<sockaddr *>(&a), &len) != 0) return 0;
  return ntohs(a.sin_port);
}

// A port on which nothing listens: bound once, then closed.
inline uint16_t refused_port() {
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
  // The first request received, waiting up to 5 s for it.
  std::string request() {
    std::string first = "(no request)";
    wait_until(
        [&] {
          std::lock_guard<std::mutex> lock(mu_);
          if (requests_.empty()) return false;
          first = requests_.front();
          return true;
        },
        std::chrono::seconds(5));
    return first;
  }

 private:
  static bool request_complete(const std::string &in) {
    size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    size_t length = 0;
    std::string_view head(in.data(), end);
    // A chunked body ends with the last chunk (no trailers are sent to it).
    if (in.find("\r\nTransfer-Encoding: chunked\r\n") < end)
      return in.size() >= end + 9 && in.compare(in.size() - 5, 5, "0\r\n\r\n") == 0;
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

}  // namespace evm::test
