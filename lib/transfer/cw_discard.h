// Drops the body while heads pass: a 416 answer to a resumed download is no error, and its
// body is not the file (libcurl ignores it the same way).
#pragma once

#include "transfer/client_writer.h"

namespace evm {

class DiscardBodyWriter final : public ClientWriter {
 public:
  explicit DiscardBodyWriter(ClientWriter &next) : next_(next) {}

  CURLcode write(WriteKind kind, std::string_view data) override {
    return kind == WriteKind::Body ? CURLE_OK : next_.write(kind, data);
  }

 private:
  ClientWriter &next_;
};

}  // namespace evm
