// CURLOPT_CURLU: the URL comes from a curl_url handle instead of CURLOPT_URL. The handle is
// borrowed and only read, when each transfer starts (so later changes count), as libcurl does.
#include "api/setopt.h"

namespace evm {

CURLcode set_curlu_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  if (opt != CURLOPT_CURLU) return CURLE_UNKNOWN_OPTION;
  o.curlu = static_cast<const CURLU *>(arg.pointer);
  return CURLE_OK;
}

}  // namespace evm
