// Request bodies come from a chain of small readers (curl 8's client readers): a memory buffer
// now; READFUNCTION, the chunked encoder and MIME join as stages of their own.
#pragma once

#include <cstdint>
#include <span>

#include "http/exchange.h"

namespace evm {

class ClientReader {
 public:
  virtual ~ClientReader() = default;
  // Fills `buf`; may answer Paused or Abort instead of data.
  virtual BodyRead read(std::span<char> buf) = 0;
  virtual int64_t length() const = 0;  // -1 when unknown
  // Back to the first byte, for a retry on a fresh connection; false when that is impossible.
  virtual bool rewind() = 0;
};

}  // namespace evm
