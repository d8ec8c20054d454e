// CURLOPT_BUFFERSIZE and CURLOPT_UPLOAD_BUFFERSIZE as the HTTP/1.1 exchange applies them: bytes
// per read of the response, body bytes per send of the request.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "event/socket_registry.h"
#include "http/h1_exchange.h"
#include "memory_filter.h"
#include "standalone_filter_context.h"
#include "util/trace.h"

namespace {

// Serves `upload` as the request body and notes the size of every piece it is asked for and
// every body piece it gets.
struct SizeSink final : evm::ExchangeSink {
  std::string upload;
  size_t pos = 0;
  std::vector<size_t> offered, received;

  bool on_head(const evm::h1::ResponseHead &) override { return true; }
  bool on_body(std::string_view d) override {
    received.push_back(d.size());
    return true;
  }
  bool on_trailers(const evm::h1::ResponseHead &) override { return true; }
  void on_complete() override {}
  evm::BodyRead read_body(std::span<char> buf) override {
    offered.push_back(buf.size());
    size_t n = std::min(buf.size(), upload.size() - pos);
    std::memcpy(buf.data(), upload.data() + pos, n);
    pos += n;
    return evm::BodyRead{evm::BodyRead::Data, n, pos == upload.size()};
  }
};

struct Rig : evm::test::StandaloneFilterContext {
  evm::test::MemoryFilter filter;
  evm::H1Exchange ex;
  SizeSink sink;
  std::vector<char> scratch = std::vector<char>(64 * 1024);

  evm::Exchange::Status run() {
    evm::Exchange::Status s;
    while ((s = ex.on_io(filter, ctx, CURL_CSELECT_IN | CURL_CSELECT_OUT, scratch)) ==
           evm::Exchange::Status::CarryOn) {
    }
    return s;
  }
};

const std::string kHead = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";

}  // namespace

TEST_CASE("UPLOAD_BUFFERSIZE sets the body bytes taken per send") {
  Rig r;
  r.sink.upload = std::string(100000, 'u');
  r.ex.set_io_sizes(0, 16 * 1024);
  r.ex.start(evm::ExchangeRequest{kHead, 100000, false}, r.sink);
  r.filter.push_input("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK(r.run() == evm::Exchange::Status::Complete);
  REQUIRE(!r.filter.send_calls.empty());
  CHECK(r.filter.send_calls[0] == kHead.size() + 16 * 1024);
  for (size_t n : r.sink.offered) CHECK(n == 16 * 1024);
  CHECK(r.filter.sent == kHead + r.sink.upload);
}

TEST_CASE("BUFFERSIZE: reads no more than asked, or more than the lent buffer with its own") {
  std::string body(200000, 'b');
  std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 200000\r\n\r\n" + body;
  for (size_t size : {size_t{0}, size_t{1024}, size_t{1024 * 1024}}) {
    CAPTURE(size);
    Rig r;
    r.ex.set_io_sizes(size, 0);
    r.ex.start(evm::ExchangeRequest{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", -1, false}, r.sink);
    r.filter.push_input(response);
    CHECK(r.run() == evm::Exchange::Status::Complete);
    size_t largest = *std::max_element(r.sink.received.begin(), r.sink.received.end());
    if (size == 1024) CHECK(largest <= 1024);
    if (size == 0) CHECK(largest <= r.scratch.size());
    // Larger than the lent 64 KiB buffer: one read takes the rest of the body at once.
    if (size == 1024 * 1024) CHECK(largest > r.scratch.size());
  }
}
