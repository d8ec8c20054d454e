#include "conn/tls_trace.h"

#include <cstdio>
#include <string_view>

#include "conn/filter.h"
#include "util/trace.h"

namespace evm {
namespace {

const char *version_name(int version) {
  switch (version) {
    case TLS1_3_VERSION:
      return "TLSv1.3";
    case TLS1_2_VERSION:
      return "TLSv1.2";
    case TLS1_1_VERSION:
      return "TLSv1.1";
    case TLS1_VERSION:
      return "TLSv1.0";
    case SSL3_VERSION:
      return "SSLv3";
    default:
      return "Unknown";
  }
}

const char *record_name(int content_type) {
  switch (content_type) {
    case SSL3_RT_CHANGE_CIPHER_SPEC:
      return "TLS change cipher";
    case SSL3_RT_ALERT:
      return "TLS alert";
    case SSL3_RT_HANDSHAKE:
      return "TLS handshake";
    case SSL3_RT_APPLICATION_DATA:
      return "TLS app data";
    default:
      return "TLS Unknown";
  }
}

// Handshake message names as libcurl spells them.
const char *handshake_name(int type) {
  switch (type) {
    case 0:
      return "Hello request";
    case 1:
      return "Client hello";
    case 2:
      return "Server hello";
    case 4:
      return "Newsession Ticket";
    case 5:
      return "End of early data";
    case 8:
      return "Encrypted Extensions";
    case 11:
      return "Certificate";
    case 12:
      return "Server key exchange";
    case 13:
      return "Request CERT";
    case 14:
      return "Server finished";
    case 15:
      return "CERT verify";
    case 16:
      return "Client key exchange";
    case 20:
      return "Finished";
    case 22:
      return "Certificate Status";
    case 23:
      return "Supplemental data";
    case 24:
      return "Key update";
    case 254:
      return "Message hash";
    default:
      return "Unknown";
  }
}

void on_message(int write_p, int version, int content_type, const void *buf, size_t len, SSL *,
                void *arg) {
  FilterContext *ctx = *static_cast<FilterContext *const *>(arg);
  // Only real messages in either direction (OpenSSL also reports pseudo content types).
  if (!ctx || !ctx->trace.enabled || !ctx->trace.sink || (write_p != 0 && write_p != 1)) return;
  const auto *bytes = static_cast<const unsigned char *>(buf);
  if (version != 0 && len > 0 && content_type != SSL3_RT_HEADER &&
      content_type != SSL3_RT_INNER_CONTENT_TYPE) {
    int type = bytes[0];
    const char *name;
    if (content_type == SSL3_RT_CHANGE_CIPHER_SPEC) {
      name = "Change cipher spec";
    } else if (content_type == SSL3_RT_ALERT && len >= 2) {
      type = (bytes[0] << 8) | bytes[1];
      name = SSL_alert_desc_string_long(type);
    } else {
      name = handshake_name(type);
    }
    char text[160];
    int n = std::snprintf(text, sizeof(text), "%s (%s), %s, %s (%d):\n", version_name(version),
                          write_p ? "OUT" : "IN", record_name(content_type), name, type);
    if (n > 0 && static_cast<size_t>(n) < sizeof(text))
      ctx->trace.sink->emit(CURLINFO_TEXT, std::string_view(text, static_cast<size_t>(n)));
  }
  ctx->trace.data(write_p ? CURLINFO_SSL_DATA_OUT : CURLINFO_SSL_DATA_IN,
                  std::string_view(static_cast<const char *>(buf), len));
}

}  // namespace

void install_tls_trace(SSL *ssl, FilterContext *const *current) {
  SSL_set_msg_callback(ssl, on_message);
  SSL_set_msg_callback_arg(ssl, const_cast<FilterContext **>(current));
}

}  // namespace evm
