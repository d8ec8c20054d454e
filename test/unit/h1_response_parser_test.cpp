// Unit tests for the sans-I/O HTTP/1.1 response parser: byte strings in, recorded events out.
#include "http/h1_response_parser.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using evm::h1::BodyKind;
using evm::h1::ParseError;
using evm::h1::ResponseHandler;
using evm::h1::ResponseHead;
using evm::h1::ResponseParser;
using State = evm::h1::ResponseParser::State;

namespace {

const char *kind_name(BodyKind k) {
  switch (k) {
    case BodyKind::None:
      return "none";
    case BodyKind::ContentLength:
      return "length";
    case BodyKind::Chunked:
      return "chunked";
    case BodyKind::UntilClose:
      return "close";
  }
  return "?";
}

std::string describe_headers(const ResponseHead &h) {
  std::string s;
  for (const auto &hd : h.headers) s += "|" + std::string(hd.name) + "=" + std::string(hd.value);
  return s;
}

// Records every event as text; consecutive body pieces are merged so that differently split
// input yields identical event lists, while body_calls still counts the pieces.
struct Recorder : ResponseHandler {
  std::vector<std::string> events;
  std::vector<std::string> raws;  // raw bytes of each head / trailer block
  int body_calls = 0;
  bool abort_head = false, abort_body = false, abort_trailers = false;
  std::string_view last_body;

  bool on_response_head(const ResponseHead &h) override {
    events.push_back("head " + std::to_string(h.status) + " 1." + std::to_string(h.version_minor) +
                     " [" + std::string(h.reason) + "] " + kind_name(h.body) +
                     " cl=" + std::to_string(h.content_length) + (h.chunked ? " chunked" : "") +
                     (h.connection_close ? " close" : "") + (h.keep_alive ? " keep-alive" : "") +
                     describe_headers(h));
    raws.emplace_back(h.raw);
    return !abort_head;
  }
  bool on_body(std::string_view data) override {
    ++body_calls;
    last_body = data;
    if (!events.empty() && events.back().rfind("body:", 0) == 0)
      events.back() += data;
    else
      events.push_back("body:" + std::string(data));
    return !abort_body;
  }
  bool on_trailers(const ResponseHead &t) override {
    events.push_back("trailers" + describe_headers(t));
    raws.emplace_back(t.raw);
    return !abort_trailers;
  }
  void on_complete() override { events.push_back("complete"); }
};

struct Run {
  std::vector<std::string> events, raws;
  std::string leftover;  // bytes the parser did not consume
  State state;
  ParseError error;
  std::string message;
  bool reusable;

  bool operator==(const Run &) const = default;
};

// Feeds msg in pieces of `step` bytes the way the engine does: unconsumed bytes stay in the
// caller's buffer (which may reallocate) and are presented again with the next piece.
Run run(std::string_view msg, size_t step, bool head_request = false, bool eof = false,
        size_t max_header = 100 * 1024, size_t max_line = 100 * 1024) {
  ResponseParser p;
  p.max_header_bytes = max_header;
  p.max_header_line = max_line;
  p.begin(head_request);
  Recorder r;
  std::string buf;
  size_t off = 0;
  while (off < msg.size()) {
    std::string_view piece = msg.substr(off, step);
    buf.append(piece);
    off += piece.size();
    buf.erase(0, p.feed(buf, r));
    if (p.complete() || p.failed()) break;
  }
  if (eof) p.feed_eof(r);
  buf.append(msg.substr(off));
  return {r.events, r.raws, buf, p.state(), p.error(), p.error_message(), p.reusable()};
}

// The same message fed at once and in every small step size must give the same outcome.
Run run_split_invariant(std::string_view msg, bool head_request = false, bool eof = false,
                        size_t max_header = 100 * 1024, size_t max_line = 100 * 1024) {
  Run whole = run(msg, msg.size() ? msg.size() : 1, head_request, eof, max_header, max_line);
  for (size_t step : {1, 2, 3, 7}) {
    CAPTURE(step);
    Run split = run(msg, step, head_request, eof, max_header, max_line);
    CHECK(split.events == whole.events);
    CHECK(split.raws == whole.raws);
    CHECK(split.leftover == whole.leftover);
    CHECK(split.state == whole.state);
    CHECK(split.error == whole.error);
  }
  return whole;
}

// Feeds msg at once and returns the parser's error.
ParseError error_of(std::string_view msg, std::string *message = nullptr, bool eof = false) {
  Run r = run(msg, msg.size(), false, eof);
  if (message) *message = r.message;
  return r.error;
}

}  // namespace

TEST_CASE("h1 response: Content-Length body") {
  std::string msg = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello";
  Run r = run_split_invariant(msg);
  CHECK(r.events == std::vector<std::string>{
                        "head 200 1.1 [OK] length cl=5|Content-Type=text/plain|Content-Length=5",
                        "body:hello", "complete"});
  CHECK(r.raws == std::vector<std::string>{msg.substr(0, msg.size() - 5)});
  CHECK(r.leftover.empty());
  CHECK(r.state == State::Complete);
  CHECK(r.reusable);
}

TEST_CASE("h1 response: Content-Length 0 completes with the head") {
  Run r = run_split_invariant("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
  CHECK(r.events ==
        std::vector<std::string>{"head 200 1.1 [OK] length cl=0|Content-Length=0", "complete"});
}

TEST_CASE("h1 response: body is handed out in place, possibly in several pieces") {
  ResponseParser p;
  p.begin(false);
  Recorder r;
  std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
  std::string buf = head + "abcd";
  CHECK(p.feed(buf, r) == buf.size());
  CHECK(r.last_body.data() == buf.data() + head.size());  // no copy
  CHECK(p.body_remaining() == 6);
  std::string more = "efghij";
  CHECK(p.feed(more, r) == more.size());
  CHECK(r.last_body.data() == more.data());
  CHECK(r.body_calls == 2);
  CHECK(r.events.back() == "complete");
}

TEST_CASE("h1 response: bytes after a Content-Length body are not consumed (pipelining)") {
  std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  std::string second = "HTTP/1.1 204 No Content\r\n\r\n";
  std::string buf = first + second;
  Run r = run_split_invariant(buf);
  CHECK(r.leftover == second);

  ResponseParser p;
  Recorder rec;
  p.begin(false);
  size_t n = p.feed(buf, rec);
  CHECK(n == first.size());
  CHECK(p.feed(std::string_view(buf).substr(n), rec) == 0);  // complete: consumes nothing more
  p.begin(false);
  CHECK(!p.got_any_bytes());
  CHECK(p.feed(std::string_view(buf).substr(n), rec) == second.size());
  CHECK(p.complete());
  CHECK(p.status() == 204);
  CHECK(rec.events.size() == 5);  // head, body, complete, head, complete
}

TEST_CASE("h1 response: an incomplete head is not consumed") {
  ResponseParser p;
  Recorder r;
  p.begin(false);
  std::string buf = "HTTP/1.1 200 OK\r\nContent-Le";
  CHECK(p.feed(buf, r) == 0);
  CHECK(r.events.empty());
  CHECK(p.state() == State::Head);
  buf += "ngth: 2\r\n\r\nok";
  CHECK(p.feed(buf, r) == buf.size());
  CHECK(p.complete());
}

TEST_CASE("h1 response: chunked with extensions and trailers") {
  std::string msg =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5;name=value\r\nhello\r\n"
      "6 ; a=\"b;c\"\r\n world\r\n"
      "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n"
      "0\r\nX-Checksum: 42\r\nX-Other: two\r\n\r\n";
  Run r = run_split_invariant(msg);
  CHECK(r.events == std::vector<std::string>{
                        "head 200 1.1 [OK] chunked cl=-1 chunked|Transfer-Encoding=chunked",
                        "body:hello worldabcdefghijklmnopqrstuvwxyz",
                        "trailers|X-Checksum=42|X-Other=two", "complete"});
  REQUIRE(r.raws.size() == 2);
  CHECK(r.raws[1] == "X-Checksum: 42\r\nX-Other: two\r\n\r\n");
  CHECK(r.leftover.empty());
  CHECK(r.reusable);
}

TEST_CASE("h1 response: chunked without trailers does not call on_trailers") {
  std::string next = "HTTP/1.1 200 OK\r\n";
  Run r = run_split_invariant(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n" + next);
  CHECK(r.events == std::vector<std::string>{
                        "head 200 1.1 [OK] chunked cl=-1 chunked|Transfer-Encoding=chunked",
                        "body:abc", "complete"});
  CHECK(r.leftover == next);
}

TEST_CASE("h1 response: Transfer-Encoding decides the framing") {
  SUBCASE("chunked, case-insensitive, wins over Content-Length") {
    Run r = run_split_invariant(
        "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: CHUNKED\r\n\r\n"
        "2\r\nhi\r\n0\r\n\r\n");
    REQUIRE(r.events.size() == 3);
    CHECK(r.events[0].find(" chunked cl=-1 chunked|") != std::string::npos);
    CHECK(r.events[1] == "body:hi");
  }
  SUBCASE("chunked with a parameter") {
    Run r = run_split_invariant(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked;q=1\r\n\r\n2\r\nhi\r\n0\r\n\r\n");
    CHECK(r.events[1] == "body:hi");
    CHECK(r.state == State::Complete);
  }
}

TEST_CASE("h1 response: a transfer coding we do not decode is refused") {
  // Each would hand undecoded bytes to the application or leave the end of the body unknown.
  for (const char *te : {"gzip", "gzip, chunked", "chunked, gzip", "chunked, bogus",
                         "chunked, chunked", "identity"}) {
    CAPTURE(te);
    std::string message;
    CHECK(error_of(std::string("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: ") + te +
                       "\r\n\r\nhi",
                   &message) == ParseError::BadTransferCoding);
    CHECK(message.find("Transfer-Encoding") != std::string::npos);
  }
  SUBCASE("the codings split over two header lines count together") {
    CHECK(error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"
                   "\r\n2\r\nhi\r\n0\r\n\r\n") == ParseError::BadTransferCoding);
  }
  SUBCASE("ignored where no body can follow") {
    Run r = run_split_invariant("HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: gzip\r\n\r\n");
    CHECK(r.state == State::Complete);
  }
}

TEST_CASE("h1 response: close-delimited body ends at EOF") {
  Run r = run_split_invariant("HTTP/1.1 200 OK\r\nServer: x\r\n\r\nsome data", false, true);
  CHECK(r.events == std::vector<std::string>{"head 200 1.1 [OK] close cl=-1|Server=x",
                                             "body:some data", "complete"});
  CHECK(!r.reusable);

  ResponseParser p;
  Recorder rec;
  p.begin(false);
  std::string msg = "HTTP/1.1 200 OK\r\n\r\nabc";
  CHECK(p.feed(msg, rec) == msg.size());
  CHECK(p.body_is_close_delimited());
  CHECK(p.state() == State::BodyUntilClose);
  CHECK(!p.complete());
  p.feed_eof(rec);
  CHECK(p.complete());
  CHECK(p.error() == ParseError::None);
  CHECK(!p.reusable());
}

TEST_CASE("h1 response: HEAD, 204 and 304 have no body") {
  SUBCASE("HEAD with Content-Length") {
    std::string rest = "HTTP/1.1 200 OK\r\n";
    Run r = run_split_invariant("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n" + rest, true);
    CHECK(r.events ==
          std::vector<std::string>{"head 200 1.1 [OK] none cl=10|Content-Length=10", "complete"});
    CHECK(r.leftover == rest);
    CHECK(r.reusable);
  }
  SUBCASE("HEAD with chunked") {
    Run r = run_split_invariant("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5", true);
    CHECK(r.events.back() == "complete");
    CHECK(r.leftover == "5");
  }
  SUBCASE("HEAD without length is not close-delimited") {
    Run r = run_split_invariant("HTTP/1.1 200 OK\r\n\r\n", true);
    CHECK(r.state == State::Complete);
    CHECK(r.reusable);
  }
  SUBCASE("204 ignores Content-Length") {
    Run r = run_split_invariant("HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\nabc");
    CHECK(r.events == std::vector<std::string>{
                          "head 204 1.1 [No Content] none cl=-1|Content-Length=3", "complete"});
    CHECK(r.leftover == "abc");
  }
  SUBCASE("304 ignores even a bogus Content-Length") {
    Run r = run_split_invariant("HTTP/1.1 304 Not Modified\r\nContent-Length: x\r\n\r\n");
    CHECK(r.state == State::Complete);
    CHECK(r.error == ParseError::None);
    CHECK(r.reusable);
  }
}

TEST_CASE("h1 response: 100 Continue, then the final response") {
  std::string interim = "HTTP/1.1 100 Continue\r\n\r\n";
  std::string final_head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
  Run r = run_split_invariant(interim + "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n" +
                              final_head + "ok");
  CHECK(r.events == std::vector<std::string>{"head 100 1.1 [Continue] none cl=-1",
                                             "head 103 1.1 [Early Hints] none cl=-1|Link=</a>",
                                             "head 200 1.1 [OK] length cl=2|Content-Length=2",
                                             "body:ok", "complete"});
  REQUIRE(r.raws.size() == 3);
  CHECK(r.raws[0] == interim);
  CHECK(r.raws[2] == final_head);

  ResponseParser p;
  Recorder rec;
  p.begin(false);
  CHECK(p.feed(interim, rec) == interim.size());  // interim head consumed, still in Head
  CHECK(p.state() == State::Head);
  CHECK(!p.complete());
}

TEST_CASE("h1 response: 101 is final, without body, and ends HTTP/1.1 on the connection") {
  std::string upgraded = "\x00\x01binary";
  Run r = run_split_invariant(
      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n" +
      upgraded);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[1] == "complete");
  CHECK(r.leftover == upgraded);
  CHECK(!r.reusable);
}

TEST_CASE("h1 response: bare LF line ends") {
  SUBCASE("head") {
    Run r = run_split_invariant("HTTP/1.1 200 OK\nContent-Length: 3\nX: y\r\n\nabc");
    CHECK(r.events == std::vector<std::string>{"head 200 1.1 [OK] length cl=3|Content-Length=3|X=y",
                                               "body:abc", "complete"});
  }
  SUBCASE("chunked framing and trailers") {
    Run r = run_split_invariant(
        "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n3\nabc\n2;x\nde\n0\nT: 1\n\n");
    CHECK(r.events == std::vector<std::string>{
                          "head 200 1.1 [OK] chunked cl=-1 chunked|Transfer-Encoding=chunked",
                          "body:abcde", "trailers|T=1", "complete"});
  }
}

TEST_CASE("h1 response: status line variants") {
  Run r = run_split_invariant("HTTP/1.0 404\r\nContent-Length: 0\r\n\r\n");
  CHECK(r.events.front() == "head 404 1.0 [] length cl=0|Content-Length=0");
  r = run_split_invariant("HTTP/1.1 500 Internal  Server Error \r\nContent-Length: 0\r\n\r\n");
  CHECK(r.events.front() == "head 500 1.1 [Internal  Server Error] length cl=0|Content-Length=0");
}

TEST_CASE("h1 response: header whitespace and folding") {
  SUBCASE("optional whitespace is trimmed") {
    Run r = run_split_invariant("HTTP/1.1 204 OK\r\nA:b\r\nC: \t d e \t\r\nEmpty:\r\n\r\n");
    CHECK(r.events.front() == "head 204 1.1 [OK] none cl=-1|A=b|C=d e|Empty=");
  }
  SUBCASE("obsolete folding: the value spans the continuation line") {
    Run r = run_split_invariant("HTTP/1.1 204 OK\r\nX-Long: part1\r\n \t part2\r\nY: z\r\n\r\n");
    CHECK(r.events.front() == "head 204 1.1 [OK] none cl=-1|X-Long=part1\r\n \t part2|Y=z");
  }
  SUBCASE("folded Connection value is still understood") {
    Run r = run_split_invariant(
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive,\r\n close\r\n\r\n");
    CHECK(r.events.front().find(" close keep-alive|") != std::string::npos);
    CHECK(!r.reusable);
  }
  SUBCASE("folding with no header before it is rejected") {
    std::string message;
    CHECK(error_of("HTTP/1.1 200 OK\r\n folded: x\r\n\r\n", &message) == ParseError::BadHeader);
    CHECK(message == "Folded header line without a header before it");
  }
}

TEST_CASE("h1 response: find() looks headers up case-insensitively") {
  struct FindHandler : Recorder {
    std::string found, missing = "unset";
    bool on_response_head(const ResponseHead &h) override {
      found = h.find("content-TYPE");
      missing = h.find("Location");
      return true;
    }
  } h;
  ResponseParser p;
  p.begin(false);
  p.feed("HTTP/1.1 204 OK\r\nContent-Type: a/b\r\n\r\n", h);
  CHECK(h.found == "a/b");
  CHECK(h.missing.empty());
}

TEST_CASE("h1 response: every message kind is split-invariant, including failures") {
  const char *messages[] = {
      "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbodyHTTP/1.1",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;e=1\r\nbody\r\n0\r\nT: v\r\n\r\nX",
      "HTTP/1.0 200 OK\r\n\r\nuntil close",
      "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n",
      "HTTP/1.1 200 OK\nContent-Length: 1\n\n!",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX",
      "HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n",
      "HTTP/2 200\r\n\r\n",
      "<html>",
  };
  for (const char *m : messages) {
    CAPTURE(m);
    run_split_invariant(m, false, true);
  }
}

TEST_CASE("h1 response: WeirdReply errors") {
  std::string message;
  SUBCASE("not HTTP at all") {
    CHECK(error_of("SSH-2.0-OpenSSH_9.2\r\n", &message) == ParseError::NotHttp);
    CHECK(message == "Received HTTP/0.9 when not allowed");
  }
  SUBCASE("detected from the first bytes, before any line end") {
    ResponseParser p;
    Recorder r;
    p.begin(false);
    CHECK(p.feed("HTP", r) == 0);
    CHECK(p.failed());
    CHECK(p.error() == ParseError::NotHttp);
  }
  SUBCASE("a valid prefix waits for more") {
    ResponseParser p;
    Recorder r;
    p.begin(false);
    CHECK(p.feed("HTT", r) == 0);
    CHECK(!p.failed());
  }
  SUBCASE("unsupported versions") {
    for (const char *m :
         {"HTTP/2 200\r\n\r\n", "HTTP/1.2 200 OK\r\n\r\n", "HTTP/0.9 200 OK\r\n\r\n",
          "HTTP/1.10 200 OK\r\n\r\n", "HTTP/1 200 OK\r\n\r\n", "HTTP/x 200\r\n\r\n"}) {
      CAPTURE(m);
      CHECK(error_of(m, &message) == ParseError::BadStatusLine);
      CHECK(message == "Unsupported HTTP version in response");
    }
  }
  SUBCASE("status code must be three digits, 100 or more") {
    for (const char *m : {"HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
                          "HTTP/1.1 099 Low\r\n\r\n", "HTTP/1.1 OK\r\n\r\n", "HTTP/1.1 \r\n\r\n"}) {
      CAPTURE(m);
      CHECK(error_of(m, &message) == ParseError::BadStatusLine);
      CHECK(message == "Unsupported response code in HTTP response");
    }
  }
  SUBCASE("status line is checked as soon as it is complete") {
    ResponseParser p;
    Recorder r;
    p.begin(false);
    CHECK(p.feed("HTTP/3 200\r\nHeader: without end", r) == 0);
    CHECK(p.error() == ParseError::BadStatusLine);
  }
}

TEST_CASE("h1 response: BadHeader errors") {
  std::string message;
  CHECK(error_of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nNoColon\r\n\r\n", &message) ==
        ParseError::BadHeader);
  CHECK(message == "Header without colon");
  CHECK(error_of(std::string("HTTP/1.1 200 OK\r\nX: a\0b\r\n\r\n", 28), &message) ==
        ParseError::BadHeader);
  CHECK(message == "Nul byte in header");
  CHECK(error_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n",
                 &message) == ParseError::BadHeader);
  CHECK(message == "Header without colon");
}

TEST_CASE("h1 response: oversize header blocks") {
  const std::string line = "X-Filler: 0123456789\r\n";  // 22 bytes
  SUBCASE("detected before the block ends") {
    ResponseParser p;
    Recorder r;
    p.max_header_bytes = 64;
    p.begin(false);
    std::string buf = "HTTP/1.1 200 OK\r\n";
    size_t rounds = 0;
    while (!p.failed() && rounds < 100) {
      buf += line;
      CHECK(p.feed(buf, r) == 0);
      ++rounds;
    }
    CHECK(rounds == 3);  // 17 + 3*22 = 83 > 64
    CHECK(p.error() == ParseError::HeaderTooLarge);
    CHECK(std::string(p.error_message()) == "Too large response headers");
  }
  SUBCASE("a long line without any LF is also detected") {
    ResponseParser p;
    Recorder r;
    p.max_header_bytes = 64;
    p.begin(false);
    p.feed("HTTP/1.1 200 OK" + std::string(60, 'x'), r);
    CHECK(p.error() == ParseError::HeaderTooLarge);
  }
  SUBCASE("a complete block is measured including its blank line") {
    std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";  // 38 bytes
    CHECK(run(head, head.size(), false, false, head.size()).state == State::Complete);
    Run r = run_split_invariant(head, false, false, head.size() - 1);
    CHECK(r.error == ParseError::HeaderTooLarge);
    CHECK(r.events.empty());
  }
  SUBCASE("trailers count too") {
    std::string msg =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + line + line + line + "\r\n";
    CHECK(run_split_invariant(msg, false, false, 60).error == ParseError::HeaderTooLarge);
    CHECK(run_split_invariant(msg, false, false, 200).state == State::Complete);
  }
}

// libcurl 7.88 bounds each line at 100 KiB and the head at 300 KiB: whichever the stream
// crosses first decides, however the bytes arrive.
TEST_CASE("h1 response: oversize header lines") {
  const std::string status = "HTTP/1.1 200 OK\r\n";  // 17 bytes
  auto with_line = [&](size_t len) { return status + "X: " + std::string(len - 3, 'y') + "\r\n"; };
  SUBCASE("a line over the line bound fails, the status line kept") {
    Run r = run_split_invariant(with_line(40) + "\r\n", false, false, 200, 30);
    CHECK(r.error == ParseError::HeaderLineTooLarge);
    CHECK(r.message == "Too large response header line");
    CHECK(r.events.empty());
    ResponseParser p;
    Recorder rec;
    p.max_header_bytes = 200;
    p.max_header_line = 30;
    p.begin(false);
    p.feed(with_line(40), rec);
    CHECK(p.failed());
    CHECK(p.status() == 200);
  }
  SUBCASE("a line at the bound (its CR counted) passes") {
    CHECK(run_split_invariant(with_line(29) + "Content-Length: 0\r\n\r\n", false, false, 200, 30)
              .state == State::Complete);
  }
  SUBCASE("an unfinished line fails as soon as it passes the bound") {
    CHECK(run(status + std::string(31, 'y'), 1000, false, false, 200, 30).error ==
          ParseError::HeaderLineTooLarge);
  }
  SUBCASE("the block bound decides when it comes first") {
    std::string msg = status;
    while (msg.size() < 170) msg += "X: 0123456789012345\r\n";  // 21 bytes a line: ends at 185
    msg += "Y: " + std::string(60, 'y') + "\r\n\r\n";
    CHECK(run_split_invariant(msg, false, false, 200, 30).error == ParseError::HeaderTooLarge);
  }
}

TEST_CASE("h1 response: BadChunk errors") {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string message;
  const char *kBadHex = "Illegal or missing hexadecimal sequence in chunked-encoding";
  CHECK(error_of(head + "zz\r\n", &message) == ParseError::BadChunk);
  CHECK(message == kBadHex);
  CHECK(error_of(head + "\r\n", &message) == ParseError::BadChunk);
  CHECK(message == kBadHex);
  CHECK(error_of(head + "5 x\r\nhello\r\n", &message) == ParseError::BadChunk);
  CHECK(message == kBadHex);
  CHECK(error_of(head + "5\rhello\r\n", &message) == ParseError::BadChunk);
  CHECK(error_of(head + "5\r\nhelloX\r\n", &message) == ParseError::BadChunk);
  CHECK(message == "Malformed encoding found in chunked-encoding");
  CHECK(error_of(head + "5\r\nhello\rX", &message) == ParseError::BadChunk);
  CHECK(error_of(head + "4000000000000000\r\n", &message) == ParseError::BadChunk);
  CHECK(message == "Too long hexadecimal number");
  CHECK(error_of(head + "10000000000000000000\r\n", &message) == ParseError::BadChunk);
  // The largest accepted size, and leading zeros up to 16 digits in all, are fine; a 17th digit
  // is too long even when it is a leading zero (libcurl counts digits).
  CHECK(error_of(head + "3FFFFFFFFFFFFFFF\r\nabc") == ParseError::None);
  Run r = run_split_invariant(head + "0000000000000003\r\nabc\r\n0\r\n\r\n");
  CHECK(r.events.at(1) == "body:abc");
  CHECK(error_of(head + "00000000000000003\r\nabc\r\n", &message) == ParseError::BadChunk);
  CHECK(message == "Too long hexadecimal number");

  ResponseParser p;
  Recorder rec;
  p.begin(false);
  CHECK(p.feed(head, rec) == head.size());
  p.max_header_bytes = 16;  // chunk extensions are bounded like a header block
  p.feed("1;" + std::string(20, 'e'), rec);
  CHECK(p.error() == ParseError::BadChunk);
}

TEST_CASE("h1 response: Content-Length validation") {
  std::string message;
  auto with = [](std::string headers) { return "HTTP/1.1 200 OK\r\n" + headers + "\r\n"; };
  for (std::string bad : {"Content-Length: abc\r\n", "Content-Length: -1\r\n",
                          "Content-Length: +5\r\n", "Content-Length: 5, 6\r\n",
                          "Content-Length: 5\r\nContent-Length: 6\r\n", "Content-Length:\r\n",
                          "Content-Length: 99999999999999999999\r\n", "Content-Length: 1 2\r\n"}) {
    CAPTURE(bad);
    CHECK(error_of(with(bad), &message) == ParseError::BadContentLength);
    CHECK(message == "Invalid Content-Length: value");
  }
  Run r = run_split_invariant(with("Content-Length: 5, 5\r\n") + "hello");
  CHECK(r.events.at(1) == "body:hello");
  CHECK(r.state == State::Complete);
  r = run_split_invariant(with("Content-Length: 3\r\ncontent-length: 3\r\n") + "abc");
  CHECK(r.state == State::Complete);
}

TEST_CASE("h1 response: EOF handling") {
  SUBCASE("nothing received: empty reply") {
    ResponseParser p;
    Recorder r;
    p.begin(false);
    p.feed("", r);
    CHECK(!p.got_any_bytes());
    p.feed_eof(r);
    CHECK(p.error() == ParseError::EmptyReply);
    CHECK(std::string(p.error_message()) == "Empty reply from server");
    CHECK(!p.got_any_bytes());
  }
  SUBCASE("partial head: weird reply, bytes were seen") {
    ResponseParser p;
    Recorder r;
    p.begin(false);
    p.feed("HTTP/1.1 200", r);
    CHECK(p.got_any_bytes());
    p.feed_eof(r);
    CHECK(p.error() == ParseError::WeirdReply);
  }
  SUBCASE("after an interim response: weird reply") {
    Run r = run_split_invariant("HTTP/1.1 100 Continue\r\n\r\n", false, true);
    CHECK(r.error == ParseError::WeirdReply);
  }
  SUBCASE("inside a Content-Length body") {
    ResponseParser p;
    Recorder r;
    p.begin(false);
    p.feed("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", r);
    p.feed_eof(r);
    CHECK(p.error() == ParseError::PartialBody);
    CHECK(p.body_remaining() == 7);
    CHECK(std::string(p.error_message()) == "transfer closed with bytes remaining to read");
    CHECK(r.events.back() != "complete");
  }
  SUBCASE("inside a chunked body or its trailers") {
    for (const char *rest : {"", "5\r\nab", "5\r\nhello\r\n", "0\r\nT: 1\r\n"}) {
      CAPTURE(rest);
      Run r = run_split_invariant(
          std::string("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n") + rest, false, true);
      CHECK(r.error == ParseError::PartialBody);
      CHECK(r.message == "transfer closed with outstanding read data remaining");
    }
  }
  SUBCASE("after completion EOF changes nothing") {
    Run r = run_split_invariant("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx", false, true);
    CHECK(r.state == State::Complete);
    CHECK(r.reusable);
  }
}

TEST_CASE("h1 response: got_any_bytes is per response") {
  ResponseParser p;
  Recorder r;
  p.begin(false);
  CHECK(!p.got_any_bytes());
  p.feed("H", r);
  CHECK(p.got_any_bytes());
  p.begin(false);
  CHECK(!p.got_any_bytes());
}

TEST_CASE("h1 response: handler can abort") {
  const std::string chunked =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\nT: x\r\n\r\n";
  auto run_with = [&](Recorder &r, const std::string &msg) {
    ResponseParser p;
    p.begin(false);
    p.feed(msg, r);
    CHECK(p.aborted());
    CHECK(p.failed());
    CHECK(p.error() == ParseError::Aborted);
    CHECK(r.events.back() != "complete");
    CHECK(p.feed("more", r) == 0);
  };
  Recorder head;
  head.abort_head = true;
  run_with(head, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
  CHECK(head.body_calls == 0);
  Recorder body;
  body.abort_body = true;
  run_with(body, "HTTP/1.1 200 OK\r\n\r\nxyz");
  Recorder trailers;
  trailers.abort_trailers = true;
  run_with(trailers, chunked);
}

TEST_CASE("h1 response: reusable()") {
  auto reusable = [](std::string msg, bool eof = false) {
    return run(msg, msg.size(), false, eof).reusable;
  };
  CHECK(reusable("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"));
  CHECK(!reusable("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx"));
  CHECK(!reusable("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: Upgrade, Close\r\n\r\nx"));
  CHECK(!reusable("HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx"));
  CHECK(reusable("HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: Keep-Alive\r\n\r\nx"));
  CHECK(!reusable("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\nx", true));
  CHECK(!reusable("HTTP/1.1 200 OK\r\n\r\nx", true));
  CHECK(!reusable("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nx"));  // not complete yet
  // Connection: close on an interim response does not stick to the final one.
  CHECK(
      reusable("HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\nHTTP/1.1 200 "
               "OK\r\nContent-Length: 0\r\n\r\n"));
}

TEST_CASE("h1 response: one parser handles consecutive responses") {
  ResponseParser p;
  Recorder r;
  for (int i = 0; i < 3; ++i) {
    p.begin(i == 1);
    std::string msg = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
    if (i != 1) msg += "ab";
    CHECK(p.feed(msg, r) == msg.size());
    CHECK(p.complete());
    CHECK(p.reusable());
  }
  CHECK(r.events.size() == 8);  // head+body+complete, head+complete, head+body+complete
}
