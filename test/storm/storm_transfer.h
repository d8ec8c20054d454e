// One storm transfer: the easy handle a fault sets up, what its callbacks saw (bytes checked
// against the expected body as they come, work charged to the socket_action call that made
// them), and its CURLMSG_DONE.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "h2_test_server.h"
#include "storm_driver.h"
#include "storm_faults.h"
#include "test_server.h"

namespace evm::test::storm {

// The engine reads at most this much per connection per turn (H1Exchange::kTurnBudget,
// H2Session::kTurnBudget; storm_test.cpp checks they agree).
inline constexpr size_t kTurnBudget = 1024 * 1024;
// Work one transfer may get in one socket_action call: two turns' worth of body bytes (a turn
// may end inside a decoded chunk) plus one CURL_MAX_WRITE_SIZE piece, and at most one callback
// per 2 bytes of a turn's input (a header line is at least "\r\n").
inline constexpr size_t kMaxBytesPerCall = 2 * kTurnBudget + CURL_MAX_WRITE_SIZE;
inline constexpr size_t kMaxCallbacksPerCall = kTurnBudget / 2;

// The GOAWAY server answers kGoawayAfter streams per connection, then refuses the later ones,
// which go again elsewhere. libcurl (and evmulti) give a stream up after 5 refusals, so the storm
// keeps at most kGoawayInFlight GOAWAY transfers at once: a refused stream then finds room among
// the first kGoawayAfter streams of the next connection.
inline constexpr uint32_t kGoawayAfter = 16;
inline constexpr uint64_t kGoawayInFlight = 8;

struct Servers {
  TestServer h1;
  H2TestServer h2{h2c()};
  H2TestServer h2_goaway{h2c(kGoawayAfter)};

  static H2TestServerOptions h2c(uint32_t goaway_after = 0) {
    H2TestServerOptions o;
    o.tls = false;
    o.goaway_after = goaway_after;
    return o;
  }
};

// The worst work per call seen, over all transfers.
struct WorkSeen {
  size_t max_bytes = 0, max_callbacks = 0;
  std::vector<std::string> over_bound;  // one line per transfer that went over
};

struct Xfer {
  size_t index = 0;
  Fault fault = Fault::kNormalH1KeepAlive;
  CURL *easy = nullptr;
  StormDriver *driver = nullptr;
  WorkSeen *work = nullptr;
  std::string url;
  std::string expect_text;        // the exact body when it is not the pattern
  uint64_t expect_size = 0;       // pattern bytes ('a' + i % 26) expected when expect_text is empty
  bool zeros = false;             // the body is zeros (the gzip bomb), however long
  size_t write_limit = SIZE_MAX;  // WRITEFUNCTION refuses once this many bytes arrived
  uint64_t received = 0;
  uint64_t mismatches = 0;  // body bytes that differed from what was expected
  char errbuf[CURL_ERROR_SIZE] = "";
  int done_msgs = 0;
  CURLcode result = CURLE_OK;
  // Work charged to the current socket_action call.
  uint64_t call_id = UINT64_MAX;
  size_t call_bytes = 0, call_callbacks = 0;
  bool reported_over = false;

  Xfer() = default;
  Xfer(const Xfer &) = delete;
  Xfer &operator=(const Xfer &) = delete;
  ~Xfer() { curl_easy_cleanup(easy); }

  // A new easy handle for `fault`, its details drawn from `rng`.
  void setup(Fault f, Servers &servers, std::mt19937_64 &rng);
  void charge(size_t bytes);
};

}  // namespace evm::test::storm
