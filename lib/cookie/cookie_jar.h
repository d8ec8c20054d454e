// The cookie store and its matching, as libcurl 7.88 keeps cookies: which cookie replaces which,
// which are sent for a request and in what order, what the listings show. Sans-I/O (files are
// read and written in netscape_format.cpp); one jar may later be shared by several handles.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cookie/cookie.h"
#include "cookie/cookie_parse.h"

namespace evm::cookie {

// Where a cookie comes from, which decides what it may override.
struct AddContext {
  bool live = true;           // a server or COOKIELIST; false: read from a file
  bool drop_session = false;  // COOKIESESSION while reading files: session cookies are skipped
  bool secure = true;         // the context it was set in (see SetCookieContext::secure)
  bool keep_expired = false;  // while reading a file, expired ones are swept once at the end
  int64_t now = 0;
};

class CookieJar {
 public:
  // Stores `c` unless a rule refuses it; true when it was stored (added or, telling
  // `replaced`, in place of one).
  bool add(Cookie c, const AddContext &ctx, bool *replaced = nullptr);
  // A "Set-Cookie:" value from a server (ctx.host set) or from COOKIELIST / a file.
  bool add_set_cookie(std::string_view line, const SetCookieContext &parse, const AddContext &ctx);
  bool add_netscape_line(std::string_view line, const AddContext &ctx);
  // The lines of a cookie file: Netscape lines and "Set-Cookie:" lines, comments skipped.
  void add_file_text(std::string_view text, const AddContext &ctx);

  // "a=1; b=2" for a request to `host` and `path`: matching domain, path and security, longest
  // path first, then longest domain, longest name, newest. At most kMaxSendCount cookies and
  // kMaxHeaderLength bytes; `capped` says the length limit cut the list.
  std::string header_for(std::string_view host, std::string_view path, bool secure, int64_t now,
                         bool *capped = nullptr);

  void clear_all() { cookies_.clear(); }
  void clear_session();  // COOKIELIST "SESS"
  void remove_expired(int64_t now);
  size_t size() const { return cookies_.size(); }
  const std::vector<Cookie> &cookies() const { return cookies_; }

  // CURLINFO_COOKIELIST: one Netscape line per cookie that has a domain, oldest first.
  std::vector<std::string> netscape_lines() const;
  // The whole COOKIEJAR file: libcurl's comment header, then the live cookies, newest first.
  std::string file_text(int64_t now);

 private:
  std::vector<Cookie> cookies_;
  uint64_t counter_ = 0;
};

}  // namespace evm::cookie
