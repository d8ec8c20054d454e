// A loopback nghttpd (nghttp2's HTTP/2 server, package nghttp2-server) for interop tests: the
// system binary, started by the test on a free 127.0.0.1 port, over TLS with the test PKI's
// server certificate (test_certs.h; ALPN h2 only) or over cleartext h2c (prior knowledge, no
// Upgrade), serving a docroot in a private temporary directory that the destructor removes.
//
// The docroot holds, from start():
//   index.html   a short HTML page
//   1k.bin       pattern(1024)
//   1m.bin       pattern(1 MiB)
// With echo_upload, a POST or PUT to any path is answered 200 with the request body.
// Each `push` entry "PATH=PUSH_PATH" makes nghttpd push PUSH_PATH along with PATH.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace evm::test {

struct NghttpdOptions {
  bool tls = true;
  bool echo_upload = true;
  std::vector<std::string> push;  // nghttpd -p arguments, e.g. "/index.html=/1k.bin"
};

class NghttpdServer {
 public:
  // The nghttpd executable: searched on PATH, then /usr/sbin and /usr/local/sbin; "" if none.
  static std::string find_binary();
  // N bytes that do not repeat with a short period: a misplaced chunk cannot go unnoticed.
  static std::string pattern(size_t n);

  explicit NghttpdServer(NghttpdOptions options = {});
  ~NghttpdServer();  // stops nghttpd and removes the directory
  NghttpdServer(const NghttpdServer &) = delete;
  NghttpdServer &operator=(const NghttpdServer &) = delete;

  // Writes the docroot, starts nghttpd and waits until it accepts connections. On failure
  // returns false with the reason (and nghttpd's output) in `error`.
  bool start(std::string &error);
  void stop();

  bool tls() const { return options_.tls; }
  uint16_t port() const { return port_; }
  // "https://127.0.0.1:PORT" + path (or http:// for h2c).
  std::string url(std::string_view path) const;
  // Creates `relative_path` (parent directories included) under the docroot.
  bool write_file(std::string_view relative_path, std::string_view content);
  std::string output() const;  // what nghttpd wrote to stdout and stderr

 private:
  bool start_once(std::string &error);

  NghttpdOptions options_;
  std::string binary_;
  std::string dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace evm::test
