#include "http/inflater.h"

#include <zlib.h>

namespace evm::http {

struct Inflater::Stream {
  z_stream s{};
  bool live = false;
  ~Stream() {
    if (live) inflateEnd(&s);
  }
};

Inflater::Inflater(Format format) : z_(std::make_unique<Stream>()), format_(format) {
  // 32 added to the window bits: zlib detects a gzip or zlib header by itself.
  init(format == Format::Gzip ? MAX_WBITS + 32 : MAX_WBITS);
}

Inflater::~Inflater() = default;

bool Inflater::init(int window_bits) {
  if (z_->live) inflateEnd(&z_->s);
  z_->s = z_stream{};
  z_->live = inflateInit2(&z_->s, window_bits) == Z_OK;
  return z_->live;
}

Inflater::Step Inflater::fail(Step s, const char *why) {
  s.failed = true;
  error_ = std::string("Error while processing content unencoding: ") +
           (why ? why : "Unknown failure within decompression software.");
  return s;
}

Inflater::Step Inflater::run(std::string_view in, std::span<char> out) {
  Step step;
  if (!error_.empty()) return fail(step, nullptr);
  if (ended_) {
    step.consumed = in.size();
    return step;
  }
  if (!z_->live) return fail(step, "zlib initialization failed");
  z_stream &s = z_->s;
  s.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(in.data()));
  s.avail_in = static_cast<uInt>(in.size());
  s.next_out = reinterpret_cast<Bytef *>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&s, Z_SYNC_FLUSH);
  step.consumed = in.size() - s.avail_in;
  step.produced = out.size() - s.avail_out;
  switch (rc) {
    case Z_STREAM_END:
      ended_ = true;
      step.consumed = in.size();
      return step;
    case Z_OK:
    case Z_BUF_ERROR:  // no progress possible: needs more input or more room
      started_ = started_ || step.produced > 0;
      return step;
    case Z_DATA_ERROR:
      // Some servers send "deflate" without the zlib wrapper; like libcurl, retry as raw deflate
      // from the start of this input while nothing has come out yet.
      if (format_ == Format::Deflate && !started_ && !raw_tried_ && step.produced == 0) {
        raw_tried_ = true;
        if (!init(-MAX_WBITS)) return fail(Step{}, "zlib initialization failed");
        return run(in, out);
      }
      return fail(step, s.msg);
    default:
      return fail(step, s.msg);
  }
}

}  // namespace evm::http
