// Unit tests for the response-handling writer stages: content decoding (one stage per coding,
// output in pieces of at most CURL_MAX_WRITE_SIZE), the size limit and the body discard.
#include <doctest/doctest.h>
#include <zlib.h>

#include "../support/zlib_compress.h"

#include <memory>
#include <string>
#include <vector>

#include "transfer/cw_decode.h"
#include "transfer/cw_discard.h"
#include "transfer/cw_size_limit.h"

namespace {

using evm::ClientWriter;
using evm::WriteKind;

struct Collect final : ClientWriter {
  std::string body, heads;
  size_t calls = 0, largest = 0;
  CURLcode write(WriteKind kind, std::string_view data) override {
    if (kind == WriteKind::Head) {
      heads.append(data);
      return CURLE_OK;
    }
    ++calls;
    largest = std::max(largest, data.size());
    body.append(data);
    return CURLE_OK;
  }
};

std::string gzip(const std::string &in, int window_bits = 31) {
  return evm::test::compress(in, window_bits);
}

// Writes `data` through the chain in pieces of `piece` bytes, running more turns while the
// stack keeps input past a turn's budget, as a transfer does.
CURLcode feed(evm::DecodeStack &stack, ClientWriter &top, const std::string &data, size_t piece) {
  for (size_t i = 0; i < data.size(); i += piece) {
    if (CURLcode rc = top.write(WriteKind::Body, std::string_view(data).substr(i, piece)))
      return rc;
    while (stack.holding())
      if (CURLcode rc = stack.resume()) return rc;
  }
  return CURLE_OK;
}

}  // namespace

TEST_CASE("decode stages: codings are undone last-applied first, heads pass untouched") {
  std::string text(100000, 'a');
  for (size_t i = 0; i < text.size(); i += 7) text[i] = static_cast<char>('a' + i % 26);
  std::string error;
  // (A pair, not a structured binding: clang 14 cannot capture bindings in CAPTURE's lambda.)
  for (const auto &coding : std::vector<std::pair<std::string, std::string>>{
           {"gzip", gzip(text)},
           {"x-gzip", gzip(text)},
           {"deflate", gzip(text, 15)},
           {"deflate", gzip(text, -15)},
           {"gzip, gzip", gzip(gzip(text))},
           {"deflate, gzip", gzip(gzip(text, 15))},
           {"identity, gzip", gzip(text)},
           {" GZIP ", gzip(text)},
       }) {
    const std::string &value = coding.first;
    const std::string &data = coding.second;
    CAPTURE(value);
    Collect sink;
    evm::DecodeStack stack;
    ClientWriter &top = stack.build(value, sink, error);
    CHECK(top.write(WriteKind::Head, "HTTP/1.1 200 OK\r\n\r\n") == CURLE_OK);
    CHECK(feed(stack, top, data, 1000) == CURLE_OK);
    CHECK(sink.body == text);
    CHECK(sink.heads == "HTTP/1.1 200 OK\r\n\r\n");
    CHECK(sink.largest <= CURL_MAX_WRITE_SIZE);
  }
}

TEST_CASE(
    "decode stages: identity alone adds nothing; unknown codings fail at the first body byte") {
  std::string error;
  Collect sink;
  evm::DecodeStack plain;
  CHECK(&plain.build("identity", sink, error) == &sink);
  CHECK_FALSE(plain.holding());

  evm::DecodeStack brotli;
  ClientWriter &top = brotli.build("br", sink, error);
  CHECK(top.write(WriteKind::Head, "HTTP/1.1 200 OK\r\n\r\n") == CURLE_OK);
  CHECK(top.write(WriteKind::Body, "x") == CURLE_BAD_CONTENT_ENCODING);
  CHECK(error ==
        "Unrecognized content encoding type. libcurl understands deflate, gzip content "
        "encodings.");

  error.clear();
  evm::DecodeStack stack;
  ClientWriter &six = stack.build("gzip,gzip,gzip,gzip,gzip,gzip", sink, error);
  CHECK(six.write(WriteKind::Body, "x") == CURLE_BAD_CONTENT_ENCODING);
  CHECK(error == "Reject response due to more than 5 content encodings");
}

TEST_CASE("decode stages: corrupt data ends with CURLE_BAD_CONTENT_ENCODING and zlib's reason") {
  std::string data = gzip(std::string(5000, 'z'));
  data.replace(10, 8, "garbage!");
  std::string error;
  Collect sink;
  evm::DecodeStack stack;
  ClientWriter &top = stack.build("gzip", sink, error);
  CHECK(feed(stack, top, data, 4) == CURLE_BAD_CONTENT_ENCODING);
  CHECK(error.rfind("Error while processing content unencoding: ", 0) == 0);
}

TEST_CASE("size limit: a bomb stops once the decoded bytes pass MAXFILESIZE") {
  std::string data = gzip(std::string(64 << 20, '\0'));
  std::string error;
  Collect sink;
  evm::SizeLimitWriter limit(sink, error);
  limit.set_limit(1 << 20);
  evm::DecodeStack stack;
  ClientWriter &top = stack.build("gzip", limit, error);
  CHECK(feed(stack, top, data, data.size()) == CURLE_FILESIZE_EXCEEDED);
  CHECK(error == "Maximum file size exceeded");
  CHECK(sink.body.size() == 1 << 20);
  CHECK(limit.delivered() <= (1 << 20) + CURL_MAX_WRITE_SIZE);
}

TEST_CASE("size limit and discard: counting, no limit, heads through") {
  std::string error;
  Collect sink;
  evm::SizeLimitWriter limit(sink, error);
  CHECK(limit.write(WriteKind::Body, std::string(1000, 'x')) == CURLE_OK);
  CHECK(limit.delivered() == 1000);
  limit.set_limit(1000);
  CHECK(limit.write(WriteKind::Head, "H: v\r\n\r\n") == CURLE_OK);
  CHECK(limit.write(WriteKind::Body, "y") == CURLE_FILESIZE_EXCEEDED);

  Collect after;
  evm::DiscardBodyWriter discard(after);
  CHECK(discard.write(WriteKind::Head, "HTTP/1.1 416 x\r\n\r\n") == CURLE_OK);
  CHECK(discard.write(WriteKind::Body, "ignored") == CURLE_OK);
  CHECK(after.body.empty());
  CHECK(after.heads == "HTTP/1.1 416 x\r\n\r\n");
}
