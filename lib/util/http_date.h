// HTTP dates: the IMF-fixdate we send in If-Modified-Since, and one reader for every date a
// server sends (Last-Modified, Expires of cookies, Retry-After): the three RFC 7231 forms and the
// looser mixes libcurl's date parser also takes (numeric zones, zone names, missing time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace evm {

// Seconds since the Unix epoch (UTC) of `text` (negative before 1970), or nothing when it holds
// a word no date has or lacks a day, month or year.
std::optional<int64_t> parse_http_date(std::string_view text);

// "Sun, 06 Nov 1994 08:49:37 GMT" for `epoch_seconds` (which may be negative).
std::string format_http_date(int64_t epoch_seconds);

}  // namespace evm
