// The header block libcurl 7.88 writes before a part's content: Content-Disposition, Content-Type
// (guessed from the file name when not given, with the boundary of nested parts),
// Content-Transfer-Encoding, then the part's own headers, a custom Content-Type excepted
// (it already set the type).
#pragma once

#include <curl/curl.h>

#include <optional>
#include <string>
#include <string_view>

namespace evm::mime {

class Part;

struct HeaderStyle {
  // CURLMIMEOPT_FORMESCAPE: backslash-escape names; otherwise '"', CR, LF become %22 %0D %0A.
  bool backslash_escape = false;
};

// libcurl's type for a file name's extension (gif, jpg, jpeg, png, svg, txt, htm, html, pdf,
// xml), or null.
const char *type_for_filename(const char *filename);

// The value of the first "Name:" entry of `list` with blanks after the colon skipped, or null.
const char *find_header(const curl_slist *list, std::string_view name);

// Whether `type` is `wanted` followed by nothing, a blank or ';' (ASCII case-insensitive).
bool type_matches(std::string_view type, std::string_view wanted);

// The part's header lines (each ending in CRLF, without the blank line). `forced_type` is the
// type to use when the part sets none (the request's type for the top part); `disposition` is
// "form-data" inside a form, else null. `type_out` gets the Content-Type the part declares.
std::string part_headers(const Part &part, const char *forced_type, const char *disposition,
                         const HeaderStyle &style, std::string *type_out = nullptr);

}  // namespace evm::mime
