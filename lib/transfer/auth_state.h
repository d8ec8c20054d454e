// HTTP authentication of one transfer (CURLOPT_HTTPAUTH): which scheme to send, the
// Authorization value for a request, and what a 401 means for the next one, as libcurl 7.88:
// a single wanted scheme is sent at once (Digest only once a challenge came), several wait for
// the server's 401 and the safest offered is picked; a retry that fails again is the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "http/auth_challenge.h"
#include "http/h1_response_parser.h"
#include "transfer/easy_options.h"

namespace evm {

struct Credentials {
  std::string_view user, password, bearer;
  bool has_user = false;
};

struct AuthState {
  unsigned long picked = 0;  // CURLAUTH_* scheme used for the next request, 0: none yet
  bool initialized = false;
  bool sent = false;  // the latest request carried our Authorization
  bool given_up = false;
  bool stale_retried = false;  // one more try on a stale nonce, not an endless series
  http::DigestChallenge digest;
  bool has_digest = false;
  uint32_t nonce_count = 0;
  // Digest is wanted but no challenge came yet: libcurl sends a POST's first request with an
  // empty body, since it will be refused anyway.
  bool negotiating = false;

  // The Authorization value for a request, or "" for none.
  std::string authorization(const EasyOptions &opt, const Credentials &c, std::string_view method,
                            std::string_view uri);
  // At a 401: the CURLAUTH_* bits offered (HTTPAUTH_AVAIL), and whether to retry.
  bool on_unauthorized(const EasyOptions &opt, const Credentials &c, const h1::ResponseHead &head,
                       long &avail);
};

}  // namespace evm
