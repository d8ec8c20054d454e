// hiper: many concurrent HTTP transfers through curl_multi_socket_action, driven by a small
// epoll loop. Without a URL it starts the loopback test server in-process and fetches
// /bytes/1024 from it.
//
//   hiper [URL] [-n TOTAL] [-c CONCURRENCY]
#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "test_server.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Loop {
  int epfd = -1;
  bool timer_armed = false;
  SteadyClock::time_point deadline{};
  CURLM *multi = nullptr;

  // epoll_wait's timeout for the armed deadline: -1 none, 0 due now.
  int wait_ms() const {
    if (!timer_armed) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
    return left.count() <= 0 ? 0 : static_cast<int>(left.count()) + 1;
  }
};

int on_socket(CURL *, curl_socket_t fd, int what, void *userp, void *) {
  auto *loop = static_cast<Loop *>(userp);
  if (what == CURL_POLL_REMOVE) {
    epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.data.fd = fd;
  if (what & CURL_POLL_IN) ev.events |= EPOLLIN;
  if (what & CURL_POLL_OUT) ev.events |= EPOLLOUT;
  if (epoll_ctl(loop->epfd, EPOLL_CTL_MOD, fd, &ev) != 0)
    epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev);
  return 0;
}

int on_timer(CURLM *, long timeout_ms, void *userp) {
  auto *loop = static_cast<Loop *>(userp);
  loop->timer_armed = timeout_ms >= 0;
  loop->deadline = SteadyClock::now() + std::chrono::milliseconds(timeout_ms);
  return 0;
}

size_t discard(char *, size_t size, size_t nmemb, void *) { return size * nmemb; }

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

void usage() {
  std::fprintf(stderr, "usage: hiper [URL] [-n TOTAL] [-c CONCURRENCY]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
  std::string url;
  long total = 20000, concurrency = 200;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "-n" || a == "-c") && i + 1 < argc) {
      long v = std::strtol(argv[++i], nullptr, 10);
      if (v <= 0) usage();
      (a == "-n" ? total : concurrency) = v;
    } else if (a[0] != '-' && url.empty()) {
      url = a;
    } else {
      usage();
    }
  }

  evm::test::TestServer server;
  if (url.empty()) {
    if (!server.start()) {
      std::fprintf(stderr, "hiper: cannot start the loopback server\n");
      return 1;
    }
    url = server.http_url("/bytes/1024");
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  Loop loop;
  loop.epfd = epoll_create1(EPOLL_CLOEXEC);
  loop.multi = curl_multi_init();
  curl_multi_setopt(loop.multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(loop.multi, CURLMOPT_SOCKETDATA, &loop);
  curl_multi_setopt(loop.multi, CURLMOPT_TIMERFUNCTION, on_timer);
  curl_multi_setopt(loop.multi, CURLMOPT_TIMERDATA, &loop);

  long started = 0, done = 0, failed = 0;
  std::map<int, long> failures;
  int running = 0;
  auto add_one = [&] {
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_multi_add_handle(loop.multi, e);
    ++started;
  };

  double cpu0 = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  while (started < total && started < concurrency) add_one();
  epoll_event events[256];
  while (done < total) {
    int n = epoll_wait(loop.epfd, events, 256, loop.wait_ms());
    if (loop.timer_armed && loop.wait_ms() == 0) {
      loop.timer_armed = false;
      curl_multi_socket_action(loop.multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    for (int i = 0; i < n; ++i) {
      int bits = 0;
      if (events[i].events & (EPOLLIN | EPOLLHUP)) bits |= CURL_CSELECT_IN;
      if (events[i].events & EPOLLOUT) bits |= CURL_CSELECT_OUT;
      if (events[i].events & EPOLLERR) bits |= CURL_CSELECT_ERR;
      curl_multi_socket_action(loop.multi, events[i].data.fd, bits, &running);
    }
    int left;
    while (CURLMsg *m = curl_multi_info_read(loop.multi, &left)) {
      if (m->msg != CURLMSG_DONE) continue;
      CURL *e = m->easy_handle;
      CURLcode rc = m->data.result;
      ++done;
      if (rc != CURLE_OK) {
        ++failed;
        ++failures[rc];
      }
      curl_multi_remove_handle(loop.multi, e);
      curl_easy_cleanup(e);
      if (started < total) add_one();
    }
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = cpu_seconds() - cpu0;

  std::printf("transfers:   %ld\n", done);
  std::printf("failures:    %ld\n", failed);
  for (auto &[code, count] : failures)
    std::printf("  %ld x %s\n", count, curl_easy_strerror(static_cast<CURLcode>(code)));
  std::printf("wall time:   %.3f s\n", wall);
  std::printf("transfers/s: %.0f\n", static_cast<double>(done) / wall);
  std::printf("CPU time:    %.3f s (%.1f us per transfer, server included when in-process)\n",
              cpu, cpu * 1e6 / static_cast<double>(done));
  curl_multi_cleanup(loop.multi);
  curl_global_cleanup();
  server.stop();
  return failed ? 1 : 0;
}
