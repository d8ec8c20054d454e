// curl_url_get: one part, or the whole URL rebuilt from the parts, as libcurl 7.88 gives them.
#pragma once

#include <string>

#include "urlapi/url_handle.h"

namespace evm::urlapi {

CURLUcode get_part(const Curl_URL &u, CURLUPart what, unsigned flags, std::string &out);

}  // namespace evm::urlapi
