// Target 5: WWW-Authenticate values (lib/http/auth_challenge.h): every challenge of the value,
// and for each Digest one the engine would answer, the Authorization it builds. Parameter names
// come out lowercased; a Digest answer names the server's realm and nonce.
//
// Input: line 1 user, line 2 password, line 3 the request URI, then header values, one a line.
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "http/auth_challenge.h"

EVM_FUZZ_TARGET(auth_challenge) {
  evm::fuzz::FuzzInput in(data, size);
  std::string_view user = in.line(), password = in.line(), uri = in.line();
  std::vector<evm::http::AuthChallenge> all;
  while (!in.empty()) {
    std::vector<evm::http::AuthChallenge> found;
    evm::http::parse_challenges(in.line(), found);
    all.insert(all.end(), found.begin(), found.end());
  }
  uint32_t nc = 1;
  for (const evm::http::AuthChallenge &c : all) {
    for (const auto &[name, value] : c.params)
      for (char ch : name) FUZZ_CHECK(!(ch >= 'A' && ch <= 'Z'));
    evm::http::DigestChallenge d;
    if (!evm::http::read_digest_challenge(c, d)) continue;
    FUZZ_CHECK(!d.nonce.empty());
    evm::http::DigestInput di{user, password, "GET", uri, "0123456789abcdef", nc++};
    std::string answer = evm::http::digest_authorization(d, di);
    FUZZ_CHECK(answer.rfind("Digest ", 0) == 0);
    FUZZ_CHECK(answer.find("response=\"") != std::string::npos);
  }
  return 0;
}
