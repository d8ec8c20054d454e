// Percent-encoding: the shared util functions, and curl_easy_escape/unescape and their
// handle-less twins on top of them. The C API expectations are what libcurl 7.88.1 answered
// for the same calls.
#include "util/percent_encoding.h"

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

using evm::util::EncodeStyle;
using evm::util::percent_decode;
using evm::util::percent_decoded;
using evm::util::percent_encode;

namespace {

// Takes ownership of what the C functions return.
std::string take(char *p, int length = -1) {
  REQUIRE(p);
  std::string r = length < 0 ? std::string(p) : std::string(p, static_cast<size_t>(length));
  curl_free(p);
  return r;
}

}  // namespace

TEST_CASE("percent_encode keeps the unreserved set and what the caller asks to keep") {
  CHECK(percent_encode("aZ09-._~") == "aZ09-._~");
  CHECK(percent_encode("a b/?%\xff") == "a%20b%2F%3F%25%FF");
  CHECK(percent_encode(std::string("\0x", 2)) == "%00x");
  EncodeStyle path;
  path.upper_hex = false;
  path.keep = "/";
  CHECK(percent_encode("/a b/\xc3\xbc", path) == "/a%20b/%c3%bc");
  EncodeStyle query;
  query.upper_hex = false;
  query.space_as_plus = true;
  CHECK(percent_encode("a b+c", query) == "a+b%2bc");
}

TEST_CASE("percent_decode turns %XX into bytes and leaves a broken escape alone") {
  CHECK(percent_decoded("a%20b%2f%2F") == "a b//");
  CHECK(percent_decoded("%zz%4%") == "%zz%4%");
  CHECK(percent_decoded("%00") == std::string("\0", 1));
  std::string out;
  CHECK(percent_decode("%41%0a", out, false));
  CHECK(out == "A\n");
  CHECK_FALSE(percent_decode("%41%0a", out, true));
  CHECK_FALSE(percent_decode("a\tb", out, true));  // a raw control byte counts too
  CHECK(percent_decode("%7f%80", out, true));
  CHECK(out == "\x7f\x80");
}

TEST_CASE("curl_easy_escape and curl_escape encode everything but the unreserved set") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  CHECK(take(curl_easy_escape(e, "a b/~-._%\xc3\xbc+=&", 0)) == "a%20b%2F~-._%25%C3%BC%2B%3D%26");
  CHECK(take(curl_escape("abc", 2)) == "ab");  // a length limits the input
  CHECK(take(curl_easy_escape(e, "", 0)) == "");
  CHECK(take(curl_easy_escape(nullptr, "a b", 0)) == "a%20b");
  CHECK(curl_easy_escape(e, "x", -1) == nullptr);
  CHECK(curl_easy_escape(e, nullptr, 0) == nullptr);  // libcurl 7.88 crashes here
  curl_easy_cleanup(e);
}

TEST_CASE("curl_easy_unescape and curl_unescape decode every %XX, NUL bytes included") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  int n = -1;
  char *p = curl_easy_unescape(e, "a%20b%zz%4%41+%00x", 0, &n);
  CHECK(n == 12);
  CHECK(take(p, n) == std::string("a b%zz%4A+\0x", 12));
  p = curl_easy_unescape(e, "%41%42", 3, &n);
  CHECK(n == 1);
  CHECK(take(p) == "A");
  CHECK(take(curl_unescape("a%2Fb", 0)) == "a/b");
  CHECK(take(curl_easy_unescape(nullptr, "a%41", 0, nullptr)) == "aA");
  CHECK(curl_easy_unescape(e, "ab", -1, &n) == nullptr);
  CHECK(curl_easy_unescape(e, nullptr, 0, &n) == nullptr);  // libcurl 7.88 crashes here
  curl_easy_cleanup(e);
}
