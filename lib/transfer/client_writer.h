// Response bytes on their way to the application pass a chain of small writers (curl 8's client
// writers): splitting, and later decoding, a size limit and a pause buffer, each one stage. The
// last stage calls the application.
#pragma once

#include <curl/curl.h>

#include <string_view>

namespace evm {

enum class WriteKind {
  Body,     // response body bytes
  Head,     // one response head (status line and headers, interim ones too), or a line of it
  Trailer,  // the trailer block of a chunked body, or a line of it
};

class ClientWriter {
 public:
  virtual ~ClientWriter() = default;
  // CURLE_OK, or why the transfer must stop (the stage that said no set the error text).
  virtual CURLcode write(WriteKind kind, std::string_view data) = 0;
};

}  // namespace evm
