// A relative reference set on a CURLU that already holds a URL, joined the way libcurl 7.88's
// URL API joins it (also for a followed Location): the result is then parsed as a whole.
#pragma once

#include <string>
#include <string_view>

namespace evm::urlapi {

// `base` is a full URL as curl_url_get rebuilds it; its query and fragment are dropped.
// "//host/p" keeps the scheme, "/p" the authority, "?q" the path; anything else replaces the
// path's last segment, after one leading "./" and any "../" took theirs (the parse that
// follows removes the remaining dot segments). Spaces and bytes >= 0x80 of `rel` are
// percent-encoded.
std::string join_relative(std::string_view base, std::string_view rel);

}  // namespace evm::urlapi
