#include "http/auth_challenge.h"

#include <openssl/evp.h>

#include <cstdio>

#include "util/ascii.h"

namespace evm::http {
namespace {

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

void skip_space_and_commas(std::string_view s, size_t &i) {
  while (i < s.size() && (is_space(s[i]) || s[i] == ',')) ++i;
}

// A token ends at space, ',', or '='.
std::string_view read_token(std::string_view s, size_t &i) {
  size_t start = i;
  while (i < s.size() && !is_space(s[i]) && s[i] != ',' && s[i] != '=') ++i;
  return s.substr(start, i - start);
}

std::string read_value(std::string_view s, size_t &i) {
  std::string v;
  if (i < s.size() && s[i] == '"') {
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      v += s[i];
    }
    if (i < s.size()) ++i;  // the closing quote
    return v;
  }
  while (i < s.size() && s[i] != ',' && !is_space(s[i])) v += s[i++];
  return v;
}

std::string hex_digest(bool sha256, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, sha256 ? EVP_sha256() : EVP_md5(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int k = 0; k < len; ++k) {
    out += kHex[md[k] >> 4];
    out += kHex[md[k] & 15];
  }
  return out;
}

std::string joined(std::initializer_list<std::string_view> parts) {
  std::string r;
  for (std::string_view p : parts) {
    if (!r.empty()) r += ':';
    r.append(p);
  }
  return r;
}

}  // namespace

std::string_view AuthChallenge::param(std::string_view name) const {
  for (const auto &[n, v] : params)
    if (n == name) return v;
  return {};
}

void parse_challenges(std::string_view s, std::vector<AuthChallenge> &out) {
  // Only the header's first line, as libcurl 7.88 reads it: a folded value's CRLF must never be
  // echoed into the Authorization header we send.
  s = s.substr(0, s.find_first_of("\r\n"));
  size_t i = 0;
  while (true) {
    skip_space_and_commas(s, i);
    if (i >= s.size()) return;
    size_t mark = i;
    std::string_view token = read_token(s, i);
    size_t after = i;
    while (after < s.size() && is_space(s[after])) ++after;
    bool is_param = after < s.size() && s[after] == '=' && !out.empty();
    if (!is_param) {
      if (token.empty()) {
        i = mark + 1;  // a stray '=': skip it
        continue;
      }
      out.push_back(AuthChallenge{std::string(token), {}});
      continue;
    }
    i = after + 1;
    while (i < s.size() && is_space(s[i])) ++i;
    std::string value = read_value(s, i);
    out.back().params.emplace_back(ascii::lowered(token), std::move(value));
  }
}

bool read_digest_challenge(const AuthChallenge &c, DigestChallenge &d) {
  d = DigestChallenge{};
  d.realm = c.param("realm");
  d.nonce = c.param("nonce");
  d.opaque = c.param("opaque");
  d.algorithm = c.param("algorithm");
  d.stale = ascii::iequals(c.param("stale"), "true");
  if (d.nonce.empty()) return false;
  std::string_view alg = d.algorithm;
  if (alg.empty() || ascii::iequals(alg, "MD5")) {
  } else if (ascii::iequals(alg, "MD5-sess")) {
    d.session = true;
  } else if (ascii::iequals(alg, "SHA-256")) {
    d.sha256 = true;
  } else if (ascii::iequals(alg, "SHA-256-sess")) {
    d.sha256 = d.session = true;
  } else {
    return false;
  }
  std::string_view qop = c.param("qop");
  if (qop.empty()) return true;
  // A list such as "auth,auth-int": we answer with "auth" when it is offered.
  size_t i = 0;
  while (i < qop.size()) {
    size_t end = qop.find(',', i);
    std::string_view item = qop.substr(i, end == std::string_view::npos ? qop.npos : end - i);
    while (!item.empty() && is_space(item.front())) item.remove_prefix(1);
    while (!item.empty() && is_space(item.back())) item.remove_suffix(1);
    if (ascii::iequals(item, "auth")) d.qop_auth = true;
    if (end == std::string_view::npos) break;
    i = end + 1;
  }
  return d.qop_auth;
}

std::string digest_authorization(const DigestChallenge &c, const DigestInput &in) {
  char nc[9];
  std::snprintf(nc, sizeof nc, "%08x", in.nc);
  std::string ha1 = hex_digest(c.sha256, joined({in.user, c.realm, in.password}));
  if (c.session) ha1 = hex_digest(c.sha256, joined({ha1, c.nonce, in.cnonce}));
  std::string ha2 = hex_digest(c.sha256, joined({in.method, in.uri}));
  std::string response =
      c.qop_auth ? hex_digest(c.sha256, joined({ha1, c.nonce, nc, in.cnonce, "auth", ha2}))
                 : hex_digest(c.sha256, joined({ha1, c.nonce, ha2}));
  std::string out = "Digest username=\"";
  out.append(in.user).append("\", realm=\"").append(c.realm);
  out.append("\", nonce=\"").append(c.nonce).append("\", uri=\"").append(in.uri).append("\"");
  if (c.qop_auth) {
    out.append(", cnonce=\"").append(in.cnonce).append("\", nc=").append(nc);
    out.append(", qop=auth");
  }
  out.append(", response=\"").append(response).append("\"");
  if (!c.opaque.empty()) out.append(", opaque=\"").append(c.opaque).append("\"");
  if (!c.algorithm.empty()) out.append(", algorithm=").append(c.algorithm);
  return out;
}

}  // namespace evm::http
