// Target 1: the HTTP/1.1 response parser (lib/http/h1_response_parser.h) on server bytes, fed once
// whole and once in pieces the input chooses. Both runs must tell the same story (heads, body
// bytes, trailers, completion, the error), every view must point into the fed buffer, and a
// Content-Length body must be exactly that long.
//
// Input: flags byte, split seed byte, then the server's bytes.
//   flags bit 0: a HEAD request   bit 1: raw chunked (TRANSFER_DECODING 0)
//   bit 2: small header limits    bit 3: the peer closes after the last byte
#include <string>

#include "fuzz_input.h"
#include "fuzz_target.h"
#include "http/h1_response_parser.h"

namespace {

using evm::h1::ResponseHead;

bool inside(std::string_view part, std::string_view buf) {
  return part.empty() ||
         (part.data() >= buf.data() && part.data() + part.size() <= buf.data() + buf.size());
}

class Recorder final : public evm::h1::ResponseHandler {
 public:
  std::string_view buffer;  // what the current feed() call was given
  std::string story;        // every event, comparable between runs
  std::string body;         // of the current response
  bool head_request = false, raw = false;
  int64_t expected = -1;  // Content-Length of the current final response
  int completes = 0;

  void check_head(const ResponseHead &h) {
    FUZZ_CHECK(inside(h.raw, buffer));
    FUZZ_CHECK(inside(h.reason, buffer));
    for (const evm::h1::Header &x : h.headers) {
      FUZZ_CHECK(inside(x.name, buffer));
      FUZZ_CHECK(inside(x.value, buffer));
    }
  }
  bool on_response_head(const ResponseHead &h) override {
    check_head(h);
    FUZZ_CHECK(h.status >= 100 && h.status <= 999);
    story += "H" + std::to_string(h.status) + "/" + std::to_string(h.raw.size()) + "/" +
             std::to_string(h.headers.size()) + ";";
    if (!h.interim()) expected = h.body == evm::h1::BodyKind::ContentLength ? h.content_length : -1;
    return true;
  }
  bool on_body(std::string_view data) override {
    FUZZ_CHECK(inside(data, buffer));
    FUZZ_CHECK(!head_request);
    body.append(data);
    return true;
  }
  bool on_trailers(const ResponseHead &h) override {
    check_head(h);
    FUZZ_CHECK(!h.headers.empty());
    story += "T" + std::to_string(h.raw.size()) + ";";
    return true;
  }
  void on_complete() override {
    ++completes;
    if (expected >= 0 && !raw) FUZZ_CHECK(static_cast<int64_t>(body.size()) == expected);
    story += "C" + std::to_string(body.size()) + ":" + body + ";";
    body.clear();
    expected = -1;
  }
};

// Feeds `payload` in the pieces `split` gives, starting over for each response the connection
// could carry, and returns the story.
std::string run(std::string_view payload, uint8_t flags, uint32_t seed) {
  evm::h1::ResponseParser p;
  Recorder r;
  r.head_request = flags & 1;
  r.raw = flags & 2;
  if (flags & 4) {
    p.max_header_bytes = 512;
    p.max_header_line = 80;
  }
  p.begin(r.head_request, r.raw);
  evm::fuzz::Splitter split(seed);
  std::string pending;
  size_t off = 0;
  int responses = 0;
  for (;;) {
    if (p.complete()) {
      if (!p.reusable() || responses == 8 || (pending.empty() && off == payload.size())) break;
      ++responses;
      p.begin(r.head_request, r.raw);
    }
    if (p.failed()) break;
    size_t n = split.next(payload.size() - off);
    if (n == 0 && pending.empty()) break;
    pending.append(payload.substr(off, n));
    off += n;
    r.buffer = pending;
    int before = r.completes;
    size_t used = p.feed(pending, r);
    FUZZ_CHECK(used <= pending.size());
    pending.erase(0, used);
    // Nothing left to add and nothing taken: the parser waits for bytes that never come.
    if (n == 0 && used == 0 && r.completes == before) break;
  }
  if (!p.failed() && !p.complete() && (flags & 8)) {
    r.buffer = {};
    p.feed_eof(r);
  }
  if (p.failed()) {
    FUZZ_CHECK(p.error() != evm::h1::ParseError::None);
    FUZZ_CHECK(*p.error_message() != '\0');
  }
  r.story += "E" + std::to_string(static_cast<int>(p.error())) + " S" +
             std::to_string(static_cast<int>(p.state()));
  return r.story;
}

}  // namespace

EVM_FUZZ_TARGET(h1_response) {
  evm::fuzz::FuzzInput in(data, size);
  uint8_t flags = in.byte();
  uint8_t seed = in.byte();
  std::string_view payload = in.rest();
  std::string whole = run(payload, flags, 0);
  if (seed != 0) FUZZ_CHECK(run(payload, flags, seed) == whole);
  return 0;
}
