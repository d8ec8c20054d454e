// curl_share_* entry points: a share object's life, its options and its error texts.
#include <curl/curl.h>

#include <cstdarg>

#include "api/c_edge.h"
#include "share/share.h"

using evm::Share;
using evm::api::guarded;

extern "C" CURLSH *curl_share_init(void) {
  return guarded(nullptr, [] { return (new Share)->handle(); });
}

namespace {

CURLSHcode set_option(CURLSH *handle, int option, va_list ap) {
  Share *s = Share::from(handle);
  if (!s) return CURLSHE_INVALID;
  // No option may change while a handle uses the share, lock callbacks included.
  if (s->in_use()) return CURLSHE_IN_USE;
  switch (option) {
    case CURLSHOPT_SHARE:
      return s->share(va_arg(ap, int));
    case CURLSHOPT_UNSHARE:
      return s->unshare(va_arg(ap, int));
    case CURLSHOPT_LOCKFUNC:
      s->lock_fn = va_arg(ap, curl_lock_function);
      return CURLSHE_OK;
    case CURLSHOPT_UNLOCKFUNC:
      s->unlock_fn = va_arg(ap, curl_unlock_function);
      return CURLSHE_OK;
    case CURLSHOPT_USERDATA:
      s->user_data = va_arg(ap, void *);
      return CURLSHE_OK;
    default:
      return CURLSHE_BAD_OPTION;
  }
}

}  // namespace

extern "C" CURLSHcode curl_share_setopt(CURLSH *handle, CURLSHoption option, ...) {
  va_list ap;
  EVM_VA_START_AFTER_ENUM(ap, option);
  CURLSHcode rc =
      guarded(CURLSHE_NOMEM, [&] { return set_option(handle, evm::api::code_value(option), ap); });
  va_end(ap);
  return rc;
}

extern "C" CURLSHcode curl_share_cleanup(CURLSH *handle) {
  return guarded(CURLSHE_NOMEM, [handle] {
    Share *s = Share::from(handle);
    if (!s) return CURLSHE_INVALID;
    // libcurl 7.88 calls the lock function here whatever the share shares, with no handle.
    if (s->lock_fn)
      s->lock_fn(nullptr, CURL_LOCK_DATA_SHARE, CURL_LOCK_ACCESS_SINGLE, s->user_data);
    bool busy = s->in_use();
    if (s->unlock_fn) s->unlock_fn(nullptr, CURL_LOCK_DATA_SHARE, s->user_data);
    if (busy) return CURLSHE_IN_USE;
    delete s;
    return CURLSHE_OK;
  });
}

extern "C" const char *curl_share_strerror(CURLSHcode code) {
  return guarded(nullptr, [&code]() -> const char * {
    switch (evm::api::code_value(code)) {
      case CURLSHE_OK:
        return "No error";
      case CURLSHE_BAD_OPTION:
        return "Unknown share option";
      case CURLSHE_IN_USE:
        return "Share currently in use";
      case CURLSHE_INVALID:
        return "Invalid share handle";
      case CURLSHE_NOMEM:
        return "Out of memory";
      case CURLSHE_NOT_BUILT_IN:
        return "Feature not enabled in this library";
      default:
        return "CURLSHcode unknown";
    }
  });
}
