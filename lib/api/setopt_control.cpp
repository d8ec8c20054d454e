// Progress, pacing and tracing: NOPROGRESS, PROGRESS/XFERINFO functions, LOW_SPEED_*, VERBOSE,
// DEBUGFUNCTION and STDERR.
#include <cstdio>

#include "api/setopt.h"

namespace evm {

CURLcode set_control_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  switch (opt) {
    case CURLOPT_NOPROGRESS:
      o.no_progress = arg.number != 0;
      return CURLE_OK;
    case CURLOPT_VERBOSE:
      o.verbose = arg.number != 0;
      return CURLE_OK;
    case CURLOPT_LOW_SPEED_LIMIT:
      // libcurl 7.88 refuses negative values for both.
      if (arg.number < 0) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.low_speed_limit = arg.number;
      return CURLE_OK;
    case CURLOPT_LOW_SPEED_TIME:
      if (arg.number < 0) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.low_speed_time = arg.number;
      return CURLE_OK;
    case CURLOPT_XFERINFOFUNCTION:
      o.xferinfo_fn = arg.callback<curl_xferinfo_callback>();
      return CURLE_OK;
    case CURLOPT_PROGRESSFUNCTION:
      o.progress_fn = arg.callback<curl_progress_callback>();
      return CURLE_OK;
    case CURLOPT_XFERINFODATA:  // PROGRESSDATA is the same option
      o.progress_data = arg.pointer;
      return CURLE_OK;
    case CURLOPT_DEBUGFUNCTION:
      o.debug_fn = arg.callback<curl_debug_callback>();
      return CURLE_OK;
    case CURLOPT_DEBUGDATA:
      o.debug_data = arg.pointer;
      return CURLE_OK;
    case CURLOPT_STDERR:
      // NULL goes back to stderr, as libcurl does.
      o.err = arg.pointer ? static_cast<FILE *>(arg.pointer) : stderr;
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

}  // namespace evm
