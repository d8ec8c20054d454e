// Unit tests for the decode stack's per-turn budget (limits::kDecodeTurnBytes): one turn hands
// on at most the budget plus one buffer, the undecoded rest follows in later turns in order
// (trailers after it), and nothing decodes while the application has paused receiving.
#include <doctest/doctest.h>

#include "../support/zlib_compress.h"

#include <algorithm>
#include <string>
#include <vector>

#include "transfer/cw_decode.h"

namespace {

using evm::ClientWriter;
using evm::WriteKind;

constexpr size_t kTurnBound = evm::limits::kDecodeTurnBytes + CURL_MAX_WRITE_SIZE;

struct Record final : ClientWriter {
  std::string body, trailers;
  size_t body_before_trailers = 0;  // body bytes that came before the trailers
  size_t turn = 0;                  // bytes of the current turn
  CURLcode write(WriteKind kind, std::string_view data) override {
    if (kind == WriteKind::Trailer) {
      trailers.append(data);
      body_before_trailers = body.size();
      return CURLE_OK;
    }
    body.append(data);
    turn += data.size();
    return CURLE_OK;
  }
};

// Mildly compressible text (about 2:1), so stacked codings stay within the ratio guard.
std::string text(size_t n) {
  std::string s(n, ' ');
  uint32_t x = 12345;
  for (char &c : s) {
    x = x * 1103515245u + 12345u;
    c = static_cast<char>('a' + (x >> 16) % 16);
  }
  return s;
}

// Runs turns until the stack keeps nothing; every turn within the bound. Returns the turns run.
size_t finish(evm::DecodeStack &stack, Record &sink) {
  size_t turns = 0;
  while (stack.holding()) {
    sink.turn = 0;
    REQUIRE(stack.resume() == CURLE_OK);
    CHECK(sink.turn <= kTurnBound);
    ++turns;
  }
  return turns;
}

}  // namespace

TEST_CASE("decode turn: 8 MiB from 8 KB stops at the budget and follows in later turns") {
  const size_t size = size_t{8} << 20;
  std::string data = evm::test::compress("", 31, size);
  std::string error;
  Record sink;
  evm::DecodeStack stack;
  ClientWriter &top = stack.build("gzip", sink, error);
  REQUIRE(top.write(WriteKind::Body, data) == CURLE_OK);
  CHECK(sink.body.size() >= evm::limits::kDecodeTurnBytes);
  CHECK(sink.body.size() <= kTurnBound);
  CHECK(stack.holding());
  // A trailer block that arrives while body bytes are kept waits behind them.
  REQUIRE(top.write(WriteKind::Trailer, "X-Sum: 1\r\n") == CURLE_OK);
  CHECK(sink.trailers.empty());
  size_t turns = finish(stack, sink);
  CHECK(turns >= 7);
  CHECK(sink.body == std::string(size, '\0'));
  CHECK(sink.trailers == "X-Sum: 1\r\n");
  CHECK(sink.body_before_trailers == size);
}

TEST_CASE("decode turn: stacked codings share one budget and keep their order") {
  const std::string plain = text(size_t{6} << 20);
  std::string data = evm::test::compress(evm::test::compress(plain, 15), 31);
  for (size_t piece : {data.size(), size_t{1000}}) {
    CAPTURE(piece);
    std::string error;
    Record sink;
    evm::DecodeStack stack;
    ClientWriter &top = stack.build("deflate, gzip", sink, error);
    size_t turns = 0;
    for (size_t at = 0; at < data.size(); at += piece) {
      sink.turn = 0;
      REQUIRE(top.write(WriteKind::Body, std::string_view(data).substr(at, piece)) == CURLE_OK);
      CHECK(sink.turn <= kTurnBound);
      turns += finish(stack, sink);
    }
    CHECK(turns >= 5);
    CHECK(error.empty());
    CHECK(sink.body == plain);
  }
}

TEST_CASE("decode turn: nothing decodes while receiving is paused; the input waits") {
  std::string data = evm::test::compress(text(100000), 31);
  evm::PauseState pause;
  std::string error;
  Record sink;
  evm::DecodeStack stack(&pause);
  ClientWriter &top = stack.build("gzip", sink, error);
  pause.recv = true;
  REQUIRE(top.write(WriteKind::Body, data) == CURLE_OK);
  REQUIRE(stack.resume() == CURLE_OK);
  CHECK(sink.body.empty());
  CHECK(stack.holding());
  pause.recv = false;
  finish(stack, sink);
  CHECK(sink.body == text(100000));
}
