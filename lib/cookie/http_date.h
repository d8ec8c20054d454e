// The date forms cookie Expires attributes come in (RFC 1123, RFC 850, asctime and the
// looser mixes servers send), read as libcurl's date parser reads them. Sans-I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace evm::cookie {

// Seconds since the epoch (negative before 1970), or nothing when `text` is no date.
std::optional<int64_t> parse_http_date(std::string_view text);

}  // namespace evm::cookie
