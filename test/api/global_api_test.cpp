// curl_global_*, curl_version, curl_slist_* and the strerror functions.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <ares.h>
#include <nghttp2/nghttp2.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

namespace {

std::vector<std::string> slist_items(const curl_slist *list) {
  std::vector<std::string> items;
  for (; list; list = list->next) items.emplace_back(list->data);
  return items;
}

}  // namespace

TEST_CASE("curl_slist_append builds a list in order and copies each string") {
  char buffer[16];
  std::strcpy(buffer, "Accept: */*");

  curl_slist *list = curl_slist_append(nullptr, buffer);
  REQUIRE(list);
  CHECK(list->data != buffer);  // a copy, not the caller's pointer
  std::strcpy(buffer, "changed");
  CHECK(std::string(list->data) == "Accept: */*");

  curl_slist *head = curl_slist_append(list, "X-Two: 2");
  CHECK(head == list);  // appending keeps the head
  head = curl_slist_append(head, "");
  CHECK(head == list);
  head = curl_slist_append(head, "X-Four: 4");
  CHECK(slist_items(head) == std::vector<std::string>{"Accept: */*", "X-Two: 2", "", "X-Four: 4"});

  curl_slist_free_all(head);
}

TEST_CASE("curl_slist_append with NULL data fails and leaves the list unchanged") {
  CHECK(curl_slist_append(nullptr, nullptr) == nullptr);

  curl_slist *list = curl_slist_append(nullptr, "only");
  REQUIRE(list);
  CHECK(curl_slist_append(list, nullptr) == nullptr);
  CHECK(slist_items(list) == std::vector<std::string>{"only"});
  CHECK(list->next == nullptr);
  curl_slist_free_all(list);
}

TEST_CASE("curl_slist_free_all accepts NULL") {
  curl_slist_free_all(nullptr);
}

TEST_CASE("curl_free accepts NULL and malloc'd memory") {
  curl_free(nullptr);
  curl_free(std::malloc(8));
}

TEST_CASE("curl_easy_strerror has its own text for every CURLcode") {
  const std::string unknown = curl_easy_strerror(CURL_LAST);
  CHECK(!unknown.empty());

  std::set<std::string> seen;
  std::string previous;
  for (int i = 0; i < CURL_LAST; ++i) {
    const char *text = curl_easy_strerror(static_cast<CURLcode>(i));
    REQUIRE(text != nullptr);
    const std::string s = text;
    INFO("CURLcode ", i, ": ", s);
    CHECK(!s.empty());
    CHECK(s != unknown);
    CHECK(s != previous);
    CHECK(seen.insert(s).second);  // no two codes share a text
    previous = s;
  }

  CHECK(std::string(curl_easy_strerror(static_cast<CURLcode>(-1))) == unknown);
  CHECK(std::string(curl_easy_strerror(static_cast<CURLcode>(CURL_LAST + 1))) == unknown);
  CHECK(std::string(curl_easy_strerror(static_cast<CURLcode>(100000))) == unknown);
  // The same pointer each time: the text is static.
  CHECK(curl_easy_strerror(CURLE_OK) == curl_easy_strerror(CURLE_OK));
}

TEST_CASE("curl_multi_strerror has its own text for every CURLMcode") {
  const std::string unknown = curl_multi_strerror(CURLM_LAST);
  CHECK(!unknown.empty());

  std::set<std::string> seen;
  std::string previous;
  for (int i = CURLM_CALL_MULTI_PERFORM; i < CURLM_LAST; ++i) {
    const char *text = curl_multi_strerror(static_cast<CURLMcode>(i));
    REQUIRE(text != nullptr);
    const std::string s = text;
    INFO("CURLMcode ", i, ": ", s);
    CHECK(!s.empty());
    CHECK(s != unknown);
    CHECK(s != previous);
    CHECK(seen.insert(s).second);
    previous = s;
  }

  CHECK(std::string(curl_multi_strerror(static_cast<CURLMcode>(-2))) == unknown);
  CHECK(std::string(curl_multi_strerror(static_cast<CURLMcode>(CURLM_LAST + 1))) == unknown);
}

TEST_CASE("curl_version names the libcurl API level, evmulti and c-ares") {
  const char *v = curl_version();
  REQUIRE(v != nullptr);
  const std::string s = v;
  CHECK(s.rfind("libcurl/" LIBCURL_VERSION " ", 0) == 0);
  CHECK(s.find("evmulti/" EVMULTI_VERSION) != std::string::npos);
  CHECK(s.find(std::string("c-ares/") + ares_version(nullptr)) != std::string::npos);
  CHECK(s.find(std::string("nghttp2/") + nghttp2_version(0)->version_str) != std::string::npos);
  CHECK(curl_version() == v);  // built once, same static buffer
}

TEST_CASE("curl_global_init and curl_global_cleanup nest") {
  // c-ares' own reference count is not observable on Linux (ares_library_initialized()
  // always reports success there), so this checks the calls' contract, not c-ares' state.
  CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  CHECK(curl_global_init(CURL_GLOBAL_ALL) == CURLE_OK);
  CHECK(curl_global_init(CURL_GLOBAL_NOTHING) == CURLE_OK);
  CHECK(curl_global_init(0x7f00) == CURLE_OK);  // unknown bits are ignored

  // c-ares still works between the inner cleanups and after the last one.
  for (int i = 0; i < 4; ++i) {
    curl_global_cleanup();
    ares_channel channel = nullptr;
    REQUIRE(ares_init(&channel) == ARES_SUCCESS);
    ares_destroy(channel);
  }

  // A fresh init after a full cleanup works again.
  CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
  curl_global_cleanup();
}
