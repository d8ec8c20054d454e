// The limits of util/limits.h whose boundary a loopback test cannot hit to the byte: the pause
// buffer and the decompression ratio, through the sans-I/O writer stages that enforce them.
#include <doctest/doctest.h>

#include "../support/zlib_compress.h"

#include <memory>
#include <string>
#include <vector>

#include "transfer/cw_decode.h"
#include "transfer/cw_pause.h"
#include "transfer/cw_ratio.h"
#include "util/limits.h"

namespace {

using evm::ClientWriter;
using evm::WriteKind;

// Refuses everything ("paused") until told otherwise; counts what it took.
struct Refusing final : ClientWriter {
  bool take = false;
  uint64_t taken = 0;
  CURLcode write(WriteKind, std::string_view data) override {
    if (!take) return CURLE_AGAIN;
    taken += data.size();
    return CURLE_OK;
  }
};

struct Count final : ClientWriter {
  uint64_t body = 0;
  CURLcode write(WriteKind kind, std::string_view data) override {
    if (kind == WriteKind::Body) body += data.size();
    return CURLE_OK;
  }
};

}  // namespace

TEST_CASE("pause buffer: exactly 64 MiB is held, one byte more is CURLE_TOO_LARGE") {
  static_assert(evm::limits::kPauseBufferBytes == 64 * 1024 * 1024);
  Refusing next;
  evm::PauseState state;
  std::string error;
  evm::PauseWriter pw(next, state, error);
  const std::string mib(1 << 20, 'x');
  CHECK(pw.write(WriteKind::Head, "HTTP/1.1 200 OK\r\n") == CURLE_OK);  // refused: now paused
  CHECK(state.recv);
  // The head's 17 bytes are held too: heads and bodies share the one bound.
  for (int i = 0; i < 63; ++i) REQUIRE(pw.write(WriteKind::Body, mib) == CURLE_OK);
  CHECK(pw.write(WriteKind::Body, std::string((1 << 20) - 17, 'x')) == CURLE_OK);
  CHECK(error.empty());
  CHECK(pw.write(WriteKind::Body, "y") == CURLE_TOO_LARGE);
  CHECK(error == "Paused transfer: more than 67108864 bytes to hold");

  // What was handed over no longer counts: after an unpause the buffer has room again.
  error.clear();
  next.take = true;
  state.recv = false;
  CHECK(pw.flush() == CURLE_OK);
  CHECK(next.taken == evm::limits::kPauseBufferBytes);
  next.take = false;
  CHECK(pw.write(WriteKind::Body, mib) == CURLE_OK);
  CHECK(state.recv);
  CHECK(error.empty());
}

TEST_CASE("decode ratio: 1100 decoded bytes per byte received pass, one more fails") {
  static_assert(evm::limits::kDecodeRatio == 1100);
  static_assert(evm::limits::kDecodeRatioGrace == 1024 * 1024);
  using evm::DecodeRatio;
  // Within the grace any ratio passes, however small the input.
  CHECK(DecodeRatio::within(1, 1 << 20));
  CHECK(DecodeRatio::within(0, 1 << 20));
  CHECK_FALSE(DecodeRatio::within(953, (1 << 20) + 1));  // 953 * 1100 = 1,048,300
  // Past it, exactly the ratio passes and one byte more does not.
  for (uint64_t encoded : {1000ull, 4096ull, 1ull << 30}) {
    CAPTURE(encoded);
    CHECK(DecodeRatio::within(encoded, encoded * 1100));
    CHECK_FALSE(DecodeRatio::within(encoded, encoded * 1100 + 1));
  }
}

TEST_CASE("decode ratio: the guard spans the whole stack of codings") {
  // One layer of 8 MiB zeros (about 1030:1) passes; the same under a second gzip fails once
  // the decoded bytes pass 1 MiB, with nothing beyond that piece delivered.
  const std::string one = evm::test::compress("", 31, 8u << 20);
  std::string error;
  {
    Count sink;
    evm::DecodeStack stack;
    ClientWriter &top = stack.build("gzip", sink, error);
    CURLcode rc = top.write(WriteKind::Body, one);
    while (rc == CURLE_OK && stack.holding()) rc = stack.resume();
    CHECK(rc == CURLE_OK);
    CHECK(sink.body == 8u << 20);
    CHECK(error.empty());
  }
  {
    Count sink;
    evm::DecodeStack stack;
    ClientWriter &top = stack.build("gzip, gzip", sink, error);
    CURLcode rc = top.write(WriteKind::Body, evm::test::compress(one, 31));
    while (rc == CURLE_OK && stack.holding()) rc = stack.resume();
    CHECK(rc == CURLE_BAD_CONTENT_ENCODING);
    CHECK(error.rfind("Decompression ratio over 1100:1 (", 0) == 0);
    CHECK(sink.body <= 1u << 20);
  }
}
