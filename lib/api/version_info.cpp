// curl_version_info: what this build has, so a program that checks before it uses a feature
// takes the right branch. Only what is true is reported: HTTP and HTTPS, OpenSSL, zlib, c-ares,
// HTTP/2 through nghttp2.
#include <curl/curl.h>

#include <ares.h>
#include <nghttp2/nghttp2.h>
#include <openssl/crypto.h>
#include <zlib.h>

#include <cstdio>

#include "api/c_edge.h"
#include "net/tls_config.h"

using evm::api::guarded;

namespace {

// libcurl lists protocols and feature names in lower-case alphabetical order.
const char *const kProtocols[] = {"http", "https", nullptr};

// IPv6: the resolver and connector take AAAA answers; AsynchDNS: c-ares; Largefile: curl_off_t
// is 64-bit; threadsafe: curl_global_init/cleanup run under a lock.
const char *const kFeatureNames[] = {"AsynchDNS", "HTTP2", "IPv6",       "Largefile",
                                     "libz",      "SSL",   "threadsafe", nullptr};
constexpr int kFeatures = CURL_VERSION_ASYNCHDNS | CURL_VERSION_HTTP2 | CURL_VERSION_IPV6 |
                          CURL_VERSION_LARGEFILE | CURL_VERSION_LIBZ | CURL_VERSION_SSL |
                          CURL_VERSION_THREADSAFE;

// The build's machine, in the form libcurl's configure reports its host.
#if defined(__x86_64__)
#define EVM_HOST_CPU "x86_64"
#elif defined(__aarch64__)
#define EVM_HOST_CPU "aarch64"
#elif defined(__i386__)
#define EVM_HOST_CPU "i686"
#else
#define EVM_HOST_CPU "unknown"
#endif
#if defined(__linux__)
#define EVM_HOST_OS "pc-linux-gnu"
#elif defined(__APPLE__)
#define EVM_HOST_OS "apple-darwin"
#elif defined(__FreeBSD__)
#define EVM_HOST_OS "unknown-freebsd"
#else
#define EVM_HOST_OS "unknown"
#endif

curl_version_info_data build_info() {
  static char ssl_text[40];
  // "OpenSSL/3.0.11", as libcurl's OpenSSL backend writes it.
  std::snprintf(ssl_text, sizeof ssl_text, "OpenSSL/%u.%u.%u", OPENSSL_version_major(),
                OPENSSL_version_minor(), OPENSSL_version_patch());
  curl_version_info_data d{};
  d.age = CURLVERSION_NOW;
  d.version = LIBCURL_VERSION;
  d.version_num = LIBCURL_VERSION_NUM;
  d.host = EVM_HOST_CPU "-" EVM_HOST_OS;
  d.features = kFeatures;
  d.ssl_version = ssl_text;
  d.ssl_version_num = 0;  // libcurl leaves it 0 too
  d.libz_version = zlibVersion();
  d.protocols = kProtocols;
  d.ares = ares_version(&d.ares_num);
  const nghttp2_info *h2 = nghttp2_version(0);
  d.nghttp2_ver_num = static_cast<unsigned>(h2->version_num);
  d.nghttp2_version = h2->version_str;
  // No IDN, iconv, SSH, brotli, QUIC, zstd, hyper or gsasl: their fields stay NULL/0.
  d.cainfo = evm::kDefaultCaFile;
  d.capath = evm::kDefaultCaPath;
  d.feature_names = kFeatureNames;
  return d;
}

}  // namespace

// Whatever age is asked for, the newest struct is returned (its age field says so), as libcurl
// does; a program reads only the fields its age knows.
extern "C" curl_version_info_data *curl_version_info(CURLversion) {
  return guarded(nullptr, []() -> curl_version_info_data * {
    static curl_version_info_data data = build_info();  // thread-safe static initialisation
    return &data;
  });
}
