// Progress, pacing and tracing: PROGRESS/XFERINFO functions, LOW_SPEED_*, DEBUGFUNCTION.
#include "api/setopt.h"

namespace evm {

CURLcode set_control_option(EasyOptions &, CURLoption, const OptionArg &) {
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
