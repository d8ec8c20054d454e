#include "urlapi/url_for_transfer.h"

#include "urlapi/url_get.h"

namespace evm::urlapi {

CURLcode url_for_transfer(const Curl_URL &u, std::string &url) {
  switch (get_part(u, CURLUPART_URL, 0, url)) {
    case CURLUE_OK:
      return CURLE_OK;
    case CURLUE_OUT_OF_MEMORY:
      return CURLE_OUT_OF_MEMORY;
    default:
      return CURLE_URL_MALFORMAT;
  }
}

}  // namespace evm::urlapi
