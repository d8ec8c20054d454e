// The last writer: body bytes to WRITEFUNCTION (fwrite to WRITEDATA by default), heads line by
// line to HEADERFUNCTION (or, with HEADERDATA alone, through the write path), as libcurl; with
// HEADER set each head line also goes to WRITEFUNCTION, ahead of the body.
// CURL_WRITEFUNC_PAUSE is answered with CURLE_AGAIN: nothing was taken (see cw_pause.h).
#pragma once

#include <string>

#include "transfer/client_writer.h"
#include "transfer/easy_options.h"
#include "transfer/header_store.h"
#include "transfer/transfer_host.h"

namespace evm {

class ClientOutWriter final : public ClientWriter {
 public:
  // Each head line is also kept in `headers` (the header API) just before the application sees
  // it, as libcurl does.
  ClientOutWriter(const EasyOptions &opt, TransferHost &host, std::string &error,
                  HeaderStore *headers = nullptr)
      : opt_(opt), host_(host), error_(error), headers_(headers) {}

  CURLcode write(WriteKind kind, std::string_view data) override;

 private:
  CURLcode write_head(std::string_view raw, bool response_head);

  const EasyOptions &opt_;
  TransferHost &host_;
  std::string &error_;
  bool body_copy_made_ = false;  // HEADER: the paused line already went to WRITEFUNCTION
  HeaderStore *headers_;
  bool line_stored_ = false;  // the paused line is in headers_ already
};

}  // namespace evm
