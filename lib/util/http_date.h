// HTTP dates (RFC 7231 section 7.1.1.1): the IMF-fixdate we send in If-Modified-Since, and the
// three forms a server may send in Last-Modified (IMF-fixdate, obsolete RFC 850, asctime).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace evm {

// Seconds since the Unix epoch (UTC) of `text`, or nothing when it is none of the three forms
// or names an impossible date. Whitespace around the date is ignored.
std::optional<int64_t> parse_http_date(std::string_view text);

// "Sun, 06 Nov 1994 08:49:37 GMT" for `epoch_seconds` (which may be negative).
std::string format_http_date(int64_t epoch_seconds);

}  // namespace evm
