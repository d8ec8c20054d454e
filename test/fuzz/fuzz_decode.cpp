// Target 6: content decoding, the gzip/deflate writer stack (lib/transfer/cw_decode.h) over the
// zlib inflater (lib/http/inflater.h). The Content-Encoding list and the body come from the
// input; the body is written whole and in pieces, with turns resumed while the stack keeps input
// past its per-turn budget. No write may exceed CURL_MAX_WRITE_SIZE, a
// failure must say why, and a gzip-only stack must decode the same bytes, or fail the same way,
// however the body was split. The inflater alone is also run with output buffers of input-chosen
// sizes.
//
// Input: line 1 Content-Encoding, split seed byte, out-size byte, then the body.
#include <memory>
#include <string>
#include <vector>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "http/inflater.h"
#include "transfer/cw_decode.h"

namespace {

// What an application gets: counted and hashed, not kept, and cut off like a size limit would.
class Sink final : public evm::ClientWriter {
 public:
  static constexpr uint64_t kCap = 4 * 1024 * 1024;
  uint64_t bytes = 0;
  uint64_t turn = 0;  // bytes since the last write or resume: within a turn's budget
  uint64_t hash = 1469598103934665603ull;
  bool capped = false;

  CURLcode write(evm::WriteKind kind, std::string_view data) override {
    FUZZ_CHECK(kind == evm::WriteKind::Body);
    FUZZ_CHECK(!data.empty() && data.size() <= CURL_MAX_WRITE_SIZE);
    for (unsigned char c : data) hash = (hash ^ c) * 1099511628211ull;
    bytes += data.size();
    turn += data.size();
    FUZZ_CHECK(turn <= evm::limits::kDecodeTurnBytes + CURL_MAX_WRITE_SIZE);
    if (bytes > kCap) {
      capped = true;
      return CURLE_WRITE_ERROR;
    }
    return CURLE_OK;
  }
};

struct Outcome {
  CURLcode rc = CURLE_OK;
  Sink sink;
};

void decode(std::string_view encoding, std::string_view body, uint32_t seed, Outcome &o) {
  std::string error;
  evm::DecodeStack stack;
  evm::ClientWriter &top = stack.build(encoding, o.sink, error);
  evm::fuzz::Splitter split(seed, 512);
  while (!body.empty() && o.rc == CURLE_OK) {
    size_t n = split.next(body.size());
    o.sink.turn = 0;
    o.rc = top.write(evm::WriteKind::Body, body.substr(0, n));
    body.remove_prefix(n);
    // Turns go on while the stack keeps input past a turn's budget, as a transfer's do.
    while (o.rc == CURLE_OK && stack.holding()) {
      o.sink.turn = 0;
      o.rc = stack.resume();
    }
  }
  if (o.rc == CURLE_BAD_CONTENT_ENCODING) FUZZ_CHECK(!error.empty());
  if (o.rc != CURLE_OK) FUZZ_CHECK(o.rc == CURLE_BAD_CONTENT_ENCODING || o.sink.capped);
}

void inflate_alone(evm::http::Inflater::Format format, std::string_view in, size_t out_size) {
  evm::http::Inflater z(format);
  std::vector<char> out(out_size);
  uint64_t total = 0;
  for (int rounds = 0; rounds < 100000 && total < Sink::kCap; ++rounds) {
    evm::http::Inflater::Step s = z.run(in, out);
    FUZZ_CHECK(s.consumed <= in.size() && s.produced <= out.size());
    if (s.failed) {
      FUZZ_CHECK(!z.error().empty());
      return;
    }
    in.remove_prefix(s.consumed);
    total += s.produced;
    if (s.produced < out.size() && (in.empty() || s.consumed == 0)) return;
  }
}

}  // namespace

EVM_FUZZ_TARGET(decode) {
  evm::fuzz::FuzzInput in(data, size);
  std::string_view encoding = in.line();
  uint8_t seed = in.byte();
  size_t out_size = 1 + in.byte() * 67;
  std::string_view body = in.rest();

  Outcome whole, split;
  decode(encoding, body, 0, whole);
  decode(encoding, body, seed ? seed : 1, split);
  bool gzip_only = encoding.find_first_not_of("gzipGZIP ,") == std::string_view::npos;
  if (gzip_only && !whole.sink.capped && !split.sink.capped) {
    FUZZ_CHECK(whole.rc == split.rc);
    // A failing stream may have handed over more or less before the bad byte; a good one not.
    if (whole.rc == CURLE_OK)
      FUZZ_CHECK(whole.sink.bytes == split.sink.bytes && whole.sink.hash == split.sink.hash);
  }
  inflate_alone(evm::http::Inflater::Format::Gzip, body, out_size);
  inflate_alone(evm::http::Inflater::Format::Deflate, body, out_size);
  return 0;
}
