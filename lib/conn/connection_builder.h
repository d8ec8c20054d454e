// Assembles a connection's filter chain in one place: TCP at the bottom, then (with the proxy
// work) a tunnel, then TLS. Code above only ever sees the top filter.
#pragma once

#include <memory>
#include <string>

#include "conn/filter.h"
#include "conn/tcp_filter.h"
#include "net/address.h"
#include "net/tls_config.h"
#include "net/tls_context_cache.h"

namespace evm {

struct ChainSpec {
  AddressList addresses;  // with the port set
  std::string host;       // as in the URL: SNI, certificate check, messages
  uint16_t port = 0;
  // Where TCP goes when CURLOPT_CONNECT_TO sent it elsewhere (empty: `host`); TLS still
  // checks `host`.
  std::string connect_host;
  uint16_t connect_port = 0;
  TcpOptions tcp;
  const TlsConfig *tls = nullptr;  // null: no TLS
  TlsContextCache *tls_contexts = nullptr;
};

std::unique_ptr<Filter> build_filter_chain(ChainSpec spec);

}  // namespace evm
