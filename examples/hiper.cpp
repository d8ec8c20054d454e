// hiper: many concurrent HTTP transfers through curl_multi_socket_action, driven by one of
// evmulti's event-loop adapters. Without a URL it starts the loopback test server in-process
// and fetches /bytes/1024 from it.
//
//   hiper [URL] [-n TOTAL] [-c CONCURRENCY] [--loop libevent|epoll|kqueue]
#include <curl/curl.h>
#include <event2/event.h>
#include <evmulti/libevent.h>
#include <sys/resource.h>
#include <sys/time.h>
#ifdef EVMULTI_HAVE_EPOLL
#include <evmulti/epoll.h>
#endif
#ifdef EVMULTI_HAVE_KQUEUE
#include <evmulti/kqueue.h>
#endif

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>

#include "test_server.h"

namespace {

struct Run {
  CURLM *multi = nullptr;
  std::string url;
  long total = 20000, concurrency = 200;
  long started = 0, done = 0, failed = 0;
  std::map<int, long> failures;

  void add_one() {
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_multi_add_handle(multi, e);
    ++started;
  }
  // The adapters' done callback: count, recycle the slot for the next transfer.
  static void on_done(CURL *e, CURLcode rc, void *userp) {
    auto *run = static_cast<Run *>(userp);
    ++run->done;
    if (rc != CURLE_OK) {
      ++run->failed;
      ++run->failures[rc];
    }
    curl_multi_remove_handle(run->multi, e);
    curl_easy_cleanup(e);
    if (run->started < run->total) run->add_one();
  }
  static size_t discard(char *, size_t size, size_t nmemb, void *) { return size * nmemb; }
};

// Each loop runs until no transfer is left, the done callback keeping it fed until then.
bool run_libevent(Run &run) {
  event_base *base = event_base_new();
  evmulti_libevent *a = evmulti_libevent_attach(run.multi, base, Run::on_done, &run);
  if (!a) return false;
  while (run.started < run.total && run.started < run.concurrency) run.add_one();
  event_base_dispatch(base);  // returns when the adapter has nothing left added
  evmulti_libevent_detach(a);
  event_base_free(base);
  return true;
}

#ifdef EVMULTI_HAVE_EPOLL
bool run_epoll(Run &run) {
  evmulti_epoll *a = evmulti_epoll_attach(run.multi, Run::on_done, &run);
  if (!a) return false;
  while (run.started < run.total && run.started < run.concurrency) run.add_one();
  int rc = evmulti_epoll_run(a);
  evmulti_epoll_detach(a);
  return rc == 0;
}
#endif

#ifdef EVMULTI_HAVE_KQUEUE
bool run_kqueue(Run &run) {
  evmulti_kqueue *a = evmulti_kqueue_attach(run.multi, Run::on_done, &run);
  if (!a) return false;
  while (run.started < run.total && run.started < run.concurrency) run.add_one();
  int rc = evmulti_kqueue_run(a);
  evmulti_kqueue_detach(a);
  return rc == 0;
}
#endif

double cpu_seconds() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
         static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

const char *default_loop() {
#if defined(EVMULTI_HAVE_EPOLL)
  return "epoll";
#elif defined(EVMULTI_HAVE_KQUEUE)
  return "kqueue";
#else
  return "libevent";
#endif
}

void usage() {
  std::fprintf(stderr,
               "usage: hiper [URL] [-n TOTAL] [-c CONCURRENCY] [--loop libevent|epoll|kqueue]\n"
               "       (--loop defaults to %s)\n",
               default_loop());
  std::exit(2);
}

}  // namespace

int main(int argc, char **argv) {
  Run run;
  std::string loop = default_loop();
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "-n" || a == "-c") && i + 1 < argc) {
      long v = std::strtol(argv[++i], nullptr, 10);
      if (v <= 0) usage();
      (a == "-n" ? run.total : run.concurrency) = v;
    } else if (a == "--loop" && i + 1 < argc) {
      loop = argv[++i];
    } else if (a[0] != '-' && run.url.empty()) {
      run.url = a;
    } else {
      usage();
    }
  }

  bool (*drive)(Run &) = nullptr;
  if (loop == "libevent") drive = run_libevent;
#ifdef EVMULTI_HAVE_EPOLL
  if (loop == "epoll") drive = run_epoll;
#endif
#ifdef EVMULTI_HAVE_KQUEUE
  if (loop == "kqueue") drive = run_kqueue;
#endif
  if (!drive) {
    std::fprintf(stderr, "hiper: no %s adapter in this build\n", loop.c_str());
    return 2;
  }

  evm::test::TestServer server;
  if (run.url.empty()) {
    if (!server.start()) {
      std::fprintf(stderr, "hiper: cannot start the loopback server\n");
      return 1;
    }
    run.url = server.http_url("/bytes/1024");
  }

  curl_global_init(CURL_GLOBAL_DEFAULT);
  run.multi = curl_multi_init();
  double cpu0 = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  if (!drive(run)) {
    std::perror("hiper: event loop");
    return 1;
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = cpu_seconds() - cpu0;

  std::printf("loop:        %s\n", loop.c_str());
  std::printf("transfers:   %ld\n", run.done);
  std::printf("failures:    %ld\n", run.failed);
  for (auto &[code, count] : run.failures)
    std::printf("  %ld x %s\n", count, curl_easy_strerror(static_cast<CURLcode>(code)));
  std::printf("wall time:   %.3f s\n", wall);
  std::printf("transfers/s: %.0f\n", static_cast<double>(run.done) / wall);
  std::printf("CPU time:    %.3f s (%.1f us per transfer, server included when in-process)\n", cpu,
              cpu * 1e6 / static_cast<double>(run.done));
  curl_multi_cleanup(run.multi);
  curl_global_cleanup();
  server.stop();
  return run.failed || run.done < run.total ? 1 : 0;
}
