// Credentials: USERPWD, USERNAME, PASSWORD, HTTPAUTH, XOAUTH2_BEARER, PROXYAUTH.
#include "api/setopt.h"

namespace evm {

CURLcode set_auth_option(EasyOptions &, CURLoption, const OptionArg &) {
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
