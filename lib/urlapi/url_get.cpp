#include "urlapi/url_get.h"

#include "util/ascii.h"
#include "util/percent_encoding.h"

namespace evm::urlapi {
namespace {

bool is_ascii(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return false;
  return true;
}

// CURLU_URLDECODE: a decoded control byte is an error, and in a query '+' is a space.
CURLUcode decoded(const std::string &value, bool plus_is_space, std::string &out) {
  std::string text = value;
  if (plus_is_space)
    for (char &c : text)
      if (c == '+') c = ' ';
  return util::percent_decode(text, out, true) ? CURLUE_OK : CURLUE_URLDECODE;
}

// The port to show: the stored one unless NO_DEFAULT_PORT hides the scheme's default, else
// the default with DEFAULT_PORT. Empty for none.
std::string shown_port(const Curl_URL &u, unsigned flags) {
  unsigned def = u.scheme ? default_port(*u.scheme) : 0;
  if (u.port) {
    if ((flags & CURLU_NO_DEFAULT_PORT) && def && std::stoul(*u.port) == def) return {};
    return *u.port;
  }
  if ((flags & CURLU_DEFAULT_PORT) && def) return std::to_string(def);
  return {};
}

// The host as it goes into a URL: an IPv6 literal with its zone, a '%' of a name escaped.
std::string url_host(const Curl_URL &u) {
  const std::string &host = *u.host;
  if (!host.empty() && host.front() == '[') {
    std::string r = host.substr(0, host.size() - 1);
    if (u.zoneid) r += "%25" + *u.zoneid;
    return r + "]";
  }
  std::string r;
  for (char c : host) r += c == '%' ? std::string("%25") : std::string(1, c);
  return r;
}

CURLUcode whole_url(const Curl_URL &u, unsigned flags, std::string &out) {
  // A file: URL shows neither host nor query, as libcurl 7.88 rebuilds it.
  if (u.scheme && ascii::iequals(*u.scheme, "file")) {
    out = "file://" + u.path.value_or("/");
    if (u.fragment) out += "#" + *u.fragment;
    return CURLUE_OK;
  }
  if (!u.host) return CURLUE_NO_HOST;
  std::string scheme;
  if (u.scheme)
    scheme = *u.scheme;
  else if (flags & CURLU_DEFAULT_SCHEME)
    scheme = "https";
  else
    return CURLUE_NO_SCHEME;
  if ((flags & CURLU_PUNYCODE) && !is_ascii(*u.host)) return CURLUE_LACKS_IDN;
  Curl_URL shown = u;
  shown.scheme = scheme;
  out = scheme + "://";
  if (u.user || u.password) {
    out += u.user.value_or("");
    if (u.password) out += ":" + *u.password;
    out += "@";
  }
  out += url_host(u);
  if (std::string port = shown_port(shown, flags); !port.empty()) out += ":" + port;
  if (!u.path || u.path->empty() || u.path->front() != '/') out += "/";
  if (u.path) out += *u.path;
  if (u.query && !u.query->empty()) out += "?" + *u.query;
  if (u.fragment) out += "#" + *u.fragment;
  return CURLUE_OK;
}

}  // namespace

CURLUcode get_part(const Curl_URL &u, CURLUPart what, unsigned flags, std::string &out) {
  const std::optional<std::string> *part = nullptr;
  CURLUcode missing = CURLUE_OK;
  bool decode = flags & CURLU_URLDECODE;
  switch (what) {
    case CURLUPART_URL:
      return whole_url(u, flags, out);
    case CURLUPART_SCHEME:
      part = &u.scheme;
      missing = CURLUE_NO_SCHEME;
      decode = false;  // a scheme has no escapes
      break;
    case CURLUPART_USER:
      part = &u.user;
      missing = CURLUE_NO_USER;
      break;
    case CURLUPART_PASSWORD:
      part = &u.password;
      missing = CURLUE_NO_PASSWORD;
      break;
    case CURLUPART_OPTIONS:
      part = &u.options;
      missing = CURLUE_NO_OPTIONS;
      break;
    case CURLUPART_HOST:
      if (u.host && (flags & CURLU_PUNYCODE) && !is_ascii(*u.host)) return CURLUE_LACKS_IDN;
      part = &u.host;
      missing = CURLUE_NO_HOST;
      break;
    case CURLUPART_ZONEID:
      part = &u.zoneid;
      missing = CURLUE_NO_ZONEID;
      break;
    case CURLUPART_PORT:
      out = shown_port(u, flags);
      return out.empty() ? CURLUE_NO_PORT : CURLUE_OK;
    case CURLUPART_PATH:
      if (!u.path) {
        out = "/";  // a URL always has a path
        return CURLUE_OK;
      }
      part = &u.path;
      break;
    case CURLUPART_QUERY:
      part = &u.query;
      missing = CURLUE_NO_QUERY;
      break;
    case CURLUPART_FRAGMENT:
      part = &u.fragment;
      missing = CURLUE_NO_FRAGMENT;
      break;
    default:
      return CURLUE_UNKNOWN_PART;
  }
  if (!*part) return missing;
  if (decode) return decoded(**part, what == CURLUPART_QUERY, out);
  out = **part;
  return CURLUE_OK;
}

}  // namespace evm::urlapi
