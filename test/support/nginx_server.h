// A loopback nginx for interop tests: the system's nginx binary, run by the test in the
// foreground (daemon off, master_process off) with a configuration written into a private
// temporary directory, which is removed again by the destructor.
//
// One nginx serves several TLS sites, each on its own 127.0.0.1 port, all with the test PKI
// (test_certs.h) and TLS 1.2/1.3, from one static root that tests fill with write_file().
// The two HTTP/2 sites also take WebDAV PUTs under /put/ (parent directories created,
// bodies up to 64 MiB): 201 Created, and the file is then served from the same root.
// Every response carries the TLS facts nginx saw, as headers (absent when empty):
//   X-SSL-Protocol  TLSv1.3 / TLSv1.2      X-SSL-Cipher    the negotiated cipher
//   X-SSL-Reused    "r" if the session was resumed, "." otherwise
//   X-SSL-SNI       the server name the client sent
//   X-SSL-Client    the client certificate check: SUCCESS, NONE, FAILED:...
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace evm::test {

class NginxServer {
 public:
  enum class Site {
    Good,        // server_cert
    Expired,     // expired_cert
    WrongName,   // wrong_name_cert
    SelfSigned,  // self_signed_cert
    ClientCert,  // server_cert; asks for a client certificate signed by the test CA and
                 // answers 400 without one (nginx does not fail the handshake)
    H2,          // server_cert, HTTP/2 by ALPN (http/1.1 still offered)
    H2c,         // cleartext, HTTP/2 with prior knowledge only (no TLS facts headers)
  };
  static constexpr int kSites = 7;

  // The nginx executable: searched on PATH, then in /usr/sbin and /usr/local/sbin (where
  // packages put it, often off a non-root PATH); "" if there is none.
  static std::string find_binary();

  NginxServer();
  ~NginxServer();  // stops nginx and removes the directory
  NginxServer(const NginxServer &) = delete;
  NginxServer &operator=(const NginxServer &) = delete;

  // Writes the configuration, starts nginx and waits until every site accepts connections.
  // On failure returns false with the reason (and nginx's error log) in `error`.
  bool start(std::string &error);
  void stop();

  uint16_t port(Site site) const { return ports_[static_cast<int>(site)]; }
  // Creates `relative_path` (parent directories included) under the static root.
  bool write_file(std::string_view relative_path, std::string_view content);
  std::string error_log() const;

 private:
  bool start_once(std::string &error);

  std::string binary_;
  std::string dir_;
  uint16_t ports_[kSites] = {};
  pid_t pid_ = -1;
};

}  // namespace evm::test
