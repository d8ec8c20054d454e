// The response parser's raw_chunked mode (HTTP_TRANSFER_DECODING 0): every byte after the head
// reaches on_body as it came, while the parser still finds the end of the response.
#include <doctest/doctest.h>

#include <string>

#include "http/h1_response_parser.h"

namespace {

struct Sink : evm::h1::ResponseHandler {
  std::string body;
  int trailer_calls = 0;
  bool complete = false;
  bool on_response_head(const evm::h1::ResponseHead &) override { return true; }
  bool on_body(std::string_view d) override {
    body.append(d);
    return true;
  }
  bool on_trailers(const evm::h1::ResponseHead &) override {
    ++trailer_calls;
    return true;
  }
  void on_complete() override { complete = true; }
};

const std::string kHead = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
const std::string kBody = "3;ext=1\r\nhel\r\n2\r\nlo\r\n0\r\nX-T: yes\r\n\r\n";

}  // namespace

TEST_CASE("raw chunked: framing and trailers pass as body, byte by byte or whole") {
  for (size_t piece : {size_t{1}, size_t{3}, size_t{1000}}) {
    CAPTURE(piece);
    evm::h1::ResponseParser p;
    p.begin(false, true);
    Sink s;
    std::string all = kHead + kBody + "HTTP/1.1 200 OK";  // the next response must stay unread
    std::string pending;
    size_t used_total = 0;
    for (size_t i = 0; i < all.size() && !s.complete; i += piece) {
      pending += all.substr(i, piece);
      size_t used = p.feed(pending, s);
      used_total += used;
      pending.erase(0, used);
    }
    CHECK(s.complete);
    CHECK(s.body == kBody);
    CHECK(s.trailer_calls == 0);
    CHECK(used_total == kHead.size() + kBody.size());
  }
}

TEST_CASE("raw chunked off: the same bytes decode as before") {
  evm::h1::ResponseParser p;
  p.begin(false);
  Sink s;
  std::string all = kHead + kBody;
  CHECK(p.feed(all, s) == all.size());
  CHECK(s.body == "hello");
  CHECK(s.trailer_calls == 1);
}
