// Helpers for tests that drive the public API: a collecting write callback and a handle that
// fetches one URL into memory.
#pragma once

#include <curl/curl.h>

#include <string>

namespace evm::test {

inline size_t collect_body(char *data, size_t size, size_t n, void *userp) {
  static_cast<std::string *>(userp)->append(data, size * n);
  return size * n;
}

// An easy handle with URL, body collector and error buffer set; owns nothing else.
struct Fetch {
  CURL *easy = curl_easy_init();
  std::string body;
  std::string headers;
  char error[CURL_ERROR_SIZE] = "";

  explicit Fetch(const std::string &url) {
    curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, collect_body);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, collect_body);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &headers);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
  }
  ~Fetch() { curl_easy_cleanup(easy); }
  Fetch(const Fetch &) = delete;
  Fetch &operator=(const Fetch &) = delete;

  long status() const {
    long code = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &code);
    return code;
  }
};

}  // namespace evm::test
