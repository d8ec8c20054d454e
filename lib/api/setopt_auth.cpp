// Credentials: USERPWD, USERNAME, PASSWORD, HTTPAUTH, XOAUTH2_BEARER, PROXYAUTH.
#include "api/setopt.h"

namespace evm {
namespace {

// libcurl's reading of an auth mask: DIGEST_IE counts as DIGEST, schemes not built here
// (NTLM, Negotiate, AWS SigV4) are switched off, and nothing left is CURLE_NOT_BUILT_IN.
CURLcode set_auth_mask(unsigned long &field, unsigned long v) {
  if (v == CURLAUTH_NONE) {
    field = v;
    return CURLE_OK;
  }
  if (v & CURLAUTH_DIGEST_IE) v = (v | CURLAUTH_DIGEST) & ~CURLAUTH_DIGEST_IE;
  v &= ~(CURLAUTH_NTLM | CURLAUTH_NTLM_WB | CURLAUTH_NEGOTIATE | CURLAUTH_AWS_SIGV4);
  if (!(v & ~CURLAUTH_ONLY)) return CURLE_NOT_BUILT_IN;
  field = v;
  return CURLE_OK;
}

}  // namespace

CURLcode set_auth_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  switch (opt) {
    case CURLOPT_USERPWD: {
      // "user:password", split at the first colon; NULL forgets both.
      const char *s = arg.string();
      o.has_user = s != nullptr;
      o.user.clear();
      o.password.clear();
      if (s) {
        std::string_view v(s);
        size_t colon = v.find(':');
        o.user = v.substr(0, colon);
        if (colon != std::string_view::npos) o.password = v.substr(colon + 1);
      }
      return CURLE_OK;
    }
    case CURLOPT_USERNAME:
      o.has_user = arg.string() != nullptr;
      o.user = arg.string() ? arg.string() : "";
      return CURLE_OK;
    case CURLOPT_PASSWORD:
      o.password = arg.string() ? arg.string() : "";
      return CURLE_OK;
    case CURLOPT_HTTPAUTH:
      return set_auth_mask(o.http_auth, static_cast<unsigned long>(arg.number));
    case CURLOPT_PROXYAUTH:
      return set_auth_mask(o.proxy_auth, static_cast<unsigned long>(arg.number));
    case CURLOPT_XOAUTH2_BEARER:
      o.bearer = arg.string() ? arg.string() : "";
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

}  // namespace evm
