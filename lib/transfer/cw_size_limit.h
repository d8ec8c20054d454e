// Counts the body bytes that reach the application (decoded ones, after content decoding) and
// stops the transfer once MAXFILESIZE is passed: a body without Content-Length, or a small
// compressed one that inflates beyond the limit, ends with CURLE_FILESIZE_EXCEEDED.
#pragma once

#include <cstdint>
#include <string>

#include "transfer/client_writer.h"

namespace evm {

class SizeLimitWriter final : public ClientWriter {
 public:
  SizeLimitWriter(ClientWriter &next, std::string &error) : next_(next), error_(error) {}

  void set_limit(int64_t max_bytes) { limit_ = max_bytes; }  // 0: no limit
  uint64_t delivered() const { return delivered_; }

  CURLcode write(WriteKind kind, std::string_view data) override {
    if (kind != WriteKind::Body) return next_.write(kind, data);
    delivered_ += data.size();
    if (limit_ > 0 && delivered_ > static_cast<uint64_t>(limit_)) {
      error_ = "Maximum file size exceeded";
      return CURLE_FILESIZE_EXCEEDED;
    }
    return next_.write(kind, data);
  }

 private:
  ClientWriter &next_;
  std::string &error_;
  int64_t limit_ = 0;
  uint64_t delivered_ = 0;
};

}  // namespace evm
