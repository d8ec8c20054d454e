// WWW-Authenticate parsing and the Digest answer (RFC 7616: MD5 and SHA-256, their -sess
// forms, qop=auth or none). Sans-I/O: the caller brings the client nonce and the counter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace evm::http {

struct AuthChallenge {
  std::string scheme;  // as sent ("Basic", "digest", ...): compare case-insensitively
  std::vector<std::pair<std::string, std::string>> params;  // names lowercased, values unquoted

  std::string_view param(std::string_view name) const;
};

// Appends every challenge of one header value ("Basic realm=x, Digest realm=y, nonce=z").
void parse_challenges(std::string_view value, std::vector<AuthChallenge> &out);

struct DigestChallenge {
  std::string realm, nonce, opaque;
  std::string algorithm;  // as the server named it; empty when it named none (MD5 then)
  bool sha256 = false;
  bool session = false;   // a "-sess" algorithm
  bool qop_auth = false;  // the server offered qop "auth"
  bool stale = false;
};

// False when the challenge is not one we can answer (no nonce, unknown algorithm, or a qop
// list without "auth").
bool read_digest_challenge(const AuthChallenge &c, DigestChallenge &out);

struct DigestInput {
  std::string_view user, password, method, uri;
  std::string_view cnonce;  // any unpredictable token
  uint32_t nc = 1;          // how often this nonce was used, this time included
};

// The whole Authorization value: "Digest username=..., response=...".
std::string digest_authorization(const DigestChallenge &c, const DigestInput &in);

}  // namespace evm::http
