// CURLOPT_HEADER: the response head goes into the body stream, line by line ahead of the body,
// and still to HEADERFUNCTION when one is set (libcurl 7.88 does both).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "easy_fixture.h"
#include "shared_test_server.h"
#include "text_util.h"

using namespace evm::test;

namespace {

struct Calls {
  std::vector<std::string> seen;  // "B:" body write, "H:" header write, in call order
};

size_t body_call(char *d, size_t s, size_t n, void *u) {
  static_cast<Calls *>(u)->seen.push_back("B:" + std::string(d, s * n));
  return s * n;
}

size_t header_call(char *d, size_t s, size_t n, void *u) {
  static_cast<Calls *>(u)->seen.push_back("H:" + std::string(d, s * n));
  return s * n;
}

}  // namespace

TEST_CASE("HEADER puts each head line into the body stream before the body") {
  CURL *e = curl_easy_init();
  std::string body;
  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/ok/5").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  CHECK(curl_easy_setopt(e, CURLOPT_HEADER, 1L) == CURLE_OK);
  REQUIRE(curl_easy_perform(e) == CURLE_OK);
  CHECK(body.rfind("HTTP/1.1 200 ", 0) == 0);
  size_t blank = body.find("\r\n\r\n");
  REQUIRE(blank != std::string::npos);
  CHECK(body.substr(blank + 4) == pattern(5));
  long header_size = 0;
  curl_easy_getinfo(e, CURLINFO_HEADER_SIZE, &header_size);
  CHECK(static_cast<size_t>(header_size) == blank + 4);
  // Switched off again, only the body comes.
  curl_easy_setopt(e, CURLOPT_HEADER, 0L);
  body.clear();
  REQUIRE(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == pattern(5));
  curl_easy_cleanup(e);
}

TEST_CASE("HEADER with a HEADERFUNCTION: each line to the body stream, then to the header one") {
  CURL *e = curl_easy_init();
  Calls calls;
  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/ok/3").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, body_call);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &calls);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, header_call);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &calls);
  curl_easy_setopt(e, CURLOPT_HEADER, 1L);
  REQUIRE(curl_easy_perform(e) == CURLE_OK);
  REQUIRE(calls.seen.size() >= 5);
  CHECK(calls.seen[0].rfind("B:HTTP/1.1 200", 0) == 0);
  CHECK(calls.seen[1] == "H:" + calls.seen[0].substr(2));
  CHECK(calls.seen[calls.seen.size() - 3] == "B:\r\n");
  CHECK(calls.seen[calls.seen.size() - 2] == "H:\r\n");
  CHECK(calls.seen.back() == "B:" + pattern(3));
  curl_easy_cleanup(e);
}

TEST_CASE("HEADER leaves trailers out of the body stream; HEADERFUNCTION still gets them") {
  Fetch f(server().raw_url("/chunked-trailers"));
  curl_easy_setopt(f.easy, CURLOPT_HEADER, 1L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  size_t blank = f.body.find("\r\n\r\n");
  REQUIRE(blank != std::string::npos);
  CHECK(f.body.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(f.body.substr(blank + 4) == "hello");
  CHECK(contains(f.headers, "X-Trailer: yes\r\n"));
}
