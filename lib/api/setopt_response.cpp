// Response handling: ACCEPT_ENCODING, HTTP_(CONTENT|TRANSFER)_DECODING, HEADER, RANGE, RESUME_FROM,
// TIMECONDITION, MAXFILESIZE, FILETIME.
#include "api/setopt.h"

namespace evm {

CURLcode set_response_option(EasyOptions &, CURLoption, const OptionArg &) {
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
