// The cookie engine: COOKIE, COOKIEFILE, COOKIEJAR, COOKIELIST, COOKIESESSION.
#include "api/setopt.h"

namespace evm {

CURLcode set_cookie_option(EasyOptions &, CURLoption, const OptionArg &) {
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
