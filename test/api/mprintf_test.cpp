// The curl_m*printf family: each function's return value and output as libcurl 7.88 gives them
// (the expectations were read from the system libcurl with the same calls).
#include <curl/curl.h>
#include <curl/mprintf.h>
#include <doctest/doctest.h>

#include <cstdio>
#include <string>

namespace {

int via_va(char *buf, size_t len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = curl_mvsnprintf(buf, len, fmt, ap);
  va_end(ap);
  return n;
}

}  // namespace

TEST_CASE("curl_msnprintf returns what it wrote, not what it would have") {
  char b[16];
  CHECK(curl_msnprintf(b, sizeof b, "%s", "0123456789abcdefghij") == 15);
  CHECK(std::string(b) == "0123456789abcde");
  b[0] = 'x';
  CHECK(curl_msnprintf(b, 0, "%s", "abc") == 0);
  CHECK(b[0] == 'x');  // a zero-length buffer is left alone
  CHECK(curl_msnprintf(b, 1, "%s", "abc") == 0);
  CHECK(std::string(b).empty());
  CHECK(via_va(b, sizeof b, "%d-%s", 12, "ab") == 5);
  CHECK(std::string(b) == "12-ab");
}

TEST_CASE("curl_msnprintf formats curl_off_t, size_t, widths and flags as libcurl") {
  char b[32];
  CHECK(curl_msnprintf(b, sizeof b, "%" CURL_FORMAT_CURL_OFF_T, curl_off_t{-1234567890123}) == 14);
  CHECK(std::string(b) == "-1234567890123");
  CHECK(curl_msnprintf(b, sizeof b, "%" CURL_FORMAT_CURL_OFF_TU, curl_off_t{42}) == 2);
  CHECK(curl_msnprintf(b, 16, "%5.2f|%-4d|%x|%%", 3.14159, 7, 255) == 15);
  CHECK(std::string(b) == " 3.14|7   |ff|%");
  CHECK(curl_msnprintf(b, sizeof b, "%zu %ld", size_t{42}, 9L) == 4);
  CHECK(std::string(b) == "42 9");
}

TEST_CASE("curl_maprintf and curl_mvaprintf hand out a string curl_free releases") {
  char *a = curl_maprintf("%s-%d", "x", 5);
  REQUIRE(a);
  CHECK(std::string(a) == "x-5");
  curl_free(a);
  std::string big(100000, 'q');
  char *b = curl_maprintf("[%s]", big.c_str());
  REQUIRE(b);
  CHECK(std::string(b) == "[" + big + "]");
  curl_free(b);
}

TEST_CASE("curl_msprintf and curl_mfprintf return the length they wrote") {
  char b[8];
  CHECK(curl_msprintf(b, "%03d", 5) == 3);
  CHECK(std::string(b) == "005");
  FILE *f = std::tmpfile();
  REQUIRE(f);
  CHECK(curl_mfprintf(f, "f%d\n", 1) == 3);
  std::rewind(f);
  char line[8] = {};
  CHECK(std::fgets(line, sizeof line, f) != nullptr);
  CHECK(std::string(line) == "f1\n");
  std::fclose(f);
}
