// Target 8: the HTTP/2 exchange (lib/http/h2_session.h, h2_stream.h) fed raw server frames. Three
// streams are opened over an in-memory filter (a GET, a HEAD and a POST with a body), the
// server's SETTINGS and its acknowledgement are read, then the input goes in as the server's
// bytes, in input-chosen pieces, each stream taking its events in its own turn as a transfer
// would. A finished exchange must have said why: Complete after exactly one on_complete and a
// final head, Failed with an error code and text.
//
// Input: flags byte (bit 0: push enabled, bit 1: accept pushes, bit 2: the peer closes at the
// end), split seed byte, then frames.
#include <memory>
#include <string>
#include <vector>

#include "conn/connection.h"
#include "event/socket_registry.h"
#include "fuzz_input.h"
#include "fuzz_target.h"
#include "http/exchange.h"
#include "http/h2_session.h"
#include "unit/memory_filter.h"
#include "unit/standalone_filter_context.h"
#include "util/trace.h"

namespace {

using Status = evm::Exchange::Status;

// One transfer's side of a stream: its sink and whether the session woke it.
struct User final : evm::ConnectionUser, evm::ExchangeSink {
  bool woken = false;
  bool done = false;
  evm::Exchange *ex = nullptr;
  std::string upload;
  size_t upload_pos = 0;
  int completes = 0;
  bool final_head = false;
  bool body_before_head = false;

  void on_connection_event(int) override { woken = true; }
  void add_pollset(evm::Pollset &) override {}
  CURL *user_easy() override { return nullptr; }

  bool on_head(const evm::h1::ResponseHead &head) override {
    FUZZ_CHECK(completes == 0);
    if (!head.interim()) final_head = true;
    return true;
  }
  bool on_body(std::string_view data) override {
    FUZZ_CHECK(!data.empty() && completes == 0);
    if (!final_head) body_before_head = true;
    return true;
  }
  bool on_trailers(const evm::h1::ResponseHead &) override { return true; }
  void on_complete() override { ++completes; }
  evm::BodyRead read_body(std::span<char> buf) override {
    size_t n = std::min(buf.size(), upload.size() - upload_pos);
    std::copy_n(upload.data() + upload_pos, n, buf.data());
    upload_pos += n;
    return evm::BodyRead{evm::BodyRead::Data, n, upload_pos == upload.size()};
  }
};

struct Harness : evm::test::StandaloneFilterContext {
  evm::test::MemoryFilter filter;
  std::unique_ptr<evm::H2Session> session;
  std::vector<std::unique_ptr<User>> users;
  std::vector<int32_t> promised;
  std::vector<char> scratch = std::vector<char>(16 * 1024);

  void open(const char *head, int64_t body_size, bool head_request, std::string upload) {
    auto u = std::make_unique<User>();
    u->upload = std::move(upload);
    u->ex = &session->stream_for(*u);
    evm::ExchangeRequest req;
    req.head = head;
    req.body_size = body_size;
    req.head_request = head_request;
    u->ex->start(req, *u);
    users.push_back(std::move(u));
  }

  // Every woken transfer's turn, then the one flush the multi does after them.
  void turns() {
    for (int round = 0; round < 64; ++round) {
      bool any = false;
      for (size_t i = 0; i < users.size(); ++i) {
        User &u = *users[i];
        if (u.done || !u.woken) continue;
        any = true;
        u.woken = false;
        error.clear();
        Status s = u.ex->on_io(filter, ctx, CURL_CSELECT_IN, scratch);
        if (s == Status::CarryOn) u.woken = true;
        if (s == Status::Complete) {
          FUZZ_CHECK(u.completes == 1 && u.final_head && !u.body_before_head);
          u.done = true;
        } else if (s == Status::Failed) {
          FUZZ_CHECK(u.ex->code() != CURLE_OK);
          FUZZ_CHECK(!error.empty() || u.ex->code() == CURLE_PARTIAL_FILE);
          FUZZ_CHECK(u.completes == 0);
          u.done = true;
        }
        if (u.done) session->drop_stream(u);
      }
      for (int32_t id : promised) {  // an accepted push becomes a transfer of its own
        auto u = std::make_unique<User>();
        if (evm::Exchange *ex = session->adopt_push(*u, id)) {
          u->ex = ex;
          ex->start(evm::ExchangeRequest{}, *u);
          u->woken = true;
          users.push_back(std::move(u));
        }
      }
      promised.clear();
      session->flush(ctx);
      filter.sent.clear();
      if (!any) return;
    }
  }
};

// The server's connection preface: an empty SETTINGS frame, and the ACK of ours.
constexpr char kServerPreface[] =
    "\0\0\0\x04\0\0\0\0\0"
    "\0\0\0\x04\x01\0\0\0\0";

}  // namespace

EVM_FUZZ_TARGET(h2_frames) {
  evm::fuzz::FuzzInput in(data, size);
  uint8_t flags = in.byte();
  uint8_t seed = in.byte();
  std::string_view frames = in.rest();

  Harness h;
  evm::H2Settings settings;
  settings.enable_push = flags & 1;
  h.session = std::make_unique<evm::H2Session>(h.filter, settings);
  h.session->on_push = [&h, flags](const evm::H2Promise &p) {
    FUZZ_CHECK(p.id > 0 && p.id % 2 == 0);
    if (!(flags & 2)) return evm::PushAnswer::Deny;
    h.promised.push_back(p.id);
    return evm::PushAnswer::Accept;
  };
  h.open("GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n", -1, false, "");
  h.open("HEAD /b HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", -1, true, "");
  h.open("POST /c HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n", 5, false, "hello");
  for (auto &u : h.users) u->woken = true;
  h.turns();

  h.filter.push_input(std::string_view(kServerPreface, sizeof kServerPreface - 1));
  evm::fuzz::Splitter split(seed, 256);
  size_t pieces = 0;
  do {
    size_t n = split.next(frames.size());
    h.filter.push_input(frames.substr(0, n));
    frames.remove_prefix(n);
    if (frames.empty() && (flags & 4)) h.filter.push_eof();
    h.session->on_socket_event(h.ctx, CURL_CSELECT_IN);
    h.turns();
  } while (!frames.empty() && ++pieces < 100000);
  // The application gives up on what is left: each stream is dropped (reset when unfinished).
  for (auto &u : h.users)
    if (!u->done) h.session->drop_stream(*u);
  h.session->flush(h.ctx);
  return 0;
}
