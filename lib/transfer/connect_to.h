// CURLOPT_CONNECT_TO: "HOST:PORT:CONNECT-TO-HOST:CONNECT-TO-PORT" entries. An empty HOST or PORT
// matches any; an empty CONNECT-TO-HOST or CONNECT-TO-PORT keeps the URL's. IPv6 addresses are
// written in brackets. The first entry that matches wins; the request itself (Host header, TLS
// name) still names the URL's host.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace evm {

struct ConnectTarget {
  std::string host;   // empty: the URL's
  uint16_t port = 0;  // 0: the URL's
};

// The target the list gives for `host`:`port`. CURLE_OK (the target stays empty when no entry
// matches), or CURLE_SETOPT_OPTION_SYNTAX with libcurl's text for a bad port.
CURLcode find_connect_to(const curl_slist *list, std::string_view host, uint16_t port,
                         ConnectTarget &out, std::string &error);

}  // namespace evm
