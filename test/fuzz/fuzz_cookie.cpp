// Target 4: cookie lines (lib/cookie/cookie_parse.h). A Set-Cookie value read for a request
// host and path the input names, and a Netscape cookie-file line. A cookie a server set must
// keep libcurl's size limits, and its cookie-file line must read back as the same cookie.
//
// Input: flags byte (bit 0: secure context), line 1 the request URL, then Set-Cookie values and
// cookie-file lines, one a line, each tried both ways.
#include <string>

#include "cookie/cookie_parse.h"
#include "cookie/netscape_format.h"
#include "fuzz_input.h"
#include "fuzz_target.h"
#include "http/url.h"

namespace {

using evm::cookie::Cookie;

void check_cookie(const Cookie &c, bool from_header) {
  // libcurl 7.88 caps what a server sets, not what a cookie file holds.
  if (from_header) FUZZ_CHECK(c.name.size() + c.value.size() <= evm::cookie::kMaxNameValue);
  if (!c.path.empty()) FUZZ_CHECK(c.spath == evm::cookie::sanitize_path(c.path));
  if (c.domain.empty()) return;  // never written to a file
  // A path "TRUE" or "FALSE" reads back as the old file format without a path, in libcurl 7.88
  // too: that line is not the same cookie.
  if (c.path == "TRUE" || c.path == "FALSE") return;
  // A domain that starts with a dot (a host ".." gives one) is written as it is and read back
  // without its first dot, in libcurl 7.88 too.
  std::string_view dom = c.domain;
  if (dom.starts_with('.')) dom.remove_prefix(1);
  // One that then starts with '#' (a file line ".#HttpOnly_x") is written bare and reads back
  // as a comment or an #HttpOnly_ line: libcurl 7.88 writes the same line (checked with its
  // COOKIEJAR). Only a cookie file makes one: no host name has a '#'.
  if (dom.starts_with('#')) return;
  std::string line = evm::cookie::format_netscape_line(c);
  std::optional<Cookie> back = evm::cookie::parse_netscape_line(line);
  FUZZ_CHECK(back);
  FUZZ_CHECK(back->name == c.name && back->value == c.value);
  FUZZ_CHECK(back->domain == dom);
  FUZZ_CHECK(back->path == (c.path.empty() ? "/" : c.path));  // a file line always has one
  FUZZ_CHECK(back->tailmatch == c.tailmatch && back->secure == c.secure);
  FUZZ_CHECK(back->httponly == c.httponly && back->expires == c.expires);
}

}  // namespace

EVM_FUZZ_TARGET(cookie) {
  evm::fuzz::FuzzInput in(data, size);
  uint8_t flags = in.byte();
  // The request's host and path, as the engine's URL parser gives them.
  evm::http::Url url;
  std::string host, path;
  if (evm::http::parse_url(in.line(), url).ok()) {
    host = url.host;
    path = url.path;
  }
  evm::cookie::SetCookieContext ctx;
  ctx.host = host;
  ctx.path = path;
  ctx.secure = flags & 1;
  ctx.now = 1700000000;
  while (!in.empty()) {
    std::string_view line = in.line();
    if (std::optional<Cookie> c = evm::cookie::parse_set_cookie(line, ctx)) {
      check_cookie(*c, true);
      if (!host.empty() && !c->domain.empty() && !evm::cookie::is_ip_address(host))
        (void)evm::cookie::domain_tailmatch(c->domain, host);
      (void)evm::cookie::path_match(c->spath, path);
    }
    if (std::optional<Cookie> c = evm::cookie::parse_netscape_line(line)) check_cookie(*c, false);
  }
  return 0;
}
