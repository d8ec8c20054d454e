// What the HTTPS tests (test/integration/https_*_test.cpp) share: the TLS test servers and the
// loopback nginx, started on first use and kept for the whole process; an easy handle for
// https:// that trusts the test CA; running transfers in a multi handle, one after another or
// a batch at once through curl_multi_socket_action; and reading VERBOSE output.
//
// The servers observe the client from the other side (handshakes, resumed sessions, SNI), so
// a test passes only if the feature really happened on the wire. Servers live as long as the
// process and their counters only grow: tests compare before and after.
#pragma once

#include <curl/curl.h>
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "easy_fixture.h"
#include "getinfo.h"
#include "epoll_loop.h"
#include "fd_capture.h"
#include "nginx_server.h"
#include "shared_test_server.h"
#include "test_certs.h"
#include "test_server.h"
#include "text_util.h"
#include "timing.h"

namespace evm::test {

namespace fs = std::filesystem;
using Tls = TestServerOptions::Tls;

inline const TestPki &pki() {
  return TestPki::get();
}

// A CURLOPT_SSLVERSION value: the minimum ORed with a CURL_SSLVERSION_MAX_* maximum.
inline long versions(long min, long max) {
  return min | max;
}

// Client and in-process servers share this process's descriptors: 1,000 connections need
// about 2,000 of them.
inline void raise_fd_limit() {
  static const bool done = [] {
    rlimit rl{};
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
      rl.rlim_cur = rl.rlim_max;
      setrlimit(RLIMIT_NOFILE, &rl);
    }
    return true;
  }();
  (void)done;
}

// One TLS test server per certificate kind (and one demanding client certificates), started
// on first use.
inline TestServer &tls_server(Tls kind, bool require_client_cert = false) {
  // OpenSSL first: its exit handler must run after these servers' threads have ended, or their
  // per-thread OpenSSL state is never freed (a leak report under ASan).
  (void)pki();
  static std::mutex mu;
  static std::map<std::pair<int, bool>, std::unique_ptr<TestServer>> servers;
  std::lock_guard<std::mutex> lock(mu);
  auto &slot = servers[{static_cast<int>(kind), require_client_cert}];
  if (!slot) {
    raise_fd_limit();
    TestServerOptions o;
    o.tls = kind;
    o.require_client_cert = require_client_cert;
    slot = std::make_unique<TestServer>(o);
    REQUIRE(slot->start());
  }
  return *slot;
}

inline TestServer &good_server() {
  return tls_server(Tls::Good);
}

// The test server's body of n bytes.
inline std::string body_of(size_t n) {
  return pattern(n);
}

inline std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A directory removed at the end of the process.
inline const std::string &scratch_dir() {
  struct Dir {
    std::string path;
    Dir() {
      std::string tmpl = (fs::temp_directory_path() / "evmulti-https-test-XXXXXX").string();
      REQUIRE(mkdtemp(tmpl.data()) != nullptr);
      path = tmpl;
    }
    ~Dir() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  };
  static Dir dir;
  return dir.path;
}

// An easy handle for https://HOST:PORT/PATH that trusts the test CA (unless told not to) and
// gives up after 20 s. "localhost" is pinned to 127.0.0.1 with CURLOPT_RESOLVE, where the
// servers listen, whatever the resolver says about ::1.
struct Https : evm::test::Fetch {
  curl_slist *resolve = nullptr;

  static std::string make_url(std::string_view host, uint16_t port, std::string_view path) {
    return "https://" + std::string(host) + ":" + std::to_string(port) + std::string(path);
  }

  Https(std::string_view host, uint16_t port, std::string_view path, bool trust_test_ca = true)
      : Fetch(make_url(host, port, path)) {
    if (host == "localhost") {
      resolve =
          curl_slist_append(nullptr, ("localhost:" + std::to_string(port) + ":127.0.0.1").c_str());
      curl_easy_setopt(easy, CURLOPT_RESOLVE, resolve);
    }
    if (trust_test_ca) curl_easy_setopt(easy, CURLOPT_CAINFO, pki().ca_file.c_str());
    curl_easy_setopt(easy, CURLOPT_TIMEOUT, 20L);
  }
  // "localhost" at a test server's HTTP listener.
  Https(TestServer &server, std::string_view path, bool trust_test_ca = true)
      : Https("localhost", server.http_port(), path, trust_test_ca) {}
  ~Https() {
    curl_easy_cleanup(easy);  // before the list it may still point at
    easy = nullptr;
    curl_slist_free_all(resolve);
  }

  CURLcode perform() { return curl_easy_perform(easy); }
  long info_long(CURLINFO what) const { return evm::test::info_long(easy, what); }
  curl_off_t info_off(CURLINFO what) const { return evm::test::info_off(easy, what); }
  long verify_result() const { return info_long(CURLINFO_SSL_VERIFYRESULT); }
  std::string err() const { return error; }
};

// Runs one transfer to completion in `multi` (so connections and sessions stay in the multi
// handle for the next one) and takes the handle out again.
inline CURLcode run_in(CURLM *multi, CURL *easy) {
  REQUIRE(curl_multi_add_handle(multi, easy) == CURLM_OK);
  CURLcode result = CURLE_OK;
  bool done = false;
  const auto until = Clock::now() + std::chrono::seconds(25);
  while (!done && Clock::now() < until) {
    int running = 0;
    REQUIRE(curl_multi_perform(multi, &running) == CURLM_OK);
    int left = 0;
    while (CURLMsg *m = curl_multi_info_read(multi, &left))
      if (m->msg == CURLMSG_DONE && m->easy_handle == easy) {
        result = m->data.result;
        done = true;
      }
    if (!done) REQUIRE(curl_multi_poll(multi, nullptr, 0, 100, nullptr) == CURLM_OK);
  }
  REQUIRE(done);
  REQUIRE(curl_multi_remove_handle(multi, easy) == CURLM_OK);
  return result;
}

struct Multi {
  CURLM *m = curl_multi_init();
  ~Multi() { curl_multi_cleanup(m); }
};

// The verbose output of one easy_perform, with its result.
inline std::string verbose_perform(Https &h, CURLcode &rc) {
  curl_easy_setopt(h.easy, CURLOPT_VERBOSE, 1L);
  FdCapture capture(STDERR_FILENO);
  rc = h.perform();
  return capture.finish();
}

// The lines of `text` that contain `a` (and `b`, if given).
inline std::string lines_with(const std::string &text, std::string_view a,
                              std::string_view b = {}) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line))
    if (contains(line, a) && (b.empty() || contains(line, b))) out += line + "\n";
  return out;
}

// ---- the TLS origin abstraction, so the same checks run against both servers -------------

// Ports of one server for each certificate kind.
struct Origin {
  const char *name;
  uint16_t good, expired, wrong_name, self_signed;
};

inline Origin test_server_origin() {
  return {"test server", tls_server(Tls::Good).http_port(), tls_server(Tls::Expired).http_port(),
          tls_server(Tls::WrongName).http_port(), tls_server(Tls::SelfSigned).http_port()};
}

// The loopback nginx, started on first use with /bytes/0 .. /bytes/2000 in its root (the test
// server's bodies). nullptr, after a MESSAGE, where nginx is not installed; a test FAILs if it
// is installed but does not start.
inline NginxServer *nginx() {
  static std::unique_ptr<NginxServer> server;
  static std::string failure;
  static bool tried = false;
  if (!tried) {
    tried = true;
    if (!NginxServer::find_binary().empty()) {
      raise_fd_limit();
      auto n = std::make_unique<NginxServer>();
      std::string error;
      if (!n->start(error)) failure = "nginx did not start: " + error;
      for (int i = 0; failure.empty() && i <= 2000; ++i)
        if (!n->write_file("bytes/" + std::to_string(i), body_of(static_cast<size_t>(i))))
          failure = "cannot write nginx's static files";
      if (failure.empty()) server = std::move(n);
    }
  }
  if (!failure.empty()) FAIL(failure);
  if (!server)
    MESSAGE("nginx is not installed (not on PATH, /usr/sbin or /usr/local/sbin): skipped");
  return server.get();
}

// Runs `n` HTTPS transfers at once on `port` ("localhost") through curl_multi_socket_action,
// transfer i fetching /bytes/size_of(i). Returns how many completed with CURLE_OK and the right
// body.
inline int socket_action_batch(uint16_t port, int n, size_t (*size_of)(int), long max_total = 0) {
  Multi multi;
  if (max_total) curl_multi_setopt(multi.m, CURLMOPT_MAX_TOTAL_CONNECTIONS, max_total);
  evm::test::EpollLoop loop;
  loop.attach(multi.m);
  std::vector<std::unique_ptr<Https>> fetches;
  std::map<CURL *, int> index;
  for (int i = 0; i < n; ++i) {
    fetches.push_back(
        std::make_unique<Https>("localhost", port, "/bytes/" + std::to_string(size_of(i))));
    curl_easy_setopt(fetches.back()->easy, CURLOPT_TIMEOUT, 60L);
    index[fetches.back()->easy] = i;
    REQUIRE(curl_multi_add_handle(multi.m, fetches.back()->easy) == CURLM_OK);
  }
  int running = n, done = 0, ok = 0;
  std::map<CURLcode, int> failures;
  auto drain = [&] {
    int left;
    while (CURLMsg *m = curl_multi_info_read(multi.m, &left)) {
      REQUIRE(m->msg == CURLMSG_DONE);
      ++done;
      int i = index.at(m->easy_handle);
      if (m->data.result == CURLE_OK && fetches[i]->body == body_of(size_of(i)))
        ++ok;
      else
        ++failures[m->data.result];
    }
  };
  const auto until = Clock::now() + std::chrono::seconds(60);
  while (running && Clock::now() < until) {
    loop.step(multi.m, &running);
    drain();
  }
  drain();
  CHECK(running == 0);
  CHECK(done == n);
  for (auto [code, count] : failures) MESSAGE(count << " transfers failed with " << code);
  for (auto &f : fetches) curl_multi_remove_handle(multi.m, f->easy);
  return ok;
}

}  // namespace evm::test
