// WRITEFUNCTION never sees more than CURL_MAX_WRITE_SIZE body bytes at once, as documented;
// the exchange hands over whatever one read brought.
#pragma once

#include "transfer/client_writer.h"

namespace evm {

class SplitWriter final : public ClientWriter {
 public:
  explicit SplitWriter(ClientWriter &next) : next_(next) {}

  CURLcode write(WriteKind kind, std::string_view data) override {
    if (kind != WriteKind::Body) return next_.write(kind, data);
    while (data.size() > CURL_MAX_WRITE_SIZE) {
      if (CURLcode rc = next_.write(kind, data.substr(0, CURL_MAX_WRITE_SIZE))) return rc;
      data.remove_prefix(CURL_MAX_WRITE_SIZE);
    }
    return data.empty() ? CURLE_OK : next_.write(kind, data);
  }

 private:
  ClientWriter &next_;
};

}  // namespace evm
