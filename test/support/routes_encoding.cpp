// Raw-listener endpoints for the response-handling tests (see routes.h): compressed bodies,
// dates and conditions, byte ranges. Bodies are the server's pattern 'a' + (i % 26).
//   /enc/gzip?n=N        N pattern bytes, gzip (Content-Encoding: gzip); /enc/deflate (zlib
//                        wrapper), /enc/raw-deflate (no wrapper), /enc/gzip-gzip (gzip twice,
//                        "gzip, gzip"), /enc/identity (plain, "identity"), /enc/unknown
//                        (plain, "br"), /enc/corrupt (gzip with bytes 10..29 overwritten)
//                        Add &chunked=1 for chunked framing instead of Content-Length.
//   /enc/bomb            1 GiB of zeros, gzip (about 1 MiB on the wire; built once)
//   /enc/lastmod         200 "lastmod\n" with Last-Modified: Sun, 06 Nov 1994 08:49:37 GMT;
//                        ignores conditions. ?lm=TEXT sends TEXT as Last-Modified instead.
//   /enc/conditional     the same, but If-Modified-Since >= that date gets a 304, and
//                        If-Unmodified-Since < it a 412
//   /enc/range           100 pattern bytes; "Range: bytes=A-B" or "A-" gets a 206 with
//                        Content-Range, a range past the end a 416; ?offset=K lies about
//                        the start in Content-Range (claims A+K)
//   /enc/norange         100 pattern bytes, 200, whatever the Range
#include <zlib.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>

#include "routes.h"
#include "zlib_compress.h"

namespace evm::test {
namespace {

constexpr int64_t kLastModified = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr const char *kLastModifiedText = "Sun, 06 Nov 1994 08:49:37 GMT";

std::string pattern_bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

const std::string &bomb() {
  static std::once_flag once;
  static std::string gz;
  std::call_once(once, [] { gz = compress({}, 31, size_t{1} << 30); });
  return gz;
}

std::string reply_with(const RouteRequest &req, std::string status, std::string headers,
                       std::string_view body, bool chunked = false) {
  std::string out = "HTTP/1.1 " + status + "\r\n" + headers;
  if (chunked) {
    out += "Transfer-Encoding: chunked\r\n\r\n";
    if (req.method == "HEAD") return out;
    for (size_t i = 0; i < body.size(); i += 1000) {
      std::string_view piece = body.substr(i, 1000);
      char size[32];
      std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
      out.append(size).append(piece).append("\r\n");
    }
    return out + "0\r\n\r\n";
  }
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  if (req.method != "HEAD") out.append(body);
  return out;
}

// IMF-fixdate only: the client under test sends nothing else.
int64_t parse_date(std::string_view v) {
  std::tm tm{};
  std::string text(v);
  if (!strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm)) return -1;
  return static_cast<int64_t>(timegm(&tm));
}

bool encoded(const RouteRequest &req, RouteReply &reply) {
  std::string_view n_text = req.param("n");
  size_t n = n_text.empty() ? 1000 : std::strtoul(std::string(n_text).c_str(), nullptr, 10);
  std::string plain = pattern_bytes(n);
  std::string coding, body;
  std::string_view p = req.path;
  if (p == "/enc/gzip") {
    coding = "gzip", body = compress(plain, 31);
  } else if (p == "/enc/deflate") {
    coding = "deflate", body = compress(plain, 15);
  } else if (p == "/enc/raw-deflate") {
    coding = "deflate", body = compress(plain, -15);
  } else if (p == "/enc/gzip-gzip") {
    coding = "gzip, gzip", body = compress(compress(plain, 31), 31);
  } else if (p == "/enc/identity") {
    coding = "identity", body = plain;
  } else if (p == "/enc/unknown") {
    coding = "br", body = plain;
  } else if (p == "/enc/corrupt") {
    coding = "gzip", body = compress(plain, 31);
    body.replace(10, 20, std::string(20, 'x'));
  } else {
    return false;
  }
  reply.bytes = reply_with(req, "200 OK", "Content-Encoding: " + coding + "\r\n", body,
                           req.param("chunked") == "1");
  return true;
}

bool ranged(const RouteRequest &req, RouteReply &reply) {
  const std::string full = pattern_bytes(100);
  std::string_view range = req.header("Range");
  if (req.path == "/enc/norange" || range.substr(0, 6) != "bytes=") {
    reply.bytes = reply_with(req, "200 OK", "", full);
    return true;
  }
  std::string spec(range.substr(6));
  char *end = nullptr;
  long first = std::strtol(spec.c_str(), &end, 10);
  long last = *end == '-' && end[1] ? std::strtol(end + 1, nullptr, 10) : 99;
  if (first >= 100) {
    reply.bytes = reply_with(req, "416 Range Not Satisfiable", "Content-Range: bytes */100\r\n",
                             "out of range\n");
    return true;
  }
  last = std::min(last, 99L);
  long claimed = first + std::strtol(std::string(req.param("offset")).c_str(), nullptr, 10);
  reply.bytes = reply_with(
      req, "206 Partial Content",
      "Content-Range: bytes " + std::to_string(claimed) + "-" + std::to_string(last) + "/100\r\n",
      std::string_view(full).substr(first, last - first + 1));
  return true;
}

}  // namespace

bool route_encoding(const RouteRequest &req, RouteReply &reply) {
  if (req.path.substr(0, 5) != "/enc/") return false;
  if (req.path == "/enc/bomb") {
    reply.bytes = reply_with(req, "200 OK", "Content-Encoding: gzip\r\n", bomb());
    return true;
  }
  if (req.path == "/enc/lastmod" || req.path == "/enc/conditional") {
    std::string lm = req.param("lm").empty() ? kLastModifiedText : std::string(req.param("lm"));
    std::string headers = "Last-Modified: " + lm + "\r\n";
    if (req.path == "/enc/conditional") {
      std::string_view ims = req.header("If-Modified-Since");
      std::string_view ius = req.header("If-Unmodified-Since");
      if (!ims.empty() && parse_date(ims) >= kLastModified) {
        reply.bytes = "HTTP/1.1 304 Not Modified\r\n" + headers + "\r\n";
        return true;
      }
      if (!ius.empty() && parse_date(ius) < kLastModified) {
        reply.bytes = reply_with(req, "412 Precondition Failed", headers, "precondition\n");
        return true;
      }
    }
    reply.bytes = reply_with(req, "200 OK", headers, "lastmod\n");
    return true;
  }
  if (req.path == "/enc/range" || req.path == "/enc/norange") return ranged(req, reply);
  return encoded(req, reply);
}

}  // namespace evm::test
