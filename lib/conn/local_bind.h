// Binding a socket's local end before connect: CURLOPT_INTERFACE ("if!name", "host!address", or
// a plain name tried as an interface first, then as an address) and CURLOPT_LOCALPORT with
// CURLOPT_LOCALPORTRANGE, with libcurl 7.88's answers and texts.
#pragma once

#include <curl/curl.h>

#include <cstdint>
#include <string>

namespace evm {

class Trace;

struct LocalBind {
  std::string interface;  // empty: any local address
  uint16_t port = 0;      // 0: any port
  uint16_t port_range = 1;

  bool wanted() const { return !interface.empty() || port != 0; }
};

// Binds `fd` (of address family `family`) as `spec` says. CURLE_OK; CURLE_INTERFACE_FAILED with
// `error` set; or CURLE_UNSUPPORTED_PROTOCOL when the interface has no address of this family
// (the caller moves on to the next address). Host names other than "localhost" are not looked
// up: that would block the event loop.
CURLcode bind_local(curl_socket_t fd, int family, const LocalBind &spec, Trace &trace,
                    std::string &error);

}  // namespace evm
