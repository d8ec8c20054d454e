// The easy handle itself, over real loopback sockets through the public C API: URL and
// EFFECTIVE_URL, PRIVATE, NOSIGNAL, TCP_NODELAY, ERRORBUFFER, VERBOSE, curl_easy_reset,
// curl_easy_duphandle, and misuse (a handle in a multi, unknown options, NULL).
#include <unistd.h>

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <cstring>
#include <string>

#include "easy_options_fixture.h"
#include "fd_capture.h"
#include "scripted_server.h"

using namespace evm::test;

TEST_CASE("URL selects what is fetched and EFFECTIVE_URL reports it") {
  const std::string url = server().http_url("/bytes/321?x=1");
  Fetch f(url);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(321));
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == url);
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
}

TEST_CASE("a handle without URL fails with CURLE_URL_MALFORMAT") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  char error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
  CHECK(curl_easy_perform(e) == CURLE_URL_MALFORMAT);
  CHECK(std::strlen(error) > 0);
  curl_easy_cleanup(e);
}

TEST_CASE("PRIVATE is handed back by CURLINFO_PRIVATE") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  void *got = reinterpret_cast<void *>(1);
  CHECK(curl_easy_getinfo(e, CURLINFO_PRIVATE, &got) == CURLE_OK);
  CHECK(got == nullptr);
  int tag = 0;
  CHECK(curl_easy_setopt(e, CURLOPT_PRIVATE, &tag) == CURLE_OK);
  CHECK(curl_easy_getinfo(e, CURLINFO_PRIVATE, &got) == CURLE_OK);
  CHECK(got == &tag);
  // ... also after a transfer, the classic way (char *).
  std::string body;
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/5").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  char *as_char = nullptr;
  CHECK(curl_easy_getinfo(e, CURLINFO_PRIVATE, &as_char) == CURLE_OK);
  CHECK(static_cast<void *>(as_char) == &tag);
  curl_easy_cleanup(e);
}

TEST_CASE("NOSIGNAL and TCP_NODELAY are accepted and transfers work with either setting") {
  for (long v : {0L, 1L}) {
    CAPTURE(v);
    Fetch f(server().http_url("/bytes/20000"));
    CHECK(curl_easy_setopt(f.easy, CURLOPT_NOSIGNAL, v) == CURLE_OK);
    CHECK(curl_easy_setopt(f.easy, CURLOPT_TCP_NODELAY, v) == CURLE_OK);
    CHECK(curl_easy_perform(f.easy) == CURLE_OK);
    CHECK(f.body == pattern(20000));
  }
}

TEST_CASE("ERRORBUFFER is cleared on success and explains a failure") {
  Fetch f(server().http_url("/bytes/5"));
  std::strcpy(f.error, "stale text");
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(std::string(f.error).empty());

  std::string refused = "http://127.0.0.1:" + std::to_string(refused_port()) + "/";
  curl_easy_setopt(f.easy, CURLOPT_URL, refused.c_str());
  CHECK(curl_easy_perform(f.easy) == CURLE_COULDNT_CONNECT);
  size_t len = strnlen(f.error, CURL_ERROR_SIZE);
  CHECK(len > 0);
  CHECK(len < CURL_ERROR_SIZE);
}

TEST_CASE("VERBOSE traces the request and response heads to stderr") {
  Fetch f(server().http_url("/bytes/10"));
  CHECK(curl_easy_setopt(f.easy, CURLOPT_VERBOSE, 1L) == CURLE_OK);
  std::string trace;
  CURLcode rc;
  {
    FdCapture cap(STDERR_FILENO);
    rc = curl_easy_perform(f.easy);
    trace = cap.finish();
  }
  CHECK(rc == CURLE_OK);
  CAPTURE(trace);
  CHECK(contains(trace, "> GET /bytes/10 HTTP/1.1"));
  CHECK(contains(trace, "< HTTP/1.1 200"));
  CHECK(f.body == pattern(10));

  // And says nothing once switched off.
  curl_easy_setopt(f.easy, CURLOPT_VERBOSE, 0L);
  f.body.clear();
  {
    FdCapture cap(STDERR_FILENO);
    rc = curl_easy_perform(f.easy);
    trace = cap.finish();
  }
  CHECK(rc == CURLE_OK);
  CHECK(trace.empty());
}

// libcurl 7.88, probed: after curl_easy_reset every getinfo item answers as on a fresh handle
// (EFFECTIVE_URL "", CONTENT_TYPE NULL, CONTENT_LENGTH_DOWNLOAD_T -1, numbers 0).
TEST_CASE("curl_easy_reset forgets the last transfer: getinfo answers as for a fresh handle") {
  Fetch f(server().http_url("/bytes/100"));
  REQUIRE(curl_easy_perform(f.easy) == CURLE_OK);
  REQUIRE(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 200);
  REQUIRE(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 100);

  curl_easy_reset(f.easy);
  CHECK(info_string(f.easy, CURLINFO_EFFECTIVE_URL) == "");
  CHECK(info_long(f.easy, CURLINFO_RESPONSE_CODE) == 0);
  CHECK(info_long(f.easy, CURLINFO_HTTP_VERSION) == 0);
  CHECK(info_string(f.easy, CURLINFO_CONTENT_TYPE) == "(null)");
  CHECK(info_off(f.easy, CURLINFO_SIZE_DOWNLOAD_T) == 0);
  CHECK(info_off(f.easy, CURLINFO_SIZE_UPLOAD_T) == 0);
  CHECK(info_off(f.easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T) == -1);
  CHECK(info_off(f.easy, CURLINFO_SPEED_DOWNLOAD_T) == 0);
  CHECK(info_long(f.easy, CURLINFO_HEADER_SIZE) == 0);
  CHECK(info_long(f.easy, CURLINFO_REQUEST_SIZE) == 0);
  CHECK(info_long(f.easy, CURLINFO_NUM_CONNECTS) == 0);
  CHECK(info_long(f.easy, CURLINFO_OS_ERRNO) == 0);
  CHECK(info_string(f.easy, CURLINFO_PRIMARY_IP) == "");
  CHECK(info_long(f.easy, CURLINFO_PRIMARY_PORT) == 0);
  CHECK(info_string(f.easy, CURLINFO_LOCAL_IP) == "");
  CHECK(info_long(f.easy, CURLINFO_LOCAL_PORT) == 0);
  CHECK(info_off(f.easy, CURLINFO_TOTAL_TIME_T) == 0);
  CHECK(info_double(f.easy, CURLINFO_TOTAL_TIME) == 0.0);
  for (CURLINFO t :
       {CURLINFO_NAMELOOKUP_TIME_T, CURLINFO_CONNECT_TIME_T, CURLINFO_APPCONNECT_TIME_T,
        CURLINFO_PRETRANSFER_TIME_T, CURLINFO_STARTTRANSFER_TIME_T}) {
    CAPTURE(t);
    CHECK(info_off(f.easy, t) == 0);
  }
  CHECK(info_long(f.easy, CURLINFO_SSL_VERIFYRESULT) == 0);
  curl_certinfo *certs = nullptr;
  CHECK(curl_easy_getinfo(f.easy, CURLINFO_CERTINFO, &certs) == CURLE_OK);
  REQUIRE(certs != nullptr);
  CHECK(certs->num_of_certs == 0);

  // A fresh handle says the same about its URL.
  CURL *fresh = curl_easy_init();
  REQUIRE(fresh);
  CHECK(info_string(fresh, CURLINFO_EFFECTIVE_URL) == "");
  curl_easy_cleanup(fresh);
}

TEST_CASE("curl_easy_reset restores the defaults and keeps the connection cache") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  std::string body;
  int tag = 0;
  curl_slist *list = curl_slist_append(nullptr, "X-Before-Reset: 1");
  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/echo").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "before/1");
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(e, CURLOPT_PRIVATE, &tag);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body.empty());

  curl_easy_reset(e);
  void *priv = &tag;
  CHECK(curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv) == CURLE_OK);
  CHECK(priv == nullptr);
  CHECK(curl_easy_perform(e) == CURLE_URL_MALFORMAT);  // the URL is gone too

  curl_easy_setopt(e, CURLOPT_URL, server().raw_url("/echo").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  Echo echo(body);
  CHECK(echo.request_line == "GET /echo");
  CHECK(echo.count("User-Agent") == 0);
  CHECK(echo.count("X-Before-Reset") == 0);
  CHECK(info_long(e, CURLINFO_NUM_CONNECTS) == 0);
  curl_easy_cleanup(e);
  curl_slist_free_all(list);
}

TEST_CASE("curl_easy_duphandle copies the options and works independently") {
  CURL *src = curl_easy_init();
  REQUIRE(src);
  std::string src_body, dup_body;
  int tag = 0;
  char post[] = "payload-1";
  curl_slist *list = curl_slist_append(nullptr, "X-Dup: yes");
  curl_easy_setopt(src, CURLOPT_URL, server().raw_url("/echo").c_str());
  curl_easy_setopt(src, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(src, CURLOPT_WRITEDATA, &src_body);
  curl_easy_setopt(src, CURLOPT_COPYPOSTFIELDS, post);
  curl_easy_setopt(src, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(src, CURLOPT_USERAGENT, "dup/1");
  curl_easy_setopt(src, CURLOPT_PRIVATE, &tag);

  CURL *dup = curl_easy_duphandle(src);
  REQUIRE(dup);
  REQUIRE(dup != src);
  std::memset(post, 'Z', sizeof(post) - 1);
  void *priv = nullptr;
  CHECK(curl_easy_getinfo(dup, CURLINFO_PRIVATE, &priv) == CURLE_OK);
  CHECK(priv == &tag);

  // Changing the copy leaves the original alone.
  curl_easy_setopt(dup, CURLOPT_WRITEDATA, &dup_body);
  curl_easy_setopt(dup, CURLOPT_USERAGENT, "changed/2");
  CHECK(curl_easy_perform(src) == CURLE_OK);
  Echo from_src(src_body);
  CHECK(from_src.request_line == "POST /echo");
  CHECK(from_src.body == "payload-1");
  CHECK(from_src.value("User-Agent") == "dup/1");
  CHECK(dup_body.empty());

  // The copy works after the original is gone, with its own copy of the post data.
  curl_easy_cleanup(src);
  CHECK(curl_easy_perform(dup) == CURLE_OK);
  Echo from_dup(dup_body);
  CHECK(from_dup.request_line == "POST /echo");
  CHECK(from_dup.body == "payload-1");
  CHECK(from_dup.value("X-Dup") == "yes");
  CHECK(from_dup.value("User-Agent") == "changed/2");
  curl_easy_cleanup(dup);
  curl_slist_free_all(list);
}

TEST_CASE("curl_easy_perform on a handle in a multi handle is CURLE_FAILED_INIT") {
  Fetch f(server().http_url("/bytes/8"));
  CURLM *m = curl_multi_init();
  REQUIRE(m);
  REQUIRE(curl_multi_add_handle(m, f.easy) == CURLM_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_FAILED_INIT);
  CHECK(curl_multi_remove_handle(m, f.easy) == CURLM_OK);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(8));
  curl_multi_cleanup(m);
}

TEST_CASE("unknown options are CURLE_UNKNOWN_OPTION and change nothing") {
  Fetch f(server().http_url("/bytes/9"));
  CHECK(curl_easy_setopt(f.easy, static_cast<CURLoption>(CURLOPTTYPE_LONG + 9999), 1L) ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(f.easy, static_cast<CURLoption>(CURLOPTTYPE_OBJECTPOINT + 9999), "x") ==
        CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(f.easy, static_cast<CURLoption>(CURLOPTTYPE_FUNCTIONPOINT + 9999),
                         refuse_write) == CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(f.easy, static_cast<CURLoption>(CURLOPTTYPE_OFF_T + 9999),
                         static_cast<curl_off_t>(1)) == CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_setopt(f.easy, static_cast<CURLoption>(CURLOPTTYPE_BLOB + 9999),
                         static_cast<void *>(nullptr)) == CURLE_UNKNOWN_OPTION);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(9));
}

TEST_CASE("a NULL handle never crashes") {
  long code = 0;
  CHECK(curl_easy_setopt(nullptr, CURLOPT_URL, "http://127.0.0.1/") == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(nullptr, CURLOPT_VERBOSE, 1L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_getinfo(nullptr, CURLINFO_RESPONSE_CODE, &code) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_perform(nullptr) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_duphandle(nullptr) == nullptr);
  curl_easy_reset(nullptr);
  curl_easy_cleanup(nullptr);
}
