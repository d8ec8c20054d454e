// Target 5: WWW-Authenticate values (lib/http/auth_challenge.h): every challenge of the value,
// and for each Digest one the engine would answer, the Authorization it builds. Parameter names
// come out lowercased; a Digest answer is one header line: whatever the server's parameters
// hold (a folded header keeps its CRLF), no CR or LF gets into the request from them.
//
// Input: line 1 user, line 2 password, line 3 the request URI, then header values separated by
// NUL bytes (so a value may hold CR and LF, as a folded one does).
#include <algorithm>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "http/auth_challenge.h"

EVM_FUZZ_TARGET(auth_challenge) {
  evm::fuzz::FuzzInput in(data, size);
  std::string_view user = in.line(), password = in.line(), uri = in.line();
  std::vector<evm::http::AuthChallenge> all;
  std::string_view values = in.rest();
  while (!values.empty()) {
    size_t end = std::min(values.find('\0'), values.size());
    std::vector<evm::http::AuthChallenge> found;
    evm::http::parse_challenges(values.substr(0, end), found);
    values.remove_prefix(std::min(end + 1, values.size()));
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
    FUZZ_CHECK(answer.find_first_of("\r\n") == std::string::npos ||
               std::string(user).append(password).append(uri).find_first_of("\r\n") !=
                   std::string::npos);
  }
  return 0;
}
