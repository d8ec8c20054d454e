// The loopback test server (test/support/test_server_main.cpp) as a child process, so its
// 10,000 accepted sockets count against its own descriptor limit and its own memory, not the
// soak's.
#pragma once

#include <cstdint>
#include <string>

namespace evm::test {

class ChildTestServer {
 public:
  ChildTestServer() = default;
  ~ChildTestServer();  // stops it and removes its output directory
  ChildTestServer(const ChildTestServer &) = delete;
  ChildTestServer &operator=(const ChildTestServer &) = delete;

  // Starts `binary` and waits (up to 10 s) for the ports it prints; false with `error` set.
  bool start(const std::string &binary, std::string &error);
  // SIGTERM, then waits for it; idempotent.
  void stop();

  uint16_t raw_port() const { return raw_port_; }
  std::string raw_url(const std::string &path) const;
  // What the server wrote to stdout and stderr so far (its summary line comes at exit).
  std::string output() const;

 private:
  int pid_ = -1;
  uint16_t raw_port_ = 0;
  std::string dir_, out_path_;
};

// The test_server binary: $EVM_TEST_SERVER, else the one meson built beside this test.
std::string test_server_binary();

}  // namespace evm::test
