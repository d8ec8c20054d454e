// Request bodies: UPLOAD, READFUNCTION/READDATA, INFILESIZE(_LARGE), SEEKFUNCTION,
// EXPECT_100_TIMEOUT_MS.
#include "api/setopt.h"

namespace evm {

CURLcode set_upload_option(EasyOptions &, CURLoption, const OptionArg &) {
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
