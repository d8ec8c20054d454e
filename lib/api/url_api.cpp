// The URL API's C entry points (urlapi.h): handle lifetime, get, set and error texts.
#include <curl/curl.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "api/c_edge.h"
#include "urlapi/url_get.h"
#include "urlapi/url_handle.h"
#include "urlapi/url_set.h"

using evm::api::guarded;

namespace {

// What curl_url_get hands out is released with curl_free (free), so it is malloc'ed.
char *c_copy(const std::string &s) {
  char *p = static_cast<char *>(std::malloc(s.size() + 1));
  if (p) std::memcpy(p, s.c_str(), s.size() + 1);
  return p;
}

}  // namespace

extern "C" CURLU *curl_url(void) {
  return guarded(static_cast<CURLU *>(nullptr), [] { return new CURLU(); });
}

extern "C" void curl_url_cleanup(CURLU *handle) {
  delete handle;
}

extern "C" CURLU *curl_url_dup(CURLU *in) {
  if (!in) return nullptr;
  return guarded(static_cast<CURLU *>(nullptr), [in] { return new CURLU(*in); });
}

extern "C" CURLUcode curl_url_get(CURLU *handle, CURLUPart what, char **part, unsigned int flags) {
  if (!handle) return CURLUE_BAD_HANDLE;
  if (!part) return CURLUE_BAD_PARTPOINTER;
  *part = nullptr;
  return guarded(CURLUE_OUT_OF_MEMORY, [&] {
    std::string value;
    const int part_id = evm::api::code_value(what);  // any int may come from C
    if (part_id < CURLUPART_URL || part_id > CURLUPART_ZONEID) return CURLUE_UNKNOWN_PART;
    CURLUcode rc = evm::urlapi::get_part(*handle, static_cast<CURLUPart>(part_id), flags, value);
    if (rc) return rc;
    *part = c_copy(value);
    return *part ? CURLUE_OK : CURLUE_OUT_OF_MEMORY;
  });
}

extern "C" CURLUcode curl_url_set(CURLU *handle, CURLUPart what, const char *part,
                                  unsigned int flags) {
  if (!handle) return CURLUE_BAD_HANDLE;
  const int part_id = evm::api::code_value(what);  // any int may come from C
  if (part_id < CURLUPART_URL || part_id > CURLUPART_ZONEID) return CURLUE_UNKNOWN_PART;
  return guarded(CURLUE_OUT_OF_MEMORY, [&] {
    return evm::urlapi::set_part(*handle, static_cast<CURLUPart>(part_id), part, flags);
  });
}

// The wording is evmulti's own; only the codes are libcurl's.
extern "C" const char *curl_url_strerror(CURLUcode code) {
  switch (evm::api::code_value(code)) {
    case CURLUE_OK:
      return "No error";
    case CURLUE_BAD_HANDLE:
      return "The CURLU handle is NULL";
    case CURLUE_BAD_PARTPOINTER:
      return "The pointer to receive the part is NULL";
    case CURLUE_MALFORMED_INPUT:
      return "The URL or part is malformed";
    case CURLUE_BAD_PORT_NUMBER:
      return "The port is not a number between 1 and 65535";
    case CURLUE_UNSUPPORTED_SCHEME:
      return "The scheme is not supported by this library";
    case CURLUE_URLDECODE:
      return "Percent-decoding gave a control character";
    case CURLUE_OUT_OF_MEMORY:
      return "Out of memory";
    case CURLUE_USER_NOT_ALLOWED:
      return "Credentials in the URL are not allowed";
    case CURLUE_UNKNOWN_PART:
      return "Unknown URL part";
    case CURLUE_NO_SCHEME:
      return "The URL has no scheme";
    case CURLUE_NO_USER:
      return "The URL has no user name";
    case CURLUE_NO_PASSWORD:
      return "The URL has no password";
    case CURLUE_NO_OPTIONS:
      return "The URL has no login options";
    case CURLUE_NO_HOST:
      return "The URL has no host name";
    case CURLUE_NO_PORT:
      return "The URL has no port";
    case CURLUE_NO_QUERY:
      return "The URL has no query";
    case CURLUE_NO_FRAGMENT:
      return "The URL has no fragment";
    case CURLUE_NO_ZONEID:
      return "The URL has no IPv6 zone id";
    case CURLUE_BAD_FILE_URL:
      return "Bad file:// URL";
    case CURLUE_BAD_FRAGMENT:
      return "Bad fragment in the URL";
    case CURLUE_BAD_HOSTNAME:
      return "Bad host name in the URL";
    case CURLUE_BAD_IPV6:
      return "Bad IPv6 address in the URL";
    case CURLUE_BAD_LOGIN:
      return "Bad login part in the URL";
    case CURLUE_BAD_PASSWORD:
      return "Bad password in the URL";
    case CURLUE_BAD_PATH:
      return "Bad path in the URL";
    case CURLUE_BAD_QUERY:
      return "Bad query in the URL";
    case CURLUE_BAD_SCHEME:
      return "Bad or missing scheme in the URL";
    case CURLUE_BAD_SLASHES:
      return "Wrong number of slashes after the URL's scheme";
    case CURLUE_BAD_USER:
      return "Bad user name in the URL";
    case CURLUE_LACKS_IDN:
      return "This library was built without IDN support";
    case CURLUE_LAST:
      break;
  }
  return "Unknown CURLUcode";
}
