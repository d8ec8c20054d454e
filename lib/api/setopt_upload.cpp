// Request bodies: UPLOAD, READFUNCTION/READDATA, INFILESIZE(_LARGE), SEEKFUNCTION/SEEKDATA,
// EXPECT_100_TIMEOUT_MS.
#include <climits>
#include <cstdio>

#include "api/setopt.h"

namespace evm {

CURLcode set_upload_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  switch (opt) {
    case CURLOPT_UPLOAD:
      // The last of UPLOAD, POST, NOBODY and HTTPGET decides the method, as in libcurl.
      o.method = arg.number ? EasyOptions::Method::Put : EasyOptions::Method::Get;
      return CURLE_OK;
    case CURLOPT_READFUNCTION:
      o.read_fn = arg.callback<curl_read_callback>();  // null: back to fread
      return CURLE_OK;
    case CURLOPT_READDATA:
      o.read_data = arg.pointer;
      return CURLE_OK;
    case CURLOPT_SEEKFUNCTION:
      o.seek_fn = arg.callback<curl_seek_callback>();
      return CURLE_OK;
    case CURLOPT_SEEKDATA:
      o.seek_data = arg.pointer;
      return CURLE_OK;
    case CURLOPT_INFILESIZE:
      if (arg.number < -1) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.infile_size = arg.number;
      return CURLE_OK;
    case CURLOPT_INFILESIZE_LARGE:
      if (arg.offset < -1) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.infile_size = arg.offset;
      return CURLE_OK;
    case CURLOPT_EXPECT_100_TIMEOUT_MS: {
      // libcurl 7.88 refuses a negative value (probed) and caps it at UINT_MAX.
      if (arg.number < 0) return CURLE_BAD_FUNCTION_ARGUMENT;
      unsigned long ms = static_cast<unsigned long>(arg.number);
      o.expect_100_timeout_ms = static_cast<long>(ms < UINT_MAX ? ms : UINT_MAX);
      return CURLE_OK;
    }
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

}  // namespace evm
