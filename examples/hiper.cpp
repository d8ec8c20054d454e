// hiper: many concurrent HTTP transfers through curl_multi_socket_action, driven by one of
// evmulti's event-loop adapters. Without a URL it starts the loopback test server in-process
// and fetches /bytes/1024 from it.
//
//   hiper [URL] [-n TOTAL | --duration SECONDS] [-c CONCURRENCY] [--loop libevent|epoll|kqueue]
//         [--http 1.1|2|2-prior | --h2c] [--max-host-conns N] [--max-streams N]
//         [--reuse | --no-reuse] [--json] [--cacert FILE] [--upload BYTES] [--gzip]
//
// --upload PUTs BYTES from memory through READFUNCTION (size announced); --gzip asks for
// compressed bodies (ACCEPT_ENCODING "") and counts the decoded bytes. --http 2 and 2-prior
// (--h2c is --http 2-prior: HTTP/2 in clear text by prior knowledge)
// also set PIPEWAIT, so transfers started together wait to share the first connection instead
// of opening their own; --max-streams sets CURLMOPT_MAX_CONCURRENT_STREAMS (libcurl's default
// is 100 streams per connection). --json reports the engine's curl_version(), whether it has
// HTTP/2 (CURL_VERSION_HTTP2) and how many transfers used each HTTP version.
#include <curl/curl.h>
#include <event2/event.h>
#include <evmulti/libevent.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>
#ifdef EVMULTI_HAVE_EPOLL
#include <evmulti/epoll.h>
#endif
#ifdef EVMULTI_HAVE_KQUEUE
#include <evmulti/kqueue.h>
#endif

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "test_server.h"

namespace {

using SteadyClock = std::chrono::steady_clock;

struct Run {
  CURLM *multi = nullptr;
  std::string url;
  long total = 20000, concurrency = 200;
  long http_version = CURL_HTTP_VERSION_1_1;
  bool pipewait = false;
  bool reuse = true;
  std::string cacert;      // CAINFO for https:// URLs; empty: the system's trust store
  curl_off_t upload = -1;  // bytes to PUT; -1: GET
  bool gzip = false;
  SteadyClock::time_point stop_adding_at = SteadyClock::time_point::max();
  long started = 0, done = 0, failed = 0, connects = 0;
  curl_off_t bytes = 0;
  std::map<int, long> failures;
  std::map<long, long> http_versions;  // CURLINFO_HTTP_VERSION of each successful transfer
  std::vector<curl_off_t> latency_us;  // total time of every finished transfer
  bool progress = false;
  SteadyClock::time_point t0, last_progress;

  bool may_add() const { return started < total && SteadyClock::now() < stop_adding_at; }
  void add_one() {
    CURL *e = curl_easy_init();
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_HTTP_VERSION, http_version);
    if (pipewait) curl_easy_setopt(e, CURLOPT_PIPEWAIT, 1L);
    if (!reuse) curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    if (!cacert.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, cacert.c_str());
    if (gzip) curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    if (upload >= 0) {
      auto *body = new UploadBody{0, upload};
      curl_easy_setopt(e, CURLOPT_PRIVATE, body);
      curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, upload);
      curl_easy_setopt(e, CURLOPT_READFUNCTION, UploadBody::read);
      curl_easy_setopt(e, CURLOPT_READDATA, body);
      curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, UploadBody::seek);
      curl_easy_setopt(e, CURLOPT_SEEKDATA, body);
    }
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
    } else {
      long version = 0;
      curl_easy_getinfo(e, CURLINFO_HTTP_VERSION, &version);
      ++run->http_versions[version];
    }
    curl_off_t us = 0, size = 0;
    long conns = 0;
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME_T, &us);
    curl_easy_getinfo(e, CURLINFO_SIZE_DOWNLOAD_T, &size);
    curl_easy_getinfo(e, CURLINFO_NUM_CONNECTS, &conns);
    run->latency_us.push_back(us);
    run->bytes += size;
    run->connects += conns;
    UploadBody *body = nullptr;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, reinterpret_cast<char **>(&body));
    delete body;
    curl_multi_remove_handle(run->multi, e);
    curl_easy_cleanup(e);
    if (run->may_add()) run->add_one();
    if (run->progress) run->show_progress(false);
  }
  // One line on stderr, rewritten about once a second.
  void show_progress(bool last) {
    auto now = SteadyClock::now();
    if (!last && now - last_progress < std::chrono::seconds(1)) return;
    last_progress = now;
    double secs = std::chrono::duration<double>(now - t0).count();
    std::fprintf(stderr, "\r%ld done, %ld failed, %.0f/s, %ld connections opened%s", done, failed,
                 secs > 0 ? static_cast<double>(done) / secs : 0.0, connects, last ? "\n" : "");
  }
  static size_t discard(char *, size_t size, size_t nmemb, void *) { return size * nmemb; }

  // One transfer's request body: `total` bytes of 'u', produced as they are asked for.
  struct UploadBody {
    curl_off_t pos, total;
    static size_t read(char *buf, size_t size, size_t nitems, void *userp) {
      auto *b = static_cast<UploadBody *>(userp);
      size_t n = std::min<curl_off_t>(static_cast<curl_off_t>(size * nitems), b->total - b->pos);
      std::memset(buf, 'u', n);
      b->pos += static_cast<curl_off_t>(n);
      return n;
    }
    static int seek(void *userp, curl_off_t offset, int origin) {
      auto *b = static_cast<UploadBody *>(userp);
      if (origin != SEEK_SET || offset < 0 || offset > b->total) return CURL_SEEKFUNC_FAIL;
      b->pos = offset;
      return CURL_SEEKFUNC_OK;
    }
  };
};

// Each loop runs until no transfer is left, the done callback keeping it fed until then.
bool run_libevent(Run &run) {
  event_base *base = event_base_new();
  evmulti_libevent *a = evmulti_libevent_attach(run.multi, base, Run::on_done, &run);
  if (!a) return false;
  while (run.may_add() && run.started < run.concurrency) run.add_one();
  event_base_dispatch(base);  // returns when the adapter has nothing left added
  evmulti_libevent_detach(a);
  event_base_free(base);
  return true;
}

#ifdef EVMULTI_HAVE_EPOLL
bool run_epoll(Run &run) {
  evmulti_epoll *a = evmulti_epoll_attach(run.multi, Run::on_done, &run);
  if (!a) return false;
  while (run.may_add() && run.started < run.concurrency) run.add_one();
  int rc = evmulti_epoll_run(a);
  evmulti_epoll_detach(a);
  return rc == 0;
}
#endif

#ifdef EVMULTI_HAVE_KQUEUE
bool run_kqueue(Run &run) {
  evmulti_kqueue *a = evmulti_kqueue_attach(run.multi, Run::on_done, &run);
  if (!a) return false;
  while (run.may_add() && run.started < run.concurrency) run.add_one();
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
  std::fprintf(
      stderr,
      "usage: hiper [URL] [-n TOTAL | --duration SECONDS] [-c CONCURRENCY]\n"
      "             [--loop libevent|epoll|kqueue] [--http 1.1|2|2-prior | --h2c]\n"
      "             [--max-host-conns N] [--max-streams N] [--reuse | --no-reuse]\n"
      "             [--json] [--cacert FILE] [--upload BYTES] [--gzip]\n"
      "       --http 2 and 2-prior (--h2c) also set PIPEWAIT (wait to share a connection)\n"
      "       --max-streams sets CURLMOPT_MAX_CONCURRENT_STREAMS\n"
      "       (--loop defaults to %s)\n",
      default_loop());
  std::exit(2);
}

long peak_rss_kb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

// The p-th percentile (0..100) of sorted values, nearest rank.
double percentile_ms(const std::vector<curl_off_t> &sorted, double p) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size()));
  if (rank >= sorted.size()) rank = sorted.size() - 1;
  return static_cast<double>(sorted[rank]) / 1000.0;
}

const char *http_version_name(long v) {
  switch (v) {
    case CURL_HTTP_VERSION_1_0:
      return "1.0";
    case CURL_HTTP_VERSION_1_1:
      return "1.1";
    case CURL_HTTP_VERSION_2_0:
      return "2";
    case CURL_HTTP_VERSION_3:
      return "3";
    default:
      return "unknown";
  }
}

// curl_version() text inside a JSON string: drop what would need escaping.
std::string json_safe(const char *s) {
  std::string out;
  for (; s && *s; ++s)
    if (*s != '"' && *s != '\\' && static_cast<unsigned char>(*s) >= 0x20) out += *s;
  return out;
}

}  // namespace

int main(int argc, char **argv) {
  Run run;
  std::string loop = default_loop();
  bool json = false;
  long max_host_conns = 0, max_streams = 0;
  double duration = 0;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "-n" || a == "-c" || a == "--max-host-conns" || a == "--max-streams") &&
        i + 1 < argc) {
      long v = std::strtol(argv[++i], nullptr, 10);
      if (v <= 0) usage();
      (a == "-n"                 ? run.total
       : a == "-c"               ? run.concurrency
       : a == "--max-host-conns" ? max_host_conns
                                 : max_streams) = v;
    } else if (a == "--duration" && i + 1 < argc) {
      duration = std::strtod(argv[++i], nullptr);
      if (duration <= 0) usage();
    } else if (a == "--http" && i + 1 < argc) {
      std::string v = argv[++i];
      if (v == "1.1")
        run.http_version = CURL_HTTP_VERSION_1_1;
      else if (v == "2")
        run.http_version = CURL_HTTP_VERSION_2TLS;
      else if (v == "2-prior")
        run.http_version = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
      else
        usage();
      run.pipewait = run.http_version != CURL_HTTP_VERSION_1_1;
    } else if (a == "--h2c") {
      run.http_version = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE;
      run.pipewait = true;
    } else if (a == "--reuse" || a == "--no-reuse") {
      run.reuse = a == "--reuse";
    } else if (a == "--cacert" && i + 1 < argc) {
      run.cacert = argv[++i];
    } else if (a == "--upload" && i + 1 < argc) {
      run.upload = std::strtoll(argv[++i], nullptr, 10);
      if (run.upload < 0) usage();
    } else if (a == "--gzip") {
      run.gzip = true;
    } else if (a == "--json") {
      json = true;
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
  {
    // The engine may not speak the asked HTTP version: say so before starting.
    CURL *probe = curl_easy_init();
    CURLcode rc = curl_easy_setopt(probe, CURLOPT_HTTP_VERSION, run.http_version);
    curl_easy_cleanup(probe);
    if (rc != CURLE_OK) {
      std::fprintf(stderr, "hiper: this engine does not support that HTTP version: %s\n",
                   curl_easy_strerror(rc));
      return 2;
    }
  }
  run.multi = curl_multi_init();
  if (max_host_conns) curl_multi_setopt(run.multi, CURLMOPT_MAX_HOST_CONNECTIONS, max_host_conns);
  if (max_streams) {
    CURLMcode mrc = curl_multi_setopt(run.multi, CURLMOPT_MAX_CONCURRENT_STREAMS, max_streams);
    if (mrc != CURLM_OK) {
      std::fprintf(stderr, "hiper: --max-streams: %s\n", curl_multi_strerror(mrc));
      return 2;
    }
  }
  run.progress = isatty(STDERR_FILENO) && !json;
  double cpu0 = cpu_seconds();
  auto t0 = std::chrono::steady_clock::now();
  run.t0 = run.last_progress = t0;
  if (duration > 0) {
    run.total = LONG_MAX;
    run.stop_adding_at = t0 + std::chrono::microseconds(static_cast<long>(duration * 1e6));
  }
  if (!drive(run)) {
    std::perror("hiper: event loop");
    return 1;
  }
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu = cpu_seconds() - cpu0;

  if (run.progress) run.show_progress(true);
  std::sort(run.latency_us.begin(), run.latency_us.end());
  double per = run.done ? cpu * 1e6 / static_cast<double>(run.done) : 0;
  double rate = wall > 0 ? static_cast<double>(run.done) / wall : 0;
  if (json) {
    std::printf("{\"loop\":\"%s\",\"transfers\":%ld,\"failures\":%ld,\"failures_by_code\":{",
                loop.c_str(), run.done, run.failed);
    const char *sep = "";
    for (auto &[code, count] : run.failures) {
      std::printf("%s\"%d\":%ld", sep, code, count);
      sep = ",";
    }
    std::printf("},\"http_versions\":{");
    sep = "";
    for (auto &[version, count] : run.http_versions) {
      std::printf("%s\"%s\":%ld", sep, http_version_name(version), count);
      sep = ",";
    }
    std::printf(
        "},\"version\":\"%s\",\"http2\":%s", json_safe(curl_version()).c_str(),
        curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP2 ? "true" : "false");
    std::printf(
        ",\"bytes\":%ld,\"connections\":%ld,\"wall_s\":%.6f,\"transfers_per_s\":%.1f,"
        "\"cpu_s\":%.6f,\"cpu_us_per_transfer\":%.2f,\"peak_rss_kb\":%ld,"
        "\"latency_ms\":{\"p50\":%.3f,\"p90\":%.3f,\"p99\":%.3f,\"max\":%.3f}}\n",
        static_cast<long>(run.bytes), run.connects, wall, rate, cpu, per, peak_rss_kb(),
        percentile_ms(run.latency_us, 50), percentile_ms(run.latency_us, 90),
        percentile_ms(run.latency_us, 99), percentile_ms(run.latency_us, 100));
  } else {
    std::printf("loop:        %s\n", loop.c_str());
    std::printf("transfers:   %ld\n", run.done);
    std::printf("failures:    %ld\n", run.failed);
    for (auto &[code, count] : run.failures)
      std::printf("  %ld x %s\n", count, curl_easy_strerror(static_cast<CURLcode>(code)));
    std::printf("bytes:       %ld\n", static_cast<long>(run.bytes));
    std::printf("connections: %ld opened\n", run.connects);
    for (auto &[version, count] : run.http_versions)
      std::printf("  %ld x HTTP/%s\n", count, http_version_name(version));
    std::printf("wall time:   %.3f s\n", wall);
    std::printf("transfers/s: %.0f\n", rate);
    std::printf("CPU time:    %.3f s (%.1f us per transfer, server included when in-process)\n",
                cpu, per);
    std::printf("peak RSS:    %.1f MiB\n", static_cast<double>(peak_rss_kb()) / 1024.0);
    std::printf("latency:     p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
                percentile_ms(run.latency_us, 50), percentile_ms(run.latency_us, 90),
                percentile_ms(run.latency_us, 99), percentile_ms(run.latency_us, 100));
  }
  curl_multi_cleanup(run.multi);
  curl_global_cleanup();
  server.stop();
  return run.failed || (duration <= 0 && run.done < run.total) ? 1 : 0;
}
