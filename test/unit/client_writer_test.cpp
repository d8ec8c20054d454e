// Unit tests for the response writer chain (the split stage and the stage that calls the
// application) and for the in-memory request body reader.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "transfer/cr_buffer.h"
#include "transfer/cw_client.h"
#include "transfer/cw_pause.h"
#include "transfer/cw_split.h"
#include "http/h2_session.h"
#include "transfer/transfer_host.h"

namespace {

using evm::BodyRead;
using evm::BufferReader;
using evm::ClientOutWriter;
using evm::ClientWriter;
using evm::SplitWriter;
using evm::WriteKind;

// A multi handle that only counts callback brackets; nothing else may be asked of it here.
struct CountingHost final : evm::TransferHost {
  int enters = 0;
  int leaves = 0;
  int depth = 0;

  evm::SocketRegistry &sockets() override { std::abort(); }
  evm::TimerQueue &timers() override { std::abort(); }
  evm::ConnectionPool &pool() override { std::abort(); }
  evm::TlsContextCache &tls_contexts() override { std::abort(); }
  evm::Resolver &resolver_for(const std::string &) override { std::abort(); }
  std::span<char> recv_buffer() override { std::abort(); }
  void schedule(evm::Transfer &) override { std::abort(); }
  void unschedule(evm::Transfer &) override { std::abort(); }
  void transfer_done(evm::Transfer &) override { std::abort(); }
  void enter_callback() override {
    ++enters;
    ++depth;
  }
  bool push_enabled() const override { return false; }
  evm::PushAnswer on_push(evm::Connection &, const evm::H2Promise &) override {
    return evm::PushAnswer::Deny;
  }
  void leave_callback() override {
    ++leaves;
    --depth;
  }
};

// What a WRITEFUNCTION or HEADERFUNCTION was called with, and the bracket depth at each call.
struct Capture {
  const CountingHost *host = nullptr;
  std::vector<std::string> calls;
  std::vector<int> depths;
  std::vector<size_t> sizes;  // the `size` argument
  int short_call = -1;        // index of the call that answers `short_answer`
  size_t short_answer = 0;

  std::string joined() const {
    std::string s;
    for (const std::string &c : calls) s += c;
    return s;
  }
};

size_t record(char *p, size_t size, size_t nmemb, void *userdata) {
  auto *c = static_cast<Capture *>(userdata);
  c->calls.emplace_back(p, size * nmemb);
  c->sizes.push_back(size);
  c->depths.push_back(c->host ? c->host->depth : -1);
  if (static_cast<int>(c->calls.size()) - 1 == c->short_call) return c->short_answer;
  return size * nmemb;
}

struct RecordingWriter final : ClientWriter {
  std::vector<std::pair<WriteKind, std::string>> writes;
  int fail_at = -1;  // index of the write that fails
  CURLcode write(WriteKind kind, std::string_view data) override {
    writes.emplace_back(kind, std::string(data));
    return static_cast<int>(writes.size()) - 1 == fail_at ? CURLE_WRITE_ERROR : CURLE_OK;
  }
};

std::string pattern(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
  return s;
}

std::string file_contents(FILE *f) {
  std::fflush(f);
  std::rewind(f);
  std::string s;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) s.append(buf, n);
  return s;
}

const std::string kHead = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Empty:\r\n\r\n";
const std::vector<std::string> kHeadLines = {"HTTP/1.1 200 OK\r\n", "Content-Type: text/plain\r\n",
                                             "X-Empty:\r\n", "\r\n"};

}  // namespace

TEST_CASE("the split writer hands on body bytes in pieces of at most CURL_MAX_WRITE_SIZE") {
  REQUIRE(CURL_MAX_WRITE_SIZE == 16384);
  struct Case {
    size_t size;
    std::vector<size_t> pieces;
  };
  const Case cases[] = {
      {0, {}},
      {1, {1}},
      {16384, {16384}},
      {16385, {16384, 1}},
      {100000, {16384, 16384, 16384, 16384, 16384, 16384, 1696}},
  };
  for (const Case &c : cases) {
    CAPTURE(c.size);
    RecordingWriter next;
    SplitWriter split(next);
    const std::string body = pattern(c.size);
    CHECK(split.write(WriteKind::Body, body) == CURLE_OK);
    std::vector<size_t> sizes;
    std::string joined;
    for (const auto &[kind, data] : next.writes) {
      CHECK(kind == WriteKind::Body);
      sizes.push_back(data.size());
      joined += data;
    }
    CHECK(sizes == c.pieces);
    CHECK(joined == body);
  }
}

TEST_CASE("the split writer passes heads on whole") {
  RecordingWriter next;
  SplitWriter split(next);
  const std::string big_head = "HTTP/1.1 200 OK\r\nX-Big: " + pattern(100000) + "\r\n\r\n";
  CHECK(split.write(WriteKind::Head, big_head) == CURLE_OK);
  REQUIRE(next.writes.size() == 1);
  CHECK(next.writes[0].first == WriteKind::Head);
  CHECK(next.writes[0].second == big_head);
}

TEST_CASE("the split writer stops at the first piece the next stage refuses") {
  RecordingWriter next;
  next.fail_at = 1;
  SplitWriter split(next);
  CHECK(split.write(WriteKind::Body, pattern(100000)) == CURLE_WRITE_ERROR);
  CHECK(next.writes.size() == 2);
}

TEST_CASE("body bytes go to WRITEFUNCTION with WRITEDATA, inside a callback bracket") {
  CountingHost host;
  Capture body;
  body.host = &host;
  evm::EasyOptions opt;
  opt.write_fn = record;
  opt.write_data = &body;
  std::string error = "untouched";
  ClientOutWriter out(opt, host, error);
  CHECK(out.write(WriteKind::Body, "hello") == CURLE_OK);
  CHECK(out.write(WriteKind::Body, " world") == CURLE_OK);
  CHECK(body.calls == std::vector<std::string>{"hello", " world"});
  CHECK(body.sizes == std::vector<size_t>{1, 1});
  CHECK(body.depths == std::vector<int>{1, 1});
  CHECK(host.enters == 2);
  CHECK(host.leaves == 2);
  CHECK(host.depth == 0);
  CHECK(error == "untouched");
}

TEST_CASE("without WRITEFUNCTION, body bytes are written to the WRITEDATA file") {
  CountingHost host;
  FILE *f = std::tmpfile();
  REQUIRE(f);
  evm::EasyOptions opt;
  opt.write_data = f;
  std::string error;
  ClientOutWriter out(opt, host, error);
  CHECK(out.write(WriteKind::Body, "abc") == CURLE_OK);
  CHECK(out.write(WriteKind::Body, "def") == CURLE_OK);
  CHECK(file_contents(f) == "abcdef");
  CHECK(host.enters == 2);
  CHECK(host.leaves == 2);
  std::fclose(f);
}

TEST_CASE("HEADERFUNCTION is called once per header line, with HEADERDATA") {
  CountingHost host;
  Capture body, head;
  body.host = head.host = &host;
  evm::EasyOptions opt;
  opt.write_fn = record;
  opt.write_data = &body;
  opt.header_fn = record;
  opt.header_data = &head;
  std::string error;
  ClientOutWriter out(opt, host, error);
  CHECK(out.write(WriteKind::Head, kHead) == CURLE_OK);
  CHECK(head.calls == kHeadLines);
  CHECK(head.depths == std::vector<int>(kHeadLines.size(), 1));
  CHECK(body.calls.empty());
  CHECK(host.enters == static_cast<int>(kHeadLines.size()));
  CHECK(host.leaves == host.enters);

  // Trailer blocks take the same path; a last line without LF is still delivered.
  head.calls.clear();
  CHECK(out.write(WriteKind::Head, "X-T: 1\nX-U: 2") == CURLE_OK);
  CHECK(head.calls == std::vector<std::string>{"X-T: 1\n", "X-U: 2"});
}

TEST_CASE("HEADERDATA without HEADERFUNCTION sends header lines through WRITEFUNCTION") {
  CountingHost host;
  Capture body, head;
  body.host = head.host = &host;
  evm::EasyOptions opt;
  opt.write_fn = record;
  opt.write_data = &body;
  opt.header_data = &head;
  std::string error;
  ClientOutWriter out(opt, host, error);
  CHECK(out.write(WriteKind::Head, kHead) == CURLE_OK);
  CHECK(head.calls == kHeadLines);  // WRITEFUNCTION, called with HEADERDATA
  CHECK(head.depths == std::vector<int>(kHeadLines.size(), 1));
  CHECK(body.calls.empty());
  CHECK(out.write(WriteKind::Body, "xyz") == CURLE_OK);
  CHECK(body.calls == std::vector<std::string>{"xyz"});
  CHECK(head.calls.size() == kHeadLines.size());
}

TEST_CASE("HEADERDATA alone, without any function, is a file the headers are written to") {
  CountingHost host;
  FILE *f = std::tmpfile();
  REQUIRE(f);
  evm::EasyOptions opt;
  opt.header_data = f;
  std::string error;
  ClientOutWriter out(opt, host, error);
  CHECK(out.write(WriteKind::Head, kHead) == CURLE_OK);
  CHECK(file_contents(f) == kHead);
  CHECK(host.enters == static_cast<int>(kHeadLines.size()));
  CHECK(host.leaves == host.enters);
  std::fclose(f);
}

TEST_CASE("without HEADERFUNCTION and HEADERDATA, heads go nowhere") {
  CountingHost host;
  Capture body;
  evm::EasyOptions opt;
  opt.write_fn = record;
  opt.write_data = &body;
  std::string error;
  ClientOutWriter out(opt, host, error);
  CHECK(out.write(WriteKind::Head, kHead) == CURLE_OK);
  CHECK(body.calls.empty());
  CHECK(host.enters == 0);
}

TEST_CASE("a short body write is CURLE_WRITE_ERROR") {
  CountingHost host;
  Capture body;
  body.host = &host;
  body.short_call = 0;
  evm::EasyOptions opt;
  opt.write_fn = record;
  opt.write_data = &body;
  std::string error;
  ClientOutWriter out(opt, host, error);

  SUBCASE("fewer bytes") {
    body.short_answer = 4;
    CHECK(out.write(WriteKind::Body, "hello") == CURLE_WRITE_ERROR);
    CHECK(error == "Failure writing output to destination");
  }
  SUBCASE("more bytes than offered") {
    body.short_answer = 6;
    CHECK(out.write(WriteKind::Body, "hello") == CURLE_WRITE_ERROR);
    CHECK(error == "Failure writing output to destination");
  }
  SUBCASE("CURL_WRITEFUNC_PAUSE is no error: nothing was taken, the pause writer keeps it") {
    body.short_answer = CURL_WRITEFUNC_PAUSE;
    CHECK(out.write(WriteKind::Body, "hello") == CURLE_AGAIN);
    CHECK(error.empty());
  }
  CHECK(body.calls.size() == 1);
  CHECK(host.enters == 1);
  CHECK(host.leaves == 1);
  CHECK(host.depth == 0);
}

TEST_CASE("a short header write is CURLE_WRITE_ERROR and ends the head there") {
  CountingHost host;
  Capture head;
  head.host = &host;
  head.short_call = 1;
  head.short_answer = 0;
  evm::EasyOptions opt;
  opt.header_fn = record;
  opt.header_data = &head;
  std::string error;
  ClientOutWriter out(opt, host, error);
  CHECK(out.write(WriteKind::Head, kHead) == CURLE_WRITE_ERROR);
  CHECK(error == "Failed writing header");
  CHECK(head.calls == std::vector<std::string>{kHeadLines[0], kHeadLines[1]});
  CHECK(host.enters == 2);
  CHECK(host.leaves == 2);
}

TEST_CASE("split and client writer together: WRITEFUNCTION never sees more than 16 KiB") {
  CountingHost host;
  Capture body, head;
  body.host = head.host = &host;
  evm::EasyOptions opt;
  opt.write_fn = record;
  opt.write_data = &body;
  opt.header_fn = record;
  opt.header_data = &head;
  std::string error;
  ClientOutWriter out(opt, host, error);
  SplitWriter split(out);
  const std::string data = pattern(50000);
  CHECK(split.write(WriteKind::Head, kHead) == CURLE_OK);
  CHECK(split.write(WriteKind::Body, data) == CURLE_OK);
  CHECK(head.calls == kHeadLines);
  REQUIRE(body.calls.size() == 4);
  for (const std::string &c : body.calls) CHECK(c.size() <= CURL_MAX_WRITE_SIZE);
  CHECK(body.joined() == data);

  body.short_call = 5;  // the second piece of the next write
  CHECK(split.write(WriteKind::Body, data) == CURLE_WRITE_ERROR);
  CHECK(body.calls.size() == 6);
  CHECK(error == "Failure writing output to destination");
  CHECK(host.enters == host.leaves);
}

TEST_CASE("BufferReader reads in pieces, reports eos with the last one and rewinds") {
  const std::string data = "0123456789";
  BufferReader r(data.data(), data.size());
  CHECK(r.length() == 10);
  char buf[4];
  std::string got;
  std::vector<bool> eos;
  for (int i = 0; i < 3; ++i) {
    BodyRead rd = r.read(std::span<char>(buf, sizeof buf));
    CHECK(rd.status == BodyRead::Data);
    got.append(buf, rd.bytes);
    eos.push_back(rd.eos);
  }
  CHECK(got == data);
  CHECK(eos == std::vector<bool>{false, false, true});
  BodyRead after = r.read(std::span<char>(buf, sizeof buf));
  CHECK(after.status == BodyRead::Data);
  CHECK(after.bytes == 0);
  CHECK(after.eos);

  CHECK(r.rewind());
  BodyRead again = r.read(std::span<char>(buf, sizeof buf));
  CHECK(again.bytes == 4);
  CHECK_FALSE(again.eos);
  CHECK(std::string(buf, 4) == "0123");
  CHECK(r.length() == 10);
}

TEST_CASE("BufferReader: a buffer that fits exactly ends with eos, an empty body at once") {
  const std::string data = "01234567";
  BufferReader r(data.data(), data.size());
  char buf[4];
  CHECK_FALSE(r.read(std::span<char>(buf, sizeof buf)).eos);
  BodyRead last = r.read(std::span<char>(buf, sizeof buf));
  CHECK(last.bytes == 4);
  CHECK(last.eos);
  CHECK(std::string(buf, 4) == "4567");

  BufferReader empty(nullptr, 0);
  BodyRead e = empty.read(std::span<char>(buf, sizeof buf));
  CHECK(e.status == BodyRead::Data);
  CHECK(e.bytes == 0);
  CHECK(e.eos);
  CHECK(empty.length() == 0);

  // A large buffer takes everything at once.
  BufferReader whole(data.data(), data.size());
  char big[64];
  BodyRead w = whole.read(std::span<char>(big, sizeof big));
  CHECK(w.bytes == data.size());
  CHECK(w.eos);
  CHECK(std::string(big, w.bytes) == data);
}

namespace {

// The stage below the pause writer: records what it took; answers CURLE_AGAIN ("paused")
// on the calls listed in `pause_on`.
struct PausingNext final : evm::ClientWriter {
  std::vector<std::pair<WriteKind, std::string>> taken;
  std::vector<int> pause_on;
  int calls = 0;
  CURLcode write(WriteKind kind, std::string_view data) override {
    ++calls;
    if (std::find(pause_on.begin(), pause_on.end(), calls) != pause_on.end()) return CURLE_AGAIN;
    taken.emplace_back(kind, std::string(data));
    return CURLE_OK;
  }
};

}  // namespace

TEST_CASE("the pause writer keeps what was refused and everything after it, in order") {
  PausingNext next;
  evm::PauseState state;
  std::string error;
  evm::PauseWriter pw(next, state, error);
  next.pause_on = {2};  // the second header line
  CHECK(pw.write(WriteKind::Head, "HTTP/1.1 200 OK\r\nA: 1\r\n\r\n") == CURLE_OK);
  CHECK(state.recv);
  CHECK(pw.holding());
  CHECK(pw.write(WriteKind::Body, "abc") == CURLE_OK);
  CHECK(pw.write(WriteKind::Body, "def") == CURLE_OK);
  CHECK(next.taken.size() == 1);
  CHECK(pw.flush() == CURLE_OK);  // still paused: nothing moves
  CHECK(next.taken.size() == 1);
  state.recv = false;
  CHECK(pw.flush() == CURLE_OK);
  CHECK_FALSE(pw.holding());
  REQUIRE(next.taken.size() == 4);
  CHECK(next.taken[1].second == "A: 1\r\n");
  CHECK(next.taken[2].second == "\r\n");
  CHECK(next.taken[3] == std::make_pair(WriteKind::Body, std::string("abcdef")));
}

TEST_CASE("held body bytes are handed over at most CURL_MAX_WRITE_SIZE at a time") {
  PausingNext next;
  evm::PauseState state;
  std::string error;
  evm::PauseWriter pw(next, state, error);
  state.recv = true;  // curl_easy_pause(RECV)
  std::string big(CURL_MAX_WRITE_SIZE * 2 + 5, 'x');
  CHECK(pw.write(WriteKind::Body, big) == CURLE_OK);
  CHECK(next.calls == 0);
  state.recv = false;
  next.pause_on = {2};  // paused again on the second piece
  CHECK(pw.flush() == CURLE_OK);
  CHECK(state.recv);
  CHECK(next.taken.size() == 1);
  state.recv = false;
  CHECK(pw.flush() == CURLE_OK);
  REQUIRE(next.taken.size() == 3);
  CHECK(next.taken[1].second.size() == CURL_MAX_WRITE_SIZE);
  CHECK(next.taken[2].second.size() == 5);
}
