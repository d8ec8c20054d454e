// Reads a fuzz input as decisions and payload: single bytes for flags and lengths, and a small
// generator seeded from the input for split points, so the same input always splits the same way
// and the fuzzer can change the splits by changing a seed byte.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace evm::fuzz {

class FuzzInput {
 public:
  FuzzInput(const uint8_t *data, size_t size)
      : data_(reinterpret_cast<const char *>(data)), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  size_t left() const { return size_ - pos_; }

  // The next byte, 0 once the input is used up.
  uint8_t byte() { return pos_ < size_ ? static_cast<uint8_t>(data_[pos_++]) : 0; }
  uint16_t u16() { return static_cast<uint16_t>(byte() | (byte() << 8)); }

  // Up to n bytes.
  std::string_view take(size_t n) {
    n = std::min(n, left());
    std::string_view s(data_ + pos_, n);
    pos_ += n;
    return s;
  }
  // A piece whose length is the next byte.
  std::string_view take_short() { return take(byte()); }
  // Up to the next '\n' (not included; consumed), or the rest.
  std::string_view line() {
    std::string_view rest(data_ + pos_, left());
    size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) {
      pos_ = size_;
      return rest;
    }
    pos_ += nl + 1;
    return rest.substr(0, nl);
  }
  std::string_view rest() { return take(left()); }

 private:
  const char *data_;
  size_t size_;
  size_t pos_ = 0;
};

// Piece sizes for feeding a payload in parts: seed 0 means "whole", otherwise sizes 1..max drawn
// from an xorshift generator, with a bias towards tiny pieces where boundary bugs live.
class Splitter {
 public:
  explicit Splitter(uint32_t seed, size_t max = 64)
      : state_(seed * 2654435761u + 1), whole_(seed == 0), max_(max) {}

  size_t next(size_t remaining) {
    if (whole_ || remaining == 0) return remaining;
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    size_t n = (state_ & 3) == 0 ? 1 + (state_ >> 8) % 3 : 1 + (state_ >> 8) % max_;
    return std::min(n, remaining);
  }

 private:
  uint32_t state_;
  bool whole_;
  size_t max_;
};

}  // namespace evm::fuzz
