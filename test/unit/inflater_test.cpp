#include "http/inflater.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include "../support/zlib_compress.h"

#include <string>
#include <vector>

using evm::http::Inflater;

namespace {

using evm::test::compress;

// Feeds `in` in pieces of `piece` bytes with an output buffer of `room`; collects everything.
std::string inflate_all(Inflater &inf, std::string_view in, size_t piece, size_t room,
                        size_t *max_out = nullptr) {
  std::string out;
  std::vector<char> buf(room);
  while (!in.empty()) {
    std::string_view part = in.substr(0, piece);
    for (;;) {
      Inflater::Step s = inf.run(part, buf);
      if (s.failed) return "FAILED: " + inf.error();
      if (max_out && s.produced > *max_out) *max_out = s.produced;
      out.append(buf.data(), s.produced);
      part.remove_prefix(s.consumed);
      if (s.produced < buf.size() && (part.empty() || s.consumed == 0)) break;
    }
    in.remove_prefix(std::min(piece, in.size()));
  }
  return out;
}

std::string sample() {
  std::string s;
  for (int i = 0; i < 5000; ++i) s += "line " + std::to_string(i) + " of the sample text\n";
  return s;
}

}  // namespace

TEST_CASE("inflater: gzip, zlib and raw deflate come back whole, whatever the piece sizes") {
  std::string text = sample();
  for (size_t piece : {size_t{1}, size_t{7}, size_t{4096}, size_t{1} << 20}) {
    CAPTURE(piece);
    Inflater gz(Inflater::Format::Gzip);
    CHECK(inflate_all(gz, compress(text, 31), piece, 1000) == text);
    CHECK(gz.ended());
    Inflater gz_zlib(Inflater::Format::Gzip);  // zlib data labelled gzip still decodes
    CHECK(inflate_all(gz_zlib, compress(text, 15), piece, 1000) == text);
    Inflater zl(Inflater::Format::Deflate);
    CHECK(inflate_all(zl, compress(text, 15), piece, 1000) == text);
    // Raw deflate is recognised in the first piece, which must hold more than the two bytes
    // a zlib header would take (libcurl has the same limit).
    if (piece > 2) {
      Inflater raw(Inflater::Format::Deflate);
      CHECK(inflate_all(raw, compress(text, -15), piece, 1000) == text);
    }
  }
}

TEST_CASE("inflater: output never exceeds the caller's buffer, even for a bomb") {
  std::string zeros(8 << 20, '\0');
  std::string bomb = compress(zeros, 31);
  CHECK(bomb.size() < zeros.size() / 500);
  Inflater inf(Inflater::Format::Gzip);
  size_t max_out = 0;
  std::string out = inflate_all(inf, bomb, bomb.size(), 16384, &max_out);
  CHECK(out.size() == zeros.size());
  CHECK(max_out == 16384);
}

TEST_CASE("inflater: corrupt data fails with zlib's reason in libcurl's words") {
  std::string gz = compress(sample(), 31);
  gz.replace(10, 20, std::string(20, 'x'));
  Inflater inf(Inflater::Format::Gzip);
  std::string out = inflate_all(inf, gz, gz.size(), 16384);
  CHECK(out.rfind("FAILED: Error while processing content unencoding: ", 0) == 0);
  CHECK(out.size() > std::string("FAILED: Error while processing content unencoding: ").size());

  Inflater not_gzip(Inflater::Format::Gzip);
  CHECK(inflate_all(not_gzip, "this is not compressed at all", 100, 100).rfind("FAILED", 0) == 0);
  // A deflate stream that is neither zlib nor raw deflate fails after the raw retry too.
  Inflater junk(Inflater::Format::Deflate);
  CHECK(inflate_all(junk, std::string(64, '\xff'), 64, 100).rfind("FAILED", 0) == 0);
}

TEST_CASE("inflater: bytes after the end of the stream are ignored") {
  std::string gz = compress("hello", 31) + "trailing garbage";
  Inflater inf(Inflater::Format::Gzip);
  CHECK(inflate_all(inf, gz, 3, 100) == "hello");
  CHECK(inf.ended());
}
