#include "transfer/debug_sink.h"

namespace evm {

void DebugSink::attach(Trace &trace, const EasyOptions &opt, CURL *easy, TransferHost &host) {
  fn_ = opt.debug_fn;
  user_ = opt.debug_data;
  easy_ = easy;
  host_ = &host;
  trace.enabled = opt.verbose;
  trace.err = opt.err;
  trace.sink = fn_ ? this : nullptr;
}

void DebugSink::emit(curl_infotype type, std::string_view data) {
  if (!fn_) return;
  // The callback's answer is ignored, as libcurl ignores it.
  if (!host_) {
    fn_(easy_, type, const_cast<char *>(data.data()), data.size(), user_);
    return;
  }
  CallbackGuard in_cb(*host_);
  fn_(easy_, type, const_cast<char *>(data.data()), data.size(), user_);
}

}  // namespace evm
