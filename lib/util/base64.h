// Standard base64 (RFC 4648, with padding), for Basic authentication.
#pragma once

#include <string>
#include <string_view>

namespace evm {

std::string base64_encode(std::string_view in);

}  // namespace evm
