// What the easy option tests (test/integration: easy_handle, write_callback, header_callback,
// request_headers, request_method, post, timeout_options, progress, connection_options,
// response_framing, getinfo) share: the /echo parser, header and write
// callbacks.
#pragma once

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "easy_fixture.h"
#include "getinfo.h"
#include "shared_test_server.h"
#include "text_util.h"
#include "timing.h"

namespace evm::test {

// What the /echo endpoints reflect: "METHOD TARGET\n", "Name: value\n" per request header,
// a blank line, then the request body.
struct Echo {
  std::string request_line;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  explicit Echo(const std::string &text) {
    size_t end = text.find("\n\n");
    std::string_view head(text.data(), end == std::string::npos ? text.size() : end);
    if (end != std::string::npos) body = text.substr(end + 2);
    size_t nl = head.find('\n');
    request_line = std::string(head.substr(0, nl));
    head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
    while (!head.empty()) {
      nl = head.find('\n');
      std::string_view line = head.substr(0, nl);
      head.remove_prefix(nl == std::string_view::npos ? head.size() : nl + 1);
      size_t colon = line.find(':');
      std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 1);
      if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
  }
  int count(std::string_view name) const {
    int n = 0;
    for (const auto &h : headers) n += iequals(h.first, name) ? 1 : 0;
    return n;
  }
  std::string value(std::string_view name) const {
    for (const auto &h : headers)
      if (iequals(h.first, name)) return h.second;
    return "(absent)";
  }
};

// Header callback keeping each call's bytes as one entry.
inline size_t collect_lines(char *data, size_t size, size_t n, void *userp) {
  static_cast<std::vector<std::string> *>(userp)->emplace_back(data, size * n);
  return size * n;
}

// An easy handle that fetches `url` with a 3 s limit: the body into `body`, each header line into
// `lines`.
inline CURL *easy_collecting(const std::string &url, std::string &body,
                             std::vector<std::string> &lines) {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, collect_lines);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &lines);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 3000L);
  return e;
}

inline size_t total_size(const std::vector<std::string> &lines) {
  size_t n = 0;
  for (const auto &l : lines) n += l.size();
  return n;
}

inline size_t refuse_write(char *, size_t, size_t, void *) {
  return 0;
}

}  // namespace evm::test
