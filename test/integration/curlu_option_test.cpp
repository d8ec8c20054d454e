// CURLOPT_CURLU against the loopback test server: the transfer takes its URL from the
// application's CURLU, which wins over CURLOPT_URL and is read again by every transfer.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

#include "easy_options_fixture.h"

using namespace evm::test;

namespace {

// RAII over one CURLU.
struct Curlu {
  CURLU *h = curl_url();
  Curlu() { REQUIRE(h); }
  ~Curlu() { curl_url_cleanup(h); }
  Curlu(const Curlu &) = delete;
  Curlu &operator=(const Curlu &) = delete;

  std::string url() const {
    char *out = nullptr;
    REQUIRE(curl_url_get(h, CURLUPART_URL, &out, 0) == CURLUE_OK);
    std::string r = out;
    curl_free(out);
    return r;
  }
};

}  // namespace

TEST_CASE("CURLOPT_CURLU: the request goes to the URL the handle holds") {
  Curlu u;
  REQUIRE(curl_url_set(u.h, CURLUPART_URL, server().raw_url("/echo").c_str(), 0) == CURLUE_OK);
  // Built part by part, with an encoded query value the server must see as sent.
  REQUIRE(curl_url_set(u.h, CURLUPART_QUERY, "name=a b&c", CURLU_URLENCODE | CURLU_APPENDQUERY) ==
          CURLUE_OK);
  Fetch f("http://127.0.0.1:1/never-used");  // CURLOPT_URL set first: CURLU still wins
  CHECK(curl_easy_setopt(f.easy, CURLOPT_CURLU, u.h) == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  Echo echo(f.body);
  CHECK(echo.request_line == "GET /echo?name=a+b%26c");
  CHECK(echo.value("Host") == "127.0.0.1:" + std::to_string(server().raw_port()));
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == u.url());
  CHECK(f.status() == 200);
}

TEST_CASE("CURLOPT_CURLU wins over a CURLOPT_URL set after it") {
  Curlu u;
  REQUIRE(curl_url_set(u.h, CURLUPART_URL, server().http_url("/bytes/7").c_str(), 0) == CURLUE_OK);
  Fetch f(server().http_url("/bytes/3"));
  curl_easy_setopt(f.easy, CURLOPT_CURLU, u.h);
  curl_easy_setopt(f.easy, CURLOPT_URL, server().http_url("/bytes/3").c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(7));
}

TEST_CASE("CURLOPT_CURLU is read when each transfer starts; NULL falls back to CURLOPT_URL") {
  Curlu u;
  REQUIRE(curl_url_set(u.h, CURLUPART_URL, server().http_url("/bytes/5").c_str(), 0) == CURLUE_OK);
  Fetch f(server().http_url("/bytes/2"));
  curl_easy_setopt(f.easy, CURLOPT_CURLU, u.h);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(5));

  // The application changes the handle between transfers: the next one follows.
  REQUIRE(curl_url_set(u.h, CURLUPART_PATH, "/bytes/9", 0) == CURLUE_OK);
  f.body.clear();
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(9));
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == server().http_url("/bytes/9"));

  curl_easy_setopt(f.easy, CURLOPT_CURLU, nullptr);
  f.body.clear();
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(2));
}

TEST_CASE("CURLOPT_CURLU without a usable URL fails the transfer with libcurl's codes") {
  Curlu u;
  CURL *e = curl_easy_init();
  REQUIRE(e);
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(e, CURLOPT_CURLU, u.h);
  CHECK(curl_easy_perform(e) == CURLE_URL_MALFORMAT);  // empty handle
  REQUIRE(curl_url_set(u.h, CURLUPART_HOST, "127.0.0.1", 0) == CURLUE_OK);
  CHECK(curl_easy_perform(e) == CURLE_URL_MALFORMAT);  // no scheme
  CHECK(std::string(error).size() > 0);
  REQUIRE(curl_url_set(u.h, CURLUPART_SCHEME, "foo", CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK);
  CHECK(curl_easy_perform(e) == CURLE_UNSUPPORTED_PROTOCOL);
  curl_easy_cleanup(e);
}
