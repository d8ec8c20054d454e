// Anything a multipart body streams from: a part's bytes, a file, a read callback, an encoder
// over one of those, or a whole nested multipart. Pull-based, so nothing is held in memory
// beyond one piece.
#pragma once

#include <cstddef>
#include <cstdint>

namespace evm::mime {

struct Chunk {
  enum Status {
    Data,   // `n` bytes (n > 0)
    End,    // no more bytes
    Pause,  // a read callback said CURL_READFUNC_PAUSE
    Abort,  // a read callback said CURL_READFUNC_ABORT
    Error,  // unreadable (file gone, callback misbehaving, 8-bit data for 7bit)
  } status = End;
  size_t n = 0;
};

class Source {
 public:
  virtual ~Source() = default;
  virtual Chunk read(char *buf, size_t len) = 0;  // len > 0
  virtual int64_t size() const = 0;               // -1 when only reading would tell
  virtual bool rewind() = 0;                      // false when the bytes cannot be had again
};

}  // namespace evm::mime
