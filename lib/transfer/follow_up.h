// The follow-up policy of a transfer: whether a response leads to another request (a redirect
// or an auth retry), where to, with which method and which credentials. Transfer asks it at
// each final response head and again when the response is complete; it keeps no I/O.
#pragma once

#include <cstdint>
#include <string>

#include "http/h1_response_parser.h"
#include "http/url.h"
#include "transfer/auth_state.h"
#include "transfer/easy_options.h"
#include "transfer/transfer_info.h"

namespace evm {

struct FollowState {
  // The first request's origin: credentials and custom Authorization/Cookie headers go to it
  // only, unless UNRESTRICTED_AUTH.
  bool started = false;
  std::string first_scheme, first_host;
  uint16_t first_port = 0;
  bool credentials_dropped = false;  // a redirect changed port or scheme: they are gone for good
  bool post_as_get = false;          // a 301/302/303 turned the POST into a GET
  std::string referer;               // AUTOREFERER: the URL we came from
  AuthState auth;

  bool expect_disabled = false;    // a 417 answered our Expect: the retry goes without it
  bool allow_port = true;          // CURLOPT_PORT applies until a redirect to an absolute URL
  bool location_absolute = false;  // the pending redirect's Location names a scheme

  enum class Next { None, Redirect, AuthRetry, ExpectRetry };
  Next next = Next::None;  // decided at the final response head
  int status = 0;
  std::string next_url;

  // Whether credentials and the custom Authorization/Cookie headers may go to `url`.
  bool may_send_credentials(const EasyOptions &opt, const http::Url &url) const;
};

// The credentials a request to `url` may carry.
Credentials credentials_for(const FollowState &f, const EasyOptions &opt, const http::Url &url);

// Before the first request (after its URL parsed).
void follow_begin(FollowState &f, const http::Url &first);

// At a final response head: decides what comes next and fills REDIRECT_URL and
// HTTPAUTH_AVAIL. True when a follow-up is due: the response body is then not delivered.
bool follow_on_head(FollowState &f, const EasyOptions &opt, const http::Url &url,
                    const h1::ResponseHead &head, TransferInfo &info);

// At a 417 that answered our "Expect: 100-continue" before the body went: the same request is
// made again without it (libcurl 7.88), once. True when that retry is due.
bool follow_on_expect_failed(FollowState &f, const http::Url &url);

// When the response with a due follow-up is complete: checks MAXREDIRS, counts the step and
// applies the method change and credential rules. CURLE_OK and the URL to request next, or
// the error with its text.
CURLcode follow_next(FollowState &f, const EasyOptions &opt, const http::Url &current,
                     TransferInfo &info, std::string &error, std::string &next_url);

// CURLOPT_PROTOCOLS for every request, and CURLOPT_REDIR_PROTOCOLS for a redirect's.
CURLcode check_protocol(const EasyOptions &opt, const http::Url &url, bool redirect,
                        std::string &error);

}  // namespace evm
