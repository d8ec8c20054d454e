// CURLOPT_RESOLVE: "host:port:addr[,addr]...", "+host:port:addr" (the same), "-host:port"
// (removes an entry, which has nothing to remove here since nothing is cached from the list).
#pragma once

#include <curl/curl.h>

#include <string_view>

#include "net/address.h"

namespace evm {

// Fills `out` with the addresses the list gives for host:port; false when none applies.
bool find_resolve_override(const curl_slist *list, std::string_view host, uint16_t port,
                           AddressList &out);

}  // namespace evm
