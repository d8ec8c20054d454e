// How each fault is set up, and the callbacks that check what a transfer receives.
#include "storm_transfer.h"

#include <algorithm>

namespace evm::test::storm {
namespace {

size_t on_write(char *data, size_t size, size_t n, void *userp) {
  auto *x = static_cast<Xfer *>(userp);
  size_t len = size * n;
  x->charge(len);
  for (size_t i = 0; i < len; ++i) {
    uint64_t at = x->received + i;
    char want = x->zeros                     ? '\0'
                : x->expect_text.empty()     ? static_cast<char>('a' + at % 26)
                : at < x->expect_text.size() ? x->expect_text[at]
                                             : '\0';
    if (data[i] != want) ++x->mismatches;
  }
  x->received += len;
  return x->received > x->write_limit ? 0 : len;
}

size_t on_header(char *, size_t size, size_t n, void *userp) {
  static_cast<Xfer *>(userp)->charge(0);
  return size * n;
}

// Mostly small bodies, some medium, a few over the per-turn budget (so a read loop that ignored
// its budget would show in the per-call bound).
uint64_t body_size(std::mt19937_64 &rng) {
  uint64_t r = rng() % 1000;
  if (r < 700) return rng() % 16384;
  if (r < 950) return 16384 + rng() % (256 * 1024);
  if (r < 995) return 256 * 1024 + rng() % (768 * 1024);
  return 4 * 1024 * 1024 + rng() % 1024;
}

}  // namespace

void Xfer::charge(size_t bytes) {
  driver->charge_callback();
  if (call_id != driver->call_id) {
    call_id = driver->call_id;
    call_bytes = call_callbacks = 0;
  }
  call_bytes += bytes;
  ++call_callbacks;
  work->max_bytes = std::max(work->max_bytes, call_bytes);
  work->max_callbacks = std::max(work->max_callbacks, call_callbacks);
  if (!reported_over && (call_bytes > kMaxBytesPerCall || call_callbacks > kMaxCallbacksPerCall)) {
    reported_over = true;
    work->over_bound.push_back("transfer " + std::to_string(index) + " (" + spec(fault).name +
                               "): " + std::to_string(call_bytes) + " bytes, " +
                               std::to_string(call_callbacks) + " callbacks in one call");
  }
}

void Xfer::setup(Fault f, Servers &s, std::mt19937_64 &rng) {
  fault = f;
  easy = curl_easy_init();
  driver->own_sockets(easy);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, this);
  curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(easy, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(easy, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, errbuf);
  // A safety net only: a transfer the engine lost would end with 28 and fail its row.
  long timeout_ms = 60000;
  auto h2 = [&](H2TestServer &server, const std::string &path) {
    url = server.url(path);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
    curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
  };
  switch (f) {
    case Fault::kNormalH1KeepAlive:
      expect_size = body_size(rng);
      url = s.h1.raw_url("/ok/" + std::to_string(expect_size));
      break;
    case Fault::kNormalH1Chunked:
      expect_size = body_size(rng);
      url = s.h1.http_url("/chunked/" + std::to_string(expect_size));
      break;
    case Fault::kNormalH2:
      expect_size = body_size(rng);
      h2(s.h2, (rng() % 4 ? "/bytes/" : "/nolength/") + std::to_string(expect_size));
      break;
    case Fault::kSlowDrip:
      expect_size = 1 + rng() % 4;
      url = s.h1.raw_url("/slow/" + std::to_string(expect_size));
      break;
    case Fault::kResetBeforeHeaders:
      url = s.h1.raw_url("/rst-early");
      break;
    case Fault::kResetMidBody:
      url = s.h1.raw_url("/reset");
      break;
    case Fault::kTruncatedChunked:
      url = s.h1.raw_url("/truncated-chunked");
      break;
    case Fault::kGarbageStatus:
      url = s.h1.raw_url("/garbage-status");
      break;
    case Fault::kStallTimeout:
      url = s.h1.raw_url("/stall");
      timeout_ms = 100 + static_cast<long>(rng() % 100);
      break;
    case Fault::kCloseAfterHeaders:
      url = s.h1.raw_url("/close-after-headers");
      break;
    case Fault::kHugeHeaders:
      url = s.h1.raw_url("/bigheader/200000");
      break;
    case Fault::kEndless1xx:
      url = s.h1.raw_url("/continue-forever");
      break;
    case Fault::kGzipBomb:
      url = s.h1.raw_url("/enc/bomb");
      curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
      write_limit = kBombWriteLimit;
      zeros = true;
      break;
    case Fault::kRedirectLoop:
      url = s.h1.raw_url("/redir-loop");
      curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
      curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 3L);
      break;
    case Fault::kAuthLoop:
      url = s.h1.raw_url("/auth/always");
      curl_easy_setopt(easy, CURLOPT_USERPWD, "user:wrong");
      curl_easy_setopt(easy, CURLOPT_HTTPAUTH, CURLAUTH_ANY);
      break;
    case Fault::kH2RstStream:
      h2(s.h2, "/rst");
      break;
    case Fault::kH2RefusedStream:
      h2(s.h2, "/refuse");
      break;
    case Fault::kH2Goaway:
      expect_size = body_size(rng) % 65536;
      h2(s.h2_goaway, "/bytes/" + std::to_string(expect_size));
      break;
    case Fault::kH2RefusedPush:
      h2(s.h2, "/push?n=2");
      expect_text = "main\n";
      break;
    case Fault::kCount:
      break;
  }
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, timeout_ms);
}

}  // namespace evm::test::storm
