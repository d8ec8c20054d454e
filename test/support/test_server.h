// Loopback HTTP/1.1 test server for integration tests, the hiper demo and benchmarks.
//
// Two listeners share one background thread and one event_base:
//   * the HTTP listener is libevent's evhttp (well-formed HTTP/1.1, keep-alive);
//   * the raw listener answers with hand-written byte sequences, including broken ones
//     (fault modes), so clients can be tested against misbehaving servers.
// The endpoint list is in test_server.cpp; both listeners bind loopback addresses only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace evm::test {

struct TestServerOptions {
  // A numeric loopback address: "127.0.0.1" (any of 127/8) or "::1".
  std::string bind_address = "127.0.0.1";
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();  // stops if running

  TestServer(const TestServer &) = delete;
  TestServer &operator=(const TestServer &) = delete;

  // Binds both listeners to ephemeral ports and starts the server thread. Returns false
  // if the address is not loopback or anything fails; true if already running.
  bool start();
  // Thread-safe and idempotent; closes every client connection and joins the thread.
  void stop();

  // The ports of the last successful start() (0 before the first one).
  uint16_t http_port() const;
  uint16_t raw_port() const;
  // "http://127.0.0.1:PORT/path" ("http://[::1]:PORT/path" for IPv6).
  std::string http_url(std::string_view path) const;
  std::string raw_url(std::string_view path) const;

  // Counters cover both listeners and survive stop(); they never reset.
  uint64_t connections_accepted() const;
  uint64_t requests_served() const;  // requests dispatched to an endpoint (404 included)
  uint64_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace evm::test
