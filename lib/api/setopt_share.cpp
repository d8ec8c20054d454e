// CURLOPT_SHARE: the easy handle joins a share object (curl_share_*).
#include "api/setopt.h"

namespace evm {

CURLcode set_share_option(EasyOptions &, CURLoption, const OptionArg &) {
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
