// CURLOPT_CURLU: the URL a transfer starts with, read from the application's CURLU.
#pragma once

#include <curl/curl.h>

#include <string>

#include "urlapi/url_handle.h"

namespace evm::urlapi {

// The whole URL as curl_url_get gives it. A handle without scheme or host answers
// CURLE_URL_MALFORMAT, as libcurl 7.88 does; the scheme itself is checked by the transfer.
CURLcode url_for_transfer(const Curl_URL &u, std::string &url);

}  // namespace evm::urlapi
