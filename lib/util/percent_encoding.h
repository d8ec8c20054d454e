// Percent-encoding (RFC 3986 section 2.1), shared by curl_easy_escape/unescape and the URL API.
#pragma once

#include <string>
#include <string_view>

namespace evm::util {

// RFC 3986's unreserved set: ALPHA, DIGIT, '-', '.', '_', '~'. Never encoded.
bool is_unreserved(unsigned char c);
bool is_hex_digit(unsigned char c);

struct EncodeStyle {
  bool upper_hex = true;       // curl_easy_escape writes "%2F"; the URL API writes "%2f"
  bool space_as_plus = false;  // query strings (application/x-www-form-urlencoded)
  std::string_view keep;       // reserved bytes left as they are, e.g. "/" in a path
};

// Every byte outside the unreserved set and `keep` becomes "%XX".
std::string percent_encode(std::string_view in, const EncodeStyle &style = {});

// "%XX" becomes one byte; a '%' without two hex digits after it stays as it is (as libcurl
// does). With reject_controls, a decoded byte below 0x20 fails the decode (returns false).
bool percent_decode(std::string_view in, std::string &out, bool reject_controls = false);

// The same, for callers that cannot fail.
std::string percent_decoded(std::string_view in);

}  // namespace evm::util
