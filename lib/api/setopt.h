// curl_easy_setopt dispatch: the argument is read once by its CURLOPTTYPE, then offered to each
// feature's setter in turn; a setter answers CURLE_UNKNOWN_OPTION for options not its own.
#pragma once

#include <curl/curl.h>

#include "transfer/easy_options.h"

namespace evm {

struct OptionArg {
  long number = 0;          // CURLOPTTYPE_LONG
  void *pointer = nullptr;  // OBJECTPOINT, STRINGPOINT, SLISTPOINT, CBPOINT
  void (*function)() = nullptr;
  curl_off_t offset = 0;  // CURLOPTTYPE_OFF_T
  const curl_blob *blob = nullptr;

  const char *string() const { return static_cast<const char *>(pointer); }
  template <class F>
  F callback() const {
    return reinterpret_cast<F>(function);
  }
};

using OptionSetter = CURLcode (*)(EasyOptions &, CURLoption, const OptionArg &);

// One per feature, each in its own setopt_<feature>.cpp.
CURLcode set_core_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);
CURLcode set_redirect_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);
CURLcode set_auth_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);
CURLcode set_upload_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);
CURLcode set_form_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);
CURLcode set_cookie_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);
CURLcode set_response_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);
CURLcode set_control_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);
CURLcode set_connection_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);
CURLcode set_share_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);
CURLcode set_curlu_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);
CURLcode set_session_option(EasyOptions &o, CURLoption opt, const OptionArg &arg);

}  // namespace evm
