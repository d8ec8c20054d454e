// Raw-listener endpoints for the auth tests (see routes.h). Each really checks what it gets:
//   /auth/basic?user=U&pass=P        200 "basic ok\n" for "Basic base64(U:P)", else 401 Basic
//   /auth/digest?user=U&pass=P&alg=A 200 "digest ok\n" for a correct RFC 7616 answer to its
//                                    challenge (A: MD5 or SHA-256, qop=auth), else 401 Digest
//   /auth/digest-stale?user=U&pass=P a correct answer to its first nonce gets a 401 with
//                                    stale=true and a fresh nonce; one to the fresh nonce a 200
//   /auth/both?user=U&pass=P         401 offering Basic and Digest; either answer passes
//   /auth/bearer?token=T             200 "bearer ok\n" for "Bearer T", else 401 Bearer
//   /auth/always                     401 Basic whatever comes, body "denied\n"
// Every 401 carries the body "unauthorized\n" and "X-Received-Bytes: N" (the request body's
// size); a 200 from digest or both ends with the request body.
#include <openssl/evp.h>

#include <map>
#include <string>

#include "routes.h"

namespace evm::test {
namespace {

constexpr const char *kNonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
constexpr const char *kOpaque = "5ccc069c403ebaf9f0171e9517f40e41";
constexpr const char *kRealm = "evm@test";

std::string base64(std::string_view in) {
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    unsigned v =
        (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
    for (int s = 18; s >= 0; s -= 6) out += kChars[(v >> s) & 63];
  }
  if (i < in.size()) {
    unsigned v = (unsigned char)in[i] << 16;
    if (i + 1 < in.size()) v |= (unsigned char)in[i + 1] << 8;
    out += kChars[(v >> 18) & 63];
    out += kChars[(v >> 12) & 63];
    out += i + 1 < in.size() ? kChars[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string hex_hash(bool sha256, const std::string &data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, sha256 ? EVP_sha256() : EVP_md5(), nullptr);
  std::string r;
  static const char kHex[] = "0123456789abcdef";
  for (unsigned k = 0; k < len; ++k) r += {kHex[md[k] >> 4], kHex[md[k] & 15]};
  return r;
}

// name=value pairs of a Digest answer, quotes removed.
std::map<std::string, std::string> digest_params(std::string_view s) {
  std::map<std::string, std::string> m;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i;
    size_t eq = s.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string name(s.substr(i, eq - i));
    i = eq + 1;
    std::string value;
    if (i < s.size() && s[i] == '"') {
      size_t close = s.find('"', i + 1);
      value = std::string(s.substr(i + 1, close - i - 1));
      i = close == std::string_view::npos ? s.size() : close + 1;
    } else {
      size_t end = s.find(',', i);
      value = std::string(s.substr(i, end - i));
      i = end == std::string_view::npos ? s.size() : end;
    }
    m[name] = value;
  }
  return m;
}

constexpr const char *kOldNonce = "0ld-n0nce";

bool digest_ok(const RouteRequest &req, std::string_view auth, const char *nonce = kNonce) {
  if (!auth.starts_with("Digest ")) return false;
  auto p = digest_params(auth.substr(7));
  bool sha = p["algorithm"] == "SHA-256";
  if (p["username"] != req.param("user") || p["realm"] != kRealm || p["nonce"] != nonce ||
      p["uri"] != req.target || p["qop"] != "auth" || p["opaque"] != kOpaque)
    return false;
  std::string ha1 =
      hex_hash(sha, p["username"] + ":" + kRealm + ":" + std::string(req.param("pass")));
  std::string ha2 = hex_hash(sha, std::string(req.method) + ":" + p["uri"]);
  std::string want =
      hex_hash(sha, ha1 + ":" + nonce + ":" + p["nc"] + ":" + p["cnonce"] + ":auth:" + ha2);
  return p["response"] == want;
}

std::string digest_challenge(std::string_view alg, const char *nonce = kNonce) {
  return std::string("Digest realm=\"") + kRealm + "\", qop=\"auth\", nonce=\"" + nonce +
         "\", opaque=\"" + kOpaque + "\", algorithm=" + std::string(alg.empty() ? "MD5" : alg);
}

std::string reply(const RouteRequest &req, int code, const std::string &extra,
                  const std::string &body) {
  std::string r = "HTTP/1.1 " + std::to_string(code) + (code == 200 ? " OK" : " Unauthorized");
  r += "\r\n" + extra;
  if (code == 401) r += "X-Received-Bytes: " + std::to_string(req.body.size()) + "\r\n";
  r += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  if (req.method != "HEAD") r += body;
  return r;
}

}  // namespace

bool route_auth(const RouteRequest &req, RouteReply &out) {
  if (!req.path.starts_with("/auth/")) return false;
  std::string_view kind = req.path.substr(6);
  std::string_view auth = req.header("Authorization");
  std::string basic =
      "Basic " + base64(std::string(req.param("user")) + ":" + std::string(req.param("pass")));
  const std::string basic_challenge = "WWW-Authenticate: Basic realm=\"evm\"\r\n";
  if (kind == "basic") {
    out.bytes = auth == basic ? reply(req, 200, "", "basic ok\n")
                              : reply(req, 401, basic_challenge, "unauthorized\n");
  } else if (kind == "digest") {
    out.bytes =
        digest_ok(req, auth)
            ? reply(req, 200, "", "digest ok\n" + std::string(req.body))
            : reply(req, 401, "WWW-Authenticate: " + digest_challenge(req.param("alg")) + "\r\n",
                    "unauthorized\n");
  } else if (kind == "digest-stale") {
    if (digest_ok(req, auth))
      out.bytes = reply(req, 200, "", "digest ok\n");
    else if (digest_ok(req, auth, kOldNonce))
      out.bytes =
          reply(req, 401, "WWW-Authenticate: " + digest_challenge("MD5") + ", stale=true\r\n",
                "unauthorized\n");
    else
      out.bytes =
          reply(req, 401, "WWW-Authenticate: " + digest_challenge("MD5", kOldNonce) + "\r\n",
                "unauthorized\n");
  } else if (kind == "both") {
    if (auth == basic)
      out.bytes = reply(req, 200, "", "basic ok\n");
    else if (digest_ok(req, auth))
      out.bytes = reply(req, 200, "", "digest ok\n" + std::string(req.body));
    else
      out.bytes =
          reply(req, 401, basic_challenge + "WWW-Authenticate: " + digest_challenge("MD5") + "\r\n",
                "unauthorized\n");
  } else if (kind == "bearer") {
    out.bytes =
        auth == "Bearer " + std::string(req.param("token"))
            ? reply(req, 200, "", "bearer ok\n")
            : reply(req, 401, "WWW-Authenticate: Bearer realm=\"evm\"\r\n", "unauthorized\n");
  } else if (kind == "always") {
    out.bytes = reply(req, 401, basic_challenge, "denied\n");
  } else {
    return false;
  }
  return true;
}

}  // namespace evm::test
