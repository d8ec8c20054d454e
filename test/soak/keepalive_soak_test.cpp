// The soak (issue 13): 10,000 concurrent keep-alive transfers, five rounds, each round reusing
// the connections the previous one left in a cache of 8,000 (CURLMOPT_MAXCONNECTS), so every
// round also closes 2,000 connections and opens 2,000. Driven through curl_multi_socket_action on
// epoll. After round 2 (caches warm), resident memory, open descriptors and the engine's timer
// count must not grow from round to round; every transfer must succeed byte-exact, and the
// connections opened per round (CURLINFO_NUM_CONNECTS summed) must be what the cache implies.
//
// Measured after each round: resident size (/proc/self/statm), live heap bytes (the
// allocator's count), open descriptors (/proc/self/fd) and the engine's timer count: the size
// of its deadline heap, Multi::from(multi)->timers().size() through evmulti_internal_dep (the
// application's TIMERFUNCTION only ever sees one timer). Each transfer sets CURLOPT_TIMEOUT, so
// each holds a deadline while it runs: the peak is 10,000 and nothing may be left after.
//
// The server is test/support's test_server as a child process (raw listener, /ok/N keeps
// alive). EVM_SOAK_CONNECTIONS, EVM_SOAK_CACHE and EVM_SOAK_ROUNDS scale it for experiments;
// EVM_SOAK_VERBOSE=1 prints each round's numbers.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "child_test_server.h"
#include "multi/multi.h"
#include "process_stats.h"
#include "soak_loop.h"

#if EVM_SOAK_ASAN
// From the sanitizer runtime's public interface (sanitizer/allocator_interface.h, which gcc
// does not always install).
extern "C" size_t __sanitizer_get_current_allocated_bytes();

// ASan keeps freed blocks in a quarantine (256 MB by default) that fills over the first rounds
// and would read as growth, and hands free pages back to the system on a clock, which makes the
// resident size depend on timing: a small quarantine and no hand-back keep it about the memory
// the rounds use. ASAN_OPTIONS still overrides these.
extern "C" const char *__asan_default_options() {
  return "quarantine_size_mb=16:allocator_release_to_os_interval_ms=-1";
}
#endif

namespace evm::test {
namespace {

long env_long(const char *name, long fallback) {
  const char *v = std::getenv(name);
  return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}

// What a round may add over round 2's. Resident size gets allocator noise; live heap bytes,
// the allocator's own count, get a tight bound: they do not move with fragmentation, and they
// catch growth that is still referenced (LSan does not). A leak of 40 bytes per transfer is
// 400 KB a round, 1.2 MB by round 5.
#if EVM_SOAK_ASAN
// With the options above the resident size still creeps (0.5 MB a round here, less each
// round) while the live heap stays flat to the KiB.
constexpr long kRssSlackKib = 16 * 1024;
long live_heap_kib() {  // ASan's count leaves its quarantine out
  return static_cast<long>(__sanitizer_get_current_allocated_bytes() / 1024);
}
#else
constexpr long kRssSlackKib = 4 * 1024;
long live_heap_kib() {  // glibc: in use from the arenas plus blocks mmapped on their own
  struct mallinfo2 mi = mallinfo2();
  return static_cast<long>((mi.uordblks + mi.hblkhd) / 1024);
}
#endif
constexpr long kLiveHeapSlackKib = 1024;

// One transfer: its handle and how far its body has matched the server's pattern.
struct Slot {
  CURL *easy = nullptr;
  size_t expect = 0;  // body bytes asked for (/ok/N)
  size_t got = 0;
  bool mismatch = false;
  char error[CURL_ERROR_SIZE] = "";
};

// Checks the body as it comes, against 'a' + i % 26, keeping nothing.
size_t check_body(char *data, size_t size, size_t n, void *userp) {
  auto *s = static_cast<Slot *>(userp);
  const size_t len = size * n;
  for (size_t i = 0; i < len; ++i)
    if (data[i] != static_cast<char>('a' + (s->got + i) % 26)) s->mismatch = true;
  s->got += len;
  return len;
}

struct RoundStats {
  long done = 0, ok = 0, wrong_body = 0, connects = 0;
  long early = -1;  // done within the first timer action, the one that starts them all
  std::string first_error;
  size_t peak_timers = 0;
  long rss_kib = 0;
  long heap_kib = -1;
  int fds = 0;
  size_t timers = 0, idle = 0, open = 0, watched = 0;
  long ms = 0;
};

}  // namespace

TEST_CASE("soak: 10,000 keep-alive connections over five rounds with a smaller cache") {
  const long conns = env_long("EVM_SOAK_CONNECTIONS", 10000);
  const long cache = env_long("EVM_SOAK_CACHE", 8000);
  const int rounds = static_cast<int>(env_long("EVM_SOAK_ROUNDS", 5));
  const bool verbose = env_long("EVM_SOAK_VERBOSE", 0) != 0;
  REQUIRE(conns > cache);
  REQUIRE(cache > 0);
  REQUIRE(rounds >= 3);

  // Both processes hold one descriptor per connection, plus a few of their own; the server
  // inherits the limit.
  const rlim_t want = static_cast<rlim_t>(conns) + 1024;
  const rlim_t limit = raise_fd_limit(want);
  INFO("RLIMIT_NOFILE is " << limit << ", the soak needs " << want);
  REQUIRE(limit >= want);

  const int fds_before = open_fds();
  ChildTestServer server;
  std::string error;
  REQUIRE_MESSAGE(server.start(test_server_binary(), error), error);
  const int fds_with_server = open_fds();

  CURLM *multi = curl_multi_init();
  REQUIRE(multi);
  Multi *engine = Multi::from(multi);  // the internal view, for the timer count
  REQUIRE(engine);
  REQUIRE(curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, cache) == CURLM_OK);
  std::vector<RoundStats> stats(static_cast<size_t>(rounds));
  const auto t0 = std::chrono::steady_clock::now();
  {
    SoakLoop loop(multi);
    std::vector<Slot> slots(static_cast<size_t>(conns));
    std::string url;

    for (int r = 0; r < rounds; ++r) {
      RoundStats &st = stats[static_cast<size_t>(r)];
      const auto r0 = std::chrono::steady_clock::now();
      // Fresh easy handles each round: a leak per handle or per transfer shows as growth.
      for (size_t i = 0; i < slots.size(); ++i) {
        Slot &s = slots[i];
        s.expect = 1 + (i * 37 + static_cast<size_t>(r) * 11) % 1500;
        s.got = 0;
        s.mismatch = false;
        s.error[0] = '\0';
        s.easy = curl_easy_init();
        REQUIRE(s.easy);
        url = server.raw_url("/ok/" + std::to_string(s.expect));
        curl_easy_setopt(s.easy, CURLOPT_URL, url.c_str());
        curl_easy_setopt(s.easy, CURLOPT_WRITEFUNCTION, check_body);
        curl_easy_setopt(s.easy, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(s.easy, CURLOPT_PRIVATE, &s);
        curl_easy_setopt(s.easy, CURLOPT_ERRORBUFFER, s.error);
        // A deadline per transfer, as applications set, so the engine's timer queue is in play;
        // it never fires.
        curl_easy_setopt(s.easy, CURLOPT_TIMEOUT, 600L);
        REQUIRE(curl_multi_add_handle(multi, s.easy) == CURLM_OK);
      }
      auto read_done = [&](curl_socket_t fd) {
        st.peak_timers = std::max(st.peak_timers, engine->timers().size());
        int left = 0;
        while (CURLMsg *m = curl_multi_info_read(multi, &left)) {
          if (m->msg != CURLMSG_DONE) continue;
          Slot *s = nullptr;
          curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char **>(&s));
          long code = 0, connects = 0;
          curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &code);
          curl_easy_getinfo(m->easy_handle, CURLINFO_NUM_CONNECTS, &connects);
          ++st.done;
          st.connects += connects;
          if (m->data.result == CURLE_OK && code == 200)
            ++st.ok;
          else if (st.first_error.empty())
            st.first_error = std::string(curl_easy_strerror(m->data.result)) + ": " + s->error +
                             " (HTTP " + std::to_string(code) + ")";
          if (s->mismatch || s->got != s->expect) ++st.wrong_body;
          curl_multi_remove_handle(multi, m->easy_handle);
          curl_easy_cleanup(m->easy_handle);
          s->easy = nullptr;
        }
        if (fd == CURL_SOCKET_TIMEOUT && st.early < 0) st.early = st.done;
      };
      // A sanity cap only, so a stall fails instead of hanging; the round takes seconds.
      const auto cap = r0 + std::chrono::minutes(3);
      while (st.done < conns && std::chrono::steady_clock::now() < cap) loop.step(1000, read_done);
      st.ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - r0)
                                    .count());
      st.rss_kib = resident_kib();
      st.heap_kib = live_heap_kib();
      st.fds = open_fds();
      st.timers = engine->timers().size();
      st.idle = engine->pool().idle_connections();
      st.open = engine->pool().open_connections();
      st.watched = loop.watched.size();
      if (verbose)
        std::fprintf(stderr,
                     "round %d: %ld ms, done %ld ok %ld bad-body %ld connects %ld | rss %ld KiB, "
                     "heap %ld KiB, "
                     "fds %d, timers %zu (peak %zu), pool open %zu idle %zu, app-watched %zu, "
                     "done in the first action %ld\n",
                     r + 1, st.ms, st.done, st.ok, st.wrong_body, st.connects, st.rss_kib,
                     st.heap_kib, st.fds, st.timers, st.peak_timers, st.open, st.idle, st.watched,
                     st.early);

      CAPTURE(r + 1);
      INFO("first failure: " << st.first_error);
      REQUIRE(st.done == conns);
      CHECK(st.ok == conns);
      CHECK(st.wrong_body == 0);
      // Round 1 opens one connection per transfer; each later one reuses the `cache` the
      // previous round kept and opens the rest. All transfers are due at once, so the first
      // timer action starts them all; a transfer can finish within it (and hand its connection
      // to one that starts later in it, saving a connect) only if its answer came between its
      // send and its first read: never seen, but not impossible, so it is allowed for.
      const long expect_connects = r == 0 ? conns : conns - cache;
      CHECK(st.early >= 0);
      CHECK(st.connects <= expect_connects);
      CHECK(st.connects >= expect_connects - st.early);
      CHECK(st.idle == static_cast<size_t>(cache));
      CHECK(st.open == static_cast<size_t>(cache));
      // One deadline per transfer at most, and none left once they are all done.
      CHECK(st.peak_timers <= static_cast<size_t>(conns));
      CHECK(st.timers == 0);
      CHECK(st.fds >= fds_with_server + cache);
      INFO("first socket-callback violation: " << loop.first_violation);
      CHECK(loop.violations == 0);
      if (r >= 2) {
        const RoundStats &warm = stats[1];
        INFO("round 2: rss " << warm.rss_kib << " KiB, heap " << warm.heap_kib << " KiB, fds "
                             << warm.fds << ", timers " << warm.timers << "; this round: rss "
                             << st.rss_kib << " KiB, heap " << st.heap_kib << " KiB, fds " << st.fds
                             << ", timers " << st.timers);
        CHECK(st.rss_kib <= warm.rss_kib + kRssSlackKib);
        CHECK(st.heap_kib <= warm.heap_kib + kLiveHeapSlackKib);
        CHECK(st.fds <= warm.fds);
        CHECK(st.timers <= warm.timers);
      }
    }
  }
  REQUIRE(curl_multi_cleanup(multi) == CURLM_OK);
  // Cleanup closes every cached connection.
  CHECK(open_fds() == fds_with_server);
  server.stop();
  CHECK(open_fds() == fds_before);
  MESSAGE("soak: " << rounds << " rounds of " << conns << " transfers, cache " << cache << ", "
                   << std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::steady_clock::now() - t0)
                          .count()
                   << " ms; rss after round 2 " << stats[1].rss_kib << " KiB, after the last "
                   << stats.back().rss_kib << " KiB");
}

}  // namespace evm::test
