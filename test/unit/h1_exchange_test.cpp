// Unit tests for the HTTP/1.1 exchange, sans I/O: a memory filter supplies the response bytes and
// records what is sent; a recording sink supplies the request body and records the events.
#include "http/h1_exchange.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "event/socket_registry.h"
#include "memory_filter.h"
#include "standalone_filter_context.h"
#include "util/trace.h"

namespace {

using evm::BodyRead;
using evm::ExchangeRequest;
using evm::H1Exchange;
using evm::test::MemoryFilter;
using Status = evm::Exchange::Status;

// Records the events as text (consecutive body pieces merged, so differently split input gives
// the same list) and serves the request body from `upload`.
struct RecordingSink final : evm::ExchangeSink {
  std::vector<std::string> events;
  std::vector<int> statuses;
  std::string body;
  int body_calls = 0;
  int completes = 0;
  bool stop_in_body = false;

  std::string upload;
  size_t upload_pos = 0;
  bool paused = false;
  bool abort_read = false;
  int reads = 0;
  std::vector<size_t> read_sizes;  // the buffer size offered to each read_body
  bool recv_pause = false;         // answers recv_paused()

  bool recv_paused() const override { return recv_pause; }

  bool on_head(const evm::h1::ResponseHead &head) override {
    statuses.push_back(head.status);
    events.push_back("head " + std::to_string(head.status) + " " + std::string(head.raw));
    return true;
  }
  bool on_body(std::string_view data) override {
    ++body_calls;
    body.append(data);
    if (!events.empty() && events.back().rfind("body ", 0) == 0)
      events.back().append(data);
    else
      events.push_back("body " + std::string(data));
    return !stop_in_body;
  }
  bool on_trailers(const evm::h1::ResponseHead &t) override {
    events.push_back("trailers " + std::string(t.raw));
    return true;
  }
  void on_complete() override {
    ++completes;
    events.push_back("complete");
  }
  BodyRead read_body(std::span<char> buf) override {
    ++reads;
    read_sizes.push_back(buf.size());
    if (abort_read) return BodyRead{BodyRead::Abort, 0, false};
    if (paused) return BodyRead{BodyRead::Paused, 0, false};
    size_t n = std::min(buf.size(), upload.size() - upload_pos);
    std::memcpy(buf.data(), upload.data() + upload_pos, n);
    upload_pos += n;
    return BodyRead{BodyRead::Data, n, upload_pos == upload.size()};
  }
};

// One exchange on one memory filter, with everything a filter call needs.
struct Harness : evm::test::StandaloneFilterContext {
  MemoryFilter filter;
  H1Exchange ex;
  RecordingSink sink;
  std::vector<char> scratch = std::vector<char>(16 * 1024);

  void start(const std::string &head, int64_t body_size = -1, bool head_request = false) {
    ex.start(ExchangeRequest{head, body_size, head_request}, sink);
  }
  Status io(int cselect) { return ex.on_io(filter, ctx, cselect, scratch); }
  // on_io with CURL_CSELECT_IN until it stops carrying on.
  Status io_in() {
    Status s;
    while ((s = io(CURL_CSELECT_IN)) == Status::CarryOn) {
    }
    return s;
  }
  int polled_events() const {
    evm::Pollset ps;
    ex.add_pollset(filter, ps);
    return ps.events_of(filter.socket());
  }
};

const std::string kGet = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
const std::string kOk = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

std::string post_head(size_t body_size) {
  return "POST /up HTTP/1.1\r\nHost: example\r\nContent-Length: " + std::to_string(body_size) +
         "\r\n\r\n";
}

// Bytes that differ from position to position, so a misplaced piece cannot go unnoticed.
std::string pattern(size_t n, unsigned seed = 7) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (size_t i = 0; i < n; ++i) {
    x = x * 1103515245u + 12345u;
    s[i] = static_cast<char>(x >> 16);
  }
  return s;
}

}  // namespace

TEST_CASE("a request head and a small body go out in one send call") {
  Harness h;
  std::string head = post_head(5);
  h.sink.upload = "hello";
  h.start(head, 5);
  head.replace(0, 4, "XXXX");  // start() copied the head
  CHECK(h.io(0) == Status::Wait);
  REQUIRE(h.filter.send_calls.size() == 1);
  CHECK(h.filter.sent == post_head(5) + "hello");
  CHECK(h.ex.request_sent());
  CHECK(h.ex.request_bytes_sent() == post_head(5).size() + 5);
  CHECK(h.ex.body_bytes_sent() == 5);
  CHECK(h.sink.reads == 1);
}

TEST_CASE("a request without a body sends only its head") {
  Harness h;
  h.start(kGet);
  CHECK(h.io(0) == Status::Wait);
  CHECK(h.filter.sent == kGet);
  CHECK(h.sink.reads == 0);
  CHECK(h.ex.request_sent());
  CHECK(h.ex.request_bytes_sent() == kGet.size());
  CHECK(h.ex.body_bytes_sent() == 0);
}

TEST_CASE("a 1 MiB body goes out in pieces and the byte counts add up") {
  Harness h;
  const std::string body = pattern(1024 * 1024);
  const std::string head = post_head(body.size());
  h.sink.upload = body;
  h.filter.send_limit = 10000;
  h.filter.send_capacity = 150000;
  h.start(head, static_cast<int64_t>(body.size()));

  int turns = 0;
  while (!h.ex.request_sent()) {
    REQUIRE(++turns < 100);
    CHECK(h.io(CURL_CSELECT_OUT) == Status::Wait);
    // Whatever the filter took is counted, head first.
    CHECK(h.ex.request_bytes_sent() == h.filter.sent.size());
    CHECK(h.ex.body_bytes_sent() == h.filter.sent.size() - head.size());
    if (!h.ex.request_sent()) {
      CHECK((h.polled_events() & CURL_POLL_OUT) != 0);
      h.filter.send_capacity = 150000;  // the socket drained
    }
  }
  // Every turn filled the socket: 1 MiB plus the head at 150000 bytes a turn.
  CHECK(turns == static_cast<int>((head.size() + body.size() + 149999) / 150000));
  CHECK(h.filter.sent == head + body);
  CHECK(h.ex.request_bytes_sent() == head.size() + body.size());
  CHECK(h.ex.body_bytes_sent() == body.size());
  // The first piece of the body travels with the head, and no piece is larger than kSendChunk.
  CHECK(h.filter.send_calls[0] == head.size() + H1Exchange::kSendChunk);
  for (size_t s : h.sink.read_sizes) CHECK(s <= H1Exchange::kSendChunk);
  CHECK(h.sink.reads == 16);
  CHECK((h.polled_events() & CURL_POLL_OUT) == 0);
  CHECK((h.polled_events() & CURL_POLL_IN) != 0);
}

TEST_CASE("body_bytes_sent counts nothing before the head is all out") {
  Harness h;
  const std::string head = post_head(5);
  h.sink.upload = "hello";
  h.filter.send_capacity = 10;
  h.start(head, 5);
  CHECK(h.ex.request_bytes_sent() == 0);
  CHECK(h.ex.body_bytes_sent() == 0);  // nothing sent yet
  CHECK(h.io(CURL_CSELECT_OUT) == Status::Wait);
  CHECK(h.ex.request_bytes_sent() == 10);
  CHECK(h.ex.body_bytes_sent() == 0);
  CHECK_FALSE(h.ex.request_sent());
}

TEST_CASE("a request that just went out is not followed by a read that would find nothing") {
  Harness h;
  h.filter.push_input(kOk);  // even when an answer is there, no event announced it

  SUBCASE("no socket event") {
    h.start(kGet);
    CHECK(h.io(0) == Status::Wait);
    CHECK(h.filter.recv_calls == 0);
    CHECK(h.sink.events.empty());
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
  }
  SUBCASE("writable only") {
    h.start(kGet);
    CHECK(h.io(CURL_CSELECT_OUT) == Status::Wait);
    CHECK(h.filter.recv_calls == 0);
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
  }
  SUBCASE("readable") {
    h.start(kGet);
    CHECK(h.io(CURL_CSELECT_IN | CURL_CSELECT_OUT) == Status::Complete);
    CHECK(h.filter.recv_calls == 1);
  }
  SUBCASE("the filter holds data no socket event announces") {
    h.filter.pending = true;
    h.start(kGet);
    CHECK(h.io(0) == Status::Complete);
    CHECK(h.filter.recv_calls == 1);
  }
  CHECK(h.sink.body == "hello");
}

TEST_CASE("once the request is out, a call without socket events reads") {
  Harness h;
  h.start(kGet);
  CHECK(h.io(0) == Status::Wait);
  CHECK(h.filter.recv_calls == 0);
  CHECK(h.io(0) == Status::Wait);  // nothing there yet: CURLE_AGAIN
  CHECK(h.filter.recv_calls == 1);
  h.filter.push_input(kOk);
  CHECK(h.io(0) == Status::Complete);
  CHECK(h.sink.body == "hello");
}

TEST_CASE("a response split across two reads at every byte position gives the same events") {
  const std::string responses[] = {
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\n\r\n"
      "5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-T: done\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
      "HTTP/1.1 204 No Content\r\nX-B: 2\r\n\r\n",
  };
  for (const std::string &resp : responses) {
    Harness whole;
    whole.start(kGet);
    whole.filter.push_input(resp);
    REQUIRE(whole.io(CURL_CSELECT_IN) == Status::Complete);
    REQUIRE(whole.ex.reusable());
    const std::vector<std::string> expected = whole.sink.events;

    for (size_t cut = 1; cut < resp.size(); ++cut) {
      CAPTURE(resp);
      CAPTURE(cut);
      Harness h;
      h.start(kGet);
      h.filter.push_input(resp.substr(0, cut));
      h.filter.push_input(resp.substr(cut));
      CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
      CHECK(h.sink.events == expected);
      CHECK(h.ex.reusable());
      CHECK(h.filter.recv_calls == 2);
    }
    // One byte per read.
    Harness h;
    h.filter.recv_limit = 1;
    h.start(kGet);
    h.filter.push_input(resp);
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
    CHECK(h.sink.events == expected);
    CHECK(h.ex.reusable());
  }
}

TEST_CASE("completion is reported once, also when the peer closes after the response") {
  Harness h;
  h.start(kGet);
  h.filter.push_input("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
  CHECK(h.io(CURL_CSELECT_IN) == Status::Wait);
  h.filter.push_input("world");
  h.filter.push_eof();
  CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
  CHECK(h.sink.body == "helloworld");
  CHECK(h.ex.reusable());
  CHECK(h.ex.code() == CURLE_OK);
  // Two reads and a CURLE_AGAIN, then one read that ended the response: the EOF behind it was
  // not read in this exchange.
  CHECK(h.filter.recv_calls == 3);
}

TEST_CASE("the sink hears on_complete exactly once, when the response is whole") {
  // exchange.h: Status::Complete means "the response is whole (the sink has had on_complete)".
  Harness h;
  std::vector<Status> statuses;
  auto run = [&] {
    statuses.push_back(h.io(CURL_CSELECT_IN));
    if (statuses.back() != Status::Complete) CHECK(h.sink.completes == 0);
  };
  SUBCASE("Content-Length, in pieces") {
    h.start(kGet);
    CHECK(h.io(0) == Status::Wait);
    h.filter.push_input("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhello");
    run();
    h.filter.push_input("world");
    h.filter.push_eof();
    run();
  }
  SUBCASE("chunked with trailers") {
    h.start(kGet);
    h.filter.push_input("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
    run();
    h.filter.push_input("0\r\nX-T: 1\r\n\r\n");
    run();
  }
  SUBCASE("close-delimited") {
    h.start(kGet);
    h.filter.push_input("HTTP/1.1 200 OK\r\n\r\nabc");
    run();
    h.filter.push_eof();
    run();
  }
  SUBCASE("no body") {
    h.start(kGet);
    h.filter.push_input("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
    run();
  }
  REQUIRE(!statuses.empty());
  CHECK(statuses.back() == Status::Complete);
  CHECK(std::count(statuses.begin(), statuses.end(), Status::Complete) == 1);
  CHECK(h.sink.completes == 1);
  REQUIRE(!h.sink.events.empty());
  CHECK(h.sink.events.back() == "complete");
}

TEST_CASE("a close-delimited body completes at EOF and the connection is not reused") {
  Harness h;
  h.start(kGet);
  h.filter.push_input("HTTP/1.1 200 OK\r\n\r\nsome");
  h.filter.push_input(" bytes");
  CHECK(h.io(CURL_CSELECT_IN) == Status::Wait);
  CHECK(h.sink.completes == 0);
  h.filter.push_eof();
  CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
  CHECK(h.sink.body == "some bytes");
  CHECK_FALSE(h.ex.reusable());
}

TEST_CASE("reusable(): keep-alive yes, Connection: close no, bytes past the response no") {
  Harness h;
  h.start(kGet);
  CHECK_FALSE(h.ex.reusable());  // not before the response is whole

  SUBCASE("keep-alive") {
    h.filter.push_input(kOk);
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
    CHECK(h.ex.reusable());
  }
  SUBCASE("HTTP/1.0 with keep-alive") {
    h.filter.push_input(
        "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello");
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
    CHECK(h.ex.reusable());
  }
  SUBCASE("Connection: close") {
    h.filter.push_input("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 5\r\n\r\nhello");
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
    CHECK_FALSE(h.ex.reusable());
  }
  SUBCASE("excess bytes in the read that completed the response") {
    h.filter.push_input(kOk + "HTTP/1.1 200 OK\r\n");
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
    CHECK(h.sink.body == "hello");
    CHECK_FALSE(h.ex.reusable());
  }
  SUBCASE("excess bytes behind a head that was split across reads") {
    h.filter.push_input("HTTP/1.1 200 OK\r\nContent-");
    h.filter.push_input("Length: 5\r\n\r\nhelloX");
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
    CHECK(h.sink.body == "hello");
    CHECK_FALSE(h.ex.reusable());
  }
  SUBCASE("excess bytes behind a chunked body") {
    h.filter.push_input("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
    h.filter.push_input("3\r\nabc\r\n0\r\n\r\n\r\n");
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
    CHECK(h.sink.body == "abc");
    CHECK_FALSE(h.ex.reusable());
  }
}

TEST_CASE("a response to HEAD has no body whatever its Content-Length says") {
  Harness h;
  h.start("HEAD / HTTP/1.1\r\nHost: example\r\n\r\n", -1, true);
  h.filter.push_input("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
  CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
  CHECK(h.sink.body_calls == 0);
  CHECK(h.ex.reusable());
}

TEST_CASE("a server faster than the turn budget gets CarryOn, and the next call goes on") {
  Harness h;
  const std::string body = pattern(3 * 1024 * 1024 + 12345);
  const std::string resp =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  for (size_t at = 0; at < resp.size(); at += 64 * 1024)
    h.filter.push_input(resp.substr(at, 64 * 1024));
  h.start(kGet);
  CHECK(h.io(0) == Status::Wait);  // the request goes out

  std::vector<Status> statuses;
  size_t left = h.filter.input_left();
  int cselect = CURL_CSELECT_IN;
  for (;;) {
    REQUIRE(statuses.size() < 20);
    Status s = h.io(cselect);
    statuses.push_back(s);
    size_t consumed = left - h.filter.input_left();
    left = h.filter.input_left();
    if (s != Status::CarryOn) break;
    // A whole budget was read, and not more than one read beyond it.
    CHECK(consumed >= H1Exchange::kTurnBudget);
    CHECK(consumed < H1Exchange::kTurnBudget + h.scratch.size());
    CHECK(h.sink.completes == 0);
    // Body bytes so far are exactly the start of the body.
    CHECK(h.sink.body.size() <= body.size());
    CHECK(h.sink.body == body.substr(0, h.sink.body.size()));
    cselect = 0;  // the next turn comes from a timer, not from the socket
  }
  REQUIRE(statuses.size() >= 4);
  CHECK(statuses.back() == Status::Complete);
  CHECK(std::count(statuses.begin(), statuses.end(), Status::CarryOn) ==
        static_cast<long>(statuses.size()) - 1);
  CHECK(h.sink.body.size() == body.size());
  CHECK(h.sink.body == body);
  CHECK(h.filter.input_left() == 0);
  CHECK(h.ex.reusable());
}

TEST_CASE("an early final response while the body is blocked ends the exchange") {
  Harness h;
  const std::string body = pattern(1024 * 1024);
  h.sink.upload = body;
  h.filter.send_capacity = 100000;
  h.start(post_head(body.size()), static_cast<int64_t>(body.size()));
  CHECK(h.io(CURL_CSELECT_OUT) == Status::Wait);
  CHECK_FALSE(h.ex.request_sent());
  CHECK((h.polled_events() & (CURL_POLL_IN | CURL_POLL_OUT)) == CURL_POLL_INOUT);

  SUBCASE("413 with Connection: close") {
    h.filter.push_input(
        "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    CHECK(h.io(CURL_CSELECT_OUT) == Status::Wait);  // not announced: not read
    CHECK(h.filter.recv_calls == 0);
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
  }
  SUBCASE("a keep-alive 200: the unsent rest of the body still rules out reuse") {
    h.filter.push_input("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
    CHECK(h.sink.body == "ok");
  }
  CHECK_FALSE(h.ex.request_sent());
  CHECK(h.filter.sent.size() == 100000);
  CHECK_FALSE(h.ex.reusable());
}

TEST_CASE("while the body is blocked, a response the filter already holds is read") {
  // A TLS filter may hold a decrypted answer that no socket event will announce; the send side
  // is blocked because the server stopped reading. Waiting for an event would wait forever.
  Harness h;
  const std::string body = pattern(1024 * 1024);
  h.sink.upload = body;
  h.filter.send_capacity = 100000;
  h.start(post_head(body.size()), static_cast<int64_t>(body.size()));
  CHECK(h.io(CURL_CSELECT_OUT) == Status::Wait);
  h.filter.push_input(
      "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  h.filter.pending = true;
  CHECK(h.io(0) == Status::Complete);
  CHECK(h.sink.statuses == std::vector<int>{413});
  CHECK_FALSE(h.ex.reusable());
}

TEST_CASE("a send failure: the server's answer if it is there, else CURLE_SEND_ERROR") {
  Harness h;
  const std::string body = pattern(300000);
  h.sink.upload = body;
  h.filter.send_capacity = 70000;
  h.filter.full_error = CURLE_SEND_ERROR;
  h.start(post_head(body.size()), static_cast<int64_t>(body.size()));

  SUBCASE("the full response is readable") {
    h.filter.push_input(
        "HTTP/1.1 413 Payload Too Large\r\nConnection: close\r\nContent-Length: 4\r\n\r\nbig!");
    CHECK(h.io(CURL_CSELECT_OUT) == Status::Complete);
    CHECK(h.sink.statuses == std::vector<int>{413});
    CHECK(h.sink.body == "big!");
    CHECK_FALSE(h.ex.reusable());
  }
  SUBCASE("the keep-alive response is readable: still not reusable") {
    h.filter.push_input("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
    CHECK(h.io(CURL_CSELECT_OUT) == Status::Complete);
    CHECK_FALSE(h.ex.reusable());
  }
  SUBCASE("nothing to read") {
    CHECK(h.io(CURL_CSELECT_OUT) == Status::Failed);
    CHECK(h.ex.code() == CURLE_SEND_ERROR);
    CHECK(h.sink.completes == 0);
  }
  SUBCASE("only part of a response") {
    h.filter.push_input("HTTP/1.1 413 Payload");
    CHECK(h.io(CURL_CSELECT_OUT) == Status::Failed);
    CHECK(h.ex.code() == CURLE_SEND_ERROR);
  }
  SUBCASE("the peer closed without a word") {
    h.filter.push_eof();
    CHECK(h.io(CURL_CSELECT_OUT) == Status::Failed);
    CHECK(h.ex.code() == CURLE_SEND_ERROR);
    CHECK_FALSE(h.ex.response_started());
  }
  CHECK(h.filter.sent.size() == 70000);
  CHECK(h.ex.request_bytes_sent() == 70000);
}

TEST_CASE("EOF before any byte of the response: CURLE_GOT_NOTHING") {
  Harness h;
  h.start(kGet);
  CHECK(h.io(0) == Status::Wait);
  h.filter.push_eof();
  CHECK(h.io(CURL_CSELECT_IN) == Status::Failed);
  CHECK(h.ex.code() == CURLE_GOT_NOTHING);
  CHECK_FALSE(h.ex.response_started());
  CHECK(h.error == "Empty reply from server");
  CHECK(h.sink.events.empty());
  CHECK_FALSE(h.ex.reusable());
}

TEST_CASE("a bad status line fails as libcurl 7.88 does: CURLE_UNSUPPORTED_PROTOCOL") {
  for (const char *line : {"HTTP/1.1 2x0 OK\r\n", "HTTP/1.2 200 OK\r\n"}) {
    CAPTURE(line);
    Harness h;
    h.start(kGet);
    h.filter.push_input(line);
    CHECK(h.io(CURL_CSELECT_IN) == Status::Failed);
    CHECK(h.ex.code() == CURLE_UNSUPPORTED_PROTOCOL);
  }
}

TEST_CASE("EOF inside the head: a weird reply, and the response had started") {
  Harness h;
  h.start(kGet);
  h.filter.push_input("HTTP/1.1 200 OK\r\nContent-Le");
  h.filter.push_eof();
  CHECK(h.io(CURL_CSELECT_IN) == Status::Failed);
  CHECK(h.ex.code() == CURLE_WEIRD_SERVER_REPLY);
  CHECK(h.ex.response_started());
  CHECK(h.sink.events.empty());
}

TEST_CASE("EOF inside a Content-Length body: CURLE_PARTIAL_FILE with the bytes remaining") {
  Harness h;
  h.start(kGet);
  h.filter.push_input("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  h.filter.push_eof();
  CHECK(h.io(CURL_CSELECT_IN) == Status::Failed);
  CHECK(h.ex.code() == CURLE_PARTIAL_FILE);
  CHECK(h.error == "transfer closed with 7 bytes remaining to read");
  CHECK(h.ex.response_started());
  CHECK(h.sink.body == "abc");
  CHECK(h.sink.completes == 0);
  CHECK_FALSE(h.ex.reusable());
}

TEST_CASE("EOF inside a chunked body: CURLE_PARTIAL_FILE") {
  Harness h;
  h.start(kGet);
  h.filter.push_input("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab");
  h.filter.push_eof();
  CHECK(h.io(CURL_CSELECT_IN) == Status::Failed);
  CHECK(h.ex.code() == CURLE_PARTIAL_FILE);
  CHECK(h.error == "transfer closed with outstanding read data remaining");
  CHECK(h.sink.body == "ab");
}

TEST_CASE("a receive error from the filter is the exchange's code") {
  Harness h;
  h.start(kGet);
  h.filter.push_input("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  h.filter.push_error(CURLE_RECV_ERROR);
  CHECK(h.io(CURL_CSELECT_IN) == Status::Failed);
  CHECK(h.ex.code() == CURLE_RECV_ERROR);
  CHECK(h.sink.body == "abc");
}

TEST_CASE("Transfer-Encoding: gzip is refused with CURLE_BAD_CONTENT_ENCODING") {
  Harness h;
  h.start(kGet);
  h.filter.push_input("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b");
  CHECK(h.io(CURL_CSELECT_IN) == Status::Failed);
  CHECK(h.ex.code() == CURLE_BAD_CONTENT_ENCODING);
  CHECK_FALSE(h.error.empty());
  CHECK(h.sink.events.empty());
  CHECK_FALSE(h.ex.reusable());
}

TEST_CASE("a sink that refuses body bytes stops the exchange") {
  Harness h;
  h.sink.stop_in_body = true;
  h.start(kGet);
  h.filter.push_input("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
  h.filter.push_input("defghij");
  CHECK(h.io(CURL_CSELECT_IN) == Status::Stopped);
  CHECK(h.sink.body_calls == 1);
  CHECK(h.sink.body == "abc");
  CHECK(h.sink.completes == 0);
  CHECK(h.filter.recv_calls == 1);  // nothing more was read after the refusal
  CHECK_FALSE(h.ex.reusable());
}

TEST_CASE("a reader that aborts stops the exchange") {
  Harness h;
  h.sink.upload = pattern(200000);
  h.start(post_head(200000), 200000);  // the first piece is read here
  h.sink.abort_read = true;
  CHECK(h.io(CURL_CSELECT_OUT) == Status::Stopped);
  CHECK(h.filter.sent.size() == post_head(200000).size() + H1Exchange::kSendChunk);
}

TEST_CASE("a paused reader leaves the exchange waiting without spinning") {
  Harness h;
  const std::string head = post_head(10);
  h.sink.upload = "0123456789";
  h.sink.paused = true;
  h.start(head, 10);
  CHECK(h.sink.reads == 1);
  CHECK(h.io(CURL_CSELECT_OUT) == Status::Wait);
  CHECK(h.filter.sent == head);  // the head goes; the body has nothing yet
  CHECK(h.sink.reads == 2);      // asked once in this call, not in a loop
  CHECK_FALSE(h.ex.request_sent());
  CHECK(h.io(CURL_CSELECT_OUT) == Status::Wait);
  CHECK(h.sink.reads == 3);
  CHECK(h.filter.send_calls.size() == 1);  // no empty sends
  // Paused, the socket's writability is no news: watching it would wake the loop forever.
  CHECK((h.polled_events() & CURL_POLL_OUT) == 0);
  CHECK((h.polled_events() & CURL_POLL_IN) != 0);

  h.sink.paused = false;
  CHECK(h.io(CURL_CSELECT_OUT) == Status::Wait);
  CHECK(h.filter.sent == head + "0123456789");
  CHECK(h.ex.request_sent());
  CHECK(h.ex.body_bytes_sent() == 10);
}

TEST_CASE("start() after a finished exchange starts afresh") {
  Harness h;
  h.sink.upload = "abc";
  const std::string head = post_head(3);
  h.start(head, 3);

  SUBCASE("after a complete response with bytes left over in the stash") {
    CHECK(h.io(0) == Status::Wait);
    h.filter.push_input("HTTP/1.1 200 OK\r\nContent-Len");
    h.filter.push_input("gth: 2\r\n\r\nokHTTP/1.1 5");  // the tail is stray bytes
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
    CHECK_FALSE(h.ex.reusable());
  }
  SUBCASE("after a failure") {
    CHECK(h.io(0) == Status::Wait);
    h.filter.push_input("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nok");
    h.filter.push_error(CURLE_RECV_ERROR);
    CHECK(h.io(CURL_CSELECT_IN) == Status::Failed);
    CHECK(h.ex.code() == CURLE_RECV_ERROR);
    h.filter.clear_input();
  }
  SUBCASE("in the middle of the body") {
    h.filter.send_capacity = 5;
    CHECK(h.io(0) == Status::Wait);
    CHECK_FALSE(h.ex.request_sent());
    h.filter.send_capacity = MemoryFilter::kUnlimited;
  }
  h.filter.sent.clear();
  h.sink = RecordingSink{};
  h.start(kGet);
  CHECK_FALSE(h.ex.response_started());
  CHECK_FALSE(h.ex.reusable());
  CHECK(h.ex.code() == CURLE_OK);
  CHECK(h.ex.request_bytes_sent() == 0);
  CHECK_FALSE(h.ex.request_sent());
  CHECK(h.io(0) == Status::Wait);
  CHECK(h.filter.sent == kGet);
  CHECK(h.ex.request_bytes_sent() == kGet.size());
  CHECK(h.ex.body_bytes_sent() == 0);
  h.filter.push_input("HTTP/1.1 201 Created\r\nContent-Length: 3\r\n\r\nnew");
  CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
  CHECK(h.sink.statuses == std::vector<int>{201});
  CHECK(h.sink.body == "new");
  CHECK(h.ex.code() == CURLE_OK);
  CHECK(h.ex.reusable());
}

namespace {

Status start_upload(Harness &h, const std::string &head, int64_t size, bool chunked, bool expect,
                    long expect_ms = 60000) {
  ExchangeRequest req{head, size, false};
  req.chunked = chunked;
  req.expect_100 = expect;
  req.expect_100_timeout_ms = expect_ms;
  h.ex.start(req, h.sink);
  return h.io(CURL_CSELECT_OUT);
}

const std::string kPut = "PUT /up HTTP/1.1\r\nHost: example\r\n\r\n";

}  // namespace

TEST_CASE("a body of unknown size goes out in chunks, the last one empty") {
  Harness h;
  SUBCASE("one piece") {
    h.sink.upload = "hello world";
    CHECK(start_upload(h, kPut, -1, true, false) == Status::Wait);
    CHECK(h.filter.sent == kPut + "b\r\nhello world\r\n0\r\n\r\n");
  }
  SUBCASE("no body at all") {
    CHECK(start_upload(h, kPut, -1, true, false) == Status::Wait);
    CHECK(h.filter.sent == kPut + "0\r\n\r\n");
  }
  SUBCASE("pieces larger than a send") {
    h.sink.upload = pattern(H1Exchange::kSendChunk + 10);
    CHECK(start_upload(h, kPut, -1, true, false) == Status::Wait);
    CHECK(h.filter.sent == kPut + "10000\r\n" + h.sink.upload.substr(0, 65536) + "\r\na\r\n" +
                               h.sink.upload.substr(65536) + "\r\n0\r\n\r\n");
  }
  CHECK(h.ex.request_sent());
}

TEST_CASE("Expect: 100-continue holds the body until the 100") {
  Harness h;
  h.sink.upload = "0123456789";
  CHECK(start_upload(h, post_head(10), 10, false, true) == Status::Wait);
  CHECK(h.filter.sent == post_head(10));  // the head alone
  CHECK(h.sink.reads == 0);
  CHECK(h.ex.deadline() != evm::TimePoint::max());
  CHECK((h.polled_events() & CURL_POLL_OUT) == 0);  // nothing to send: not watched
  CHECK((h.polled_events() & CURL_POLL_IN) != 0);
  SUBCASE("the 100 comes: the body follows") {
    h.filter.push_input("HTTP/1.1 100 Continue\r\n\r\n");
    CHECK(h.io(CURL_CSELECT_IN) == Status::Wait);
    CHECK(h.io(CURL_CSELECT_OUT) == Status::Wait);
    CHECK(h.filter.sent == post_head(10) + "0123456789");
    h.filter.push_input(kOk);
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
    CHECK(h.ex.reusable());
  }
  SUBCASE("a final answer instead: no body byte, no reuse") {
    h.filter.push_input("HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n");
    CHECK(h.io(CURL_CSELECT_IN) == Status::Complete);
    CHECK(h.filter.sent == post_head(10));
    CHECK(h.sink.reads == 0);
    CHECK_FALSE(h.ex.reusable());
  }
}

TEST_CASE("Expect: 100-continue sends the body anyway once the wait is over") {
  Harness h;
  h.sink.upload = "0123456789";
  CHECK(start_upload(h, post_head(10), 10, false, true, 0) == Status::Wait);
  CHECK(h.filter.sent == post_head(10) + "0123456789");
  CHECK(h.ex.deadline() == evm::TimePoint::max());
}

TEST_CASE("a paused receive reads nothing and does not watch the socket") {
  Harness h;
  h.start(kGet);
  CHECK(h.io(CURL_CSELECT_OUT) == Status::Wait);
  h.sink.recv_pause = true;
  h.filter.push_input(kOk);
  CHECK(h.io(CURL_CSELECT_IN) == Status::Wait);
  CHECK(h.filter.recv_calls == 0);
  CHECK((h.polled_events() & CURL_POLL_IN) == 0);
  h.sink.recv_pause = false;
  CHECK(h.io(0) == Status::Complete);  // resumed without a socket event
  CHECK(h.sink.body == "hello");
}

TEST_CASE("sending is bounded per turn too: a long upload carries on turn by turn") {
  Harness h;
  h.sink.upload = pattern(3 * H1Exchange::kTurnBudget);
  const std::string head = post_head(h.sink.upload.size());
  h.start(head, static_cast<int64_t>(h.sink.upload.size()));
  int turns = 0;
  Status s;
  while ((s = h.io(CURL_CSELECT_OUT)) == Status::CarryOn) ++turns;
  CHECK(s == Status::Wait);
  CHECK(turns >= 2);
  CHECK(h.filter.sent == head + h.sink.upload);
  CHECK(h.ex.request_sent());
}

TEST_CASE("a close right after a 100 is an empty reply, as libcurl 7.88") {
  Harness h;
  h.sink.upload = "0123456789";
  CHECK(start_upload(h, post_head(10), 10, false, true) == Status::Wait);
  h.filter.push_input("HTTP/1.1 100 Continue\r\n\r\n");
  h.filter.push_eof();
  CHECK(h.io(CURL_CSELECT_IN) == Status::Failed);
  CHECK(h.ex.code() == CURLE_GOT_NOTHING);
  CHECK(h.error == "Empty reply from server");
}
