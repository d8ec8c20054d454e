// Request bodies from READFUNCTION: UPLOAD (PUT), POST without POSTFIELDS, INFILESIZE(_LARGE),
// chunked uploads of unknown size, ABORT, SEEKFUNCTION on a retry, Expect: 100-continue and
// its timeout, an early 413, and the upload getinfo items. /upload/sink answers with the
// method, byte count, framing and a checksum of what it received, compared byte for byte.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "easy_options_fixture.h"
#include "scripted_server.h"
#include "upload_sink.h"

using namespace evm::test;

namespace {

// An upload source for READFUNCTION: hands out `data` at most `piece` bytes a call.
struct Source {
  std::string data;
  size_t pos = 0;
  size_t piece = 1 << 30;
  int calls = 0;
  size_t answer = 0;  // when non-zero, returned instead of data (ABORT, a funny value)
  int seeks = 0;
};

size_t read_source(char *buf, size_t size, size_t n, void *userp) {
  auto *s = static_cast<Source *>(userp);
  ++s->calls;
  if (s->answer) return s->answer;
  size_t len = std::min({size * n, s->data.size() - s->pos, s->piece});
  std::memcpy(buf, s->data.data() + s->pos, len);
  s->pos += len;
  return len;
}

int seek_source(void *userp, curl_off_t offset, int origin) {
  auto *s = static_cast<Source *>(userp);
  ++s->seeks;
  if (origin != SEEK_SET) return CURL_SEEKFUNC_FAIL;
  s->pos = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

// Bytes that are not a pattern the server could make up.
std::string payload(size_t n) {
  std::string s(n, '\0');
  uint32_t x = 2463534242u;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    s[i] = static_cast<char>(x);
  }
  return s;
}

void read_from(CURL *e, Source &src) {
  curl_easy_setopt(e, CURLOPT_READFUNCTION, read_source);
  curl_easy_setopt(e, CURLOPT_READDATA, &src);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 10000L);
}

}  // namespace

TEST_CASE("UPLOAD sends a PUT of INFILESIZE bytes from READFUNCTION, checked on the server") {
  for (size_t size : {size_t{0}, size_t{1}, size_t{1} << 20}) {
    CAPTURE(size);
    Fetch f(server().raw_url("/upload/sink"));
    Source src{payload(size)};
    src.piece = 10000;  // many reads, none of them a whole send
    read_from(f.easy, src);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L) == CURLE_OK);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(size)) == CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    // libcurl 7.88 asks a PUT of any non-empty body to expect a 100; the server sends it.
    CHECK(f.body == upload_summary("PUT", src.data, false, size > 0));
    CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == curl_off_t(size));
    CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_UPLOAD_T) == curl_off_t(size));
    if (size > 0) CHECK(info_off(f.easy, CURLINFO_SPEED_UPLOAD_T) > 0);
  }
}

TEST_CASE("INFILESIZE (long) sets the length too, and a size below -1 is refused") {
  Fetch f(server().raw_url("/upload/sink"));
  Source src{payload(300)};
  read_from(f.easy, src);
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_INFILESIZE, -2L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(-2)) ==
        CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_INFILESIZE, 300L) == CURLE_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == upload_summary("PUT", src.data, false, true));
}

TEST_CASE("an upload of unknown size goes out chunked") {
  for (size_t size : {size_t{0}, size_t{1}, size_t{1} << 20}) {
    CAPTURE(size);
    Fetch f(server().raw_url("/upload/sink"));
    Source src{payload(size)};
    src.piece = 7777;
    read_from(f.easy, src);
    curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == upload_summary("PUT", src.data, true, true));
    CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_UPLOAD_T) == -1);
    // As libcurl, the count includes the chunk framing.
    CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) >= curl_off_t(size + 5));
  }
}

TEST_CASE("the exact bytes of a chunked upload") {
  ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  Fetch f(s.url("/c"));
  Source src{"hello world"};
  src.piece = 5;
  read_from(f.easy, src);
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  curl_slist *h = curl_slist_append(nullptr, "Expect:");
  curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, h);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  std::string req = s.request();
  CHECK(req.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
  CHECK(req.substr(req.find("\r\n\r\n") + 4) == "5\r\nhello\r\n5\r\n worl\r\n1\r\nd\r\n0\r\n\r\n");
  curl_slist_free_all(h);
}

TEST_CASE("an unknown size over HTTP/1.0 cannot be chunked: CURLE_UPLOAD_FAILED") {
  Fetch f(server().raw_url("/upload/sink"));
  Source src{"abc"};
  read_from(f.easy, src);
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_0);
  CHECK(curl_easy_perform(f.easy) == CURLE_UPLOAD_FAILED);
  CHECK(std::string(f.error) == "Chunky upload is not supported by HTTP 1.0");
}

TEST_CASE("POST with a READFUNCTION and no POSTFIELDS reads its body") {
  SUBCASE("POSTFIELDSIZE known") {
    Fetch f(server().raw_url("/upload/sink"));
    Source src{payload(5000)};
    read_from(f.easy, src);
    curl_easy_setopt(f.easy, CURLOPT_POST, 1L);
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, 5000L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == upload_summary("POST", src.data, false, false));  // small: no Expect
    CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_UPLOAD_T) == 5000);
  }
  SUBCASE("over 1 MiB: Expect: 100-continue") {
    Fetch f(server().raw_url("/upload/sink"));
    Source src{payload((1 << 20) + 1)};
    read_from(f.easy, src);
    curl_easy_setopt(f.easy, CURLOPT_POST, 1L);
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(src.data.size()));
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == upload_summary("POST", src.data, false, true));
  }
  SUBCASE("size unknown: chunked") {
    Fetch f(server().raw_url("/upload/sink"));
    Source src{payload(70000)};
    read_from(f.easy, src);
    curl_easy_setopt(f.easy, CURLOPT_POST, 1L);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == upload_summary("POST", src.data, true, true));
  }
}

TEST_CASE("POSTFIELDS bodies of 0, 1 byte and 1 MiB arrive byte for byte") {
  for (size_t size : {size_t{0}, size_t{1}, size_t{1} << 20}) {
    CAPTURE(size);
    Fetch f(server().raw_url("/upload/sink"));
    std::string data = payload(size);
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(size));
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDS, data.data());
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == upload_summary("POST", data, false, false));
    CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == curl_off_t(size));
  }
}

TEST_CASE("the default reader is fread from READDATA") {
  FILE *file = std::tmpfile();
  REQUIRE(file);
  std::string data = payload(100000);
  REQUIRE(std::fwrite(data.data(), 1, data.size(), file) == data.size());
  std::rewind(file);
  Fetch f(server().raw_url("/upload/sink"));
  curl_easy_setopt(f.easy, CURLOPT_READDATA, file);
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(f.easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(data.size()));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == upload_summary("PUT", data, false, true));
  std::fclose(file);
}

TEST_CASE("CURL_READFUNC_ABORT ends the transfer with CURLE_ABORTED_BY_CALLBACK") {
  Fetch f(server().raw_url("/upload/sink"));
  Source src{payload(10)};
  src.answer = CURL_READFUNC_ABORT;
  read_from(f.easy, src);
  curl_slist *h = nullptr;
  SUBCASE("a PUT: the first read after the 100") {
    curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(f.easy, CURLOPT_INFILESIZE, 10L);
  }
  SUBCASE("a small POST: the first read goes with the head") {
    curl_easy_setopt(f.easy, CURLOPT_POST, 1L);
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, 10L);
  }
  SUBCASE("chunked, without Expect") {
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  }
  CHECK(curl_easy_perform(f.easy) == CURLE_ABORTED_BY_CALLBACK);
  CHECK(std::string(f.error) == "operation aborted by callback");
  CHECK(src.calls == 1);
  curl_slist_free_all(h);
}

TEST_CASE("a read callback returning more than asked for is a CURLE_READ_ERROR") {
  Fetch f(server().raw_url("/upload/sink"));
  Source src{payload(10)};
  src.answer = size_t{1} << 40;
  read_from(f.easy, src);
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  CHECK(curl_easy_perform(f.easy) == CURLE_READ_ERROR);
  CHECK(std::string(f.error) == "read function returned funny value");
}

TEST_CASE("a body re-sent on a fresh connection is rewound through SEEKFUNCTION") {
  Fetch f(server().raw_url("/drop-next"));
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 5000L);
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  // The server drops the next request on that connection: the body already went out with it.
  f.body.clear();
  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/upload/sink").c_str());
  Source src{payload(2000)};
  read_from(f.easy, src);
  curl_slist *h = curl_slist_append(nullptr, "Expect:");
  curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, h);
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(f.easy, CURLOPT_INFILESIZE, 2000L);
  SUBCASE("with SEEKFUNCTION") {
    curl_easy_setopt(f.easy, CURLOPT_SEEKFUNCTION, seek_source);
    curl_easy_setopt(f.easy, CURLOPT_SEEKDATA, &src);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(src.seeks == 1);
    CHECK(f.body == upload_summary("PUT", src.data, false, false));
  }
  SUBCASE("without one, a READFUNCTION body cannot rewind: CURLE_SEND_FAIL_REWIND") {
    CHECK(curl_easy_perform(f.easy) == CURLE_SEND_FAIL_REWIND);
    CHECK(std::string(f.error) == "necessary data rewind wasn't possible");
  }
  curl_slist_free_all(h);
}

TEST_CASE("Expect: 100-continue with a server that answers 100") {
  Fetch f(server().raw_url("/upload/sink"));
  Source src{payload(200000)};
  read_from(f.easy, src);
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(f.easy, CURLOPT_INFILESIZE, 200000L);
  curl_easy_setopt(f.easy, CURLOPT_EXPECT_100_TIMEOUT_MS, 20000L);
  auto t0 = Clock::now();
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(ms_since(t0) < 15000);  // the body went on the 100, not after the timeout
  CHECK(f.body == upload_summary("PUT", src.data, false, true));
  CHECK(f.headers.find("HTTP/1.1 100 Continue") == 0);  // the 100 reaches HEADERFUNCTION
}

TEST_CASE("Expect: 100-continue with a server that never answers 100: the body goes anyway") {
  ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
  Fetch f(s.url("/no100"));
  Source src{payload(5000)};
  read_from(f.easy, src);
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(f.easy, CURLOPT_INFILESIZE, 5000L);
  CHECK(curl_easy_setopt(f.easy, CURLOPT_EXPECT_100_TIMEOUT_MS, 300L) == CURLE_OK);
  auto t0 = Clock::now();
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(ms_since(t0) >= 250);
  CHECK(f.body == "ok");
  std::string req = s.request();
  CHECK(req.find("Expect: 100-continue\r\n") != std::string::npos);
  CHECK(req.substr(req.find("\r\n\r\n") + 4) == src.data);
  CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 5000);
}

TEST_CASE("a 417 to Expect: 100-continue: the request goes again without it, once") {
  Fetch f(server().raw_url("/upload/sink-no-expect"));
  Source src{payload(3000)};
  read_from(f.easy, src);
  curl_easy_setopt(f.easy, CURLOPT_SEEKFUNCTION, seek_source);
  curl_easy_setopt(f.easy, CURLOPT_SEEKDATA, &src);
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(f.easy, CURLOPT_INFILESIZE, 3000L);
  curl_easy_setopt(f.easy, CURLOPT_EXPECT_100_TIMEOUT_MS, 20000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  // The 417's body is not written; the retry's answer is, and it came without Expect.
  CHECK(f.body == upload_summary("PUT", src.data, false, false));
  CHECK(f.headers.find("HTTP/1.1 417 Expectation Failed") == 0);
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
  CHECK(info_long(f.easy, CURLINFO_REDIRECT_COUNT) == 0);
}

TEST_CASE("which uploads expect a 100, as libcurl 7.88") {
  ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  Fetch f(s.url("/x"));
  Source src{payload(10)};
  read_from(f.easy, src);
  curl_easy_setopt(f.easy, CURLOPT_EXPECT_100_TIMEOUT_MS, 1L);
  curl_slist *h = nullptr;
  bool expect = false;
  SUBCASE("a POST of 10 bytes: no") {
    curl_easy_setopt(f.easy, CURLOPT_POST, 1L);
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, 10L);
  }
  SUBCASE("a POST of 10 bytes with a custom Expect header: yes") {
    h = curl_slist_append(h, "Expect: 100-continue");
    curl_easy_setopt(f.easy, CURLOPT_POST, 1L);
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, 10L);
    expect = true;
  }
  SUBCASE("a PUT with \"Expect:\" removed: no") {
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(f.easy, CURLOPT_INFILESIZE, 10L);
  }
  SUBCASE("a PUT over HTTP/1.0: no") {
    curl_easy_setopt(f.easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_0);
    curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(f.easy, CURLOPT_INFILESIZE, 10L);
  }
  SUBCASE("a PUT of 10 bytes: yes") {
    curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(f.easy, CURLOPT_INFILESIZE, 10L);
    expect = true;
  }
  if (h) curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, h);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  std::string req = s.request();
  CHECK((req.find("Expect: 100-continue\r\n") != std::string::npos) == expect);
  CHECK(req.substr(req.find("\r\n\r\n") + 4) == src.data);
  curl_slist_free_all(h);
}

TEST_CASE("UPLOAD and POST: the last one set decides the method") {
  ScriptedServer s("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  Fetch f(s.url("/m"));
  Source src{payload(10)};
  read_from(f.easy, src);
  std::string line;
  SUBCASE("UPLOAD then POST: a POST") {
    curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(f.easy, CURLOPT_POST, 1L);
    curl_easy_setopt(f.easy, CURLOPT_POSTFIELDSIZE, 10L);
    line = "POST /m HTTP/1.1\r\n";
  }
  SUBCASE("POST then UPLOAD: a PUT") {
    curl_easy_setopt(f.easy, CURLOPT_POST, 1L);
    curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(f.easy, CURLOPT_INFILESIZE, 10L);
    line = "PUT /m HTTP/1.1\r\n";
  }
  curl_easy_setopt(f.easy, CURLOPT_EXPECT_100_TIMEOUT_MS, 1L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(s.request().rfind(line, 0) == 0);
}

TEST_CASE("a server answering 413 before the body ends the upload cleanly") {
  Fetch f(server().raw_url("/upload/early-413"));
  Source src{payload(8 << 20)};
  read_from(f.easy, src);
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(f.easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(src.data.size()));
  bool expect = true;
  curl_slist *h = nullptr;
  SUBCASE("waiting for a 100: no body byte is sent") {}
  SUBCASE("without Expect: the body stops where the answer came") {
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(f.easy, CURLOPT_HTTPHEADER, h);
    expect = false;
  }
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);  // libcurl 7.88: the response is the result
  CHECK(f.status() == 413);
  CHECK(f.body == "too large");
  curl_off_t sent = info_off(f.easy, CURLINFO_SIZE_UPLOAD_T);
  if (expect) CHECK(sent == 0);
  CHECK(sent < curl_off_t(src.data.size()));
  // The connection is not used again.
  f.body.clear();
  curl_easy_setopt(f.easy, CURLOPT_URL, server().raw_url("/ok/3").c_str());
  curl_easy_setopt(f.easy, CURLOPT_UPLOAD, 0L);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 1);
  curl_slist_free_all(h);
}

TEST_CASE("a download reports no upload") {
  Fetch f(server().raw_url("/ok/10"));
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 0);
  CHECK(info_off(f.easy, CURLINFO_SPEED_UPLOAD_T) == 0);
  CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_UPLOAD_T) == 0);  // -1 only for unknown sizes
}
