// ACCEPT_ENCODING, HTTP_CONTENT_DECODING and MAXFILESIZE against the raw listener's /enc/
// endpoints (routes_encoding.cpp): what is asked for, what is decoded, what fails and how, and
// that a decompression bomb is bounded in memory, in per-turn work and by MAXFILESIZE.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "easy_fixture.h"
#include "shared_test_server.h"
#include "text_util.h"

using namespace evm::test;

namespace {

std::string enc_url(const std::string &path) {
  return server().raw_url(path);
}

}  // namespace

TEST_CASE("ACCEPT_ENCODING \"\" asks for every coding built in; a list is sent as given") {
  Fetch all(enc_url("/echo"));
  CHECK(curl_easy_setopt(all.easy, CURLOPT_ACCEPT_ENCODING, "") == CURLE_OK);
  REQUIRE(curl_easy_perform(all.easy) == CURLE_OK);
  CHECK(contains(all.body, "Accept-Encoding: deflate, gzip\n"));

  Fetch listed(enc_url("/echo"));
  curl_easy_setopt(listed.easy, CURLOPT_ACCEPT_ENCODING, "br, gzip");
  REQUIRE(curl_easy_perform(listed.easy) == CURLE_OK);
  CHECK(contains(listed.body, "Accept-Encoding: br, gzip\n"));

  // NULL turns it off again; so does never setting it.
  curl_easy_setopt(listed.easy, CURLOPT_ACCEPT_ENCODING, nullptr);
  listed.body.clear();
  REQUIRE(curl_easy_perform(listed.easy) == CURLE_OK);
  CHECK_FALSE(contains(listed.body, "Accept-Encoding"));
}

TEST_CASE("gzip, zlib deflate, raw deflate and stacked codings are decoded") {
  for (const char *path :
       {"/enc/gzip", "/enc/deflate", "/enc/raw-deflate", "/enc/gzip-gzip", "/enc/identity"}) {
    for (const char *framing : {"", "&chunked=1"}) {
      CAPTURE(path);
      CAPTURE(framing);
      Fetch f(enc_url(std::string(path) + "?n=300000" + framing));
      curl_easy_setopt(f.easy, CURLOPT_ACCEPT_ENCODING, "");
      CHECK(curl_easy_perform(f.easy) == CURLE_OK);
      CHECK(f.body.size() == 300000);
      CHECK(f.body == pattern(300000));
      curl_off_t wire = 0;
      curl_easy_getinfo(f.easy, CURLINFO_SIZE_DOWNLOAD_T, &wire);
      // SIZE_DOWNLOAD counts the bytes as they came, before decoding (libcurl does too).
      if (std::strcmp(path, "/enc/identity") != 0) CHECK(wire < 300000);
    }
  }
}

TEST_CASE("without ACCEPT_ENCODING, or with HTTP_CONTENT_DECODING 0, the coded bytes pass") {
  Fetch plain(enc_url("/enc/gzip?n=5000"));
  REQUIRE(curl_easy_perform(plain.easy) == CURLE_OK);
  REQUIRE(plain.body.size() > 2);
  CHECK(plain.body.substr(0, 2) == "\x1f\x8b");

  Fetch raw(enc_url("/enc/gzip?n=5000"));
  curl_easy_setopt(raw.easy, CURLOPT_ACCEPT_ENCODING, "gzip");
  CHECK(curl_easy_setopt(raw.easy, CURLOPT_HTTP_CONTENT_DECODING, 0L) == CURLE_OK);
  REQUIRE(curl_easy_perform(raw.easy) == CURLE_OK);
  CHECK(raw.body == plain.body);

  // An unknown coding is no error when nothing is decoded.
  Fetch unknown(enc_url("/enc/unknown?n=10"));
  CHECK(curl_easy_perform(unknown.easy) == CURLE_OK);
  CHECK(unknown.body == pattern(10));
}

TEST_CASE("an unknown coding or corrupt data ends with CURLE_BAD_CONTENT_ENCODING") {
  Fetch unknown(enc_url("/enc/unknown?n=10"));
  curl_easy_setopt(unknown.easy, CURLOPT_ACCEPT_ENCODING, "");
  CHECK(curl_easy_perform(unknown.easy) == CURLE_BAD_CONTENT_ENCODING);
  CHECK(std::string(unknown.error) ==
        "Unrecognized content encoding type. libcurl understands deflate, gzip content "
        "encodings.");

  Fetch corrupt(enc_url("/enc/corrupt?n=5000"));
  curl_easy_setopt(corrupt.easy, CURLOPT_ACCEPT_ENCODING, "");
  CHECK(curl_easy_perform(corrupt.easy) == CURLE_BAD_CONTENT_ENCODING);
  CHECK(std::string(corrupt.error).rfind("Error while processing content unencoding: ", 0) == 0);

  // The handle is fine afterwards.
  curl_easy_setopt(corrupt.easy, CURLOPT_URL, enc_url("/enc/gzip?n=10").c_str());
  corrupt.body.clear();
  CHECK(curl_easy_perform(corrupt.easy) == CURLE_OK);
  CHECK(corrupt.body == pattern(10));
}

TEST_CASE("a HEAD request to a coded resource succeeds with no body") {
  Fetch f(enc_url("/enc/unknown?n=10"));
  curl_easy_setopt(f.easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(f.easy, CURLOPT_NOBODY, 1L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body.empty());
}

TEST_CASE("MAXFILESIZE: a Content-Length over the limit fails before any body byte") {
  Fetch over(enc_url("/ok/1000"));
  CHECK(curl_easy_setopt(over.easy, CURLOPT_MAXFILESIZE, 999L) == CURLE_OK);
  CHECK(curl_easy_perform(over.easy) == CURLE_FILESIZE_EXCEEDED);
  CHECK(std::string(over.error) == "Maximum file size exceeded");
  CHECK(over.body.empty());

  Fetch exact(enc_url("/ok/1000"));
  curl_easy_setopt(exact.easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t{1000});
  CHECK(curl_easy_perform(exact.easy) == CURLE_OK);
  CHECK(exact.body.size() == 1000);

  CHECK(curl_easy_setopt(exact.easy, CURLOPT_MAXFILESIZE, -1L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(exact.easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t{-1}) ==
        CURLE_BAD_FUNCTION_ARGUMENT);
}

TEST_CASE("MAXFILESIZE: a body without a length is stopped once it passes the limit") {
  Fetch f(enc_url("/close-delimited/200000"));
  curl_easy_setopt(f.easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t{100000});
  CHECK(curl_easy_perform(f.easy) == CURLE_FILESIZE_EXCEEDED);
  CHECK(std::string(f.error) == "Maximum file size exceeded");
  CHECK(f.body.size() <= 100000);
}

namespace {

struct BombLog {
  size_t total = 0;
  size_t largest_call = 0;
};

size_t count_write(char *, size_t size, size_t n, void *userp) {
  auto *log = static_cast<BombLog *>(userp);
  log->total += size * n;
  log->largest_call = std::max(log->largest_call, size * n);
  return size * n;
}

}  // namespace

TEST_CASE("a gzip bomb with MAXFILESIZE ends with CURLE_FILESIZE_EXCEEDED") {
  Fetch f(enc_url("/enc/bomb"));
  BombLog log;
  curl_easy_setopt(f.easy, CURLOPT_WRITEFUNCTION, count_write);
  curl_easy_setopt(f.easy, CURLOPT_WRITEDATA, &log);
  curl_easy_setopt(f.easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(f.easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t{10} << 20);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 60000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_FILESIZE_EXCEEDED);
  CHECK(std::string(f.error) == "Maximum file size exceeded");
  CHECK(log.total <= size_t{10} << 20);
  CHECK(log.largest_call <= CURL_MAX_WRITE_SIZE);
}

TEST_CASE("a gzip bomb hands on at most 1 MiB and one buffer per turn") {
  // About 1 MiB on the wire (one turn's read) inflates to 1 GiB: the decoders stop at the
  // turn's budget and keep the rest for the next turns (limits::kDecodeTurnBytes).
  CURLM *m = curl_multi_init();
  Fetch f(enc_url("/enc/bomb"));
  BombLog log;
  curl_easy_setopt(f.easy, CURLOPT_WRITEFUNCTION, count_write);
  curl_easy_setopt(f.easy, CURLOPT_WRITEDATA, &log);
  curl_easy_setopt(f.easy, CURLOPT_ACCEPT_ENCODING, "gzip");
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 120000L);
  REQUIRE(curl_multi_add_handle(m, f.easy) == CURLM_OK);
  int running = 1;
  size_t largest_turn = 0;
  while (running) {
    size_t before = log.total;
    REQUIRE(curl_multi_perform(m, &running) == CURLM_OK);
    largest_turn = std::max(largest_turn, log.total - before);
    if (running) curl_multi_wait(m, nullptr, 0, 100, nullptr);
  }
  int left = 0;
  CURLMsg *msg = curl_multi_info_read(m, &left);
  REQUIRE(msg);
  CHECK(msg->data.result == CURLE_OK);
  CHECK(log.total == size_t{1} << 30);
  CHECK(largest_turn <= (size_t{1} << 20) + CURL_MAX_WRITE_SIZE);
  curl_multi_remove_handle(m, f.easy);
  curl_multi_cleanup(m);
}

TEST_CASE("HTTP_TRANSFER_DECODING 0 hands chunked framing, trailers included, to the body") {
  Fetch f(enc_url("/chunked-trailers"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_HTTP_TRANSFER_DECODING, 0L) == CURLE_OK);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "3\r\nhel\r\n2\r\nlo\r\n0\r\nX-Trailer: yes\r\n\r\n");
  CHECK_FALSE(contains(f.headers, "X-Trailer: yes"));  // libcurl 7.88: not to HEADERFUNCTION

  // The connection is still in step: the next request on it works.
  curl_easy_setopt(f.easy, CURLOPT_HTTP_TRANSFER_DECODING, 1L);
  f.body.clear();
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == "hello");
}

TEST_CASE("HTTP_TRANSFER_DECODING 0 with gzip: the chunks come raw, undecoded") {
  Fetch f(enc_url("/enc/gzip?n=3000&chunked=1"));
  curl_easy_setopt(f.easy, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(f.easy, CURLOPT_HTTP_TRANSFER_DECODING, 0L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body.substr(f.body.size() - 5) == "0\r\n\r\n");
  CHECK(f.body.find("\r\n\x1f\x8b") != std::string::npos);
}
