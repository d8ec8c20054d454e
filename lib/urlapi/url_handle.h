// The object behind CURLU: a URL kept as its parts, each as written (percent-encoded), so
// that one part can be changed and the whole rebuilt. An absent part is not an empty one.
#pragma once

#include <curl/urlapi.h>

#include <optional>
#include <string>
#include <string_view>

struct Curl_URL {
  std::optional<std::string> scheme, user, password, options, host, zoneid, port, path, query,
      fragment;
};

namespace evm::urlapi {

// The schemes this library speaks (http, https; ASCII case-insensitive). Others need
// CURLU_NON_SUPPORT_SCHEME, as with a libcurl built without them.
bool scheme_supported(std::string_view scheme);

// The scheme's default port, 0 when it has none we know of.
unsigned default_port(std::string_view scheme);

}  // namespace evm::urlapi
