// curl_multi_info_read: the message queue, message lifetime, and each transfer's own result
// among failing and working ones (see multi_driver.h).
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "multi_driver.h"

using namespace evm::test;

TEST_CASE("curl_multi_info_read: queue counts, NULL when empty, message lifetime, removal") {
  TestServer &srv = server();
  Driver d;
  d.drain = false;
  std::vector<std::unique_ptr<Fetch>> fetches;
  for (int i = 0; i < 3; ++i)
    fetches.push_back(make(srv.http_url("/bytes/" + std::to_string(10 + i))));
  for (auto &f : fetches) REQUIRE(curl_multi_add_handle(d.multi, f->easy) == CURLM_OK);
  REQUIRE(d.run_all());
  std::set<CURL *> all;
  for (auto &f : fetches) all.insert(f->easy);

  SUBCASE("counts down and then returns NULL; messages stay valid until their handle goes") {
    std::vector<CURLMsg *> msgs;
    std::vector<std::pair<CURL *, CURLcode>> copies;
    for (int expect_left = 2; expect_left >= 0; --expect_left) {
      int left = -1;
      CURLMsg *m = curl_multi_info_read(d.multi, &left);
      REQUIRE(m != nullptr);
      CHECK(left == expect_left);
      CHECK(m->msg == CURLMSG_DONE);
      CHECK(m->data.result == CURLE_OK);
      msgs.push_back(m);
      copies.emplace_back(m->easy_handle, m->data.result);
    }
    int left = -1;
    CHECK(curl_multi_info_read(d.multi, &left) == nullptr);
    CHECK(left == 0);
    std::set<CURL *> got;
    for (auto &c : copies) got.insert(c.first);
    CHECK(got == all);
    // Still readable after later reads and after other handles were removed.
    for (size_t i = 0; i < msgs.size(); ++i) {
      CHECK(msgs[i]->msg == CURLMSG_DONE);
      CHECK(msgs[i]->easy_handle == copies[i].first);
      CHECK(msgs[i]->data.result == copies[i].second);
      CHECK(curl_multi_remove_handle(d.multi, copies[i].first) == CURLM_OK);
      for (size_t j = i + 1; j < msgs.size(); ++j) {
        CHECK(msgs[j]->easy_handle == copies[j].first);
        CHECK(msgs[j]->data.result == copies[j].second);
      }
    }
  }
  SUBCASE("removing a handle drops its unread message") {
    REQUIRE(curl_multi_remove_handle(d.multi, fetches[1]->easy) == CURLM_OK);
    int left = -1;
    CURLMsg *m = curl_multi_info_read(d.multi, &left);
    REQUIRE(m != nullptr);
    CHECK(left == 1);
    CHECK(m->easy_handle != fetches[1]->easy);
    CURL *first = m->easy_handle;
    m = curl_multi_info_read(d.multi, &left);
    REQUIRE(m != nullptr);
    CHECK(left == 0);
    CHECK(m->easy_handle != fetches[1]->easy);
    CHECK(m->easy_handle != first);
    CHECK(curl_multi_info_read(d.multi, &left) == nullptr);
    // Removing and re-adding the drained ones does not resurrect anything.
    CHECK(curl_multi_remove_handle(d.multi, fetches[0]->easy) == CURLM_OK);
    CHECK(curl_multi_remove_handle(d.multi, fetches[2]->easy) == CURLM_OK);
    CHECK(curl_multi_info_read(d.multi, &left) == nullptr);
  }
  d.check_socket_contract();
}

TEST_CASE("transfers that fail do not disturb the others in the same multi") {
  TestServer &srv = server();
  Driver d;
  std::vector<std::unique_ptr<Fetch>> good, bad;
  for (int i = 0; i < 4; ++i)
    good.push_back(make(srv.http_url("/bytes/" + std::to_string(100000 + i))));
  good.push_back(make(srv.raw_url("/ok/30000")));
  bad.push_back(make(srv.raw_url("/reset")));
  bad.push_back(make(srv.raw_url("/garbage")));
  bad.push_back(make(srv.raw_url("/partial")));
  bad.push_back(make(srv.raw_url("/empty")));
  bad.push_back(make("http://127.0.0.1:1/"));  // refused connection
  // Interleave so failures happen among working transfers.
  for (size_t i = 0; i < std::max(good.size(), bad.size()); ++i) {
    if (i < bad.size()) REQUIRE(curl_multi_add_handle(d.multi, bad[i]->easy) == CURLM_OK);
    if (i < good.size()) REQUIRE(curl_multi_add_handle(d.multi, good[i]->easy) == CURLM_OK);
  }
  REQUIRE(d.run_all());
  REQUIRE(d.done.size() == good.size() + bad.size());
  for (size_t i = 0; i < good.size(); ++i) {
    CAPTURE(i);
    REQUIRE(d.result_of(good[i]->easy));
    CHECK(*d.result_of(good[i]->easy) == CURLE_OK);
    CHECK(good[i]->status() == 200);
  }
  for (int i = 0; i < 4; ++i) CHECK(good[i]->body.size() == static_cast<size_t>(100000 + i));
  CHECK(good[4]->body.size() == 30000);
  for (auto &b : bad) {
    REQUIRE(d.result_of(b->easy));
    CHECK(*d.result_of(b->easy) != CURLE_OK);
    CHECK(b->error[0] != '\0');  // CURLOPT_ERRORBUFFER says why
  }
  CHECK(*d.result_of(bad[2]->easy) == CURLE_PARTIAL_FILE);
  CHECK(*d.result_of(bad[3]->easy) == CURLE_GOT_NOTHING);
  CHECK(*d.result_of(bad[4]->easy) == CURLE_COULDNT_CONNECT);
  for (auto &f : good) curl_multi_remove_handle(d.multi, f->easy);
  for (auto &f : bad) curl_multi_remove_handle(d.multi, f->easy);
  d.check_socket_contract();
}
