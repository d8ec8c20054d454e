// Functions of features evmulti is built without, answering as a libcurl 7.88 built without
// them (probed against Debian's): WebSockets (CURLE_NOT_BUILT_IN, curl_ws_meta NULL; the
// out-parameters are left untouched).
#include <curl/curl.h>

extern "C" CURLcode curl_ws_recv(CURL *, void *, size_t, size_t *, struct curl_ws_frame **) {
  return CURLE_NOT_BUILT_IN;
}

extern "C" CURLcode curl_ws_send(CURL *, const void *, size_t, size_t *, curl_off_t, unsigned int) {
  return CURLE_NOT_BUILT_IN;
}

extern "C" struct curl_ws_frame *curl_ws_meta(CURL *) {
  return nullptr;
}
