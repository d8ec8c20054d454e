#include "transfer/attempt_cookies.h"

#include <string_view>

#include "cookie/cookie_parse.h"
#include "util/ascii.h"

namespace evm {

namespace {

// A custom "Host:" header names the host cookies are for, as it does in libcurl.
std::string cookie_host(const http::Url &url, const curl_slist *custom) {
  for (const curl_slist *h = custom; h; h = h->next) {
    std::string_view line(h->data ? h->data : "");
    if (!ascii::istarts_with(line, "Host:")) continue;
    std::string_view v = line.substr(5);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    if (v.empty()) break;
    if (v.front() == '[') {
      size_t close = v.find(']');
      return std::string(v.substr(1, close == std::string_view::npos ? v.npos : close - 1));
    }
    return std::string(v.substr(0, v.find(':')));
  }
  return url.host;
}

// libcurl treats https and the local host names as secure: Secure cookies go there and may be
// set from there.
bool secure_context(bool tls, std::string_view host) {
  return tls || ascii::iequals(host, "localhost") || host == "127.0.0.1" || host == "::1";
}

bool has_custom_cookie(const curl_slist *custom) {
  for (const curl_slist *h = custom; h; h = h->next)
    if (h->data && ascii::istarts_with(h->data, "Cookie:")) return true;
  return false;
}

}  // namespace

std::string cookie_header_value(const EasyOptions &opt, const http::Url &url, bool tls,
                                bool custom_host) {
  std::string value;
  bool capped = false;
  if (opt.cookies.jar) {
    auto hold = opt.share.lock(CURL_LOCK_DATA_COOKIE);
    std::string host = cookie_host(url, custom_host ? opt.http_headers : nullptr);
    value = opt.cookies.jar->header_for(host, url.path, secure_context(tls, host),
                                        cookie::unix_now(), &capped);
  }
  if (!opt.cookie.empty() && !capped && !has_custom_cookie(opt.http_headers)) {
    if (!value.empty()) value += "; ";
    value += opt.cookie;
  }
  return value;
}

void store_response_cookies(const EasyOptions &opt, const http::Url &url, bool tls,
                            bool custom_host, const h1::ResponseHead &head, Trace &trace) {
  if (!opt.cookies.jar) return;
  std::string host = cookie_host(url, custom_host ? opt.http_headers : nullptr);
  cookie::SetCookieContext parse;
  parse.host = host;
  parse.path = url.path;
  parse.secure = secure_context(tls, host);
  parse.now = cookie::unix_now();
  cookie::AddContext add;
  add.secure = parse.secure;
  add.now = parse.now;
  int stored = 0;
  auto hold = opt.share.lock(CURL_LOCK_DATA_COOKIE);
  for (const h1::Header &h : head.headers) {
    if (!ascii::iequals(h.name, "Set-Cookie")) continue;
    if (stored >= cookie::kMaxSetPerResponse) {
      trace.info("Too many Set-Cookie in one response, cookie dropped");
      continue;
    }
    auto c = cookie::parse_set_cookie(h.value, parse);
    if (!c) continue;
    std::string text = c->name + "=\"" + c->value + "\" for domain " + c->domain + ", path " +
                       (c->path.empty() ? "/" : c->path) + ", expire " + std::to_string(c->expires);
    bool replaced = false;
    if (!opt.cookies.jar->add(std::move(*c), add, &replaced)) continue;
    trace.info("%s cookie %s", replaced ? "Replaced" : "Added", text.c_str());
    ++stored;
  }
}

}  // namespace evm
