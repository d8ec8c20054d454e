// Where a request meets the cookie engine: the Cookie header value it sends, and the
// Set-Cookie lines of its response that go into the jar.
#pragma once

#include <string>

#include "http/h1_response_parser.h"
#include "http/url.h"
#include "transfer/easy_options.h"
#include "util/trace.h"

namespace evm {

// The engine's matching cookies, then COOKIE (unless the application set its own Cookie
// header, or the engine's cookies already hit libcurl's length cap). Empty: no Cookie header.
// `custom_host`: a custom Host header names the host cookies are for (not after a redirect to
// another host, as libcurl).
std::string cookie_header_value(const EasyOptions &opt, const http::Url &url, bool tls,
                                bool custom_host);

// Feeds the jar with every Set-Cookie of a final response head (at most
// cookie::kMaxSetPerResponse of them are stored).
void store_response_cookies(const EasyOptions &opt, const http::Url &url, bool tls,
                            bool custom_host, const h1::ResponseHead &head, Trace &trace);

}  // namespace evm
