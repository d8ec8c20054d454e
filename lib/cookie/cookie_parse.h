// Reading one cookie: a Set-Cookie header value, or one line of the Netscape cookie file, with
// libcurl 7.88's rules for what it accepts. Sans-I/O: the caller says where the line came from.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cookie/cookie.h"

namespace evm::cookie {

struct SetCookieContext {
  std::string_view host;  // the request's host; empty for COOKIELIST and file lines
  std::string_view path;  // the request's path; empty when there is none
  // https, or a host libcurl trusts as local (localhost, 127.0.0.1, ::1); files and
  // COOKIELIST count as secure too, so they may carry Secure cookies.
  bool secure = true;
  int64_t now = 0;  // seconds since the epoch, for Max-Age
};

// The cookie a "Set-Cookie:" value (without the header name) describes, or nothing when
// libcurl would drop it (no name=value first, a bad domain, a Secure cookie from an insecure
// context, a prefix whose rules it breaks, oversized, control bytes).
std::optional<Cookie> parse_set_cookie(std::string_view line, const SetCookieContext &ctx);

// One line of a Netscape cookie file: domain, tailmatch, path, secure, expires, name, value,
// separated by tabs; "#HttpOnly_" before the domain marks an HttpOnly cookie. Nothing for
// comments, blank and malformed lines.
std::optional<Cookie> parse_netscape_line(std::string_view line);

// What a path attribute matches by: quotes dropped, "/" when it does not start with one, and
// no trailing slash ("/" itself becomes "").
std::string sanitize_path(std::string_view path);
// RFC 6265 domain-match of `host` against a cookie domain (no leading dot), any case.
bool domain_tailmatch(std::string_view cookie_domain, std::string_view host);
// Path-match of a request path against a sanitized cookie path, case-sensitive.
bool path_match(std::string_view spath, std::string_view request_path);
bool is_ip_address(std::string_view host);

}  // namespace evm::cookie
