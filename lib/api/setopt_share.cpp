// CURLOPT_SHARE: the easy handle joins a share object (curl_share_*), or leaves it with NULL.
#include "api/setopt.h"
#include "share/share.h"

namespace evm {

CURLcode set_share_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  if (opt != CURLOPT_SHARE) return CURLE_UNKNOWN_OPTION;
  Share *next = Share::from(arg.pointer);
  // libcurl takes any pointer on trust; a pointer that is no share is refused here instead.
  if (arg.pointer && !next) return CURLE_BAD_FUNCTION_ARGUMENT;
  if (Share *old = o.share.share()) {
    // Leaving a share that shares cookies leaves the handle with none, as in libcurl.
    if (old->cookies() && o.cookies.jar == old->cookies()) o.cookies.jar.reset();
  }
  o.share.join(next);
  // Joining one that shares cookies drops the handle's own: the share's jar is used instead.
  if (next && next->cookies()) o.cookies.jar = next->cookies();
  return CURLE_OK;
}

}  // namespace evm
