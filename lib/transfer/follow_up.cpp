#include "transfer/follow_up.h"

#include "http/url_resolve.h"
#include "util/ascii.h"

namespace evm {
namespace {

long protocol_bit(std::string_view scheme) {
  if (scheme == "http") return CURLPROTO_HTTP;
  if (scheme == "https") return CURLPROTO_HTTPS;
  return 0;
}

// The URL a Referer names: no credentials, no fragment (libcurl 7.88 strips both).
std::string referer_of(const http::Url &url) {
  http::Url r = url;
  r.has_userinfo = false;
  r.userinfo_raw.clear();
  r.fragment.clear();
  return r.to_string();
}

// "scheme:..." as RFC 3986 spells a scheme: such a Location is a whole URL.
bool has_scheme(std::string_view ref) {
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  size_t i = 0;
  while (i < ref.size() &&
         (alpha(ref[i]) || (i > 0 && ((ref[i] >= '0' && ref[i] <= '9') || ref[i] == '+' ||
                                      ref[i] == '-' || ref[i] == '.'))))
    ++i;
  return i > 0 && i < ref.size() && ref[i] == ':';
}

}  // namespace

bool FollowState::may_send_credentials(const EasyOptions &opt, const http::Url &url) const {
  if (!started || opt.unrestricted_auth) return true;
  return ascii::iequals(url.host, first_host) && url.port == first_port &&
         url.scheme == first_scheme;
}

void follow_begin(FollowState &f, const http::Url &first) {
  f.started = true;
  f.first_scheme = first.scheme;
  f.first_host = first.host;
  f.first_port = first.port;
}

bool follow_on_head(FollowState &f, const EasyOptions &opt, const http::Url &url,
                    const h1::ResponseHead &head, TransferInfo &info) {
  f.next = FollowState::Next::None;
  f.status = head.status;
  std::string_view location = head.find("Location");
  if (head.status >= 300 && head.status < 400 && !location.empty()) {
    std::string target = http::resolve_reference(url.to_string(), location);
    // Reported the way libcurl's URL parser writes it: dot segments gone.
    http::Url normalized;
    if (http::parse_url(target, normalized).code != http::UrlError::kMalformed)
      target = normalized.to_string();
    if (opt.follow_location) {
      f.next = FollowState::Next::Redirect;
      f.next_url = std::move(target);
      f.location_absolute = has_scheme(location);
      return true;
    }
    info.redirect_url = std::move(target);
    info.has_redirect_url = true;
    return false;
  }
  if (head.status == 401) {
    Credentials c = credentials_for(f, opt, url);
    if (f.auth.on_unauthorized(opt, c, head, info.httpauth_avail)) {
      f.next = FollowState::Next::AuthRetry;
      f.next_url = url.to_string();
      return true;
    }
  }
  return false;
}

bool follow_on_expect_failed(FollowState &f, const http::Url &url) {
  if (f.expect_disabled) return false;
  f.next = FollowState::Next::ExpectRetry;
  f.next_url = url.to_string();
  return true;
}

Credentials credentials_for(const FollowState &f, const EasyOptions &opt, const http::Url &url) {
  Credentials c;
  // Credentials of the URL itself were given for that URL; the options' only for the first
  // origin, and not at all once a redirect changed port or scheme.
  if (opt.has_user && !f.credentials_dropped && f.may_send_credentials(opt, url)) {
    c.has_user = true;
    c.user = opt.user;
    c.password = opt.password;
  } else if (url.has_userinfo) {
    c.has_user = true;
    c.user = url.user;
    c.password = url.password;
  }
  if (!f.credentials_dropped && f.may_send_credentials(opt, url)) c.bearer = opt.bearer;
  return c;
}

CURLcode follow_next(FollowState &f, const EasyOptions &opt, const http::Url &current,
                     TransferInfo &info, std::string &error, std::string &next_url) {
  next_url = std::move(f.next_url);
  f.next_url.clear();
  // Not a redirect: neither counted nor limited by MAXREDIRS.
  if (f.next == FollowState::Next::ExpectRetry) {
    f.expect_disabled = true;
    return CURLE_OK;
  }
  // An auth retry counts against MAXREDIRS too, as in libcurl.
  if (opt.max_redirs >= 0 && info.redirect_count >= opt.max_redirs) {
    error = "Maximum (" + std::to_string(opt.max_redirs) + ") redirects followed";
    info.redirect_url = next_url;
    info.has_redirect_url = true;
    return CURLE_TOO_MANY_REDIRECTS;
  }
  ++info.redirect_count;
  info.redirected = now();
  if (f.next == FollowState::Next::AuthRetry) return CURLE_OK;

  bool post = opt.method == EasyOptions::Method::Post ||
              opt.method == EasyOptions::Method::MimePost ||  // forms post too
              opt.method == EasyOptions::Method::FormPost;
  switch (f.status) {
    case 301:
      if (post && !(opt.post_redir & CURL_REDIR_POST_301)) f.post_as_get = true;
      break;
    case 302:
      if (post && !(opt.post_redir & CURL_REDIR_POST_302)) f.post_as_get = true;
      break;
    case 303:
      // A HEAD stays a HEAD; a POST stays one only with CURL_REDIR_POST_303.
      if (post && !(opt.post_redir & CURL_REDIR_POST_303)) f.post_as_get = true;
      break;
    default:
      break;
  }
  if (opt.auto_referer) f.referer = referer_of(current);
  // libcurl 7.88 stops applying CURLOPT_PORT once a redirect named a whole URL.
  if (f.location_absolute) f.allow_port = false;

  http::Url next;
  if (http::parse_url(next_url, next).ok() && !opt.unrestricted_auth &&
      (next.port != current.port || next.scheme != current.scheme))
    f.credentials_dropped = true;
  return CURLE_OK;
}

CURLcode check_protocol(const EasyOptions &opt, const http::Url &url, bool redirect,
                        std::string &error) {
  long bit = protocol_bit(url.scheme);
  if ((opt.protocols & bit) && (!redirect || (opt.redir_protocols & bit))) return CURLE_OK;
  error = "Protocol \"" + url.scheme + "\" not supported or disabled in libcurl";
  return CURLE_UNSUPPORTED_PROTOCOL;
}

}  // namespace evm
