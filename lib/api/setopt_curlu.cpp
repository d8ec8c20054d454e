// CURLOPT_CURLU: the URL comes from a curl_url handle instead of CURLOPT_URL.
#include "api/setopt.h"

namespace evm {

CURLcode set_curlu_option(EasyOptions &, CURLoption, const OptionArg &) {
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
