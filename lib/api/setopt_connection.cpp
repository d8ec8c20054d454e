// Connection set-up: CONNECT_TO, PORT, buffers, keep-alive probes, INTERFACE, LOCALPORT, socket
// callbacks, PREREQFUNCTION, PIPEWAIT. Ranges and clamps are libcurl 7.88's.
#include <climits>

#include "api/setopt.h"
#include "transfer/transfer.h"

namespace evm {

namespace {

constexpr long kMinReadSize = 1024;
constexpr long kMinUploadSize = 16 * 1024;
constexpr long kMaxUploadSize = 2 * 1024 * 1024;

// A count of seconds that may not be negative; larger than an int is capped.
CURLcode set_seconds(long &field, long v) {
  if (v < 0) return CURLE_BAD_FUNCTION_ARGUMENT;
  field = v > INT_MAX ? INT_MAX : v;
  return CURLE_OK;
}

CURLcode set_port_number(long &field, long v) {
  if (v < 0 || v > 65535) return CURLE_BAD_FUNCTION_ARGUMENT;
  field = v;
  return CURLE_OK;
}

CURLcode set_long(EasyOptions &o, CURLoption opt, long v) {
  switch (opt) {
    case CURLOPT_PORT:
      return set_port_number(o.port, v);
    case CURLOPT_BUFFERSIZE:
      // 0 or less: the default; otherwise clamped to libcurl's range.
      o.buffer_size = v < 1                    ? 0
                      : v < kMinReadSize       ? kMinReadSize
                      : v > CURL_MAX_READ_SIZE ? CURL_MAX_READ_SIZE
                                               : v;
      return CURLE_OK;
    case CURLOPT_UPLOAD_BUFFERSIZE:
      o.upload_buffer_size = v < kMinUploadSize   ? kMinUploadSize
                             : v > kMaxUploadSize ? kMaxUploadSize
                                                  : v;
      return CURLE_OK;
    case CURLOPT_TCP_KEEPALIVE:
      o.tcp_keepalive = v != 0;
      return CURLE_OK;
    case CURLOPT_TCP_KEEPIDLE:
      return set_seconds(o.tcp_keepidle, v);
    case CURLOPT_TCP_KEEPINTVL:
      return set_seconds(o.tcp_keepintvl, v);
    case CURLOPT_LOCALPORT:
      return set_port_number(o.local_port, v);
    case CURLOPT_LOCALPORTRANGE:
      return set_port_number(o.local_port_range, v);
    case CURLOPT_DNS_CACHE_TIMEOUT:
      if (v < -1) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.dns_cache_timeout = v > INT_MAX ? INT_MAX : v;
      return CURLE_OK;
    case CURLOPT_MAXAGE_CONN:
      return set_seconds(o.maxage_conn, v);
    case CURLOPT_MAXLIFETIME_CONN:
      return set_seconds(o.maxlifetime_conn, v);
    case CURLOPT_PIPEWAIT:
      o.pipewait = v != 0;
      return CURLE_OK;
    case CURLOPT_STREAM_WEIGHT:
      if (v >= 1 && v <= 256) o.stream_weight = v;  // others are ignored, as libcurl does
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

CURLcode set_pointer(EasyOptions &o, CURLoption opt, void *v) {
  switch (opt) {
    case CURLOPT_STREAM_DEPENDS:
    case CURLOPT_STREAM_DEPENDS_E:
      if (v && !Transfer::from(static_cast<CURL *>(v))) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.stream_depends = static_cast<CURL *>(v);
      o.stream_exclusive = opt == CURLOPT_STREAM_DEPENDS_E;
      return CURLE_OK;
    case CURLOPT_CONNECT_TO:
      o.connect_to = static_cast<const curl_slist *>(v);
      return CURLE_OK;
    case CURLOPT_INTERFACE:
      if (v)
        o.interface_name = static_cast<const char *>(v);
      else
        o.interface_name.clear();
      return CURLE_OK;
    case CURLOPT_OPENSOCKETDATA:
      o.open_socket_data = v;
      return CURLE_OK;
    case CURLOPT_CLOSESOCKETDATA:
      o.close_socket_data = v;
      return CURLE_OK;
    case CURLOPT_SOCKOPTDATA:
      o.sockopt_data = v;
      return CURLE_OK;
    case CURLOPT_PREREQDATA:
      o.prereq_data = v;
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

CURLcode set_function(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  switch (opt) {
    case CURLOPT_OPENSOCKETFUNCTION:
      o.open_socket_fn = arg.callback<curl_opensocket_callback>();
      return CURLE_OK;
    case CURLOPT_CLOSESOCKETFUNCTION:
      o.close_socket_fn = arg.callback<curl_closesocket_callback>();
      return CURLE_OK;
    case CURLOPT_SOCKOPTFUNCTION:
      o.sockopt_fn = arg.callback<curl_sockopt_callback>();
      return CURLE_OK;
    case CURLOPT_PREREQFUNCTION:
      o.prereq_fn = arg.callback<curl_prereq_callback>();
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

}  // namespace

CURLcode set_connection_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  if (opt < CURLOPTTYPE_OBJECTPOINT) return set_long(o, opt, arg.number);
  if (opt < CURLOPTTYPE_FUNCTIONPOINT) return set_pointer(o, opt, arg.pointer);
  if (opt < CURLOPTTYPE_OFF_T) return set_function(o, opt, arg);
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
