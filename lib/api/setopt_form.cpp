// Forms: MIMEPOST, HTTPPOST and MIME_OPTIONS.
#include "api/setopt.h"

namespace evm {

CURLcode set_form_option(EasyOptions &o, CURLoption opt, const OptionArg &arg) {
  switch (opt) {
    case CURLOPT_MIMEPOST:
      // One handle posts a tree at a time, and never a tree that is some part's subparts.
      if (!o.mime_post.set(static_cast<mime::Mime *>(arg.pointer)))
        return CURLE_BAD_FUNCTION_ARGUMENT;
      o.method = EasyOptions::Method::MimePost;
      return CURLE_OK;
    case CURLOPT_HTTPPOST:
      o.http_post = static_cast<const curl_httppost *>(arg.pointer);
      o.method = EasyOptions::Method::FormPost;
      return CURLE_OK;
    case CURLOPT_MIME_OPTIONS:
      o.mime_options = arg.number;
      return CURLE_OK;
    default:
      return CURLE_UNKNOWN_OPTION;
  }
}

}  // namespace evm
