// Where the response headers go: HEADERFUNCTION and HEADERDATA, 1xx interim responses, and a
// header callback that refuses data.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "easy_options_fixture.h"
#include "fd_capture.h"

using namespace evm::test;

TEST_CASE("HEADERFUNCTION gets each line, status line and final blank line included") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  std::vector<std::string> lines;
  std::string body;
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/100").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  CHECK(curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, collect_lines) == CURLE_OK);
  CHECK(curl_easy_setopt(e, CURLOPT_HEADERDATA, &lines) == CURLE_OK);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == pattern(100));
  REQUIRE(lines.size() >= 3);
  CHECK(lines.front().rfind("HTTP/1.1 200", 0) == 0);
  CHECK(lines.back() == "\r\n");
  bool one_line_per_call = true;
  bool saw_length = false;
  for (const auto &l : lines) {
    if (l.size() < 2 || l.substr(l.size() - 2) != "\r\n" || l.find('\n') != l.size() - 1)
      one_line_per_call = false;
    if (iequals(l, "Content-Length: 100\r\n")) saw_length = true;
  }
  CHECK(one_line_per_call);
  CHECK(saw_length);
  // HEADER_SIZE counts exactly the bytes the header callback saw.
  CHECK(info_long(e, CURLINFO_HEADER_SIZE) == static_cast<long>(total_size(lines)));
  curl_easy_cleanup(e);
}

TEST_CASE("1xx interim responses reach the header callback too") {
  std::vector<std::string> lines;
  std::string body;
  CURL *e = easy_collecting(server().raw_url("/continue"), body, lines);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == "ok");
  const std::vector<std::string> expected = {
      "HTTP/1.1 100 Continue\r\n", "\r\n", "HTTP/1.1 200 OK\r\n", "Content-Length: 2\r\n", "\r\n"};
  CHECK(lines == expected);
  CHECK(info_long(e, CURLINFO_RESPONSE_CODE) == 200);
  CHECK(info_long(e, CURLINFO_HEADER_SIZE) == static_cast<long>(total_size(expected)));
  curl_easy_cleanup(e);
}

TEST_CASE("HEADERDATA alone sends header lines through the write path") {
  SUBCASE("to the FILE* when there is no WRITEFUNCTION either") {
    FILE *body = std::tmpfile();
    FILE *head = std::tmpfile();
    REQUIRE(body);
    REQUIRE(head);
    CURL *e = curl_easy_init();
    REQUIRE(e);
    curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/40").c_str());
    curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, head);
    CHECK(curl_easy_perform(e) == CURLE_OK);
    std::string h = read_all(head);
    CHECK(read_all(body) == pattern(40));
    CHECK(h.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(contains(h, "Content-Length: 40\r\n"));
    CHECK(h.size() >= 4);
    CHECK(h.substr(h.size() - 4) == "\r\n\r\n");
    CHECK(info_long(e, CURLINFO_HEADER_SIZE) == static_cast<long>(h.size()));
    curl_easy_cleanup(e);
    std::fclose(body);
    std::fclose(head);
  }
  SUBCASE("to WRITEFUNCTION, with the HEADERDATA pointer") {
    CURL *e = curl_easy_init();
    REQUIRE(e);
    std::string body, head;
    curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/40").c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &head);
    CHECK(curl_easy_perform(e) == CURLE_OK);
    CHECK(body == pattern(40));
    CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(contains(head, "Content-Length: 40\r\n"));
    curl_easy_cleanup(e);
  }
}

TEST_CASE("a header callback returning short fails with CURLE_WRITE_ERROR") {
  Fetch f(server().http_url("/bytes/100"));
  curl_easy_setopt(f.easy, CURLOPT_HEADERFUNCTION, refuse_write);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_WRITE_ERROR);
  CHECK(f.body.empty());
}
