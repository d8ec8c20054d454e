// curl_url_set: replace one part (validated as libcurl 7.88 does), or parse a whole URL,
// relative to the one the handle holds when it has no scheme of its own.
#pragma once

#include "urlapi/url_handle.h"

namespace evm::urlapi {

// `part` null clears the part (CURLUPART_URL: every part). The handle is unchanged on error.
CURLUcode set_part(Curl_URL &u, CURLUPart what, const char *part, unsigned flags);

}  // namespace evm::urlapi
