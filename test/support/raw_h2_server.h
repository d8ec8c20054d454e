// A loopback HTTP/2 (h2c, prior knowledge) peer that sends exact frames: what a conforming server
// library would not, such as a header block of a chosen byte size. One connection: it waits for
// the client's request HEADERS, sends `reply`, then reads until the client closes.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <thread>

#include "scripted_server.h"

namespace evm::test {

// One frame: the 9-byte head (length, type, flags, stream) and the payload.
inline std::string h2_frame(uint8_t type, uint8_t flags, uint32_t stream,
                            std::string_view payload) {
  std::string f;
  size_t n = payload.size();
  for (int shift : {16, 8, 0}) f += static_cast<char>(n >> shift);
  f += static_cast<char>(type);
  f += static_cast<char>(flags);
  for (int shift : {24, 16, 8, 0}) f += static_cast<char>(stream >> shift);
  f.append(payload);
  return f;
}

// Reads the client's preface and frames until a HEADERS frame has come; false if it left first.
inline bool read_until_request_headers(int fd) {
  std::string in;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return false;
    in.append(buf, static_cast<size_t>(n));
    for (size_t at = 24; at + 9 <= in.size();) {
      size_t len = (static_cast<uint8_t>(in[at]) << 16) | (static_cast<uint8_t>(in[at + 1]) << 8) |
                   static_cast<uint8_t>(in[at + 2]);
      if (in[at + 3] == 1) return true;
      at += 9 + len;
    }
  }
}

class RawH2Server {
 public:
  explicit RawH2Server(std::string reply) : reply_(std::move(reply)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(listener_ >= 0);
    sockaddr_in a = loopback(0);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr *>(&a), sizeof a) == 0);
    REQUIRE(::listen(listener_, 1) == 0);
    port_ = port_of(listener_);
    thread_ = std::thread([this] { serve(); });
  }
  ~RawH2Server() {
    ::shutdown(listener_, SHUT_RDWR);  // ends a wait in accept
    thread_.join();
    ::close(listener_);
  }
  RawH2Server(const RawH2Server &) = delete;
  RawH2Server &operator=(const RawH2Server &) = delete;

  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }

 private:
  void serve() {
    int c = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;
    if (read_until_request_headers(c)) {
      for (size_t sent = 0; sent < reply_.size();) {
        ssize_t n = ::send(c, reply_.data() + sent, reply_.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      // Whatever the client still says (acks, a reset, its GOAWAY) until it closes.
      timeval tv{5, 0};
      ::setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      char buf[4096];
      while (::recv(c, buf, sizeof buf, 0) > 0) {
      }
    }
    ::close(c);
  }

  std::string reply_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

}  // namespace evm::test
