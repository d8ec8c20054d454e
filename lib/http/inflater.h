// One zlib inflate stream, sans-I/O: compressed bytes in, at most one output buffer's worth out
// per call, so a decompression bomb never needs more memory than the caller's buffer.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace evm::http {

class Inflater {
 public:
  enum class Format {
    Gzip,  // gzip (zlib-wrapped data is accepted too, as zlib's auto-detection does)
    // zlib-wrapped deflate, or raw deflate from servers that leave the wrapper out (detected in
    // the first input given, as libcurl does: the wrapper's two bytes must not come alone)
    Deflate,
  };

  struct Step {
    size_t consumed = 0;  // input bytes used
    size_t produced = 0;  // output bytes written
    bool failed = false;  // corrupt data: see error()
  };

  explicit Inflater(Format format);
  ~Inflater();
  Inflater(const Inflater &) = delete;
  Inflater &operator=(const Inflater &) = delete;

  // Inflates from `in` into `out` until `out` is full, `in` is used up or the stream ends.
  // Input after the end of the stream is consumed and ignored. Call again with the rest of
  // the input (and a fresh `out`) while consumed < in.size() or produced == out.size().
  Step run(std::string_view in, std::span<char> out);

  bool ended() const { return ended_; }
  // libcurl's wording for the failure: "Error while processing content unencoding: <why>".
  const std::string &error() const { return error_; }

 private:
  bool init(int window_bits);
  Step fail(Step s, const char *why);

  struct Stream;
  std::unique_ptr<Stream> z_;
  Format format_;
  bool ended_ = false;
  bool raw_tried_ = false;
  bool started_ = false;  // output came: too late to retry as raw deflate
  std::string error_;
};

}  // namespace evm::http
