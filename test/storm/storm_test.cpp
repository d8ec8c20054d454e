// The fault storm (issue 13): STORM_COUNT (default 100,000) transfers through
// curl_multi_socket_action on an epoll loop, STORM_CONCURRENCY (default 300) at a time, against
// the in-process loopback servers. A seeded random choice per transfer picks a row of
// storm_faults.cpp; the seed is printed, STORM_SEED=N replays it, STORM_FAULT=name runs one row.
// Asserted: one CURLMSG_DONE per handle with its row's code (and an error text when it fails),
// byte-exact bodies, the socket-callback contract on every call (storm_driver.h), bounded work
// per socket_action call (storm_transfer.h), and no fd or CLOSE_WAIT socket left behind.
#include <curl/curl.h>
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "http/h1_exchange.h"
#include "http/h2_session.h"
#include "proc_fds.h"
#include "storm_driver.h"
#include "storm_faults.h"
#include "storm_transfer.h"
#include "timing.h"

namespace evm::test::storm {
namespace {

static_assert(H1Exchange::kTurnBudget == kTurnBudget && H2Session::kTurnBudget == kTurnBudget,
              "the storm's per-call bound is stated in the engine's per-turn budget");

uint64_t env_number(const char *name, uint64_t fallback) {
  const char *v = std::getenv(name);
  return v && *v ? std::strtoull(v, nullptr, 10) : fallback;
}

struct FaultTally {
  uint64_t started = 0, as_expected = 0;
};

int deny_push(CURL *, CURL *, size_t, curl_pushheaders *, void *userp) {
  ++*static_cast<uint64_t *>(userp);
  return CURL_PUSH_DENY;
}

class Storm {
 public:
  Storm(uint64_t seed, uint64_t count, uint64_t concurrency, Fault only)
      : rng_(seed), count_(count), concurrency_(concurrency), only_(only) {
    std::vector<double> weights;
    for (const FaultSpec &s : kFaults) weights.push_back(s.weight);
    pick_ = std::discrete_distribution<size_t>(weights.begin(), weights.end());
  }

  Servers servers;
  FaultTally tally[kFaultCount];
  WorkSeen work;
  std::vector<std::string> failures;  // the first few, printed
  uint64_t failure_count = 0, finished = 0, reused_h1 = 0, push_calls = 0;

  // Runs every transfer to its end on `d`; false if the storm stopped making progress.
  bool run(StormDriver &d) {
    d.drain = false;
    CHECK(curl_multi_setopt(d.multi, CURLMOPT_PUSHFUNCTION, deny_push) == CURLM_OK);
    CHECK(curl_multi_setopt(d.multi, CURLMOPT_PUSHDATA, &push_calls) == CURLM_OK);
    d.after_action = [&] { harvest(d); };
    top_up(d);
    CHECK(d.action(CURL_SOCKET_TIMEOUT, 0) == CURLM_OK);
    uint64_t last_finished = 0;
    auto last_progress = Clock::now();
    while (finished < count_) {
      d.step(20);
      if (finished != last_finished) {
        last_finished = finished;
        last_progress = Clock::now();
      } else if (ms_since(last_progress) > 120000) {
        return false;
      }
    }
    return true;
  }

  // Removes what is still running (after a stalled storm) before the multi goes.
  void abandon(StormDriver &d) {
    for (auto &[easy, x] : active_) curl_multi_remove_handle(d.multi, easy);
    active_.clear();
  }

 private:
  std::mt19937_64 rng_;
  std::discrete_distribution<size_t> pick_;
  uint64_t count_, concurrency_, started_ = 0, goaway_in_flight_ = 0;
  Fault only_;
  std::unordered_map<CURL *, std::unique_ptr<Xfer>> active_;

  void top_up(StormDriver &d) {
    while (started_ < count_ && active_.size() < concurrency_) {
      Fault f = only_ != Fault::kCount ? only_ : static_cast<Fault>(pick_(rng_));
      // Few GOAWAY transfers at once (see kGoawayInFlight); the others wait for their turn.
      if (f == Fault::kH2Goaway && goaway_in_flight_ >= kGoawayInFlight) {
        if (only_ != Fault::kCount) break;
        continue;
      }
      if (f == Fault::kH2Goaway) ++goaway_in_flight_;
      auto x = std::make_unique<Xfer>();
      x->index = started_++;
      x->driver = &d;
      x->work = &work;
      x->setup(f, servers, rng_);
      ++tally[static_cast<size_t>(f)].started;
      CHECK(curl_multi_add_handle(d.multi, x->easy) == CURLM_OK);
      active_.emplace(x->easy, std::move(x));
    }
    d.next_call();
  }

  void fail(const Xfer &x, const std::string &what) {
    if (++failure_count <= 40)
      failures.push_back("transfer " + std::to_string(x.index) + " " + spec(x.fault).name + " " +
                         x.url + ": " + what);
  }

  void harvest(StormDriver &d) {
    d.next_call();
    std::vector<Xfer *> ended;
    int left = 0;
    while (CURLMsg *m = curl_multi_info_read(d.multi, &left)) {
      auto it = active_.find(m->easy_handle);
      if (m->msg != CURLMSG_DONE || it == active_.end()) {
        ++failure_count;
        failures.push_back("a message that is not DONE, or for a handle not in the storm");
        continue;
      }
      Xfer *x = it->second.get();
      if (++x->done_msgs == 1) ended.push_back(x);
      x->result = m->data.result;
    }
    for (Xfer *x : ended) {
      check(*x);
      CHECK(curl_multi_remove_handle(d.multi, x->easy) == CURLM_OK);
      ++finished;
      if (x->fault == Fault::kH2Goaway) --goaway_in_flight_;
      active_.erase(x->easy);
    }
    if (!ended.empty()) top_up(d);
  }

  void check(const Xfer &x) {
    const FaultSpec &s = spec(x.fault);
    bool ok = true;
    auto bad = [&](const std::string &what) {
      ok = false;
      fail(x, what);
    };
    if (x.done_msgs != 1) bad(std::to_string(x.done_msgs) + " CURLMSG_DONE");
    if (x.result != s.expected)
      bad("CURLcode " + std::to_string(x.result) + " (" + x.errbuf + "), expected " +
          std::to_string(s.expected));
    if (x.result != CURLE_OK && x.errbuf[0] == '\0') bad("failed with an empty ERRORBUFFER");
    long code = -2;
    curl_easy_getinfo(x.easy, CURLINFO_RESPONSE_CODE, &code);
    if (s.response_code >= 0 && code != s.response_code)
      bad("response code " + std::to_string(code) + ", expected " +
          std::to_string(s.response_code));
    uint64_t want = x.expect_text.empty() ? x.expect_size : x.expect_text.size();
    if (s.body_exact && x.received != want)
      bad(std::to_string(x.received) + " body bytes, expected " + std::to_string(want));
    if ((s.body_exact || x.zeros) && x.mismatches)
      bad(std::to_string(x.mismatches) + " body bytes differ from what was sent");
    if (x.fault == Fault::kNormalH1KeepAlive) {
      long connects = -1;
      curl_easy_getinfo(x.easy, CURLINFO_NUM_CONNECTS, &connects);
      if (connects == 0) ++reused_h1;
    }
    if (ok) ++tally[static_cast<size_t>(x.fault)].as_expected;
  }
};

}  // namespace

TEST_CASE("storm: transfers meeting random faults each end once with their code, leaving nothing") {
  for (size_t i = 0; i < kFaultCount; ++i) REQUIRE(static_cast<size_t>(kFaults[i].fault) == i);
  uint64_t seed = env_number("STORM_SEED", std::random_device{}());
  uint64_t count = env_number("STORM_COUNT", 100000);
  uint64_t concurrency = env_number("STORM_CONCURRENCY", 300);
  Fault only = Fault::kCount;
  if (const char *name = std::getenv("STORM_FAULT")) {
    only = fault_named(name);
    REQUIRE_MESSAGE(only != Fault::kCount, "STORM_FAULT names no row of storm_faults.cpp");
  }
  std::fprintf(stderr,
               "storm: seed %llu, %llu transfers, %llu at a time (replay: STORM_SEED=%llu)\n",
               (unsigned long long)seed, (unsigned long long)count, (unsigned long long)concurrency,
               (unsigned long long)seed);

  auto storm = std::make_unique<Storm>(seed, count, concurrency, only);
  Servers &sv = storm->servers;
  REQUIRE(sv.h1.start());
  REQUIRE(sv.h2.start());
  REQUIRE(sv.h2_goaway.start());
  const std::set<unsigned> ports = {sv.h1.http_port(), sv.h1.raw_port(), sv.h2.port(),
                                    sv.h2_goaway.port()};
  // The server builds its gzip bomb (1 GiB of zeros) on the first request, blocking its thread
  // for seconds: build it now, so that no storm transfer's safety timeout runs meanwhile.
  {
    CURL *warm = curl_easy_init();
    curl_easy_setopt(warm, CURLOPT_URL, sv.h1.raw_url("/enc/bomb").c_str());
    curl_easy_setopt(warm, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(
        warm, CURLOPT_WRITEFUNCTION, +[](char *, size_t, size_t, void *) { return size_t{0}; });
    CHECK(curl_easy_perform(warm) == CURLE_WRITE_ERROR);
    curl_easy_cleanup(warm);
  }
  CHECK(wait_until([&] { return sv.h1.open_connections() == 0; }, std::chrono::seconds(10)));
  const FdTable before = open_fds();
  auto t0 = Clock::now();
  {
    StormDriver d;
    bool progressed = storm->run(d);
    CHECK_MESSAGE(progressed, "no transfer ended for 2 minutes");
    if (!progressed) storm->abandon(d);
    std::fprintf(stderr, "storm: %llu transfers ended in %ld ms\n",
                 (unsigned long long)storm->finished, ms_since(t0));

    // Servers that closed a pooled connection: the engine must notice and close its side.
    bool no_close_wait = d.run_until([&] { return close_wait_sockets(ports).empty(); }, 5000);
    for (auto &line : close_wait_sockets(ports)) MESSAGE("CLOSE_WAIT before cleanup: " << line);
    CHECK(no_close_wait);

    d.cleanup();
    d.check_socket_contract();
    CHECK(d.engine_sockets.empty());
    CHECK(d.sockets_opened == d.sockets_closed);
    std::fprintf(stderr, "storm: %llu sockets opened and closed, %zu SOCKETFUNCTION calls\n",
                 (unsigned long long)d.sockets_opened, d.socket_calls.size());
    std::fprintf(stderr,
                 "storm: most work in one socket_action call for one transfer: %zu body "
                 "bytes, %zu callbacks; most callbacks in one call overall: %llu\n",
                 storm->work.max_bytes, storm->work.max_callbacks,
                 (unsigned long long)d.max_call_callbacks);
  }

  for (size_t i = 0; i < kFaultCount; ++i)
    std::fprintf(stderr, "storm: %-22s %7llu transfers, %7llu as expected\n", kFaults[i].name,
                 (unsigned long long)storm->tally[i].started,
                 (unsigned long long)storm->tally[i].as_expected);
  for (auto &f : storm->failures) MESSAGE(f);
  CHECK(storm->failure_count == 0);
  for (auto &w : storm->work.over_bound) MESSAGE("over the per-call bound: " << w);
  CHECK(storm->work.over_bound.empty());
  CHECK(storm->finished == count);

  // Each fault was really met, not just drawn.
  auto met = [&](Fault f) { return storm->tally[static_cast<size_t>(f)].started > 0; };
  if (met(Fault::kNormalH1KeepAlive) && count >= 1000) CHECK(storm->reused_h1 > 0);
  if (met(Fault::kH2RefusedPush)) CHECK(storm->push_calls > 0);
  if (met(Fault::kH2Goaway)) CHECK(sv.h2_goaway.goaways_sent() > 0);

  // The servers close their ends once we closed ours; then every fd is as it was.
  bool same_fds = wait_until([&] { return open_fds() == before; }, std::chrono::seconds(10));
  for (auto &line : fd_diff(open_fds(), before)) MESSAGE("fd left over: " << line);
  for (auto &line : fd_diff(before, open_fds())) MESSAGE("fd gone or replaced: " << line);
  CHECK(same_fds);
  CHECK(close_wait_sockets(ports).empty());
  std::fprintf(stderr, "storm: done in %ld ms\n", ms_since(t0));
}

}  // namespace evm::test::storm
