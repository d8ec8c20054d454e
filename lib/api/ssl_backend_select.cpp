// curl_global_sslset: OpenSSL is the one TLS backend, so this answers as a libcurl 7.88 built
// with a single backend does (probed against Debian's): OpenSSL, by id or by name in any case,
// is OK before and after curl_global_init; anything else is CURLSSLSET_UNKNOWN_BACKEND; the
// list of available backends holds OpenSSL alone.
#include <curl/curl.h>

#include <strings.h>

#include "api/c_edge.h"

using evm::api::guarded;

namespace {

const curl_ssl_backend kOpenSsl = {CURLSSLBACKEND_OPENSSL, "openssl"};
const curl_ssl_backend *const kAvailable[] = {&kOpenSsl, nullptr};

}  // namespace

extern "C" CURLsslset curl_global_sslset(curl_sslbackend id, const char *name,
                                         const curl_ssl_backend ***avail) {
  const int backend = evm::api::code_value(id);  // any int may come from C
  return guarded(CURLSSLSET_UNKNOWN_BACKEND, [backend, name, avail] {
    // libcurl's signature hands out a non-const array; nobody may write through it.
    if (avail) *avail = const_cast<const curl_ssl_backend **>(kAvailable);
    bool ours = backend == kOpenSsl.id || (name && ::strcasecmp(name, kOpenSsl.name) == 0);
    return ours ? CURLSSLSET_OK : CURLSSLSET_UNKNOWN_BACKEND;
  });
}
