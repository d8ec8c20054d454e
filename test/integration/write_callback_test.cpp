// Where the body goes: WRITEFUNCTION and WRITEDATA, the fwrite() and stdout defaults, and a
// write callback that refuses data, alone and among other transfers of a multi handle.
#include <unistd.h>

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "easy_options_fixture.h"
#include "fd_capture.h"

using namespace evm::test;

namespace {

// Records the pointer it is given and every chunk's size.
struct WriteLog {
  std::string body;
  size_t max_chunk = 0;
  bool size_is_one = true;
};

size_t log_write(char *data, size_t size, size_t n, void *userp) {
  auto *log = static_cast<WriteLog *>(userp);
  if (size != 1) log->size_is_one = false;
  if (size * n > log->max_chunk) log->max_chunk = size * n;
  log->body.append(data, size * n);
  return size * n;
}

// Takes all but the last byte offered.
size_t short_write(char *, size_t size, size_t n, void *) {
  return size * n > 0 ? size * n - 1 : 0;
}

}  // namespace

TEST_CASE("WRITEFUNCTION gets WRITEDATA, size 1 and at most CURL_MAX_WRITE_SIZE per call") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  WriteLog log;
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/100000").c_str());
  CHECK(curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, log_write) == CURLE_OK);
  CHECK(curl_easy_setopt(e, CURLOPT_WRITEDATA, &log) == CURLE_OK);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(log.body == pattern(100000));
  CHECK(log.size_is_one);
  CHECK(log.max_chunk > 0);
  CHECK(log.max_chunk <= CURL_MAX_WRITE_SIZE);
  curl_easy_cleanup(e);
}

TEST_CASE("without WRITEFUNCTION the body is fwrite()n to the FILE* in WRITEDATA") {
  FILE *out = std::tmpfile();
  REQUIRE(out);
  CURL *e = curl_easy_init();
  REQUIRE(e);
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/70000").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEDATA, out);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(read_all(out) == pattern(70000));
  curl_easy_cleanup(e);
  std::fclose(out);
}

TEST_CASE("without WRITEFUNCTION and WRITEDATA the body goes to stdout") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/3000").c_str());
  std::string captured;
  CURLcode rc;
  {
    FdCapture cap(STDOUT_FILENO);
    rc = curl_easy_perform(e);
    captured = cap.finish();
  }
  CHECK(rc == CURLE_OK);
  CHECK(captured == pattern(3000));
  curl_easy_cleanup(e);
}

TEST_CASE("without header options, headers never reach the write callback") {
  CURL *e = curl_easy_init();
  REQUIRE(e);
  std::string body;
  curl_easy_setopt(e, CURLOPT_URL, server().http_url("/bytes/50").c_str());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &body);
  CHECK(curl_easy_perform(e) == CURLE_OK);
  CHECK(body == pattern(50));
  curl_easy_cleanup(e);
}

TEST_CASE("a write callback returning short fails with CURLE_WRITE_ERROR") {
  Fetch f(server().http_url("/bytes/100000"));
  curl_easy_setopt(f.easy, CURLOPT_WRITEFUNCTION, refuse_write);
  curl_easy_setopt(f.easy, CURLOPT_TIMEOUT_MS, 3000L);
  CHECK(curl_easy_perform(f.easy) == CURLE_WRITE_ERROR);
  CHECK(std::strlen(f.error) > 0);
  // The handle is fine afterwards.
  curl_easy_setopt(f.easy, CURLOPT_WRITEFUNCTION, collect_body);
  CHECK(curl_easy_perform(f.easy) == CURLE_OK);
  CHECK(f.body == pattern(100000));
}

TEST_CASE("one failing write callback leaves the other transfers of a multi unaffected") {
  CURLM *m = curl_multi_init();
  REQUIRE(m);
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < 4; ++i) {
    fetches.push_back(std::make_unique<Fetch>(server().http_url("/bytes/200000")));
    curl_easy_setopt(fetches.back()->easy, CURLOPT_TIMEOUT_MS, 5000L);
    if (i == 1) curl_easy_setopt(fetches.back()->easy, CURLOPT_WRITEFUNCTION, short_write);
    REQUIRE(curl_multi_add_handle(m, fetches.back()->easy) == CURLM_OK);
  }
  std::map<CURL *, CURLcode> results;
  auto deadline = Clock::now() + std::chrono::seconds(5);
  while (results.size() < fetches.size() && Clock::now() < deadline) {
    int running = 0;
    CHECK(curl_multi_perform(m, &running) == CURLM_OK);
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(m, &left))
      if (msg->msg == CURLMSG_DONE) results[msg->easy_handle] = msg->data.result;
    if (results.size() < fetches.size()) curl_multi_poll(m, nullptr, 0, 50, nullptr);
  }
  REQUIRE(results.size() == fetches.size());
  for (size_t i = 0; i < fetches.size(); ++i) {
    CAPTURE(i);
    if (i == 1) {
      CHECK(results[fetches[i]->easy] == CURLE_WRITE_ERROR);
    } else {
      CHECK(results[fetches[i]->easy] == CURLE_OK);
      CHECK(fetches[i]->body == pattern(200000));
    }
  }
  for (auto &f : fetches) curl_multi_remove_handle(m, f->easy);
  fetches.clear();
  curl_multi_cleanup(m);
}
