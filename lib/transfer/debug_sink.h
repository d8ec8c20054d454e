// CURLOPT_DEBUGFUNCTION as the transfer's trace sink: every traced piece goes to the application
// (only with VERBOSE set, as libcurl), inside a CallbackGuard like every other callback.
#pragma once

#include <curl/curl.h>

#include "transfer/easy_options.h"
#include "transfer/transfer_host.h"
#include "util/trace.h"

namespace evm {

class DebugSink final : public TraceSink {
 public:
  // Points `trace` at this sink (or at the default text) as the options say.
  void attach(Trace &trace, const EasyOptions &opt, CURL *easy, TransferHost &host);
  void emit(curl_infotype type, std::string_view data) override;
  // The handle left its multi: later lines (curl_easy_upkeep, send/recv refusals) reach the
  // callback without that multi's re-entrancy guard, which may be gone by then.
  void leave_host() { host_ = nullptr; }

 private:
  curl_debug_callback fn_ = nullptr;
  void *user_ = nullptr;
  CURL *easy_ = nullptr;
  TransferHost *host_ = nullptr;
};

}  // namespace evm
