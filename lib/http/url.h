// URL parsing with libcurl 7.88's CURLOPT_URL semantics (scheme guessing, dot-segment
// removal, IPv4/IPv6 host normalization). Sans-I/O: no resolving, no IDN conversion.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace evm::http {

enum class UrlError {
  kOk,
  // Anything libcurl's URL parser rejects. Engine maps to CURLE_URL_MALFORMAT (3);
  // libcurl 7.88 leaves the error buffer empty and reports the raw input as
  // CURLINFO_EFFECTIVE_URL in this case.
  kMalformed,
  // Well-formed URL whose scheme is neither http nor https. Engine maps to
  // CURLE_UNSUPPORTED_PROTOCOL (1) and puts `message` in the error buffer;
  // the Url is fully filled, so to_string() gives the effective URL.
  kUnsupportedScheme,
};

struct UrlResult {
  UrlError code = UrlError::kOk;
  std::string message;  // human readable, empty on success
  bool ok() const { return code == UrlError::kOk; }
};

struct Url {
  std::string scheme;  // lowercase
  // Percent-decoded credentials from "user:password@". has_userinfo is true whenever an '@'
  // was present (even "http://@host/"), which is when libcurl sends Basic auth.
  std::string user, password;
  bool has_userinfo = false;
  std::string userinfo_raw;  // as written in the URL, for to_string()
  // Without brackets; percent-decoded; IPv4 forms like "127.1" normalized to dotted quad;
  // IPv6 rewritten in canonical form only when that is shorter (as libcurl does).
  // Case is kept: compare case-insensitively.
  std::string host;
  std::string zone_id;  // IPv6 scope ("eth0" from "[fe80::1%25eth0]"), not decoded
  bool ipv6_literal = false;
  uint16_t port = 0;  // explicit, else 80/443 (0 for unsupported schemes)
  bool port_explicit = false;
  std::string path;        // raw, dot segments removed, never empty
  std::string query;       // without '?', verbatim
  bool has_query = false;  // "?" present, even with an empty query
  std::string fragment;    // without '#'; never sent
  // Request-target: path (bytes >= 0x80 percent-encoded) + "?" + query when has_query.
  std::string target;

  uint16_t default_port() const;
  // host[:port] for the Host header: brackets for IPv6, no zone, port only when not default.
  std::string host_header() const;
  // "scheme://host:port" lowercased (IPv6 in brackets, zone kept), for connection reuse.
  std::string origin_key() const;
  // The normalized URL as CURLINFO_EFFECTIVE_URL shows it, e.g. "http://127.0.0.1:8080/".
  std::string to_string() const;
};

// Parses `text` into `out` (which is reset first). On kMalformed `out` is unspecified.
UrlResult parse_url(std::string_view text, Url &out);

// The building blocks of parse_url, shared with the URL API (lib/urlapi), which takes a URL
// apart the same way but keeps each part as written.
constexpr size_t kMaxSchemeLen = 40;  // longer "schemes" are not recognized as one
bool is_scheme_char(unsigned char c);
// Characters libcurl refuses in a (decoded) host name, controls included.
bool is_bad_host_char(unsigned char c);
// "127.1", "0x7f000001" and the like become a dotted quad; false leaves `host` alone.
bool normalize_ipv4(std::string &host);
// The inside of "[...]": address (canonical when shorter) and zone id ("%25eth0" or "%eth0").
bool parse_ipv6_literal(std::string_view inside, std::string &host, std::string &zone_id);
// Digits only, leading zeros allowed, 0..65535.
bool parse_port(std::string_view s, uint16_t &port);
// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view path);
// The scheme for a URL without one, from the host name's first label ("ftp.x" gives "ftp").
std::string guess_scheme(std::string_view host);
// 80 and 443 for the schemes we speak, 0 otherwise.
uint16_t scheme_default_port(std::string_view scheme);

}  // namespace evm::http
