#include "urlapi/url_set.h"

#include <cstring>

#include "http/url.h"
#include "urlapi/url_get.h"
#include "urlapi/url_parse.h"
#include "urlapi/url_relative.h"
#include "util/percent_encoding.h"

namespace evm::urlapi {
namespace {

// libcurl refuses longer input outright (CURL_MAX_INPUT_LENGTH).
constexpr size_t kMaxInput = 8000000;

std::optional<std::string> *field(Curl_URL &u, CURLUPart what) {
  switch (what) {
    case CURLUPART_SCHEME:
      return &u.scheme;
    case CURLUPART_USER:
      return &u.user;
    case CURLUPART_PASSWORD:
      return &u.password;
    case CURLUPART_OPTIONS:
      return &u.options;
    case CURLUPART_HOST:
      return &u.host;
    case CURLUPART_ZONEID:
      return &u.zoneid;
    case CURLUPART_PORT:
      return &u.port;
    case CURLUPART_PATH:
      return &u.path;
    case CURLUPART_QUERY:
      return &u.query;
    case CURLUPART_FRAGMENT:
      return &u.fragment;
    default:
      return nullptr;
  }
}

CURLUcode set_url(Curl_URL &u, std::string_view text, unsigned flags) {
  std::string base;
  std::string joined;
  // A URL without a scheme of its own is relative to the one the handle holds, if any.
  if (scheme_length(text, flags) == 0 && get_part(u, CURLUPART_URL, 0, base) == CURLUE_OK) {
    joined = join_relative(base, text);
    text = joined;
  }
  Curl_URL parsed;
  if (CURLUcode rc = parse_url(text, flags, parsed)) return rc;
  u = std::move(parsed);
  return CURLUE_OK;
}

// Read as strtol would (leading white space and a sign allowed), 1..65535, and then kept as
// written: libcurl 7.88 does the same, so " 80" stays " 80".
CURLUcode check_port(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && (text[i] == ' ' || (text[i] >= '\t' && text[i] <= '\r'))) ++i;
  bool negative = i < text.size() && text[i] == '-';
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  uint16_t port = 0;
  if (negative || !http::parse_port(text.substr(i), port) || port == 0)
    return CURLUE_BAD_PORT_NUMBER;
  return CURLUE_OK;
}

CURLUcode check_scheme(std::string_view text, unsigned flags) {
  if (text.empty()) return CURLUE_UNSUPPORTED_SCHEME;
  if (flags & CURLU_NON_SUPPORT_SCHEME) return CURLUE_OK;
  return scheme_supported(text) ? CURLUE_OK : CURLUE_UNSUPPORTED_SCHEME;
}

// A host name as given (no decoding), or an IPv6 literal in brackets whose zone id goes to
// its own part. Whatever is wrong with it, libcurl 7.88 answers CURLUE_BAD_HOSTNAME here.
CURLUcode set_host(Curl_URL &u, std::string_view text, unsigned flags) {
  if (!text.empty() && text.front() == '[') {
    std::string host, zone;
    if (text.back() != ']' ||
        !http::parse_ipv6_literal(text.substr(1, text.size() - 2), host, zone))
      return CURLUE_BAD_HOSTNAME;
    u.host = "[" + host + "]";
    if (!zone.empty()) u.zoneid = zone;
    return CURLUE_OK;
  }
  // URLENCODE escapes only the '%' of a name: every other byte it would escape is refused.
  std::string host;
  for (char c : text) host += (c == '%' && (flags & CURLU_URLENCODE)) ? "%25" : std::string(1, c);
  if (host.empty()) return CURLUE_BAD_HOSTNAME;
  for (unsigned char c : host)
    if (http::is_bad_host_char(c)) return CURLUE_BAD_HOSTNAME;
  u.host = std::move(host);
  return CURLUE_OK;
}

// CURLU_URLENCODE for the parts that take it: lowercase hex, '/' kept in a path, spaces as
// '+' in a query; with APPENDQUERY the first '=' stays so "name=value" keeps its shape.
std::string encoded(CURLUPart what, std::string_view text, unsigned flags) {
  util::EncodeStyle style;
  style.upper_hex = false;
  if (what == CURLUPART_PATH) style.keep = "/";
  if (what != CURLUPART_QUERY) return util::percent_encode(text, style);
  style.space_as_plus = true;
  size_t eq = text.find('=');
  if (!(flags & CURLU_APPENDQUERY) || eq == std::string_view::npos)
    return util::percent_encode(text, style);
  return util::percent_encode(text.substr(0, eq), style) + "=" +
         util::percent_encode(text.substr(eq + 1), style);
}

}  // namespace

CURLUcode set_part(Curl_URL &u, CURLUPart what, const char *part, unsigned flags) {
  if (what == CURLUPART_URL) {
    if (!part) {
      u = Curl_URL{};
      return CURLUE_OK;
    }
    return set_url(u, part, flags);
  }
  std::optional<std::string> *slot = field(u, what);
  if (!slot) return CURLUE_UNKNOWN_PART;
  if (!part) {
    slot->reset();
    return CURLUE_OK;
  }
  std::string_view text(part);
  if (text.size() > kMaxInput) return CURLUE_MALFORMED_INPUT;
  switch (what) {
    case CURLUPART_SCHEME:
      if (CURLUcode rc = check_scheme(text, flags)) return rc;
      break;
    case CURLUPART_PORT:
      if (CURLUcode rc = check_port(text)) return rc;
      break;
    case CURLUPART_HOST:
      return set_host(u, text, flags);
    default:
      break;
  }
  std::string value = (flags & CURLU_URLENCODE) && what != CURLUPART_SCHEME &&
                              what != CURLUPART_PORT && what != CURLUPART_ZONEID
                          ? encoded(what, text, flags)
                          : std::string(text);
  // An empty part percent-encoded is no part at all (libcurl 7.88 drops it).
  if ((flags & CURLU_URLENCODE) && value.empty() && !(flags & CURLU_APPENDQUERY)) {
    slot->reset();
    return CURLUE_OK;
  }
  if (what == CURLUPART_QUERY && (flags & CURLU_APPENDQUERY) && u.query && !u.query->empty()) {
    if (u.query->back() != '&') *u.query += '&';
    *u.query += value;
    return CURLUE_OK;
  }
  *slot = std::move(value);
  return CURLUE_OK;
}

}  // namespace evm::urlapi
