// SSL_DATA_IN / SSL_DATA_OUT for DEBUGFUNCTION: OpenSSL's message callback hands over each TLS
// message and record header; handshake, change-cipher and alert messages are also named in a
// CURLINFO_TEXT line ("TLSv1.3 (OUT), TLS handshake, Client hello (1):"), as libcurl 7.88 does.
// Only a transfer with a DEBUGFUNCTION sees them (libcurl shows none on its default stderr).
#pragma once

#include <openssl/ssl.h>

namespace evm {

struct FilterContext;

// Installed on an SSL with `current` pointing at the filter context of the call in progress
// (null between calls: nothing is reported).
void install_tls_trace(SSL *ssl, FilterContext *const *current);

}  // namespace evm
