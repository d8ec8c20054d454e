// A multi handle attached through the adapter under test, plus the jobs (one easy handle
// each) it runs and what the done callback reported for them.
#pragma once

#include <curl/curl.h>
#include <dirent.h>
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "easy_fixture.h"
#include "loop_backend.h"
#include "test_server.h"

namespace evm::test {

using Clock = std::chrono::steady_clock;

// One loopback server for the whole binary, with room for 1,000 connections on both ends.
inline TestServer &server() {
  static TestServer s;
  static bool started = [] {
    rlimit rl{};
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    return s.start();
  }();
  REQUIRE(started);
  return s;
}

inline std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + i % 26);
  return s;
}

// Open descriptors of this process.
inline int count_fds() {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  while (readdir(d)) ++n;
  closedir(d);
  return n - 3;  // ".", ".." and the directory's own descriptor
}

// Waits until the server has closed every connection (it does so on its own thread, after
// the client closed its end), so that descriptor counts are comparable.
inline bool server_quiet(std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto until = Clock::now() + limit;
  while (server().open_connections() != 0 && Clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return server().open_connections() == 0;
}

// What the open descriptors are ("socket:[123]", "anon_inode:[eventpoll]"...), for messages.
inline std::string describe_fds() {
  std::string out;
  DIR *d = opendir("/proc/self/fd");
  if (!d) return out;
  while (dirent *e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    char target[256] = "";
    std::string link = std::string("/proc/self/fd/") + e->d_name;
    ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    if (n > 0) target[n] = '\0';
    out += std::string(e->d_name) + "=" + target + " ";
  }
  closedir(d);
  return out;
}

// count_fds() once it holds still: descriptors of earlier tests may still be on their way
// out (the server's ends, closed on its thread; libkqueue closes a kqueue's insides on its
// own thread too).
inline int settled_fd_count() {
  int last = count_fds(), same = 0;
  for (int i = 0; i < 100 && same < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    int now = count_fds();
    same = now == last ? same + 1 : 0;
    last = now;
  }
  return last;
}

// Waits until no more than n descriptors are open (see settled_fd_count).
inline bool fds_settle_at(int n, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  auto until = Clock::now() + limit;
  while (count_fds() > n && Clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (count_fds() <= n) return true;
  MESSAGE("expected " << n << " descriptors, have " << count_fds() << ": " << describe_fds()
                      << "; server connections open: " << server().open_connections());
  return false;
}

struct Job {
  explicit Job(const std::string &url) : fetch(url), url(url) {}
  Fetch fetch;
  std::string url;
  bool done = false;
  CURLcode result = CURLE_OK;
  long status = 0;
  double finished_after = 0;  // seconds since the harness was made
};

class Harness {
 public:
  Harness() : multi(curl_multi_init()), start_(Clock::now()) { REQUIRE(multi); }
  ~Harness() {
    if (attached_) loop.detach();
    for (auto &j : jobs) curl_multi_remove_handle(multi, j->fetch.easy);
    jobs.clear();
    curl_multi_cleanup(multi);
  }
  Harness(const Harness &) = delete;
  Harness &operator=(const Harness &) = delete;

  bool attach() {
    attached_ = loop.attach(multi, &Harness::on_done_cb, this);
    return attached_;
  }
  int detach() {
    int rc = loop.detach();
    if (rc == 0) attached_ = false;
    return rc;
  }
  bool attached() const { return attached_; }

  // Adds a handle for url; configure may set more options before it is added.
  Job &add(const std::string &url, const std::function<void(CURL *)> &configure = {}) {
    jobs.push_back(std::make_unique<Job>(url));
    Job &j = *jobs.back();
    by_easy[j.fetch.easy] = &j;
    if (configure) configure(j.fetch.easy);
    CURLMcode rc = curl_multi_add_handle(multi, j.fetch.easy);
    REQUIRE(rc == CURLM_OK);
    return j;
  }

  // Turns the loop until pred holds or limit passes; returns pred().
  bool run_until(const std::function<bool()> &pred,
                 std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    auto until = Clock::now() + limit;
    while (!pred() && Clock::now() < until) loop.turn(50);
    return pred();
  }
  bool run_until_done(size_t n, std::chrono::milliseconds limit = std::chrono::seconds(60)) {
    return run_until([&] { return done_count >= n; }, limit);
  }
  // Keeps turning for a while (to see that nothing more happens).
  void run_for(std::chrono::milliseconds span) {
    auto until = Clock::now() + span;
    while (Clock::now() < until) loop.turn(20);
  }

  double elapsed() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  CURLM *multi;
  LoopBackend loop;
  std::vector<std::unique_ptr<Job>> jobs;  // stable addresses: callbacks hold Job &
  std::map<CURL *, Job *> by_easy;
  size_t done_count = 0;
  bool remove_on_done = true;          // as most applications do, before on_done
  std::function<void(Job &)> on_done;  // runs inside the adapter's done callback

 private:
  static void on_done_cb(CURL *easy, CURLcode result, void *userp) {
    auto *h = static_cast<Harness *>(userp);
    auto it = h->by_easy.find(easy);
    CHECK(it != h->by_easy.end());  // never REQUIRE here: it would throw through C frames
    if (it == h->by_easy.end()) return;
    Job &j = *it->second;
    CHECK_FALSE(j.done);  // once per transfer
    j.done = true;
    j.result = result;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &j.status);
    j.finished_after = h->elapsed();
    ++h->done_count;
    if (h->remove_on_done) CHECK(curl_multi_remove_handle(h->multi, easy) == CURLM_OK);
    if (h->on_done) h->on_done(j);
  }

  bool attached_ = false;
  Clock::time_point start_;
};

}  // namespace evm::test
