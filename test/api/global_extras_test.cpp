// The small global functions: curl_version_info, curl_global_sslset, curl_global_init_mem,
// curl_getenv, curl_strequal/strnequal, curl_getdate, and the WebSocket and push functions of
// a build without those features. Expected answers are libcurl 7.88's (probed on Debian's).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <ares.h>
#include <nghttp2/nghttp2.h>
#include <openssl/crypto.h>
#include <zlib.h>

#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

namespace {

std::set<std::string> strings_of(const char *const *list) {
  std::set<std::string> out;
  for (; list && *list; ++list) out.insert(*list);
  return out;
}

}  // namespace

TEST_CASE("curl_version_info reports exactly the protocols, features and libraries we have") {
  curl_version_info_data *d = curl_version_info(CURLVERSION_NOW);
  REQUIRE(d);
  CHECK(d->age == CURLVERSION_ELEVENTH);
  CHECK(std::string(d->version) == LIBCURL_VERSION);
  CHECK(d->version_num == LIBCURL_VERSION_NUM);
  CHECK(std::strlen(d->host) > 0);
  CHECK(strings_of(d->protocols) == std::set<std::string>{"http", "https"});

  int expected = CURL_VERSION_ASYNCHDNS | CURL_VERSION_HTTP2 | CURL_VERSION_IPV6 |
                 CURL_VERSION_LARGEFILE | CURL_VERSION_LIBZ | CURL_VERSION_SSL |
                 CURL_VERSION_THREADSAFE;
  CHECK(d->features == expected);
  CHECK(strings_of(d->feature_names) == std::set<std::string>{"AsynchDNS", "HTTP2", "IPv6",
                                                              "Largefile", "libz", "SSL",
                                                              "threadsafe"});

  std::string ssl = std::string("OpenSSL/") + std::to_string(OPENSSL_version_major()) + "." +
                    std::to_string(OPENSSL_version_minor()) + "." +
                    std::to_string(OPENSSL_version_patch());
  CHECK(std::string(d->ssl_version) == ssl);
  CHECK(std::string(d->libz_version) == zlibVersion());
  int ares_num = 0;
  CHECK(std::string(d->ares) == ares_version(&ares_num));
  CHECK(d->ares_num == ares_num);
  REQUIRE(d->nghttp2_version != nullptr);
  CHECK(std::string(d->nghttp2_version) == nghttp2_version(0)->version_str);
  CHECK(d->nghttp2_ver_num == static_cast<unsigned>(nghttp2_version(0)->version_num));
  CHECK(d->brotli_version == nullptr);
  CHECK(d->zstd_version == nullptr);
  CHECK(d->libssh_version == nullptr);
  CHECK(std::string(d->cainfo) == "/etc/ssl/certs/ca-certificates.crt");
  CHECK(std::string(d->capath) == "/etc/ssl/certs");

  // An older age gets the same (newest) struct, whose age field says which it is.
  CHECK(curl_version_info(CURLVERSION_FIRST) == d);
}

TEST_CASE("curl_global_sslset answers as a libcurl with OpenSSL as its one backend") {
  const curl_ssl_backend **avail = nullptr;
  CHECK(curl_global_sslset(static_cast<curl_sslbackend>(-1), nullptr, &avail) ==
        CURLSSLSET_UNKNOWN_BACKEND);
  REQUIRE(avail);
  REQUIRE(avail[0]);
  CHECK(avail[0]->id == CURLSSLBACKEND_OPENSSL);
  CHECK(std::string(avail[0]->name) == "openssl");
  CHECK(avail[1] == nullptr);

  CHECK(curl_global_sslset(CURLSSLBACKEND_OPENSSL, nullptr, nullptr) == CURLSSLSET_OK);
  CHECK(curl_global_sslset(static_cast<curl_sslbackend>(-1), "OpenSSL", nullptr) == CURLSSLSET_OK);
  CHECK(curl_global_sslset(CURLSSLBACKEND_GNUTLS, nullptr, nullptr) == CURLSSLSET_UNKNOWN_BACKEND);
  CHECK(curl_global_sslset(CURLSSLBACKEND_NONE, "gnutls", nullptr) == CURLSSLSET_UNKNOWN_BACKEND);
  // After init the answer is the same: a single-backend build never says TOO_LATE.
  REQUIRE(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  CHECK(curl_global_sslset(CURLSSLBACKEND_OPENSSL, nullptr, nullptr) == CURLSSLSET_OK);
  CHECK(curl_global_sslset(CURLSSLBACKEND_GNUTLS, nullptr, nullptr) == CURLSSLSET_UNKNOWN_BACKEND);
  curl_global_cleanup();
}

namespace {
void *my_malloc(size_t n) {
  return std::malloc(n);
}
void my_free(void *p) {
  std::free(p);
}
void *my_realloc(void *p, size_t n) {
  return std::realloc(p, n);
}
char *my_strdup(const char *s) {
  return ::strdup(s);
}
void *my_calloc(size_t a, size_t b) {
  return std::calloc(a, b);
}
}  // namespace

TEST_CASE("curl_global_init_mem refuses a missing callback and otherwise initialises") {
  CHECK(curl_global_init_mem(CURL_GLOBAL_DEFAULT, nullptr, my_free, my_realloc, my_strdup,
                             my_calloc) == CURLE_FAILED_INIT);
  CHECK(curl_global_init_mem(CURL_GLOBAL_DEFAULT, my_malloc, my_free, my_realloc, my_strdup,
                             nullptr) == CURLE_FAILED_INIT);
  REQUIRE(curl_global_init_mem(CURL_GLOBAL_DEFAULT, my_malloc, my_free, my_realloc, my_strdup,
                               my_calloc) == CURLE_OK);
  // Initialised: c-ares is usable and a handle works; a second init only counts.
  REQUIRE(curl_global_init_mem(CURL_GLOBAL_DEFAULT, my_malloc, my_free, my_realloc, my_strdup,
                               my_calloc) == CURLE_OK);
  CHECK(ares_library_initialized() == ARES_SUCCESS);
  CURL *h = curl_easy_init();
  CHECK(h);
  curl_easy_cleanup(h);
  curl_global_cleanup();
  curl_global_cleanup();
}

TEST_CASE("curl_getenv copies a set variable and answers NULL for unset or empty ones") {
  ::setenv("EVMULTI_GETENV_TEST", "value 1", 1);
  char *v = curl_getenv("EVMULTI_GETENV_TEST");
  REQUIRE(v);
  CHECK(std::string(v) == "value 1");
  CHECK(v != std::getenv("EVMULTI_GETENV_TEST"));  // a copy
  curl_free(v);
  ::setenv("EVMULTI_GETENV_TEST", "", 1);
  CHECK(curl_getenv("EVMULTI_GETENV_TEST") == nullptr);
  ::unsetenv("EVMULTI_GETENV_TEST");
  CHECK(curl_getenv("EVMULTI_GETENV_TEST") == nullptr);
  CHECK(curl_getenv(nullptr) == nullptr);
}

TEST_CASE("curl_strequal and curl_strnequal compare ASCII case-insensitively, NULLs as libcurl") {
  CHECK(curl_strequal("aBc", "AbC") == 1);
  CHECK(curl_strequal("a", "ab") == 0);
  CHECK(curl_strequal("", "") == 1);
  CHECK(curl_strequal(nullptr, nullptr) == 1);
  CHECK(curl_strequal("a", nullptr) == 0);
  CHECK(curl_strequal(nullptr, "a") == 0);

  CHECK(curl_strnequal("abcX", "ABCy", 3) == 1);
  CHECK(curl_strnequal("abcX", "ABCy", 4) == 0);
  CHECK(curl_strnequal("abc", "abd", 0) == 1);
  CHECK(curl_strnequal("ab", "abc", 5) == 0);
  CHECK(curl_strnequal("ab", "AB", 5) == 1);
  CHECK(curl_strnequal(nullptr, nullptr, 0) == 0);
  CHECK(curl_strnequal(nullptr, nullptr, 3) == 1);
  CHECK(curl_strnequal("a", nullptr, 3) == 0);
}

TEST_CASE("curl_getdate reads the HTTP date forms and answers -1 for anything else") {
  CHECK(curl_getdate("Sun, 06 Nov 1994 08:49:37 GMT", nullptr) == 784111777);
  CHECK(curl_getdate("Sunday, 06-Nov-94 08:49:37 GMT", nullptr) == 784111777);
  CHECK(curl_getdate("Sun Nov  6 08:49:37 1994", nullptr) == 784111777);
  CHECK(curl_getdate("06 Nov 1994 08:49:37", nullptr) == 784111777);
  CHECK(curl_getdate("garbage", nullptr) == -1);
  CHECK(curl_getdate("", nullptr) == -1);
  CHECK(curl_getdate(nullptr, nullptr) == -1);
}

TEST_CASE("WebSocket and server-push functions answer as a libcurl built without them") {
  CURL *h = curl_easy_init();
  REQUIRE(h);
  char buf[4];
  size_t n = 5;
  curl_ws_frame *meta = nullptr;
  CHECK(curl_ws_recv(h, buf, sizeof buf, &n, &meta) == CURLE_NOT_BUILT_IN);
  CHECK(n == 5);  // untouched, as libcurl leaves it
  CHECK(curl_ws_send(h, "a", 1, &n, 0, CURLWS_TEXT) == CURLE_NOT_BUILT_IN);
  CHECK(curl_ws_meta(h) == nullptr);
  curl_easy_cleanup(h);
  CHECK(curl_pushheader_bynum(nullptr, 0) == nullptr);
  CHECK(curl_pushheader_byname(nullptr, ":path") == nullptr);
}
