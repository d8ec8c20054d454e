// Retry-After (RFC 9110 10.2.3): delay-seconds or an HTTP-date, as CURLINFO_RETRY_AFTER reports
// it: seconds from `now` (negative for a date in the past), 0 when unreadable. The date reader
// is deliberately small (the three HTTP-date forms, GMT only); the full date parser is the
// response work's.
#pragma once

#include <cstdint>
#include <ctime>
#include <string_view>

namespace evm::http {

int64_t parse_retry_after(std::string_view value, std::time_t now);

// Seconds since the epoch for an IMF-fixdate, RFC 850 or asctime date; false if `s` is not one.
bool parse_http_date(std::string_view s, std::time_t &out);

}  // namespace evm::http
