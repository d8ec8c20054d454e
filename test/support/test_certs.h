// A throw-away PKI for TLS tests, generated at run time with OpenSSL (EC P-256 keys,
// SHA-256 signatures), once per process, into a private temporary directory that is
// removed when the process exits normally. Every file is PEM; every key is PKCS#8.
//
//   ca_file                the test CA ("evmulti test CA"): trust this to verify the others
//   server_cert/key        CA-signed, CN localhost, SAN DNS:localhost IP:127.0.0.1 IP:::1,
//                          serverAuth; valid from a day ago for a year
//   expired_cert/key       the same names, CA-signed, but notAfter was yesterday
//                          (verification fails with X509_V_ERR_CERT_HAS_EXPIRED)
//   wrong_name_cert/key    CA-signed, valid, SAN DNS:wrong.example only
//                          (X509_V_ERR_HOSTNAME_MISMATCH / X509_V_ERR_IP_ADDRESS_MISMATCH)
//   self_signed_cert/key   names of server_cert, signed by its own key, not a CA
//                          (X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT unless trusted directly)
//   client_cert/key        CA-signed, CN "evmulti test client", clientAuth
//   client_key_encrypted   client_key encrypted (PKCS#8, AES-256-CBC) with
//                          kClientKeyPassword
#pragma once

#include <string>

namespace evm::test {

struct TestPki {
  static constexpr const char *kClientKeyPassword = "secret";

  std::string dir;     // the temporary directory holding the files below
  std::string ca_pem;  // the contents of ca_file, for *_BLOB style options
  std::string ca_file;
  std::string server_cert;
  std::string server_key;
  std::string expired_cert;
  std::string expired_key;
  std::string wrong_name_cert;
  std::string wrong_name_key;
  std::string self_signed_cert;
  std::string self_signed_key;
  std::string client_cert;
  std::string client_key;
  std::string client_key_encrypted;

  // Generates everything on first use (thread-safe; a few milliseconds). Aborts the
  // process with a message if OpenSSL or the file system fails: no TLS test could run.
  static const TestPki &get();
};

}  // namespace evm::test
