// zlib compression for tests and the test server: the bytes a gzip or deflate server sends.
#pragma once

#include <zlib.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace evm::test {

// window_bits: 31 gzip, 15 zlib wrapper, -15 raw deflate. Streams input of any size.
inline std::string compress(std::string_view in, int window_bits, size_t zeros = 0) {
  z_stream s{};
  deflateInit2(&s, 9, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  char buf[65536];
  static const std::string kZeros(1 << 20, '\0');
  auto pump = [&](std::string_view piece, int flush) {
    s.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(piece.data()));
    s.avail_in = static_cast<uInt>(piece.size());
    do {
      s.next_out = reinterpret_cast<Bytef *>(buf);
      s.avail_out = sizeof buf;
      deflate(&s, flush);
      out.append(buf, sizeof buf - s.avail_out);
    } while (s.avail_out == 0);
  };
  pump(in, Z_NO_FLUSH);
  for (size_t left = zeros; left > 0; left -= std::min(left, kZeros.size()))
    pump(std::string_view(kZeros).substr(0, std::min(left, kZeros.size())), Z_NO_FLUSH);
  pump({}, Z_FINISH);
  deflateEnd(&s);
  return out;
}

}  // namespace evm::test
