// curl_easy_header and curl_easy_nextheader: the C edge of a transfer's HeaderStore.
#include <curl/curl.h>

#include "api/c_edge.h"
#include "transfer/transfer.h"

using evm::Transfer;
using evm::api::guarded;

extern "C" CURLHcode curl_easy_header(CURL *easy, const char *name, size_t index,
                                      unsigned int origin, int request, curl_header **hout) {
  return guarded(CURLHE_OUT_OF_MEMORY, [=]() -> CURLHcode {
    Transfer *t = Transfer::from(easy);
    if (!t || !name || !hout) return CURLHE_BAD_ARGUMENT;
    return t->info.headers.find(name, index, origin, request, hout);
  });
}

extern "C" curl_header *curl_easy_nextheader(CURL *easy, unsigned int origin, int request,
                                             curl_header *prev) {
  return guarded(nullptr, [=]() -> curl_header * {
    Transfer *t = Transfer::from(easy);
    return t ? t->info.headers.next(origin, request, prev) : nullptr;
  });
}
