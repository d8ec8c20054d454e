#include "http/url.h"

#include <arpa/inet.h>

#include <cstring>

#include "util/ascii.h"
#include "util/percent_encoding.h"

namespace evm::http {
namespace {

constexpr size_t kMaxZoneIdLen = 15;

bool is_alpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(unsigned char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(unsigned char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(unsigned char c) {
  if (is_digit(c)) return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

}  // namespace

bool is_scheme_char(unsigned char c) {
  return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
}

namespace {

// Space and C0/DEL anywhere make libcurl reject the whole URL.
bool has_junk(std::string_view s) {
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7f) return true;
  return false;
}

}  // namespace

// Characters libcurl refuses in a (decoded) host name; controls are refused separately.
bool is_bad_host_char(unsigned char c) {
  return c < 0x20 || c == 0x7f || std::strchr(" /:#?!@{}[]\\$'\"^`*<>=;,+&()", c) != nullptr;
}

namespace {

// Parses one IPv4 component the way strtoul(base 0) would: 0x.. hex, 0.. octal, else decimal.
bool parse_ipv4_part(std::string_view s, uint64_t &value) {
  if (s.empty() || !is_digit(s[0])) return false;
  unsigned base = 10;
  size_t i = 0;
  if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    i = 2;
    if (i == s.size()) return false;
  } else if (s[0] == '0') {
    base = 8;
  }
  value = 0;
  for (; i < s.size(); ++i) {
    unsigned char c = s[i];
    unsigned digit;
    if (base == 16 && is_hex(c))
      digit = hex_value(c);
    else if (is_digit(c) && static_cast<unsigned>(c - '0') < base)
      digit = c - '0';
    else
      return false;
    value = value * base + digit;
    if (value > 0xffffffffu) return false;
  }
  return true;
}

}  // namespace

// libcurl accepts 1 to 4 dot-separated numbers ("127.1", "0x7f000001") and rewrites them
// as a dotted quad; anything else is left alone as a host name.
bool normalize_ipv4(std::string &host) {
  uint64_t parts[4];
  size_t n = 0;
  size_t start = 0;
  while (true) {
    size_t dot = host.find('.', start);
    std::string_view piece =
        std::string_view(host).substr(start, dot == std::string::npos ? dot : dot - start);
    if (n == 4 || !parse_ipv4_part(piece, parts[n])) return false;
    ++n;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  uint64_t addr = 0;
  switch (n) {
    case 1:
      addr = parts[0];
      break;
    case 2:
      if (parts[0] > 0xff || parts[1] > 0xffffff) return false;
      addr = (parts[0] << 24) | parts[1];
      break;
    case 3:
      if (parts[0] > 0xff || parts[1] > 0xff || parts[2] > 0xffff) return false;
      addr = (parts[0] << 24) | (parts[1] << 16) | parts[2];
      break;
    default:
      for (size_t i = 0; i < 4; ++i)
        if (parts[i] > 0xff) return false;
      addr = (parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3];
      break;
  }
  host = std::to_string((addr >> 24) & 0xff) + "." + std::to_string((addr >> 16) & 0xff) + "." +
         std::to_string((addr >> 8) & 0xff) + "." + std::to_string(addr & 0xff);
  return true;
}

bool parse_ipv6_literal(std::string_view inside, std::string &host, std::string &zone_id) {
  size_t pct = inside.find('%');
  std::string_view addr = inside.substr(0, pct);
  if (addr.empty()) return false;
  for (unsigned char c : addr)
    if (!is_hex(c) && c != ':' && c != '.') return false;
  if (pct != std::string_view::npos) {
    std::string_view zone = inside.substr(pct + 1);
    // "%25" is the encoded '%'; a bare '%' is tolerated, and so is a zone literally "25".
    if (zone.size() > 2 && zone.substr(0, 2) == "25") zone.remove_prefix(2);
    if (zone.empty() || zone.size() > kMaxZoneIdLen) return false;
    zone_id = std::string(zone);
  }
  std::string text(addr);
  unsigned char bin[16];
  if (inet_pton(AF_INET6, text.c_str(), bin) != 1) return false;
  char canonical[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, bin, canonical, sizeof(canonical)) &&
      std::strlen(canonical) < text.size())
    text = canonical;
  host = std::move(text);
  return true;
}

namespace {

// Validates "[addr%zone]" content (brackets stripped by the caller) into out.host/zone_id.
bool parse_ipv6(std::string_view inside, Url &out) {
  if (!parse_ipv6_literal(inside, out.host, out.zone_id)) return false;
  out.ipv6_literal = true;
  return true;
}

}  // namespace

// Port digits only, any number of leading zeros, 0..65535.
bool parse_port(std::string_view s, uint16_t &port) {
  if (s.empty()) return false;
  uint32_t v = 0;
  for (unsigned char c : s) {
    if (!is_digit(c)) return false;
    v = v * 10 + (c - '0');
    if (v > 65535) return false;
  }
  port = static_cast<uint16_t>(v);
  return true;
}

// RFC 3986 section 5.2.4, which is what libcurl applies to the path.
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  auto drop_last_segment = [&out] {
    size_t slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
  };
  while (!in.empty()) {
    if (in.starts_with("../")) {
      in.remove_prefix(3);
    } else if (in.starts_with("./")) {
      in.remove_prefix(2);
    } else if (in.starts_with("/./")) {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.starts_with("/../")) {
      in.remove_prefix(3);
      drop_last_segment();
    } else if (in == "/..") {
      in = "/";
      drop_last_segment();
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      size_t next = in.find('/', 1);
      if (next == std::string_view::npos) next = in.size();
      out.append(in.substr(0, next));
      in.remove_prefix(next);
    }
  }
  return out;
}

namespace {

// libcurl sends path bytes >= 0x80 as %xx (lowercase hex); everything else verbatim.
std::string encode_high_bytes(std::string_view path) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string r;
  r.reserve(path.size());
  for (unsigned char c : path) {
    if (c >= 0x80) {
      r.push_back('%');
      r.push_back(kHex[c >> 4]);
      r.push_back(kHex[c & 0xf]);
    } else {
      r.push_back(static_cast<char>(c));
    }
  }
  return r;
}

}  // namespace

// Scheme libcurl picks for a URL without one, from the host name's first label.
std::string guess_scheme(std::string_view host) {
  for (std::string_view proto : {"ftp", "dict", "ldap", "imap", "smtp", "pop3"}) {
    if (ascii::istarts_with(host, proto) && host.size() > proto.size() && host[proto.size()] == '.')
      return std::string(proto);
  }
  return "http";
}

uint16_t scheme_default_port(std::string_view scheme) {
  if (scheme == "http") return 80;
  if (scheme == "https") return 443;
  return 0;
}

namespace {

UrlResult malformed(std::string message) {
  return {UrlError::kMalformed, std::move(message)};
}

// Host and optional port from the authority (userinfo already removed).
UrlResult parse_host_port(std::string_view hostport, bool scheme_given, Url &out) {
  std::string_view port_text;
  bool has_port = false;
  if (!hostport.empty() && hostport[0] == '[') {
    size_t close = hostport.find(']');
    if (close == std::string_view::npos || !parse_ipv6(hostport.substr(1, close - 1), out))
      return malformed("bad IPv6 address in URL");
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return malformed("junk after IPv6 address in URL");
      port_text = rest.substr(1);
      has_port = true;
    }
  } else {
    size_t colon = hostport.find(':');
    std::string_view name = hostport.substr(0, colon);
    if (colon != std::string_view::npos) {
      port_text = hostport.substr(colon + 1);
      has_port = true;
    }
    if (name.empty()) return malformed("no host name in URL");
    // Numeric forms are recognized before percent-decoding: "0x7f%41" is a name.
    out.host = std::string(name);
    if (!normalize_ipv4(out.host)) {
      out.host = util::percent_decoded(name);
      for (unsigned char c : out.host)
        if (is_bad_host_char(c)) return malformed("bad character in URL host name");
    }
  }
  // "host:" with nothing after the colon means "no port given", but only after an explicit
  // scheme: without one, "name:" must not slip through as a host.
  if (has_port && port_text.empty() && !scheme_given)
    return malformed("URL port is not a decimal number between 0 and 65535");
  if (has_port && !port_text.empty()) {
    if (!parse_port(port_text, out.port))
      return malformed("URL port is not a decimal number between 0 and 65535");
    out.port_explicit = true;
  }
  return {};
}

void parse_userinfo(std::string_view userinfo, Url &out) {
  out.has_userinfo = true;
  out.userinfo_raw = std::string(userinfo);
  size_t colon = userinfo.find(':');
  out.user = util::percent_decoded(userinfo.substr(0, colon));
  if (colon != std::string_view::npos)
    out.password = util::percent_decoded(userinfo.substr(colon + 1));
}

}  // namespace

UrlResult parse_url(std::string_view text, Url &out) {
  out = Url{};
  if (text.empty()) return malformed("empty URL");
  if (has_junk(text)) return malformed("URL contains whitespace or control characters");

  // A scheme only counts when followed by ":/"; otherwise it is guessed (CURLU_GUESS_SCHEME),
  // so "localhost:8080" is a host and port.
  std::string_view rest = text;
  size_t n = 0;
  while (n < text.size() && n < kMaxSchemeLen && is_scheme_char(text[n])) ++n;
  bool scheme_given = n > 0 && n + 1 < text.size() && text[n] == ':' && text[n + 1] == '/';
  if (scheme_given) {
    out.scheme = ascii::lowered(text.substr(0, n));
    rest = text.substr(n + 1);
    size_t slashes = 0;
    while (slashes < rest.size() && rest[slashes] == '/') ++slashes;
    if (slashes > 3) return malformed("too many slashes after the URL scheme");
    rest.remove_prefix(slashes);
  }

  size_t authority_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail =
      authority_end == std::string_view::npos ? std::string_view{} : rest.substr(authority_end);

  size_t at = authority.find('@');
  if (at != std::string_view::npos) {
    parse_userinfo(authority.substr(0, at), out);
    if (out.user.find('\0') != std::string::npos || out.password.find('\0') != std::string::npos)
      return malformed("URL credentials contain a NUL byte");
    authority.remove_prefix(at + 1);
  }
  if (UrlResult r = parse_host_port(authority, scheme_given, out); !r.ok()) return r;
  if (!scheme_given) out.scheme = guess_scheme(out.host);

  size_t hash = tail.find('#');
  if (hash != std::string_view::npos) {
    out.fragment = std::string(tail.substr(hash + 1));
    tail = tail.substr(0, hash);
  }
  size_t question = tail.find('?');
  if (question != std::string_view::npos) {
    out.has_query = true;
    out.query = std::string(tail.substr(question + 1));
    tail = tail.substr(0, question);
  }
  out.path = tail.empty() ? std::string("/") : remove_dot_segments(tail);
  if (out.path.empty()) out.path = "/";
  out.target = encode_high_bytes(out.path);
  if (out.has_query) {
    out.target += '?';
    out.target += out.query;
  }
  if (!out.port_explicit) out.port = out.default_port();

  if (out.scheme != "http" && out.scheme != "https")
    return {UrlError::kUnsupportedScheme,
            "Protocol \"" + out.scheme + "\" not supported or disabled in libcurl"};
  return {};
}

uint16_t Url::default_port() const {
  return scheme_default_port(scheme);
}

std::string Url::host_header() const {
  std::string r = ipv6_literal ? "[" + host + "]" : host;
  if (port != default_port()) r += ":" + std::to_string(port);
  return r;
}

std::string Url::origin_key() const {
  std::string r = ascii::lowered(scheme) + "://";
  if (ipv6_literal) {
    r += "[" + ascii::lowered(host);
    if (!zone_id.empty()) r += "%" + zone_id;
    r += "]";
  } else {
    r += ascii::lowered(host);
  }
  return r + ":" + std::to_string(port);
}

std::string Url::to_string() const {
  std::string r = scheme + "://";
  if (has_userinfo) r += userinfo_raw + "@";
  if (ipv6_literal) {
    r += "[" + host;
    if (!zone_id.empty()) r += "%25" + zone_id;
    r += "]";
  } else {
    // The host was decoded; a literal '%' left in it must be re-encoded.
    for (char c : host) {
      if (c == '%')
        r += "%25";
      else
        r += c;
    }
  }
  if (port_explicit) r += ":" + std::to_string(port);
  r += path;
  if (!query.empty()) r += "?" + query;
  if (!fragment.empty()) r += "#" + fragment;
  return r;
}

}  // namespace evm::http
