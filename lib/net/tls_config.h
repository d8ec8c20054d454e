// Everything that shapes one TLS connection, as the easy options set it. A plain value: the
// context cache keys SSL_CTXs by the part that goes into the SSL_CTX, and the session cache keeps
// sessions apart by context, so a session made under weaker checks is never resumed under
// stricter ones.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace evm {

// CURLOPT_SSLVERSION values (libcurl's numbers): a minimum in the low 16 bits, a maximum in the
// high bits. Declared here so this header does not depend on which of them curl.h declares.
namespace sslversion {
inline constexpr long kDefault = 0;
inline constexpr long kTlsV1 = 1;  // TLS 1.0 or later
inline constexpr long kSslV2 = 2;  // refused
inline constexpr long kSslV3 = 3;  // refused
inline constexpr long kTlsV1_0 = 4;
inline constexpr long kTlsV1_1 = 5;
inline constexpr long kTlsV1_2 = 6;
inline constexpr long kTlsV1_3 = 7;
inline constexpr long kLast = 8;
inline constexpr long kMaxNone = 0;
inline constexpr long kMaxDefault = kTlsV1 << 16;
inline constexpr long kMaxTlsV1_0 = kTlsV1_0 << 16;
inline constexpr long kMaxTlsV1_1 = kTlsV1_1 << 16;
inline constexpr long kMaxTlsV1_2 = kTlsV1_2 << 16;
inline constexpr long kMaxTlsV1_3 = kTlsV1_3 << 16;
inline constexpr long kMaxLast = kLast << 16;
}  // namespace sslversion

// Where this system's libcurl looks for trusted CAs when the application names none
// (`curl-config --ca` and its --with-ca-path on Debian).
inline constexpr const char *kDefaultCaFile = "/etc/ssl/certs/ca-certificates.crt";
inline constexpr const char *kDefaultCaPath = "/etc/ssl/certs";

struct TlsConfig {
  bool verify_peer = true;  // CURLOPT_SSL_VERIFYPEER
  long verify_host = 2;     // CURLOPT_SSL_VERIFYHOST: 0 skips the name check, 1 acts as 2
  // CURLOPT_CAINFO / CURLOPT_CAPATH; an empty string means "none" (the option set to NULL).
  std::string ca_file = kDefaultCaFile;
  std::string ca_path = kDefaultCaPath;
  std::string ca_blob;  // CURLOPT_CAINFO_BLOB: PEM bytes; when set, ca_file is not read
  // Client certificate (CURLOPT_SSLCERT, SSLKEY, KEYPASSWD, SSLCERTTYPE, SSLKEYTYPE). Only PEM is
  // supported. Without key_file the key is read from cert_file.
  std::string cert_file;
  std::string key_file;
  std::string key_password;
  std::string cert_type = "PEM";
  std::string key_type = "PEM";
  long ssl_version = sslversion::kDefault;  // CURLOPT_SSLVERSION, min | max
  std::string cipher_list;                  // CURLOPT_SSL_CIPHER_LIST (TLS <= 1.2)
  std::string tls13_ciphers;                // CURLOPT_TLS13_CIPHERS
  // CURLOPT_PINNEDPUBLICKEY: "sha256//<base64>[;sha256//<base64>...]" or a PEM/DER file holding
  // the SubjectPublicKeyInfo.
  std::string pinned_pubkey;
  bool session_cache = true;   // CURLOPT_SSL_SESSIONID_CACHE
  bool no_revoke = false;      // CURLSSLOPT_NO_REVOKE: accepted; OpenSSL checks no CRLs here anyway
  bool want_certinfo = false;  // CURLOPT_CERTINFO
  // Offered in this order; empty offers none. libcurl's default (HTTP_VERSION 2TLS) offers h2.
  std::vector<std::string> alpn = {"h2", "http/1.1"};

  bool operator==(const TlsConfig &) const = default;

  // The fields that go into an SSL_CTX; the others are applied per connection, so changing them
  // does not cost another CA store load.
  bool same_context(const TlsConfig &o) const {
    return std::tie(verify_peer, ca_file, ca_path, ca_blob, cert_file, key_file, key_password,
                    cert_type, key_type, ssl_version, cipher_list, tls13_ciphers, session_cache) ==
           std::tie(o.verify_peer, o.ca_file, o.ca_path, o.ca_blob, o.cert_file, o.key_file,
                    o.key_password, o.cert_type, o.key_type, o.ssl_version, o.cipher_list,
                    o.tls13_ciphers, o.session_cache);
  }
  size_t context_hash() const {
    size_t h = std::hash<long>()(ssl_version) * 2 + (verify_peer ? 1 : 0);
    h = h * 2 + (session_cache ? 1 : 0);
    for (std::string_view s :
         {std::string_view(ca_file), std::string_view(ca_path), std::string_view(ca_blob),
          std::string_view(cert_file), std::string_view(key_file), std::string_view(key_password),
          std::string_view(cert_type), std::string_view(key_type), std::string_view(cipher_list),
          std::string_view(tls13_ciphers)})
      h = h * 1000003u ^ std::hash<std::string_view>()(s);
    return h;
  }

  // Every setting, spelled out unambiguously (each field length-prefixed): connections are only
  // shared between transfers whose identities are equal.
  std::string identity() const {
    std::string id;
    auto add = [&id](std::string_view s) {
      id += std::to_string(s.size());
      id += ':';
      id += s;
    };
    for (std::string_view s :
         {std::string_view(ca_file), std::string_view(ca_path), std::string_view(ca_blob),
          std::string_view(cert_file), std::string_view(key_file), std::string_view(key_password),
          std::string_view(cert_type), std::string_view(key_type), std::string_view(cipher_list),
          std::string_view(tls13_ciphers), std::string_view(pinned_pubkey)})
      add(s);
    for (const std::string &p : alpn) add(p);
    id += std::to_string(ssl_version) + (verify_peer ? "P" : "p") + std::to_string(verify_host) +
          (session_cache ? "S" : "s") + (want_certinfo ? "C" : "c");
    return id;
  }

  // What libcurl's setopt accepts for CURLOPT_SSLVERSION: it refuses SSLv2, SSLv3 and unknown
  // values with CURLE_BAD_FUNCTION_ARGUMENT.
  static bool valid_ssl_version(long v) {
    long min = v & 0xffff, max = v & ~0xffffL;
    if (min < sslversion::kDefault || min >= sslversion::kLast) return false;
    if (min == sslversion::kSslV2 || min == sslversion::kSslV3) return false;
    return max >= sslversion::kMaxNone && max < sslversion::kMaxLast;
  }
};

}  // namespace evm
