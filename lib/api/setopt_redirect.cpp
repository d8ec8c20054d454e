// Redirects: FOLLOWLOCATION, MAXREDIRS, POSTREDIR, AUTOREFERER, REFERER, (REDIR_)PROTOCOLS,
// UNRESTRICTED_AUTH.
#include "api/setopt.h"

namespace evm {

CURLcode set_redirect_option(EasyOptions &, CURLoption, const OptionArg &) {
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
