// Response handling: ACCEPT_ENCODING, HTTP_(CONTENT|TRANSFER)_DECODING, HEADER, RANGE, RESUME_FROM,
// TIMECONDITION, MAXFILESIZE, FILETIME.
#include "api/setopt.h"

namespace evm {

CURLcode set_response_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  switch (opt) {
    case CURLOPT_ACCEPT_ENCODING:
      // NULL turns decoding and the request header off; "" asks for every coding built in.
      o.accept_encoding_set = arg.string() != nullptr;
      o.accept_encoding = arg.string() ? arg.string() : "";
      return CURLE_OK;
    case CURLOPT_HTTP09_ALLOWED:
      // A reply without a status line always fails ("Received HTTP/0.9 when not allowed"), as
      // libcurl's default; reading HTTP/0.9 bodies is not built.
      return arg.number ? CURLE_NOT_BUILT_IN : CURLE_OK;
    case CURLOPT_HTTP_CONTENT_DECODING:
      o.content_decoding = arg.number != 0;
      return CURLE_OK;
    case CURLOPT_HTTP_TRANSFER_DECODING:
      o.transfer_decoding = arg.number != 0;
      return CURLE_OK;
    case CURLOPT_HEADER:
      o.include_header = arg.number != 0;
      return CURLE_OK;
    case CURLOPT_RANGE:
      o.range = arg.string() ? arg.string() : "";
      return CURLE_OK;
    case CURLOPT_RESUME_FROM:
    case CURLOPT_RESUME_FROM_LARGE: {
      int64_t v = opt == CURLOPT_RESUME_FROM ? arg.number : arg.offset;
      // -1 means "from the end" for uploads; a download treats it as no offset.
      if (v < -1) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.resume_from = v;
      return CURLE_OK;
    }
    case CURLOPT_TIMECONDITION:
      if (arg.number < CURL_TIMECOND_NONE || arg.number >= CURL_TIMECOND_LAST)
        return CURLE_BAD_FUNCTION_ARGUMENT;
      o.time_condition = arg.number;
      return CURLE_OK;
    case CURLOPT_TIMEVALUE:
      o.time_value = arg.number;
      return CURLE_OK;
    case CURLOPT_TIMEVALUE_LARGE:
      o.time_value = arg.offset;
      return CURLE_OK;
    case CURLOPT_MAXFILESIZE:
    case CURLOPT_MAXFILESIZE_LARGE: {
      int64_t v = opt == CURLOPT_MAXFILESIZE ? arg.number : arg.offset;
      if (v < 0) return CURLE_BAD_FUNCTION_ARGUMENT;
      o.max_filesize = v;
      return CURLE_OK;
    }
    case CURLOPT_FILETIME:
      o.want_filetime = arg.number != 0;
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

}  // namespace evm
