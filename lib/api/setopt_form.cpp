// Forms: MIMEPOST and HTTPPOST.
#include "api/setopt.h"

namespace evm {

CURLcode set_form_option(EasyOptions &, CURLoption, const OptionArg &) {
  return CURLE_UNKNOWN_OPTION;
}

}  // namespace evm
