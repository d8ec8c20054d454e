// CURLOPT_CONNECT_ONLY and CURLOPT_UPKEEP_INTERVAL_MS: what curl_easy_send/recv and
// curl_easy_upkeep need. Ranges are libcurl 7.88's.
#include "api/setopt.h"

namespace evm {

CURLcode set_session_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  switch (opt) {
    case CURLOPT_CONNECT_ONLY:
      // Only 1 stops at the connection. 2 asks for a WebSocket upgrade, which a libcurl without
      // WebSockets takes and then runs the whole transfer; above 2 is refused. libcurl keeps
      // the value in a byte, so a negative one is taken and read the same way (-1 is 255).
      if (arg.number > 2) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.connect_only = static_cast<unsigned char>(arg.number);
      return CURLE_OK;
    case CURLOPT_QUICK_EXIT:
      // It lets libcurl skip joining resolver threads at cleanup; c-ares resolves in the
      // caller's loop and leaves no thread behind, so both values end a handle at once.
      o.quick_exit = arg.number != 0;
      return CURLE_OK;
    case CURLOPT_UPKEEP_INTERVAL_MS:
      if (arg.number < 0) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.upkeep_interval_ms = arg.number;
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

}  // namespace evm
