// CURLUPART_URL: a whole URL taken apart into a Curl_URL, with libcurl 7.88's rules and
// CURLU_* flags, on the building blocks of the engine's own parser (http/url.h).
#pragma once

#include <string>
#include <string_view>

#include "urlapi/url_handle.h"

namespace evm::urlapi {

// An absolute URL (or one without scheme, with GUESS_SCHEME or DEFAULT_SCHEME). On failure
// `out` is unspecified; the caller parses into a fresh object.
CURLUcode parse_url(std::string_view text, unsigned flags, Curl_URL &out);

// Whether `text` starts with "scheme:" the way libcurl tells an absolute URL from a relative
// one; with the guessing flags the colon must be followed by '/', so "host:port" is no scheme.
size_t scheme_length(std::string_view text, unsigned flags);

// Percent-encodes spaces and bytes >= 0x80 only (a space as '+' when `space_as_plus`), leaving
// existing escapes: CURLU_URLENCODE on a whole URL, and relative references.
std::string encode_loose(std::string_view s, bool space_as_plus);

}  // namespace evm::urlapi
