#include "urlapi/url_parse.h"

#include <cstdint>

#include "http/url.h"
#include "util/ascii.h"
#include "util/percent_encoding.h"

namespace evm::urlapi {
namespace {

// libcurl refuses longer input outright (CURL_MAX_INPUT_LENGTH).
constexpr size_t kMaxInput = 8000000;

bool is_alnum(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool has_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

bool has_space(std::string_view s) {
  return s.find(' ') != std::string_view::npos;
}

// user[:password] as written; libcurl splits ";options" only for schemes that take them
// (IMAP, POP3, SMTP), none of which this library speaks.
CURLUcode parse_login(std::string_view login, unsigned flags, Curl_URL &out) {
  if (flags & CURLU_DISALLOW_USER) return CURLUE_USER_NOT_ALLOWED;
  size_t colon = login.find(':');
  std::string_view user = login.substr(0, colon);
  if (has_space(user)) return CURLUE_BAD_USER;
  out.user = std::string(user);
  if (colon != std::string_view::npos) {
    std::string_view password = login.substr(colon + 1);
    if (has_space(password)) return CURLUE_BAD_PASSWORD;
    out.password = std::string(password);
  }
  return CURLUE_OK;
}

CURLUcode parse_port_text(std::string_view text, Curl_URL &out) {
  if (text.empty()) return CURLUE_OK;  // "host:" means no port
  uint16_t port = 0;
  if (!http::parse_port(text, port)) return CURLUE_BAD_PORT_NUMBER;
  out.port = std::to_string(port);  // "080" is kept as "80"
  return CURLUE_OK;
}

CURLUcode parse_host_port(std::string_view hostport, Curl_URL &out) {
  if (hostport.empty()) return CURLUE_NO_HOST;
  if (hostport[0] == '[') {
    size_t close = hostport.find(']');
    std::string host, zone;
    if (close == std::string_view::npos ||
        !http::parse_ipv6_literal(hostport.substr(1, close - 1), host, zone))
      return CURLUE_BAD_IPV6;
    out.host = "[" + host + "]";
    if (!zone.empty()) out.zoneid = zone;
    std::string_view rest = hostport.substr(close + 1);
    if (rest.empty()) return CURLUE_OK;
    if (rest[0] != ':') return CURLUE_BAD_PORT_NUMBER;
    return parse_port_text(rest.substr(1), out);
  }
  size_t colon = hostport.find(':');
  std::string_view name = hostport.substr(0, colon);
  if (name.empty()) return CURLUE_NO_HOST;
  if (colon != std::string_view::npos) {
    if (CURLUcode rc = parse_port_text(hostport.substr(colon + 1), out)) return rc;
  }
  // Numeric forms are recognised before decoding ("127.1" becomes "127.0.0.1").
  std::string host(name);
  if (!http::normalize_ipv4(host)) {
    host = util::percent_decoded(name);
    for (unsigned char c : host)
      if (http::is_bad_host_char(c)) return CURLUE_BAD_HOSTNAME;
  }
  out.host = std::move(host);
  return CURLUE_OK;
}

// Path, query and fragment: kept as written, spaces only with CURLU_ALLOW_SPACE (or, in path
// and query, encoded with CURLU_URLENCODE).
CURLUcode parse_tail(std::string_view tail, unsigned flags, Curl_URL &out) {
  bool encode = flags & CURLU_URLENCODE;
  bool spaces_ok = flags & CURLU_ALLOW_SPACE;
  size_t hash = tail.find('#');
  if (hash != std::string_view::npos) {
    std::string_view fragment = tail.substr(hash + 1);
    if (!spaces_ok && has_space(fragment)) return CURLUE_BAD_FRAGMENT;
    if (!fragment.empty()) out.fragment = std::string(fragment);  // "#" alone is no fragment
    tail = tail.substr(0, hash);
  }
  size_t question = tail.find('?');
  if (question != std::string_view::npos) {
    std::string_view query = tail.substr(question + 1);
    if (!spaces_ok && !encode && has_space(query)) return CURLUE_BAD_QUERY;
    out.query = encode ? encode_loose(query, true) : std::string(query);  // "?" alone: empty
    tail = tail.substr(0, question);
  }
  if (!spaces_ok && !encode && has_space(tail)) return CURLUE_BAD_PATH;
  if (!tail.empty()) {
    std::string raw = encode ? encode_loose(tail, false) : std::string(tail);
    std::string path = (flags & CURLU_PATH_AS_IS) ? raw : http::remove_dot_segments(raw);
    out.path = path.empty() ? "/" : path;
  }
  return CURLUE_OK;
}

// "file:" URLs have no authority: "file:///p", "file:/p" or "file:p", and only "localhost"
// or "127.0.0.1" as a host name, which is dropped.
CURLUcode parse_file(std::string_view rest, unsigned flags, Curl_URL &out) {
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    if (!rest.empty() && rest.front() != '/') {
      size_t slash = rest.find('/');
      std::string_view host = rest.substr(0, slash);
      if (slash == std::string_view::npos || (host != "localhost" && host != "127.0.0.1"))
        return CURLUE_BAD_FILE_URL;
      rest.remove_prefix(slash);
    }
  }
  if (rest.empty()) return CURLUE_BAD_FILE_URL;
  return parse_tail(rest, flags, out);
}

}  // namespace

// CURLU_URLENCODE on a whole URL: only what may not stay in a path or query, spaces and
// bytes >= 0x80, is encoded (a space as '+' in a query); existing escapes stay.
std::string encode_loose(std::string_view s, bool space_as_plus) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string r;
  for (unsigned char c : s) {
    if (c == ' ' && space_as_plus) {
      r += '+';
    } else if (c == ' ' || c >= 0x80) {
      r += '%';
      r += kHex[c >> 4];
      r += kHex[c & 0xf];
    } else {
      r += static_cast<char>(c);
    }
  }
  return r;
}

size_t scheme_length(std::string_view text, unsigned flags) {
  size_t n = 0;
  while (n < text.size() && n < http::kMaxSchemeLen &&
         (n == 0 ? is_alnum(text[n]) : http::is_scheme_char(text[n])))
    ++n;
  if (n == 0 || n >= text.size() || text[n] != ':') return 0;
  bool guessing = flags & (CURLU_GUESS_SCHEME | CURLU_DEFAULT_SCHEME);
  if (guessing && (n + 1 >= text.size() || text[n + 1] != '/')) return 0;
  return n;
}

CURLUcode parse_url(std::string_view text, unsigned flags, Curl_URL &out) {
  out = Curl_URL{};
  if (text.size() > kMaxInput || has_control(text)) return CURLUE_MALFORMED_INPUT;

  std::string_view rest = text;
  size_t n = scheme_length(text, flags);
  if (n > 0) {
    std::string scheme = ascii::lowered(text.substr(0, n));
    if (!(flags & CURLU_NON_SUPPORT_SCHEME) && !scheme_supported(scheme))
      return CURLUE_UNSUPPORTED_SCHEME;
    out.scheme = std::move(scheme);
    rest.remove_prefix(n + 1);
    if (*out.scheme == "file") return parse_file(rest, flags, out);
    size_t slashes = 0;
    while (slashes < rest.size() && rest[slashes] == '/') ++slashes;
    if (slashes == 0 || slashes > 3) return CURLUE_BAD_SLASHES;
    rest.remove_prefix(slashes);
  } else if (!(flags & (CURLU_DEFAULT_SCHEME | CURLU_GUESS_SCHEME))) {
    return CURLUE_BAD_SCHEME;
  }

  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);

  size_t at = authority.find('@');
  if (at != std::string_view::npos) {
    if (CURLUcode rc = parse_login(authority.substr(0, at), flags, out)) return rc;
    authority.remove_prefix(at + 1);
  }
  if (authority.empty() && (flags & CURLU_NO_AUTHORITY) && out.scheme &&
      !scheme_supported(*out.scheme)) {
    out.host = "";  // "scheme:///path" with an empty authority, for schemes that allow it
  } else {
    if (has_space(authority)) return CURLUE_BAD_HOSTNAME;
    if (CURLUcode rc = parse_host_port(authority, out)) return rc;
  }
  if (!out.scheme)
    out.scheme = (flags & CURLU_DEFAULT_SCHEME) ? "https" : http::guess_scheme(*out.host);
  return parse_tail(tail, flags, out);
}

}  // namespace evm::urlapi
