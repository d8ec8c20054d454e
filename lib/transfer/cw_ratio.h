// Decompression ratio guard (our addition; libcurl has none): the bytes that leave the stack of
// decoders against the bytes that entered it. A response whose decoded size passes
// limits::kDecodeRatio times what was received, once past limits::kDecodeRatioGrace decoded,
// fails with CURLE_BAD_CONTENT_ENCODING: stacked codings can expand a million to one.
#pragma once

#include <cstdint>
#include <string>

#include "transfer/client_writer.h"
#include "util/limits.h"

namespace evm {

struct DecodeRatio {
  uint64_t encoded = 0;  // body bytes handed to the outermost decoder
  uint64_t decoded = 0;  // body bytes the innermost decoder produced

  // False when `decoded` is past the grace and more than the ratio allows for `encoded`.
  static bool within(uint64_t encoded, uint64_t decoded) {
    if (decoded <= limits::kDecodeRatioGrace) return true;
    return decoded / limits::kDecodeRatio < encoded ||
           (decoded / limits::kDecodeRatio == encoded && decoded % limits::kDecodeRatio == 0);
  }
};

// Above the decoders: counts what enters them.
class RatioInWriter final : public ClientWriter {
 public:
  RatioInWriter(ClientWriter &next, DecodeRatio &ratio) : next_(next), ratio_(ratio) {}
  CURLcode write(WriteKind kind, std::string_view data) override {
    if (kind == WriteKind::Body) ratio_.encoded += data.size();
    return next_.write(kind, data);
  }

 private:
  ClientWriter &next_;
  DecodeRatio &ratio_;
};

// Below the decoders: counts what they made and stops the response past the ratio. It holds
// the counts; the RatioInWriter above the decoders adds to them.
class RatioCheckWriter final : public ClientWriter {
 public:
  RatioCheckWriter(ClientWriter &next, std::string &error) : next_(next), error_(error) {}
  DecodeRatio &ratio() { return ratio_; }

  CURLcode write(WriteKind kind, std::string_view data) override {
    if (kind == WriteKind::Body) {
      ratio_.decoded += data.size();
      if (!DecodeRatio::within(ratio_.encoded, ratio_.decoded)) {
        error_ = "Decompression ratio over " + std::to_string(limits::kDecodeRatio) + ":1 (" +
                 std::to_string(ratio_.decoded) + " bytes from " + std::to_string(ratio_.encoded) +
                 ")";
        return CURLE_BAD_CONTENT_ENCODING;
      }
    }
    return next_.write(kind, data);
  }

 private:
  ClientWriter &next_;
  std::string &error_;
  DecodeRatio ratio_;
};

}  // namespace evm
