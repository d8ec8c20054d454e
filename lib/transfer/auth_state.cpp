#include "transfer/auth_state.h"

#include <openssl/rand.h>

#include <cstdlib>
#include <vector>

#include "util/ascii.h"
#include "util/base64.h"

namespace evm {
namespace {

bool single_scheme(unsigned long want) {
  want &= ~CURLAUTH_ONLY;
  return want && !(want & (want - 1));
}

// libcurl's client nonce: 16 random bytes as hex, then base64.
std::string make_cnonce() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    for (unsigned char &b : raw) b = static_cast<unsigned char>(std::rand());
  }
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned char b : raw) {
    hex += kHex[b >> 4];
    hex += kHex[b & 15];
  }
  return base64_encode(hex);
}

unsigned long scheme_bit(std::string_view name) {
  if (ascii::iequals(name, "Basic")) return CURLAUTH_BASIC;
  if (ascii::iequals(name, "Digest")) return CURLAUTH_DIGEST;
  if (ascii::iequals(name, "Bearer")) return CURLAUTH_BEARER;
  if (ascii::iequals(name, "NTLM")) return CURLAUTH_NTLM;
  if (ascii::iequals(name, "Negotiate")) return CURLAUTH_NEGOTIATE;
  return 0;
}

}  // namespace

std::string AuthState::authorization(const EasyOptions &opt, const Credentials &c,
                                     std::string_view method, std::string_view uri) {
  if (!initialized) {
    initialized = true;
    if (single_scheme(opt.http_auth)) picked = opt.http_auth & ~CURLAUTH_ONLY;
  }
  std::string value;
  if (picked == CURLAUTH_BASIC && c.has_user) {
    std::string pair(c.user);
    pair.append(":").append(c.password);
    value = "Basic " + base64_encode(pair);
  } else if (picked == CURLAUTH_BEARER && !c.bearer.empty()) {
    value = "Bearer ";
    value.append(c.bearer);
  } else if (picked == CURLAUTH_DIGEST && has_digest && c.has_user) {
    std::string cnonce = make_cnonce();
    value = http::digest_authorization(
        digest, http::DigestInput{c.user, c.password, method, uri, cnonce, ++nonce_count});
  }
  sent = !value.empty();
  negotiating = picked == CURLAUTH_DIGEST && !has_digest && c.has_user;
  return value;
}

bool AuthState::on_unauthorized(const EasyOptions &opt, const Credentials &c,
                                const h1::ResponseHead &head, long &avail) {
  std::vector<http::AuthChallenge> challenges;
  for (const h1::Header &h : head.headers)
    if (ascii::iequals(h.name, "WWW-Authenticate")) http::parse_challenges(h.value, challenges);
  unsigned long offered = 0;
  const http::AuthChallenge *digest_challenge = nullptr;
  http::DigestChallenge parsed;
  for (const http::AuthChallenge &ch : challenges) {
    unsigned long bit = scheme_bit(ch.scheme);
    if (bit == CURLAUTH_DIGEST && !digest_challenge) {
      if (!http::read_digest_challenge(ch, parsed)) continue;  // one we cannot answer
      digest_challenge = &ch;
    }
    offered |= bit;
  }
  avail = static_cast<long>(offered);
  if (given_up || (!c.has_user && c.bearer.empty())) return false;
  unsigned long usable = offered & opt.http_auth;
  unsigned long pick = 0;
  if ((usable & CURLAUTH_DIGEST) && c.has_user)
    pick = CURLAUTH_DIGEST;
  else if ((usable & CURLAUTH_BASIC) && c.has_user)
    pick = CURLAUTH_BASIC;
  else if ((usable & CURLAUTH_BEARER) && !c.bearer.empty())
    pick = CURLAUTH_BEARER;
  if (!pick) return false;
  // Our credentials were refused: that is the answer, unless a Digest nonce merely went stale.
  bool stale_retry =
      pick == CURLAUTH_DIGEST && sent && parsed.stale && picked == pick && !stale_retried;
  stale_retried = stale_retried || stale_retry;
  if (sent && picked == pick && !stale_retry) {
    given_up = true;
    return false;
  }
  picked = pick;
  if (pick == CURLAUTH_DIGEST) {
    digest = parsed;
    has_digest = true;
    nonce_count = 0;
  }
  return true;
}

}  // namespace evm
