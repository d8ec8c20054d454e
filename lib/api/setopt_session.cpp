// CURLOPT_CONNECT_ONLY and what curl_easy_send/recv and curl_easy_upkeep need.
#include "api/setopt.h"

namespace evm {

CURLcode set_session_option(EasyOptions &, CURLoption, const OptionArg &) {
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
