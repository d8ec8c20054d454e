// HTTP authentication: USERPWD, USERNAME, PASSWORD, HTTPAUTH (Basic, Digest MD5 and SHA-256,
// Bearer, ANY, ANYSAFE), XOAUTH2_BEARER, PROXYAUTH, HTTPAUTH_AVAIL. The test server's /auth/
// endpoints verify what they get; the request sequences are those libcurl 7.88 makes (probed).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

#include "easy_options_fixture.h"

using namespace evm::test;

namespace {

std::string auth_url(const std::string &kind, const std::string &query = "user=u&pass=p") {
  return server().raw_url("/auth/" + kind + "?" + query);
}

// Performs and returns how many requests the server served for it.
uint64_t perform_counting(Fetch &f, CURLcode want = CURLE_OK) {
  uint64_t before = server().requests_served();
  CHECK(curl_easy_perform(f.easy) == want);
  return server().requests_served() - before;
}

}  // namespace

TEST_CASE("USERPWD is sent with Basic at once") {
  Fetch f(auth_url("basic"));
  curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
  CHECK(perform_counting(f) == 1);
  CHECK(f.status() == 200);
  CHECK(f.body == "basic ok\n");
  CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == 0);
}

TEST_CASE("USERNAME and PASSWORD; USERNAME alone means an empty password, PASSWORD alone nothing") {
  SUBCASE("both") {
    Fetch f(auth_url("basic"));
    curl_easy_setopt(f.easy, CURLOPT_USERNAME, "u");
    curl_easy_setopt(f.easy, CURLOPT_PASSWORD, "p");
    CHECK(perform_counting(f) == 1);
    CHECK(f.body == "basic ok\n");
  }
  SUBCASE("USERNAME alone") {
    Fetch f(auth_url("basic", "user=u&pass="));
    curl_easy_setopt(f.easy, CURLOPT_USERNAME, "u");
    CHECK(perform_counting(f) == 1);
    CHECK(f.body == "basic ok\n");
  }
  SUBCASE("PASSWORD alone") {
    Fetch f(auth_url("basic"));
    curl_easy_setopt(f.easy, CURLOPT_PASSWORD, "p");
    CHECK(perform_counting(f) == 1);
    CHECK(f.status() == 401);
    CHECK(info_long(f.easy, CURLINFO_HTTPAUTH_AVAIL) == static_cast<long>(CURLAUTH_BASIC));
  }
  SUBCASE("USERPWD splits at the first colon") {
    Fetch f(auth_url("basic", "user=u&pass=p:q"));
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p:q");
    CHECK(perform_counting(f) == 1);
    CHECK(f.body == "basic ok\n");
  }
}

TEST_CASE("credentials in the URL still go as Basic") {
  std::string url =
      "http://u:p@127.0.0.1:" + std::to_string(server().raw_port()) + "/auth/basic?user=u&pass=p";
  Fetch f(url);
  CHECK(perform_counting(f) == 1);
  CHECK(f.body == "basic ok\n");
}

TEST_CASE("a refused Basic is the answer: one request, the 401 body delivered") {
  Fetch f(server().raw_url("/auth/always"));
  curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
  CHECK(perform_counting(f) == 1);
  CHECK(f.status() == 401);
  CHECK(f.body == "denied\n");
}

TEST_CASE("Digest: a first request without credentials, then the answer to the challenge") {
  for (const char *alg : {"MD5", "SHA-256"}) {
    CAPTURE(alg);
    Fetch f(auth_url("digest", std::string("user=u&pass=p&alg=") + alg));
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
    CHECK(perform_counting(f) == 2);
    CHECK(f.status() == 200);
    CHECK(f.body == "digest ok\n");                              // the 401's body is not written
    CHECK(f.headers.find("HTTP/1.1 401") != std::string::npos);  // but its head is
    CHECK(info_long(f.easy, CURLINFO_HTTPAUTH_AVAIL) == static_cast<long>(CURLAUTH_DIGEST));
    // libcurl counts the retry as a redirect.
    CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == 1);
  }
}

TEST_CASE("Digest with a wrong password: two requests, then the 401 as the answer") {
  Fetch f(auth_url("digest"));
  curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:wrong");
  curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
  CHECK(perform_counting(f) == 2);
  CHECK(f.status() == 401);
  CHECK(f.body == "unauthorized\n");
}

TEST_CASE("the auth retry counts against MAXREDIRS, as in libcurl") {
  Fetch f(auth_url("digest"));
  curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
  curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
  curl_easy_setopt(f.easy, CURLOPT_MAXREDIRS, 0L);
  CHECK(perform_counting(f, CURLE_TOO_MANY_REDIRECTS) == 1);
  CHECK(std::string(f.error) == "Maximum (0) redirects followed");
}

TEST_CASE("ANY and ANYSAFE pick from the 401: Digest over Basic; ANY takes Basic alone") {
  SUBCASE("ANY, both offered") {
    Fetch f(auth_url("both"));
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_ANY));
    CHECK(perform_counting(f) == 2);
    CHECK(f.body == "digest ok\n");
    CHECK(info_long(f.easy, CURLINFO_HTTPAUTH_AVAIL) ==
          static_cast<long>(CURLAUTH_BASIC | CURLAUTH_DIGEST));
  }
  SUBCASE("ANYSAFE, both offered") {
    Fetch f(auth_url("both"));
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_ANYSAFE));
    CHECK(perform_counting(f) == 2);
    CHECK(f.body == "digest ok\n");
  }
  SUBCASE("ANY, Basic offered") {
    Fetch f(auth_url("basic"));
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_ANY));
    CHECK(perform_counting(f) == 2);
    CHECK(f.body == "basic ok\n");
  }
  SUBCASE("ANYSAFE, Basic offered: nothing safe to send") {
    Fetch f(auth_url("basic"));
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_ANYSAFE));
    CHECK(perform_counting(f) == 1);
    CHECK(f.status() == 401);
  }
  SUBCASE("ANY, always refused: stops after the failed retry") {
    Fetch f(server().raw_url("/auth/always"));
    curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
    curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_ANY));
    CHECK(perform_counting(f) == 2);
    CHECK(f.status() == 401);
    CHECK(f.body == "denied\n");
  }
}

TEST_CASE("XOAUTH2_BEARER goes out with HTTPAUTH BEARER only") {
  SUBCASE("BEARER") {
    Fetch f(auth_url("bearer", "token=t0k"));
    curl_easy_setopt(f.easy, CURLOPT_XOAUTH2_BEARER, "t0k");
    curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BEARER));
    CHECK(perform_counting(f) == 1);
    CHECK(f.body == "bearer ok\n");
  }
  SUBCASE("default HTTPAUTH (Basic)") {
    Fetch f(auth_url("bearer", "token=t0k"));
    curl_easy_setopt(f.easy, CURLOPT_XOAUTH2_BEARER, "t0k");
    CHECK(perform_counting(f) == 1);
    CHECK(f.status() == 401);
    CHECK(info_long(f.easy, CURLINFO_HTTPAUTH_AVAIL) == static_cast<long>(CURLAUTH_BEARER));
  }
}

TEST_CASE("auth masks: schemes not built answer CURLE_NOT_BUILT_IN; PROXYAUTH is kept") {
  Fetch f(server().raw_url("/echo"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_NTLM)) ==
        CURLE_NOT_BUILT_IN);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_NEGOTIATE)) ==
        CURLE_NOT_BUILT_IN);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH,
                         static_cast<long>(CURLAUTH_NTLM | CURLAUTH_BASIC)) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_PROXYAUTH, static_cast<long>(CURLAUTH_ANY)) == CURLE_OK);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_PROXYAUTH, static_cast<long>(CURLAUTH_NTLM)) ==
        CURLE_NOT_BUILT_IN);
}

TEST_CASE("a redirect, then a Digest challenge on the new URL") {
  Fetch f(server().raw_url("/redir/302?to=" + std::string("/auth/digest%3Fuser=u%26pass=p")));
  curl_easy_setopt(f.easy, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
  curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
  CHECK(perform_counting(f) == 3);
  CHECK(f.body == "digest ok\n");
  CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == 2);
}

TEST_CASE("a POST with Digest: the first request goes with an empty body, as libcurl's") {
  Fetch f(auth_url("digest"));
  curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
  curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "hello");
  CHECK(perform_counting(f) == 2);
  CHECK(f.headers.find("X-Received-Bytes: 0\r\n") != std::string::npos);
  CHECK(f.body == "digest ok\nhello");
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_METHOD) == "POST");
}

TEST_CASE("a POST with ANY: the body goes both times (7.88), rewound for the retry") {
  Fetch f(auth_url("both"));
  curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
  curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_ANY));
  curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, "hello");
  CHECK(perform_counting(f) == 2);
  CHECK(f.headers.find("X-Received-Bytes: 5\r\n") != std::string::npos);
  CHECK(f.body == "digest ok\nhello");
}

TEST_CASE("a stale Digest nonce is answered once more with the fresh one") {
  Fetch f(auth_url("digest-stale"));
  curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
  curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
  CHECK(perform_counting(f) == 3);
  CHECK(f.status() == 200);
  CHECK(f.body == "digest ok\n");
  CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == 2);
}

TEST_CASE("FAILONERROR does not stop at a 401 that is retried, only at the final one") {
  Fetch f(auth_url("digest"));
  curl_easy_setopt(f.easy, CURLOPT_USERPWD, "u:p");
  curl_easy_setopt(f.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
  curl_easy_setopt(f.easy, CURLOPT_FAILONERROR, 1L);
  CHECK(perform_counting(f) == 2);
  CHECK(f.body == "digest ok\n");

  Fetch g(auth_url("digest"));
  curl_easy_setopt(g.easy, CURLOPT_USERPWD, "u:wrong");
  curl_easy_setopt(g.easy, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_DIGEST));
  curl_easy_setopt(g.easy, CURLOPT_FAILONERROR, 1L);
  CHECK(perform_counting(g, CURLE_HTTP_RETURNED_ERROR) == 2);
  CHECK(std::string(g.error) == "The requested URL returned error: 401");
}
