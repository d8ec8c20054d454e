// Content decoding (ACCEPT_ENCODING): one writer stage per coding named in Content-Encoding,
// the last-applied coding first. Each inflates into one CURL_MAX_WRITE_SIZE buffer and hands it
// on before inflating more, so a decompression bomb costs time, never memory; a ratio guard
// around the stack (cw_ratio.h) and the stages after it (the size limit) stop it.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/inflater.h"
#include "transfer/client_writer.h"

namespace evm {

class DecodeWriter final : public ClientWriter {
 public:
  DecodeWriter(http::Inflater::Format format, ClientWriter &next, std::string &error)
      : inflater_(format), next_(next), error_(error) {}

  CURLcode write(WriteKind kind, std::string_view data) override;

 private:
  http::Inflater inflater_;
  ClientWriter &next_;
  std::string &error_;
  std::array<char, CURL_MAX_WRITE_SIZE> out_;
};

// The writer stages for a Content-Encoding value, stacked on `next`. Returns the top stage
// (`next` itself when nothing needs decoding); `stages` owns what was made. An unknown coding
// makes a stage that fails at the first body byte, as libcurl does, so a bodiless response
// with an odd Content-Encoding still succeeds.
ClientWriter &build_decoders(std::string_view content_encoding, ClientWriter &next,
                             std::string &error,
                             std::vector<std::unique_ptr<ClientWriter>> &stages);

// What ACCEPT_ENCODING "" asks for: every coding built in.
inline constexpr const char *kSupportedEncodings = "deflate, gzip";

}  // namespace evm
