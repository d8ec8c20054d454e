// Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date, as CURLINFO_RETRY_AFTER reports
// it: seconds from `now` (negative for a date in the past), 0 when unreadable.
#pragma once

#include <cstdint>
#include <ctime>
#include <string_view>

namespace evm::http {

int64_t parse_retry_after(std::string_view value, std::time_t now);

}  // namespace evm::http
