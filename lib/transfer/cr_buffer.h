// A request body held in memory (POSTFIELDS, COPYPOSTFIELDS): always rewindable.
#pragma once

#include <algorithm>
#include <cstring>

#include "transfer/client_reader.h"

namespace evm {

class BufferReader final : public ClientReader {
 public:
  BufferReader(const char *data, size_t size) : data_(data), size_(size) {}

  BodyRead read(std::span<char> buf) override {
    size_t n = std::min(buf.size(), size_ - pos_);
    if (n) std::memcpy(buf.data(), data_ + pos_, n);
    pos_ += n;
    return BodyRead{BodyRead::Data, n, pos_ == size_};
  }
  int64_t length() const override { return static_cast<int64_t>(size_); }
  bool rewind() override {
    pos_ = 0;
    return true;
  }

 private:
  const char *data_;
  size_t size_;
  size_t pos_ = 0;
};

}  // namespace evm
