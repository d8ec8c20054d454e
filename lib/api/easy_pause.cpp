// curl_easy_pause: pauses or resumes a transfer's receiving and sending.
#include <curl/curl.h>

#include "api/c_edge.h"
#include "multi/multi.h"
#include "transfer/transfer.h"

extern "C" CURLcode curl_easy_pause(CURL *handle, int bitmask) {
  return evm::api::guarded(CURLE_OUT_OF_MEMORY, [=] {
    evm::Transfer *t = evm::Transfer::from(handle);
    if (!t) return CURLE_BAD_FUNCTION_ARGUMENT;
    // Inside one of our callbacks the running API call reports sockets and timers when it
    // returns; outside, they are reported now, as libcurl does.
    bool outside = !t->multi || !t->multi->in_callback();
    CURLcode rc = t->pause(bitmask, outside);
    if (rc == CURLE_OK && outside && t->multi) t->multi->update_timer();
    return rc;
  });
}
