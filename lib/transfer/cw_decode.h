// Content decoding (ACCEPT_ENCODING): one writer stage per coding named in Content-Encoding,
// the last-applied coding first. Each inflates into one CURL_MAX_WRITE_SIZE buffer and hands it
// on before inflating more, so a decompression bomb costs time, never memory; a ratio guard
// around the stack (cw_ratio.h) and the stages after it (the size limit) stop it. What one turn
// decodes stops at limits::kDecodeTurnBytes, and nothing is decoded while the application has
// paused receiving: the undecoded rest is kept and decoded in a later turn.
#pragma once

#include <algorithm>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/inflater.h"
#include "transfer/client_writer.h"
#include "transfer/cw_pause.h"
#include "util/limits.h"

namespace evm {

// The decoded bytes a stack may still hand on in this turn.
struct DecodeTurn {
  size_t left = limits::kDecodeTurnBytes;
  const PauseState *pause = nullptr;  // the application's: nothing decodes while it is paused

  bool spent() const { return left == 0 || (pause && pause->recv); }
  void take(size_t n) { left -= std::min(left, n); }
  void renew() { left = limits::kDecodeTurnBytes; }
};

class DecodeWriter final : public ClientWriter {
 public:
  // `below` is the decoder this one's output goes to, if any; the innermost stage (none below:
  // its output leaves the stack) charges the turn.
  DecodeWriter(http::Inflater::Format format, ClientWriter &next, std::string &error,
               DecodeTurn &turn, const DecodeWriter *below)
      : inflater_(format), next_(next), error_(error), turn_(turn), below_(below) {}

  // CURLE_AGAIN, taking nothing, while input is kept or the turn is spent; the stage above
  // keeps it then. Input the turn ran out in is kept here and CURLE_OK answered.
  CURLcode write(WriteKind kind, std::string_view data) override;

  // Input kept (or output zlib still has) for a later turn.
  bool holding() const { return !kept_.empty() || more_out_; }
  // This stage or one below it holds: new input would overtake what is kept.
  bool blocked() const { return holding() || (below_ && below_->blocked()); }
  // Decodes what was kept, as far as the turn allows.
  CURLcode resume();

 private:
  CURLcode decode(std::string_view data);

  http::Inflater inflater_;
  ClientWriter &next_;
  std::string &error_;
  DecodeTurn &turn_;
  const DecodeWriter *below_;
  std::string kept_;       // input not yet decoded
  bool more_out_ = false;  // the last step filled the buffer: zlib may have more to give
  std::array<char, CURL_MAX_WRITE_SIZE> out_;
};

// The stages for one response's Content-Encoding and what they keep between turns.
class DecodeStack {
 public:
  explicit DecodeStack(const PauseState *app_pause = nullptr) { turn_.pause = app_pause; }
  DecodeStack(const DecodeStack &) = delete;
  DecodeStack &operator=(const DecodeStack &) = delete;

  // Stacks the stages for a Content-Encoding value on `next` and returns the top (`next` itself
  // when nothing needs decoding). An unknown coding makes a stage that fails at the first body
  // byte, as libcurl does, so a bodiless response with an odd Content-Encoding still succeeds.
  ClientWriter &build(std::string_view content_encoding, ClientWriter &next, std::string &error);

  // Body (or trailers after it) kept for a later turn.
  bool holding() const;
  // A new turn: the budget is renewed, then what was kept is decoded, innermost stage first
  // (its input came before anything the stages above would make), then what the gate kept.
  CURLcode resume();

 private:
  DecodeTurn turn_;
  std::vector<std::unique_ptr<ClientWriter>> stages_;
  std::vector<DecodeWriter *> decoders_;  // innermost first
  // Above the decoders: keeps, in order, what arrives while they take nothing (a PauseWriter
  // whose pause is the decoders' CURLE_AGAIN, never the application's).
  PauseState gate_state_;
  PauseWriter *gate_ = nullptr;
};

// What ACCEPT_ENCODING "" asks for: every coding built in.
inline constexpr const char *kSupportedEncodings = "deflate, gzip";

}  // namespace evm
