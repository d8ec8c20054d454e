// WWW-Authenticate parsing and Digest answers: RFC 7616's own example (section 3.9.1) and
// answers libcurl 7.88 produced against a loopback server.
#include "http/auth_challenge.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace evm::http;

namespace {

std::string param_of(const std::string &header, const std::string &name) {
  size_t at = header.find(name + "=");
  if (at == std::string::npos) return "(absent)";
  at += name.size() + 1;
  if (header[at] == '"') return header.substr(at + 1, header.find('"', at + 1) - at - 1);
  return header.substr(at, header.find(',', at) - at);
}

DigestChallenge challenge_of(const std::string &value) {
  std::vector<AuthChallenge> list;
  parse_challenges(value, list);
  REQUIRE(list.size() == 1);
  DigestChallenge d;
  REQUIRE(read_digest_challenge(list[0], d));
  return d;
}

}  // namespace

TEST_CASE("several challenges in one header value, quoted strings with escapes and commas") {
  std::vector<AuthChallenge> list;
  parse_challenges(
      "Basic realm=\"a, \\\"b\\\"\", Digest realm=\"r\", nonce=abc, qop=\"auth,auth-int\"", list);
  REQUIRE(list.size() == 2);
  CHECK(list[0].scheme == "Basic");
  CHECK(list[0].param("realm") == "a, \"b\"");
  CHECK(list[1].scheme == "Digest");
  CHECK(list[1].param("nonce") == "abc");
  CHECK(list[1].param("qop") == "auth,auth-int");
  parse_challenges("Bearer", list);
  REQUIRE(list.size() == 3);
  CHECK(list[2].scheme == "Bearer");
  CHECK(list[2].params.empty());
}

TEST_CASE("which Digest challenges can be answered") {
  DigestChallenge d;
  std::vector<AuthChallenge> list;
  parse_challenges("Digest realm=r, nonce=n, algorithm=SHA-512-256", list);
  parse_challenges("Digest realm=r, nonce=n, qop=auth-int", list);
  parse_challenges("Digest realm=r", list);
  parse_challenges("Digest realm=r, nonce=n, algorithm=sha-256-sess, stale=TRUE", list);
  REQUIRE(list.size() == 4);
  CHECK_FALSE(read_digest_challenge(list[0], d));
  CHECK_FALSE(read_digest_challenge(list[1], d));
  CHECK_FALSE(read_digest_challenge(list[2], d));
  REQUIRE(read_digest_challenge(list[3], d));
  CHECK(d.sha256);
  CHECK(d.session);
  CHECK(d.stale);
  CHECK_FALSE(d.qop_auth);
}

TEST_CASE("RFC 7616 section 3.9.1: MD5 and SHA-256") {
  const std::string base =
      "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "
      "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
      "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", algorithm=";
  DigestInput in{"Mufasa",
                 "Circle of Life",
                 "GET",
                 "/dir/index.html",
                 "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
                 1};
  std::string md5 = digest_authorization(challenge_of(base + "MD5"), in);
  CHECK(param_of(md5, "response") == "8ca523f5e9506fed4657c9700eebdbec");
  std::string sha = digest_authorization(challenge_of(base + "SHA-256"), in);
  CHECK(param_of(sha, "response") ==
        "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  CHECK(param_of(sha, "nc") == "00000001");
  CHECK(param_of(sha, "qop") == "auth");
  CHECK(param_of(sha, "opaque") == "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  CHECK(param_of(sha, "algorithm") == "SHA-256");
}

TEST_CASE("the exact header libcurl 7.88 sends for the same challenge and client nonce") {
  DigestChallenge d =
      challenge_of("Digest realm=\"r\", nonce=\"abc\", qop=\"auth\", algorithm=MD5");
  DigestInput in{"u", "p", "GET", "/digest", "YTA3MTA0OWQ1NmRiN2Q2ZWM0ZGY2NTJjYjZhZjlhMmI=", 1};
  CHECK(digest_authorization(d, in) ==
        "Digest username=\"u\", realm=\"r\", nonce=\"abc\", uri=\"/digest\", "
        "cnonce=\"YTA3MTA0OWQ1NmRiN2Q2ZWM0ZGY2NTJjYjZhZjlhMmI=\", nc=00000001, qop=auth, "
        "response=\"78b55cadca28dcb0817a8113eedd814c\", algorithm=MD5");
  DigestChallenge s =
      challenge_of("Digest realm=\"r\", nonce=\"abc\", qop=\"auth\", algorithm=SHA-256");
  DigestInput in2{
      "u", "p", "GET", "/digest?alg=SHA-256", "MGExNDBhYzBhMzhjOTRjNDdiZDQ2Y2ZiMzQ5NDczZDg=", 1};
  CHECK(param_of(digest_authorization(s, in2), "response") ==
        "db39ba695c23525abf37f3bf7d94ff2b82cd8d8f1b76331bfd3e379b36ff48a4");
}

TEST_CASE("without qop: the RFC 2069 answer, no cnonce or nc") {
  DigestChallenge d = challenge_of("Digest realm=\"r\", nonce=\"abc\"");
  std::string h = digest_authorization(d, DigestInput{"u", "p", "GET", "/", "c", 1});
  CHECK(param_of(h, "cnonce") == "(absent)");
  CHECK(param_of(h, "qop") == "(absent)");
  CHECK(param_of(h, "algorithm") == "(absent)");
  CHECK(param_of(h, "response").size() == 32);
}
