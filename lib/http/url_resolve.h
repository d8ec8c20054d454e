// Reference resolution (RFC 3986 section 5.2) for a Location header: the target URL as a
// string, which the caller then parses like any URL (dot segments are removed there).
#pragma once

#include <string>
#include <string_view>

namespace evm::http {

// `base` is an absolute URL (scheme://authority/path?query). A `ref` with its own scheme is
// taken as is; "//host/..." keeps the base scheme; "/p", "p", "?q" and "" merge with the base.
// Fragments are dropped (they are never sent), and spaces are percent-encoded, as libcurl does
// for a Location it follows.
std::string resolve_reference(std::string_view base, std::string_view ref);

}  // namespace evm::http
