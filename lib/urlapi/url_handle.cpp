#include "urlapi/url_handle.h"

#include "http/url.h"
#include "util/ascii.h"

namespace evm::urlapi {

bool scheme_supported(std::string_view scheme) {
  return ascii::iequals(scheme, "http") || ascii::iequals(scheme, "https");
}

unsigned default_port(std::string_view scheme) {
  return http::scheme_default_port(ascii::lowered(scheme));
}

}  // namespace evm::urlapi
